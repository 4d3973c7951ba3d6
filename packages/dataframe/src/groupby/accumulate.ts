/**
 * Per-group accumulators: one loop over the rows of a column into typed arrays indexed by group id
 * (rows with id -1 belong to no group). Missing values are skipped, as pandas does.
 */
import { allocTyped } from "@dask-ts/core";
import type { Column, NumColumn } from "../column.js";
import { compareCodePoints } from "../string-order.js";

/** Rows per group. */
export function groupSizes(ids: Int32Array, ngroups: number): Float64Array {
  const out = new Float64Array(ngroups);
  for (let i = 0; i < ids.length; i++) {
    const g = ids[i]!;
    if (g >= 0) out[g]++;
  }
  return out;
}

/**
 * Sum per group as float64 (exact for integers below 2^53). NaN values are skipped when `skipNaN`
 * (rows' values); partial sums are added as they are (inf + -inf stays NaN).
 */
export function sumFloat(ids: Int32Array, ngroups: number, c: NumColumn | Extract<Column, { kind: "bool" }>, skipNaN = true): Float64Array {
  const out = new Float64Array(ngroups);
  const n = ids.length;
  const v = c.values;
  const valid = c.valid;
  if (v instanceof Float64Array) {
    if (skipNaN) for (let i = 0; i < n; i++) { const g = ids[i]!; const x = v[i]!; if (g >= 0 && x === x) out[g] += x; }
    else for (let i = 0; i < n; i++) { const g = ids[i]!; if (g >= 0) out[g] += v[i]!; }
  } else if (v instanceof BigInt64Array) {
    for (let i = 0; i < n; i++) { const g = ids[i]!; if (g >= 0 && (valid === null || valid[i] !== 0)) out[g] += Number(v[i]!); }
  } else if (valid === null) {
    const a = v as Int32Array | Uint8Array;
    for (let i = 0; i < n; i++) { const g = ids[i]!; if (g >= 0) out[g] += a[i]!; }
  } else {
    const a = v as Int32Array | Uint8Array;
    for (let i = 0; i < n; i++) { const g = ids[i]!; if (g >= 0 && valid[i] !== 0) out[g] += a[i]!; }
  }
  return out;
}

/** Sum per group of an int64 column, in int64 (wrapping as NumPy does). */
export function sumBig(ids: Int32Array, ngroups: number, c: NumColumn): BigInt64Array {
  const out = new BigInt64Array(ngroups);
  const v = c.values as BigInt64Array;
  const valid = c.valid;
  for (let i = 0; i < ids.length; i++) {
    const g = ids[i]!;
    if (g >= 0 && (valid === null || valid[i] !== 0)) out[g] += v[i]!;
  }
  return out;
}

/** Sum of squared deviations from each group's mean (`sum / count`): the M2 of a variance. */
export function sumSquaredDeviations(ids: Int32Array, ngroups: number, c: NumColumn | Extract<Column, { kind: "bool" }>, sum: Float64Array, count: Float64Array): Float64Array {
  const mean = new Float64Array(ngroups);
  for (let g = 0; g < ngroups; g++) mean[g] = count[g]! > 0 ? sum[g]! / count[g]! : 0;
  const out = new Float64Array(ngroups);
  const v = c.values;
  const valid = c.valid;
  const n = ids.length;
  if (v instanceof Float64Array) {
    for (let i = 0; i < n; i++) { const g = ids[i]!; const x = v[i]!; if (g >= 0 && x === x) { const d = x - mean[g]!; out[g] += d * d; } }
  } else if (v instanceof BigInt64Array) {
    for (let i = 0; i < n; i++) { const g = ids[i]!; if (g >= 0 && (valid === null || valid[i] !== 0)) { const d = Number(v[i]!) - mean[g]!; out[g] += d * d; } }
  } else {
    const a = v as Int32Array | Uint8Array;
    for (let i = 0; i < n; i++) { const g = ids[i]!; if (g >= 0 && (valid === null || valid[i] !== 0)) { const d = a[i]! - mean[g]!; out[g] += d * d; } }
  }
  return out;
}

/**
 * M2 of groups made of partial (count, sum, M2) rows: the partials' M2s plus each partial's count times
 * its squared distance to the group mean (Chan et al.).
 */
export function combineM2(ids: Int32Array, ngroups: number, n: Float64Array, s: Float64Array, m2: Float64Array, totalN: Float64Array, totalS: Float64Array): Float64Array {
  const out = new Float64Array(ngroups);
  for (let i = 0; i < ids.length; i++) {
    const g = ids[i]!;
    const k = n[i]!;
    if (g < 0 || k === 0) continue;
    const d = s[i]! / k - totalS[g]! / totalN[g]!;
    out[g] += m2[i]! + k * d * d;
  }
  return out;
}

/** Which row of each group to keep: the first or last present value, or the smallest or largest. */
export type Pick = "first" | "last" | "min" | "max";

/** For each group, the row holding its picked value (-1 when the group has no present value). */
export function pickRows(ids: Int32Array, ngroups: number, c: Column, how: Pick): Int32Array {
  const out = new Int32Array(ngroups).fill(-1);
  const n = ids.length;
  if (how === "first" || how === "last") {
    const last = how === "last";
    const present = presentBytes(c);
    for (let i = 0; i < n; i++) {
      const g = ids[i]!;
      if (g < 0 || (present !== null && !present(i))) continue;
      if (last || out[g]! < 0) out[g] = i;
    }
    return out;
  }
  const isMin = how === "min";
  if (c.kind === "str") {
    const codes = c.codes;
    const dict = c.dict;
    const best = new Int32Array(ngroups).fill(-1);
    for (let i = 0; i < n; i++) {
      const g = ids[i]!;
      const code = codes[i]!;
      if (g < 0 || code < 0) continue;
      const b = best[g]!;
      if (b === code) continue;
      if (b < 0 || (isMin ? compareCodePoints(dict[code]!, dict[b]!) < 0 : compareCodePoints(dict[code]!, dict[b]!) > 0)) { best[g] = code; out[g] = i; }
    }
    return out;
  }
  const v = c.values;
  const valid = c.valid;
  if (v instanceof BigInt64Array) {
    const best = new BigInt64Array(ngroups);
    for (let i = 0; i < n; i++) {
      const g = ids[i]!;
      if (g < 0 || (valid !== null && valid[i] === 0)) continue;
      const x = v[i]!;
      if (out[g]! < 0 || (isMin ? x < best[g]! : x > best[g]!)) { best[g] = x; out[g] = i; }
    }
    return out;
  }
  const best = new Float64Array(ngroups).fill(isMin ? Infinity : -Infinity);
  const a = v as Float64Array | Int32Array | Uint8Array;
  for (let i = 0; i < n; i++) {
    const g = ids[i]!;
    if (g < 0 || (valid !== null && valid[i] === 0)) continue;
    const x = a[i]!;
    if (x !== x) continue;
    if (out[g]! < 0 || (isMin ? x < best[g]! : x > best[g]!)) { best[g] = x; out[g] = i; }
  }
  return out;
}

/** A test for present rows, or null when every row is present. */
function presentBytes(c: Column): ((i: number) => boolean) | null {
  if (c.kind === "str") { const codes = c.codes; return (i) => codes[i]! >= 0; }
  if (c.valid !== null) { const valid = c.valid; return (i) => valid[i] !== 0; }
  if (c.values instanceof Float64Array) { const v = c.values; return (i) => v[i] === v[i]; }
  return null;
}

/** Integral float64 values as int64 (through the 32-bit words: no BigInt per value). */
export function floatToInt64(src: Float64Array): BigInt64Array {
  const n = src.length;
  const out = allocTyped(BigInt64Array, n, { uninitialized: true });
  const w = new Int32Array(out.buffer, out.byteOffset, 2 * n);
  for (let i = 0; i < n; i++) {
    const x = src[i]!;
    if (Math.abs(x) < 2147483648) {
      w[2 * i] = x;
      w[2 * i + 1] = x < 0 ? -1 : 0;
    } else {
      const hi = Math.floor(x / 4294967296);
      w[2 * i] = (x - hi * 4294967296) | 0;
      w[2 * i + 1] = hi | 0;
    }
  }
  return out;
}

/**
 * One pass over a column for its sum (when `sum`), its present-value count (when `count`) and the
 * group sizes (when `size`: every row with a group, present or not). Arrays given are added into.
 */
export function sumCountSize(ids: Int32Array, c: Column, sum: Float64Array | null, count: Float64Array | null, size: Float64Array | null): void {
  const n = ids.length;
  if (c.kind === "str") {
    const codes = c.codes;
    for (let i = 0; i < n; i++) {
      const g = ids[i]!;
      if (g < 0) continue;
      if (size !== null) size[g]++;
      if (count !== null && codes[i]! >= 0) count[g]++;
    }
    return;
  }
  const v = c.values;
  const valid = c.valid;
  if (v instanceof Float64Array) {
    if (size === null && count === null && sum !== null) {
      for (let i = 0; i < n; i++) { const g = ids[i]!; const x = v[i]!; if (g >= 0 && x === x) sum[g] += x; }
      return;
    }
    for (let i = 0; i < n; i++) {
      const g = ids[i]!;
      if (g < 0) continue;
      if (size !== null) size[g]++;
      const x = v[i]!;
      if (x === x) {
        if (sum !== null) sum[g] += x;
        if (count !== null) count[g]++;
      }
    }
    return;
  }
  if (v instanceof BigInt64Array) {
    for (let i = 0; i < n; i++) {
      const g = ids[i]!;
      if (g < 0) continue;
      if (size !== null) size[g]++;
      if (valid !== null && valid[i] === 0) continue;
      if (sum !== null) sum[g] += Number(v[i]!);
      if (count !== null) count[g]++;
    }
    return;
  }
  const a = v as Int32Array | Uint8Array;
  if (valid === null) {
    if (sum !== null && count === null && size === null) {
      for (let i = 0; i < n; i++) { const g = ids[i]!; if (g >= 0) sum[g] += a[i]!; }
    } else if (sum !== null && size !== null && count === null) {
      for (let i = 0; i < n; i++) { const g = ids[i]!; if (g >= 0) { sum[g] += a[i]!; size[g]++; } }
    } else {
      for (let i = 0; i < n; i++) {
        const g = ids[i]!;
        if (g < 0) continue;
        if (size !== null) size[g]++;
        if (sum !== null) sum[g] += a[i]!;
        if (count !== null) count[g]++;
      }
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const g = ids[i]!;
    if (g < 0) continue;
    if (size !== null) size[g]++;
    if (valid[i] === 0) continue;
    if (sum !== null) sum[g] += a[i]!;
    if (count !== null) count[g]++;
  }
}
