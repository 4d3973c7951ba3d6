/**
 * Key factorization: rows of key columns mapped to dense int ids, so that joins and duplicate
 * detection compare ints. Keys compare by value, as pandas: strings by text (whatever their dictionary
 * codes), int32/int64/float64 by numeric value, and a missing value equals another missing value.
 */
import { allocTyped } from "@dask-ts/core";
import { columnLength, int32Range, type Column } from "../column.js";

/** Ids of the build rows (dense in [0, count)) and of the probe rows (an id of the build side, or -1: no equal build row). */
export interface KeyIds {
  readonly build: Int32Array;
  readonly probe: Int32Array | null;
  /** Upper bound of the ids. */
  readonly count: number;
}

/** A row's numeric key as a JS number (NaN for missing); bools as 0/1. */
function numberAt(c: Column): (i: number) => number {
  if (c.kind === "str") throw new TypeError("numberAt: string column");
  const v = c.values;
  const valid = c.valid;
  if (v instanceof BigInt64Array) return (i) => (valid !== null && valid[i] === 0 ? NaN : Number(v[i]!));
  if (valid !== null) return (i) => (valid[i] === 0 ? NaN : v[i]!);
  return (i) => v[i]!;
}

/** String keys: build ids through the build dictionary, probe dictionary mapped into it once. */
function strIds(build: Column & { kind: "str" }, probe: (Column & { kind: "str" }) | null): KeyIds {
  const index = new Map<string, number>();
  let count = 1; // id 0: missing
  const bmap = new Int32Array(build.dict.length).fill(-1);
  const bc = build.codes;
  const n = bc.length;
  const b = allocTyped(Int32Array, n, { uninitialized: true });
  for (let i = 0; i < n; i++) {
    const c = bc[i]!;
    if (c < 0) { b[i] = 0; continue; }
    let id = bmap[c]!;
    if (id < 0) {
      // Dictionaries may repeat an entry or hold unused ones: ids go by text, for used entries only.
      const s = build.dict[c]!;
      id = index.get(s) ?? -1;
      if (id < 0) { id = count++; index.set(s, id); }
      bmap[c] = id;
    }
    b[i] = id;
  }
  if (probe === null) return { build: b, probe: null, count };
  const pc = probe.codes;
  const m = pc.length;
  const pmap = new Int32Array(probe.dict.length).fill(-2);
  const p = allocTyped(Int32Array, m, { uninitialized: true });
  for (let i = 0; i < m; i++) {
    const c = pc[i]!;
    if (c < 0) { p[i] = 0; continue; }
    let id = pmap[c]!;
    if (id === -2) id = pmap[c] = index.get(probe.dict[c]!) ?? -1;
    p[i] = id;
  }
  return { build: b, probe: p, count };
}

/** int32 keys of a compact range: a lookup table indexed by value instead of a Map (null when the range is too wide). */
function int32Ids(build: Column & { kind: "num" }, probe: (Column & { kind: "num" }) | null): KeyIds | null {
  const v = build.values as Int32Array;
  const valid = build.valid;
  const n = v.length;
  const [lo, hi] = int32Range(v, valid);
  if (hi < lo || hi - lo > 2 * n + 1024) return null;
  // table[x - lo] is the id of x (0: not seen; ids start at 1, id 0 is the missing value).
  const table = new Int32Array(hi - lo + 1);
  const b = allocTyped(Int32Array, n, { uninitialized: true });
  let count = 1;
  for (let i = 0; i < n; i++) {
    if (valid !== null && valid[i] === 0) { b[i] = 0; continue; }
    const o = v[i]! - lo;
    let id = table[o]!;
    if (id === 0) id = table[o] = count++;
    b[i] = id;
  }
  if (probe === null) return { build: b, probe: null, count };
  const pv = probe.values as Int32Array;
  const pvalid = probe.valid;
  const m = pv.length;
  const p = allocTyped(Int32Array, m, { uninitialized: true });
  const width = hi - lo;
  for (let i = 0; i < m; i++) {
    if (pvalid !== null && pvalid[i] === 0) { p[i] = 0; continue; }
    const o = pv[i]! - lo;
    p[i] = o >= 0 && o <= width ? table[o]! || -1 : -1;
  }
  return { build: b, probe: p, count };
}

/** Numeric (and bool, date) keys by value. Two int64 columns compare exactly; mixed types as JS numbers. */
function numIds(build: Column, probe: Column | null): KeyIds {
  const n = columnLength(build);
  const b = allocTyped(Int32Array, n, { uninitialized: true });
  let count = 1; // id 0: missing
  const bothBig = build.kind === "num" && build.values instanceof BigInt64Array && (probe === null || (probe.kind === "num" && probe.values instanceof BigInt64Array));
  if (bothBig) {
    const index = new Map<bigint, number>();
    const idsOf = (c: Column, out: Int32Array, add: boolean): void => {
      const v = (c as { values: BigInt64Array }).values;
      const valid = (c as { valid: Uint8Array | null }).valid;
      for (let i = 0; i < v.length; i++) {
        if (valid !== null && valid[i] === 0) { out[i] = 0; continue; }
        let id = index.get(v[i]!);
        if (id === undefined) {
          if (add) { id = count++; index.set(v[i]!, id); } else id = -1;
        }
        out[i] = id;
      }
    };
    idsOf(build, b, true);
    if (probe === null) return { build: b, probe: null, count };
    const p = allocTyped(Int32Array, columnLength(probe), { uninitialized: true });
    idsOf(probe, p, false);
    return { build: b, probe: p, count };
  }
  if (build.kind === "num" && build.dtype === "int32" && (probe === null || (probe.kind === "num" && probe.dtype === "int32"))) {
    const direct = int32Ids(build, probe);
    if (direct !== null) return direct;
  }
  // Map keys compare with SameValueZero: -0 meets 0; NaN (missing) is routed to id 0 before the lookup.
  const index = new Map<number, number>();
  const bget = numberAt(build);
  for (let i = 0; i < n; i++) {
    const x = bget(i);
    if (x !== x) { b[i] = 0; continue; }
    let id = index.get(x);
    if (id === undefined) { id = count++; index.set(x, id); }
    b[i] = id;
  }
  if (probe === null) return { build: b, probe: null, count };
  const m = columnLength(probe);
  const p = allocTyped(Int32Array, m, { uninitialized: true });
  const pget = numberAt(probe);
  for (let i = 0; i < m; i++) {
    const x = pget(i);
    p[i] = x !== x ? 0 : index.get(x) ?? -1;
  }
  return { build: b, probe: p, count };
}

/** Ids of one key column pair. */
function columnIds(build: Column, probe: Column | null): KeyIds {
  if (build.kind === "str") {
    if (probe !== null && probe.kind !== "str") throw new TypeError(`cannot compare ${build.dtype} keys with ${probe.dtype} keys`);
    return strIds(build, probe as (Column & { kind: "str" }) | null);
  }
  if (probe !== null && probe.kind === "str") throw new TypeError(`cannot compare ${build.dtype} keys with ${probe.dtype} keys`);
  return numIds(build, probe);
}

/**
 * Ids of multi-column keys: each column's ids, combined column by column into dense ids of the build
 * side's distinct key tuples. Probe rows with no equal build tuple get -1.
 */
export function keyIds(build: readonly Column[], probe: readonly Column[] | null): KeyIds {
  let acc = columnIds(build[0]!, probe === null ? null : probe[0]!);
  for (let k = 1; k < build.length; k++) {
    const next = columnIds(build[k]!, probe === null ? null : probe[k]!);
    // (previous id, column id) -> dense id; the product stays below 2^53 for any partition that fits in memory.
    const width = next.count;
    const index = new Map<number, number>();
    const nb = acc.build.length;
    const b = allocTyped(Int32Array, nb, { uninitialized: true });
    let count = 0;
    for (let i = 0; i < nb; i++) {
      const key = acc.build[i]! * width + next.build[i]!;
      let id = index.get(key);
      if (id === undefined) { id = count++; index.set(key, id); }
      b[i] = id;
    }
    let p: Int32Array | null = null;
    if (acc.probe !== null) {
      const ap = acc.probe, np = next.probe!;
      p = allocTyped(Int32Array, ap.length, { uninitialized: true });
      for (let i = 0; i < ap.length; i++) {
        const x = ap[i]!, y = np[i]!;
        p[i] = x < 0 || y < 0 ? -1 : index.get(x * width + y) ?? -1;
      }
    }
    acc = { build: b, probe: p, count };
  }
  return acc;
}
