/**
 * Range partitioning for sorts: per-partition samples of the first sort key, boundaries chosen from
 * them, and the split of a partition by those boundaries. Missing values always go to the last output
 * (pandas sorts them last in either direction).
 */
import type * as A from "apache-arrow";
import { columnNames, makeTable, readColumn, readColumns, takeColumn, type Column } from "../column.js";
import { sortIndices } from "../sort-rows.js";
import { splitByDest } from "../split-rows.js";
import { compareCodePoints } from "../string-order.js";

/** Up to this many values of each partition stand for its distribution. */
export const SAMPLE_SIZE = 1000;

/** A sorted sample of one partition's present key values; `count` present values in all, the ends always included. */
export interface KeySample {
  readonly kind: "num" | "str";
  readonly values: Float64Array | string[];
  readonly count: number;
}

/** Boundary values: numbers for numeric, bool and date keys (dates as epoch ms), strings for string keys. */
export type Boundaries = number[] | string[];

/** Order of key values: numbers by value, strings in code-point order (as pandas). */
export function compareKeys(a: number | string, b: number | string): number {
  if (typeof a === "string") return compareCodePoints(a, b as string);
  const y = b as number;
  return a < y ? -1 : a > y ? 1 : 0;
}

/** Present values of a numeric key as JS numbers (bools 0/1, int64 via Number: order-preserving). */
function presentNumbers(c: Column): Float64Array {
  if (c.kind === "str") throw new TypeError("presentNumbers: string column");
  const v = c.values;
  const valid = c.valid;
  const n = v.length;
  const out = new Float64Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) {
    if (valid !== null && valid[i] === 0) continue;
    const x = Number(v[i]!);
    if (x === x) out[m++] = x;
  }
  return out.subarray(0, m);
}

/** Evenly spaced positions 0..n-1 (first and last included), at most `s` of them. */
function samplePositions(n: number, s: number): Float64Array {
  const k = Math.min(n, s);
  const pos = new Float64Array(k);
  for (let j = 0; j < k; j++) pos[j] = k === 1 ? 0 : Math.round((j * (n - 1)) / (k - 1));
  return pos;
}

/** The sample of partition `t` on column `col`. */
export function sampleKey(t: A.Table, col: string, size: number = SAMPLE_SIZE): KeySample {
  const c = readColumn(t, col);
  if (c.kind === "str") {
    // Sort the used dictionary entries with their counts, not the rows.
    const counts = new Int32Array(c.dict.length);
    let present = 0;
    for (const code of c.codes) if (code >= 0) { counts[code]!++; present++; }
    const used: number[] = [];
    for (let j = 0; j < counts.length; j++) if (counts[j]! > 0) used.push(j);
    used.sort((a, b) => compareCodePoints(c.dict[a]!, c.dict[b]!));
    const pos = samplePositions(present, size);
    const values: string[] = [];
    let u = 0, cum = counts[used[0] ?? 0] ?? 0;
    for (const p of pos) {
      while (p >= cum) cum += counts[used[++u]!]!;
      values.push(c.dict[used[u]!]!);
    }
    return { kind: "str", values, count: present };
  }
  const v = presentNumbers(c).slice().sort();
  const pos = samplePositions(v.length, size);
  const values = new Float64Array(pos.length);
  for (let j = 0; j < pos.length; j++) values[j] = v[pos[j]!]!;
  return { kind: "num", values, count: v.length };
}

/**
 * `nparts - 1` ascending boundaries at the weighted quantiles of the samples (each sample value stands
 * for count / sample-size rows of its partition). Fewer when there are no present values.
 */
export function chooseBoundaries(samples: readonly KeySample[], nparts: number): Boundaries {
  const vals: (number | string)[] = [];
  const weights: number[] = [];
  for (const s of samples) {
    const w = s.values.length ? s.count / s.values.length : 0;
    for (const v of s.values) { vals.push(v); weights.push(w); }
  }
  if (vals.length === 0 || nparts < 2) return [];
  const order = vals.map((_, i) => i).sort((a, b) => compareKeys(vals[a]!, vals[b]!) || a - b);
  let total = 0;
  for (const w of weights) total += w;
  const out: (number | string)[] = [];
  let cum = 0;
  let k = 0;
  for (let j = 1; j < nparts; j++) {
    const target = (total * j) / nparts;
    while (k < order.length - 1 && cum + weights[order[k]!]! < target) cum += weights[order[k++]!]!;
    out.push(vals[order[k]!]!);
  }
  return out as Boundaries;
}

/** Global min and max of the present values of the samples (null when there are none). */
export function sampleRange(samples: readonly KeySample[]): [number | string | null, number | string | null] {
  let lo: number | string | null = null, hi: number | string | null = null;
  for (const s of samples) {
    if (s.values.length === 0) continue;
    const a = s.values[0]!, b = s.values[s.values.length - 1]!;
    if (lo === null || compareKeys(a, lo) < 0) lo = a;
    if (hi === null || compareKeys(b, hi) > 0) hi = b;
  }
  return [lo, hi];
}

/** Index of the first boundary greater than x (bisect right): the ascending output of x. */
function bisectRight(b: readonly (number | string)[], x: number | string): number {
  let lo = 0, hi = b.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareKeys(b[mid]!, x) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Output partition of each row: the range of its key among the boundaries (reversed when descending), missing last. */
function rangeDest(c: Column, nout: number, boundaries: Boundaries, ascending: boolean): Int32Array {
  const n = c.kind === "str" ? c.codes.length : c.values.length;
  const dest = new Int32Array(n);
  const last = nout - 1;
  const place = (bucket: number): number => {
    const b = Math.min(bucket, last);
    return ascending ? b : last - b;
  };
  if (c.kind === "str") {
    const b = boundaries as string[];
    const memo = new Int32Array(c.dict.length).fill(-1);
    for (let i = 0; i < n; i++) {
      const code = c.codes[i]!;
      if (code < 0) { dest[i] = last; continue; }
      let d = memo[code]!;
      if (d < 0) d = memo[code] = place(bisectRight(b, c.dict[code]!));
      dest[i] = d;
    }
    return dest;
  }
  const b = boundaries as number[];
  const v = c.values;
  const valid = c.valid;
  for (let i = 0; i < n; i++) {
    const x = Number(v[i]!);
    dest[i] = (valid !== null && valid[i] === 0) || x !== x ? last : place(bisectRight(b, x));
  }
  return dest;
}


/** Rows of `t` split into `nout` ranges of column `col`. */
export function rangeSplit(t: A.Table, nout: number, col: string, boundaries: Boundaries, ascending: boolean): A.Table[] {
  if (nout === 1) return [t];
  return splitByDest(t, rangeDest(readColumn(t, col), nout, boundaries, ascending), nout);
}

/** One partition sorted by `by` (stable, missing last). */
export function sortTable(t: A.Table, by: readonly string[], ascending: readonly boolean[]): A.Table {
  if (t.numRows < 2) return t;
  const names = columnNames(t);
  const order = sortIndices(by.map((c) => readColumn(t, c)), ascending);
  return makeTable(names, readColumns(t, names).map((c) => takeColumn(c, order)));
}
