/**
 * Row order of a groupby result: by key, missing keys last (as sortIndices), with fast paths for the
 * common single-key results, whose keys are distinct.
 */
import type { Column } from "../column.js";
import { sortIndices } from "../sort-rows.js";
import { compareCodePoints } from "../string-order.js";

/** Rows with a present key in the order `sort` gives them, then the rows with a missing key. */
function presentFirst(n: number, missing: (i: number) => boolean, sort: (rows: Int32Array) => Int32Array): Int32Array {
  const rows = new Int32Array(n);
  const tail: number[] = [];
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (missing(i)) tail.push(i);
    else rows[k++] = i;
  }
  const sorted = sort(rows.subarray(0, k));
  const out = new Int32Array(n);
  out.set(sorted);
  out.set(tail, k);
  return out;
}

const cmpSort = (rows: Int32Array, s: readonly string[]) => rows.sort((a, b) => compareCodePoints(s[a]!, s[b]!) || a - b);

/**
 * `rows` sorted by `s[row]` in code-point order (as sort-rows.ts), ties by row: an MSD radix sort on
 * char codes below 256 (a comparison sort of 1e5 strings costs 1.7M string compares), falling back to
 * a comparison sort for small ranges and for ranges with other characters (below 256, code units and
 * code points order alike).
 */
function sortByStrings(rows: Int32Array, s: readonly string[]): Int32Array {
  const n = rows.length;
  let src = rows;
  const dst = new Int32Array(n);
  const counts = new Int32Array(258);
  // Ranges [lo, hi) of `src` still to sort on character `depth` (ranges are disjoint: sort in place).
  const stack: number[] = [0, n, 0];
  while (stack.length) {
    const depth = stack.pop()!, hi = stack.pop()!, lo = stack.pop()!;
    if (hi - lo < 48) {
      src.set(cmpSort(src.slice(lo, hi), s), lo);
      continue;
    }
    counts.fill(0);
    let wide = false;
    for (let i = lo; i < hi; i++) {
      const str = s[src[i]!]!;
      // Bucket 0: the string ends before `depth` (sorts first); else char code + 1.
      const c = depth < str.length ? str.charCodeAt(depth) + 1 : 0;
      if (c > 256) { wide = true; break; }
      counts[c + 1]!++;
    }
    if (wide) {
      src.set(cmpSort(src.slice(lo, hi), s), lo);
      continue;
    }
    for (let c = 0; c < 257; c++) counts[c + 1]! += counts[c]!;
    for (let i = lo; i < hi; i++) {
      const str = s[src[i]!]!;
      const c = depth < str.length ? str.charCodeAt(depth) + 1 : 0;
      dst[lo + counts[c]!++] = src[i]!;
    }
    src.set(dst.subarray(lo, hi), lo);
    // counts[c] is now the end of bucket c (relative to lo); bucket 0 (ended strings) is equal: by row.
    let start = lo;
    for (let c = 0; c < 257; c++) {
      const end = lo + counts[c]!;
      if (end - start > 1) {
        if (c === 0) src.set(src.slice(start, end).sort(), start);
        else stack.push(start, end, depth + 1);
      }
      start = end;
    }
  }
  return src;
}

/** The permutation that sorts rows of distinct keys by key (missing last). */
export function keyOrder(keys: readonly Column[], n: number): Int32Array {
  if (keys.length === 1) {
    const c = keys[0]!;
    if (c.kind === "str") {
      const codes = c.codes;
      const dict = c.dict;
      const s = new Array<string>(n);
      for (let i = 0; i < n; i++) s[i] = codes[i]! >= 0 ? dict[codes[i]!]! : "";
      return presentFirst(n, (i) => codes[i]! < 0, (rows) => sortByStrings(rows, s));
    }
    if (c.kind === "num" && c.values instanceof Int32Array && n > 0) {
      // Distinct int32 values: sort (value - min) * n + row natively as float64 (exact below 2^53).
      const v = c.values;
      const valid = c.valid;
      const missing = (i: number) => valid !== null && valid[i] === 0;
      let lo = Infinity, hi = -Infinity;
      for (let i = 0; i < n; i++) if (!missing(i)) { if (v[i]! < lo) lo = v[i]!; if (v[i]! > hi) hi = v[i]!; }
      if ((hi - lo + 1) * n < 2 ** 53) return presentFirst(n, missing, (rows) => {
        const m = rows.length;
        const comp = new Float64Array(m);
        for (let j = 0; j < m; j++) comp[j] = (v[rows[j]!]! - lo) * n + rows[j]!;
        comp.sort();
        const out = new Int32Array(m);
        for (let j = 0; j < m; j++) out[j] = comp[j]! % n;
        return out;
      });
    }
  }
  return sortIndices(keys, [], n);
}
