/**
 * Group ids: each row's key (one or several columns) mapped to a dense integer, in order of first
 * appearance, so aggregations can loop once over rows into typed accumulators indexed by group.
 *
 * String keys use their dictionary codes (remapped to dense ids), small-range int32 keys a direct
 * table, other keys an open-addressing hash table on the value's 32-bit words. Several key columns
 * are grouped one at a time and their ids combined pairwise (a direct table over id1 * n2 + id2 when
 * that is small, else a hash of the pair).
 */
import { allocTyped } from "@dask-ts/core";
import { columnLength, int32Range, type Column } from "../column.js";

/** Dense group ids of the rows of one table. */
export interface Grouping {
  /** Group of each row, in [0, ngroups); -1 for a row that belongs to no group (missing key under dropna). */
  readonly ids: Int32Array;
  readonly ngroups: number;
  /** The first row of each group (its key's representative). */
  readonly first: Int32Array;
}

/** Builds dense ids: `assign(i)` is called for rows in order; ids are handed out on first sight of a key. */
class DenseIds {
  readonly ids: Int32Array;
  first: Int32Array;
  ngroups = 0;
  constructor(n: number) {
    this.ids = allocTyped(Int32Array, n, { uninitialized: true });
    this.first = new Int32Array(Math.min(n, 1024));
  }
  /** A new group whose first row is i. */
  add(i: number): number {
    const g = this.ngroups++;
    if (g === this.first.length) {
      const grown = new Int32Array(Math.min(this.ids.length, this.first.length * 2));
      grown.set(this.first);
      this.first = grown;
    }
    this.first[g] = i;
    return g;
  }
  done(): Grouping {
    return { ids: this.ids, ngroups: this.ngroups, first: this.first.subarray(0, this.ngroups) };
  }
}

/** Dense ids of codes in [0, range) (or -1 = missing) through a direct table. */
function directIds(codes: ArrayLike<number>, n: number, range: number, offset: number, missing: Uint8Array | null, dropna: boolean): Grouping {
  const table = new Int32Array(range).fill(-1);
  const out = new DenseIds(n);
  const ids = out.ids;
  let missingId = -1;
  for (let i = 0; i < n; i++) {
    const c = codes[i]! - offset;
    // Missing: marked so, or a string code of -1 (offset is 0 for codes).
    if (c < 0 || (missing !== null && missing[i] === 0)) {
      if (dropna) ids[i] = -1;
      else ids[i] = missingId >= 0 ? missingId : (missingId = out.add(i));
      continue;
    }
    const g = table[c]!;
    ids[i] = g >= 0 ? g : (table[c] = out.add(i));
  }
  return out.done();
}

/**
 * Dense ids through a hash table on one or two 32-bit words per row: `lo[i]` and, when `hi` is given,
 * `hi[i]` (stride 1) or the pairs of `words` (stride 2). `missing[i] === 0` marks a missing key.
 */
function hashIds(n: number, words: Int32Array | Uint32Array, wide: boolean, missing: Uint8Array | null, dropna: boolean): Grouping {
  let cap = 1024;
  let mask = cap - 1;
  let keyLo = new Int32Array(cap);
  let keyHi = new Int32Array(cap);
  let val = new Int32Array(cap).fill(-1);
  const out = new DenseIds(n);
  const ids = out.ids;
  let missingId = -1;
  for (let i = 0; i < n; i++) {
    if (missing !== null && missing[i] === 0) {
      if (dropna) ids[i] = -1;
      else ids[i] = missingId >= 0 ? missingId : (missingId = out.add(i));
      continue;
    }
    const a = wide ? words[2 * i]! | 0 : words[i]! | 0;
    const b = wide ? words[2 * i + 1]! | 0 : 0;
    let h = Math.imul(a ^ Math.imul(b, 0x85ebca6b), 0x9e3779b1);
    h ^= h >>> 15;
    let slot = h & mask;
    for (;;) {
      const v = val[slot]!;
      if (v < 0) {
        const g = out.add(i);
        val[slot] = g;
        keyLo[slot] = a;
        keyHi[slot] = b;
        ids[i] = g;
        if (out.ngroups * 2 > cap) {
          // Grow: rehash every entry into a table twice the size.
          const oLo = keyLo, oHi = keyHi, oVal = val;
          cap *= 2;
          mask = cap - 1;
          keyLo = new Int32Array(cap);
          keyHi = new Int32Array(cap);
          val = new Int32Array(cap).fill(-1);
          for (let s = 0; s < oVal.length; s++) {
            const gv = oVal[s]!;
            if (gv < 0) continue;
            const x = oLo[s]!, y = oHi[s]!;
            let hh = Math.imul(x ^ Math.imul(y, 0x85ebca6b), 0x9e3779b1);
            hh ^= hh >>> 15;
            let t = hh & mask;
            while (val[t]! >= 0) t = (t + 1) & mask;
            val[t] = gv;
            keyLo[t] = x;
            keyHi[t] = y;
          }
        }
        break;
      }
      if (keyLo[slot] === a && keyHi[slot] === b) {
        ids[i] = v;
        break;
      }
      slot = (slot + 1) & mask;
    }
  }
  return out.done();
}

/** Valid bytes (1 = present) of a float column's NaNs; null when none is missing. */
function nanMissing(v: Float64Array): Uint8Array | null {
  const n = v.length;
  let out: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    if (v[i] !== v[i]) {
      if (out === null) out = new Uint8Array(n).fill(1);
      out[i] = 0;
    }
  }
  return out;
}

/** Dense ids of one key column. */
export function columnIds(c: Column, dropna: boolean): Grouping {
  const n = columnLength(c);
  if (c.kind === "str") {
    const d = c.dict.length;
    if (d <= 4 * n + 1024) return directIds(c.codes, n, d, 0, null, dropna);
    return hashIds(n, c.codes, false, c.codes.some((x) => x < 0) ? Uint8Array.from(c.codes, (x) => (x < 0 ? 0 : 1)) : null, dropna);
  }
  if (c.kind === "bool") return directIds(c.values, n, 2, 0, c.valid, dropna);
  const v = c.values;
  if (v instanceof Int32Array) {
    const valid = c.valid;
    const [lo, hi] = int32Range(v.subarray(0, n), valid);
    const range = hi - lo + 1;
    if (range > 0 && range <= 4 * n + 1024) return directIds(v, n, range, lo, valid, dropna);
    return hashIds(n, v, false, valid, dropna);
  }
  if (v instanceof BigInt64Array) return hashIds(n, new Int32Array(v.buffer, v.byteOffset, 2 * n), true, c.valid, dropna);
  // float64 and date: hash the bits, with -0 as 0 and NaN as missing.
  const f = v as Float64Array;
  let words = new Int32Array(f.buffer, f.byteOffset, 2 * n);
  let copied = false;
  for (let i = 0; i < n; i++) {
    if (f[i] === 0 && words[2 * i + 1] !== 0) {
      if (!copied) { words = Int32Array.from(words); copied = true; }
      words[2 * i + 1] = 0;
    }
  }
  return hashIds(n, words, true, nanMissing(f), dropna);
}

/** Ids of rows grouped by both `a` and `b` (a row dropped by either is dropped). */
export function combineIds(a: Grouping, b: Grouping, n: number): Grouping {
  const na = a.ngroups, nb = b.ngroups;
  const ai = a.ids, bi = b.ids;
  if (na * nb <= Math.max(4 * n, 1 << 16)) {
    const table = new Int32Array(na * nb).fill(-1);
    const out = new DenseIds(n);
    const ids = out.ids;
    for (let i = 0; i < n; i++) {
      const x = ai[i]!, y = bi[i]!;
      if (x < 0 || y < 0) { ids[i] = -1; continue; }
      const c = x * nb + y;
      const g = table[c]!;
      ids[i] = g >= 0 ? g : (table[c] = out.add(i));
    }
    return out.done();
  }
  const words = allocTyped(Int32Array, 2 * n, { uninitialized: true });
  let missing: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const x = ai[i]!, y = bi[i]!;
    words[2 * i] = x;
    words[2 * i + 1] = y;
    if (x < 0 || y < 0) (missing ??= new Uint8Array(n).fill(1))[i] = 0;
  }
  return hashIds(n, words, true, missing, true);
}

/** Dense ids of rows grouped by several key columns; under dropna a row with any missing key is dropped. */
export function groupRows(keys: readonly Column[], n: number, dropna: boolean): Grouping {
  if (keys.length === 0) {
    // No key: one group of every row (used for a whole-frame count).
    const ids = allocTyped(Int32Array, n);
    return { ids, ngroups: n > 0 ? 1 : 0, first: n > 0 ? new Int32Array(1) : new Int32Array(0) };
  }
  let g = columnIds(keys[0]!, dropna);
  for (let k = 1; k < keys.length; k++) g = combineIds(g, columnIds(keys[k]!, dropna), n);
  return g;
}

/** Group ids taken straight from a key's codes or values, where groups may be empty (see sparseIds). */
export interface SparseGrouping {
  readonly ids: Int32Array;
  readonly ngroups: number;
  /** The key column of groups `kept` (ascending group numbers). */
  keyColumn(kept: Int32Array): Column;
}

/**
 * Ids without a pass to number the keys: a string key's codes themselves (when its dictionary is not
 * much longer than the column), or an int32 key's value minus the smallest (when the range is small).
 * Some ids may have no row; the caller drops the empty groups. Null when this does not apply
 * (other types, missing keys kept as a group).
 */
export function sparseIds(c: Column, n: number, dropna: boolean): SparseGrouping | null {
  if (!dropna) return null;
  if (c.kind === "str") {
    if (c.dict.length > 2 * n + 64) return null;
    const { dict, dtype } = c;
    return { ids: c.codes, ngroups: dict.length, keyColumn: (kept) => ({ kind: "str", dtype, codes: kept, dict }) };
  }
  if (c.kind !== "num" || !(c.values instanceof Int32Array)) return null;
  const v = c.values;
  const valid = c.valid;
  const [lo, hi] = int32Range(v.subarray(0, n), valid);
  if (hi < lo || hi - lo + 1 > 2 * n + 64) return null;
  const ids = allocTyped(Int32Array, n, { uninitialized: true });
  if (valid === null) for (let i = 0; i < n; i++) ids[i] = v[i]! - lo;
  else for (let i = 0; i < n; i++) ids[i] = valid[i] === 0 ? -1 : v[i]! - lo;
  return {
    ids,
    ngroups: hi - lo + 1,
    keyColumn: (kept) => {
      const values = new Int32Array(kept.length);
      for (let j = 0; j < kept.length; j++) values[j] = kept[j]! + lo;
      return { kind: "num", dtype: "int32", values, valid: null };
    },
  };
}
