/**
 * The three stages of a groupby: per-partition partial aggregates (chunk), partials of partials
 * (combine), and the final columns (finish). A partial is a list of tables: first one row per group
 * (key columns, then the partial columns named by `partialName`), then, per nunique value column, the
 * distinct (key, value) pairs seen.
 */
import * as A from "apache-arrow";
import {
  concatColumns,
  concatTables,
  makeTable,
  readColumn,
  takeColumn,
  type Column,
  type NumColumn,
} from "../column.js";
import { hashRows } from "../hash.js";
import { splitByDest } from "../split-rows.js";
import { compactStrings } from "../dictionary.js";
import { sortIndices } from "../sort-rows.js";
import { keyOrder } from "./order.js";
import { combineM2, floatToInt64, groupSizes, pickRows, sumBig, sumCountSize, sumFloat, sumSquaredDeviations } from "./accumulate.js";
import { combineIds, groupRows, sparseIds, type Grouping } from "./group-ids.js";
import { PAIR_VALUE, SIZE_NAME, partialName, type GroupSpec, type PartialKind } from "./spec.js";

/** Partial aggregates: the groups table, then one distinct-pairs table per nunique value column. */
export type Partial = A.Table[];

type NumLike = NumColumn | Extract<Column, { kind: "bool" }>;

const f64 = (values: Float64Array): NumColumn => ({ kind: "num", dtype: "float64", values, valid: null });
const i64 = (values: BigInt64Array): NumColumn => ({ kind: "num", dtype: "int64", values, valid: null });

/** The key columns of each group (its first row's keys). */
function groupKeys(keys: readonly Column[], g: Grouping): Column[] {
  return keys.map((k) => compactStrings(takeColumn(k, g.first)));
}

/** Distinct (key, value) pairs with a present value: a table of the key columns then PAIR_VALUE. */
function distinctPairs(keyNames: readonly string[], keys: readonly Column[], g: Grouping, value: Column, n: number): A.Table {
  const pairs = groupRows([value], n, true);
  const both = combineIds(g, pairs, n);
  return makeTable([...keyNames, PAIR_VALUE], [...keys, value].map((c) => compactStrings(takeColumn(c, both.first))));
}

/** A per-group partial before empty groups are dropped: float64 or int64 values, or a row per group of a column. */
type RawPartial =
  | { readonly name: string; readonly f: Float64Array }
  | { readonly name: string; readonly b: BigInt64Array }
  | { readonly name: string; readonly rows: Int32Array; readonly col: Column };

function gatherF(a: Float64Array, kept: Int32Array): Float64Array {
  const out = new Float64Array(kept.length);
  for (let j = 0; j < kept.length; j++) out[j] = a[kept[j]!]!;
  return out;
}

/** The column of a raw partial, for groups `kept` (null: all). */
function rawColumn(r: RawPartial, kept: Int32Array | null): Column {
  if ("f" in r) return f64(kept === null ? r.f : gatherF(r.f, kept));
  if ("b" in r) return i64(kept === null ? r.b : BigInt64Array.from(kept, (g) => r.b[g]!));
  return compactStrings(takeColumn(r.col, kept === null ? r.rows : Int32Array.from(kept, (g) => r.rows[g]!)));
}

/** Partials of one partition. */
export function chunkPartial(t: A.Table, spec: GroupSpec): Partial {
  const n = t.numRows;
  const keys = spec.keys.map((k) => readColumn(t, k));
  const withPairs = spec.values.some((v) => v.kinds.includes("u"));
  // One key and no distinct pairs: group on the key's codes (or int offsets) directly, then drop empty groups.
  const sparse = keys.length === 1 && !withPairs ? sparseIds(keys[0]!, n, spec.dropna) : null;
  const dense = sparse === null ? groupRows(keys, n, spec.dropna) : null;
  const { ids, ngroups } = sparse ?? dense!;
  const size = sparse !== null || spec.size ? new Float64Array(ngroups) : null;
  let sizeDone = size === null;
  const raw: RawPartial[] = [];
  const pairs: A.Table[] = [];
  spec.values.forEach((v, vi) => {
    const c = readColumn(t, v.name);
    const name = (k: PartialKind) => partialName(vi, k);
    const wantS = v.kinds.includes("s") || v.kinds.includes("m2");
    const wantN = v.kinds.includes("n") || v.kinds.includes("m2");
    const sum = wantS ? new Float64Array(ngroups) : null;
    const count = wantN ? new Float64Array(ngroups) : null;
    if (wantS || wantN) {
      // Sums, counts and (once) group sizes in one pass over the rows.
      sumCountSize(ids, c, sum, count, sizeDone ? null : size);
      sizeDone = true;
    }
    for (const k of v.kinds) {
      switch (k) {
        case "n": raw.push({ name: name(k), f: count! }); break;
        case "s": raw.push({ name: name(k), f: sum! }); break;
        case "S": raw.push({ name: name(k), b: sumBig(ids, ngroups, c as NumColumn) }); break;
        case "m2": raw.push({ name: name(k), f: sumSquaredDeviations(ids, ngroups, c as NumLike, sum!, count!) }); break;
        case "u": pairs.push(distinctPairs(spec.keys, keys, dense!, c, n)); break;
        default: raw.push({ name: name(k), rows: pickRows(ids, ngroups, c, k), col: c }); break;
      }
    }
  });
  if (!sizeDone) size!.set(groupSizes(ids, ngroups));
  let kept: Int32Array | null = null;
  let keyCols: Column[];
  if (sparse !== null) {
    let m = 0;
    for (let g = 0; g < ngroups; g++) if (size![g]! > 0) m++;
    const ks = new Int32Array(m);
    for (let g = 0, j = 0; g < ngroups; g++) if (size![g]! > 0) ks[j++] = g;
    if (m < ngroups) kept = ks;
    keyCols = [compactStrings(sparse.keyColumn(ks))];
  } else keyCols = groupKeys(keys, dense!);
  const names: string[] = [...spec.keys];
  const cols: Column[] = keyCols;
  if (spec.size) { names.push(SIZE_NAME); cols.push(f64(kept === null ? size! : gatherF(size!, kept))); }
  for (const r of raw) { names.push(r.name); cols.push(rawColumn(r, kept)); }
  return [makeTable(names, cols), ...pairs];
}


/** Partials of partials: the groups of several partials merged. */
export function combinePartials(parts: readonly Partial[], spec: GroupSpec): Partial {
  const main = concatTables(parts.map((p) => p[0]!));
  const n = main.numRows;
  const keys = spec.keys.map((k) => readColumn(main, k));
  // Keys were dropped (or kept) by the chunks: a missing key here is a group of its own.
  const g = groupRows(keys, n, false);
  const { ids, ngroups } = g;
  const names: string[] = [...spec.keys];
  const cols: Column[] = groupKeys(keys, g);
  const col = (name: string) => readColumn(main, name);
  if (spec.size) { names.push(SIZE_NAME); cols.push(f64(sumFloat(ids, ngroups, col(SIZE_NAME) as NumColumn, false))); }
  const pairs: A.Table[] = [];
  let pairIndex = 1;
  spec.values.forEach((v, vi) => {
    const got = new Map<PartialKind, Column>();
    const sums = new Map<PartialKind, Float64Array>();
    const total = (k: "n" | "s") => {
      let s = sums.get(k);
      if (s === undefined) sums.set(k, (s = sumFloat(ids, ngroups, col(partialName(vi, k)) as NumColumn, false)));
      return s;
    };
    for (const k of v.kinds) {
      switch (k) {
        case "n":
        case "s":
          got.set(k, f64(total(k)));
          break;
        case "S": got.set(k, i64(sumBig(ids, ngroups, col(partialName(vi, k)) as NumColumn))); break;
        case "m2": {
          const pn = (col(partialName(vi, "n")) as NumColumn).values as Float64Array;
          const ps = (col(partialName(vi, "s")) as NumColumn).values as Float64Array;
          const pm2 = (col(partialName(vi, "m2")) as NumColumn).values as Float64Array;
          got.set(k, f64(combineM2(ids, ngroups, pn, ps, pm2, total("n"), total("s"))));
          break;
        }
        case "u": {
          const t = concatTables(parts.map((p) => p[pairIndex]!));
          pairIndex++;
          const m = t.numRows;
          const pcols = [...spec.keys, PAIR_VALUE].map((name) => readColumn(t, name));
          const pg = groupRows(pcols, m, false);
          pairs.push(makeTable([...spec.keys, PAIR_VALUE], pcols.map((c) => compactStrings(takeColumn(c, pg.first)))));
          break;
        }
        default: {
          const c = col(partialName(vi, k));
          got.set(k, compactStrings(takeColumn(c, pickRows(ids, ngroups, c, k))));
        }
      }
    }
    for (const [k, c] of got) { names.push(partialName(vi, k)); cols.push(c); }
  });
  return [makeTable(names, cols), ...pairs];
}

/** Distinct values per group: pairs are matched to the groups of `main` by their keys. */
function distinctCounts(main: A.Table, pairsT: A.Table, keyNames: readonly string[]): Float64Array {
  const ng = main.numRows;
  const m = pairsT.numRows;
  const keys = keyNames.map((k) => concatColumns([readColumn(main, k), readColumn(pairsT, k)]));
  // The groups of main come first and are distinct, so group r of the union is main's row r.
  const g = groupRows(keys, ng + m, false);
  const out = new Float64Array(ng);
  for (let j = 0; j < m; j++) out[g.ids[ng + j]!]++;
  return out;
}

/** The result columns of combined partials (one row per group), in the spec's row order. */
export function finishPartial(p: Partial, spec: GroupSpec): A.Table {
  const main = p[0]!;
  const ng = main.numRows;
  const keys = spec.keys.map((k) => readColumn(main, k));
  const col = (vi: number, k: PartialKind) => (readColumn(main, partialName(vi, k)) as NumColumn).values as Float64Array;
  const pairTable = new Map<number, A.Table>();
  let at = 1;
  spec.values.forEach((v, vi) => { if (v.kinds.includes("u")) pairTable.set(vi, p[at++]!); });
  const outs: Column[] = spec.outs.map((o) => {
    const vi = o.value;
    switch (o.op) {
      case "size": return i64(floatToInt64((readColumn(main, SIZE_NAME) as NumColumn).values as Float64Array));
      case "count": return i64(floatToInt64(col(vi, "n")));
      case "sum":
        if (o.dtype === "float64") return f64(col(vi, "s"));
        if (spec.values[vi]!.dtype === "int64") return readColumn(main, partialName(vi, "S"));
        return i64(floatToInt64(col(vi, "s")));
      case "mean": {
        const s = col(vi, "s"), n = col(vi, "n");
        return f64(Float64Array.from(s, (x, g) => (n[g]! > 0 ? x / n[g]! : NaN)));
      }
      case "var":
      case "std": {
        const m2 = col(vi, "m2"), n = col(vi, "n");
        const sq = o.op === "std";
        return f64(Float64Array.from(m2, (x, g) => {
          const d = n[g]! - o.ddof;
          if (d <= 0) return NaN;
          const r = Math.max(0, x / d);
          return sq ? Math.sqrt(r) : r;
        }));
      }
      case "nunique": return i64(floatToInt64(distinctCounts(main, pairTable.get(vi)!, spec.keys)));
      default: return readColumn(main, partialName(vi, o.op as PartialKind));
    }
  });
  let order: Int32Array;
  if (spec.order === "count-desc") {
    const ci = spec.outs.findIndex((o) => o.op === "size");
    const counts = f64(Float64Array.from((outs[ci] as NumColumn).values as BigInt64Array, Number));
    order = sortIndices([counts, ...keys], [false, ...keys.map(() => true)], ng);
  } else order = keyOrder(keys, ng);
  let identity = true;
  for (let i = 0; i < ng; i++) if (order[i] !== i) { identity = false; break; }
  const all = [...keys, ...outs];
  return makeTable([...spec.keys, ...spec.outs.map((o) => o.name)], identity ? all : all.map((c) => takeColumn(c, order)));
}

/** Rows of a table split into `nout` tables by the hash of its key columns (dictionaries cut to what each piece uses). */
function splitByKeys(t: A.Table, keyNames: readonly string[], nout: number): A.Table[] {
  const n = t.numRows;
  const h = hashRows(keyNames.map((k) => readColumn(t, k)), n);
  const dest = new Int32Array(n);
  for (let i = 0; i < n; i++) dest[i] = h[i]! % nout;
  return splitByDest(t, dest, nout, compactStrings);
}

/** Partials of one partition, split by key hash into `nout` partials (piece j for output j). */
export function chunkSplitPartial(t: A.Table, spec: GroupSpec, nout: number): Partial[] {
  const p = chunkPartial(t, spec);
  const pieces = p.map((table) => splitByKeys(table, spec.keys, nout));
  return Array.from({ length: nout }, (_, j) => pieces.map((ps) => ps[j]!));
}

/** Output j of a split groupby: piece j of every partition's partials, combined and finished. */
export function combineFinishPieces(splits: readonly Partial[][], j: number, spec: GroupSpec): A.Table {
  return finishPartial(combinePartials(splits.map((s) => s[j]!), spec), spec);
}
