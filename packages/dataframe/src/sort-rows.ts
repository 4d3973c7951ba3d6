/**
 * Row order by key columns, as pandas sort_values: stable, missing values last, strings in code-point
 * order. Strings are compared through the rank of their dictionary entry, so the sort compares ints.
 */
import { columnLength, type Column } from "./column.js";
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

/** A comparator of row positions by `cols` (missing last in either direction), ties by position (stable). */
function rowComparator(cols: readonly Column[], ascending: readonly boolean[]): (a: number, b: number) => number {
  const keys = cols.map(sortKey);
  const missing = cols.map(bigMissing);
  const dirs = cols.map((_, k) => (ascending[k] === false ? -1 : 1));
  if (keys.length === 1 && keys[0] instanceof Float64Array) {
    const key = keys[0];
    const d = dirs[0]!;
    return (a, b) => {
      const x = key[a]!, y = key[b]!;
      if (x !== x) return y !== y ? a - b : 1;
      if (y !== y) return -1;
      return x < y ? -d : x > y ? d : a - b;
    };
  }
  return (a, b) => {
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
  };
}


/**
 * The permutation that sorts rows by `cols` (first column first), each ascending unless
 * `ascending[k]` is false. Missing values sort last in either direction.
 */
export function sortIndices(cols: readonly Column[], ascending: readonly boolean[] = [], n?: number): Int32Array {
  const len = n ?? (cols.length === 0 ? 0 : columnLength(cols[0]!));
  const idx = new Int32Array(len);
  for (let i = 0; i < len; i++) idx[i] = i;
  return idx.sort(rowComparator(cols, ascending));
}

/**
 * The permutation that sorts rows made of consecutive sorted runs (`runStarts`: start of each run, in
 * order), by merging the runs pairwise: O(n log runs) comparisons instead of a full sort. Stable.
 */
export function mergeSortedRuns(cols: readonly Column[], ascending: readonly boolean[], runStarts: readonly number[]): Int32Array {
  const n = cols.length === 0 ? 0 : columnLength(cols[0]!);
  const cmp = rowComparator(cols, ascending);
  let src = new Int32Array(n);
  for (let i = 0; i < n; i++) src[i] = i;
  let bounds = [...runStarts.filter((s) => s < n), n];
  if (bounds[0] !== 0) bounds.unshift(0);
  let dst = new Int32Array(n);
  while (bounds.length > 2) {
    const next = [0];
    for (let r = 0; r + 1 < bounds.length; r += 2) {
      const lo = bounds[r]!, mid = bounds[r + 1]!, hi = r + 2 < bounds.length ? bounds[r + 2]! : mid;
      let i = lo, j = mid, o = lo;
      while (i < mid && j < hi) dst[o++] = cmp(src[i]!, src[j]!) <= 0 ? src[i++]! : src[j++]!;
      while (i < mid) dst[o++] = src[i++]!;
      while (j < hi) dst[o++] = src[j++]!;
      next.push(hi);
    }
    [src, dst] = [dst, src];
    bounds = next;
  }
  return src;
}
