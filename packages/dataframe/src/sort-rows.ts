/**
 * Row order by key columns, as pandas sort_values: stable, missing values last, strings in code-point
 * order. Strings are compared through the rank of their dictionary entry, so the sort compares ints.
 */
import type { Column } from "./column.js";
import { compareCodePoints } from "./string-order.js";

/** Per column, a comparable view of each row: a Float64Array of values (NaN = missing) or of string ranks. */
function sortKey(c: Column): Float64Array | BigInt64Array {
  const n = c.kind === "str" ? c.codes.length : c.values.length;
  if (c.kind === "str") {
    const order = c.dict.map((_, i) => i).sort((a, b) => compareCodePoints(c.dict[a]!, c.dict[b]!));
    const rank = new Float64Array(c.dict.length);
    order.forEach((d, r) => (rank[d] = r));
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = c.codes[i]! < 0 ? NaN : rank[c.codes[i]!]!;
    return out;
  }
  if (c.values instanceof BigInt64Array) return c.values;
  const out = new Float64Array(n);
  const v = c.values;
  const valid = c.valid;
  for (let i = 0; i < n; i++) out[i] = valid !== null && valid[i] === 0 ? NaN : v[i]!;
  return out;
}

/** Missing markers of a BigInt64 key (its own valid bytes). */
function bigMissing(c: Column): Uint8Array | null {
  return c.kind === "num" && c.values instanceof BigInt64Array && c.valid !== null ? c.valid : null;
}

/**
 * The permutation that sorts rows by `cols` (first column first), each ascending unless
 * `ascending[k]` is false. Missing values sort last in either direction.
 */
export function sortIndices(cols: readonly Column[], ascending: readonly boolean[] = [], n?: number): Int32Array {
  const len = n ?? (cols.length === 0 ? 0 : cols[0]!.kind === "str" ? (cols[0] as { codes: Int32Array }).codes.length : (cols[0] as { values: { length: number } }).values.length);
  const keys = cols.map(sortKey);
  const missing = cols.map(bigMissing);
  const idx = new Int32Array(len);
  for (let i = 0; i < len; i++) idx[i] = i;
  const dirs = cols.map((_, k) => (ascending[k] === false ? -1 : 1));
  if (keys.length === 1 && keys[0] instanceof Float64Array) {
    const key = keys[0];
    const d = dirs[0]!;
    // One float key: compare with missing last, ties by position (stable).
    return idx.sort((a, b) => {
      const x = key[a]!, y = key[b]!;
      if (x !== x) return y !== y ? a - b : 1;
      if (y !== y) return -1;
      return x < y ? -d : x > y ? d : a - b;
    });
  }
  return idx.sort((a, b) => {
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k]!;
      const m = missing[k];
      const xMissing = m !== null ? m[a] === 0 : key[a] !== key[a];
      const yMissing = m !== null ? m[b] === 0 : key[b] !== key[b];
      if (xMissing || yMissing) {
        if (xMissing && yMissing) continue;
        return xMissing ? 1 : -1;
      }
      const x = key[a]!, y = key[b]!;
      if (x < y) return -dirs[k]!;
      if (x > y) return dirs[k]!;
    }
    return a - b;
  });
}
