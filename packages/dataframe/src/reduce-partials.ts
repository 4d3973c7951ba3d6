/**
 * Partial results of Series reductions: what each partition contributes (chunk), how partials merge
 * (combine), and the final value (aggregate). Partials are plain objects (they cross threads and
 * processes). Sums are exact for integers (BigInt past 2^53) and compensated (Neumaier) for floats;
 * variance merges (count, mean, M2) partials with Chan's parallel formula instead of a sum of squares.
 * Chan's merge needs the difference of partition means, which rounding at the means' magnitude would
 * spoil (values near 1e9 that differ by units): means are carried as double-doubles (mean + meanLo).
 */
import { columnLength, type Column } from "./column.js";
import type { ColType } from "./dtypes.js";
import { floatView } from "./binary-ops.js";
import { compareCodePoints } from "./string-order.js";

export type ReduceKernelOp = "sum" | "mean" | "min" | "max" | "count" | "std" | "var";

/** Present and missing rows, shared by every partial. */
interface Counts {
  n: number;
  missing: number;
}
/** Sum: exact integer part (int and bool columns) or compensated float sum `s + c`. */
export interface SumPartial extends Counts {
  int: bigint | null;
  s: number;
  c: number;
}
/** Min or max; null when no value is present. */
export interface ExtremePartial extends Counts {
  v: number | bigint | string | null;
}
/** Count, mean (as the double-double mean + meanLo) and sum of squared deviations from it (M2). */
export interface MomentPartial extends Counts {
  mean: number;
  meanLo: number;
  m2: number;
}
export type Partial = Counts | SumPartial | ExtremePartial | MomentPartial;

/** Number of missing rows of a column. */
export function countMissing(c: Column): number {
  const n = columnLength(c);
  let m = 0;
  if (c.kind === "str") for (let i = 0; i < n; i++) m += c.codes[i]! < 0 ? 1 : 0;
  else if (c.valid !== null) for (let i = 0; i < n; i++) m += c.valid[i]! ^ 1;
  else if (c.values instanceof Float64Array) { const v = c.values; for (let i = 0; i < n; i++) if (v[i] !== v[i]) m++; }
  return m;
}

// --- compensated float sums -------------------------------------------------------------------------

/** Adds x to the running sum [s, c] (Neumaier's variant of Kahan summation). */
function neumaier(acc: { s: number; c: number }, x: number): void {
  const t = acc.s + x;
  acc.c += Math.abs(acc.s) >= Math.abs(x) ? acc.s - t + x : x - t + acc.s;
  acc.s = t;
}

/** The value of a compensated sum (the plain sum when it overflowed or met an infinity). */
function sumValue(s: number, c: number): number {
  return Number.isFinite(s) ? s + c : s;
}

/** Compensated sum of the present values of a float array. */
export function floatSum(v: Float64Array): { s: number; c: number; n: number } {
  const acc = { s: 0, c: 0 };
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (x !== x) continue;
    n++;
    neumaier(acc, x);
  }
  return { ...acc, n };
}

// --- chunk -------------------------------------------------------------------------------------------

function sumChunk(c: Column, missing: number): SumPartial {
  const n = columnLength(c) - missing;
  if (c.kind === "num" && c.dtype === "float64") {
    const { s, c: comp } = floatSum(c.values as Float64Array);
    return { n, missing, int: null, s, c: comp };
  }
  if (c.kind === "str") throw new TypeError("sum of strings");
  const valid = c.valid;
  const v = c.values;
  if (v instanceof BigInt64Array) {
    let t = 0n;
    for (let i = 0; i < v.length; i++) if (valid === null || valid[i] !== 0) t += v[i]!;
    return { n, missing, int: t, s: 0, c: 0 };
  }
  // int32 and bool: a float accumulator is exact below 2^53; flush it every 2^21 values (2^21 * 2^31 = 2^52).
  let total = 0n;
  let acc = 0;
  const x = v as Int32Array | Uint8Array;
  for (let start = 0; start < x.length; start += 1 << 21) {
    const end = Math.min(x.length, start + (1 << 21));
    if (valid === null) for (let i = start; i < end; i++) acc += x[i]!;
    else for (let i = start; i < end; i++) if (valid[i] !== 0) acc += x[i]!;
    total += BigInt(acc);
    acc = 0;
  }
  return { n, missing, int: total, s: 0, c: 0 };
}

function extremeChunk(c: Column, missing: number, op: "min" | "max"): ExtremePartial {
  const n = columnLength(c) - missing;
  const isMin = op === "min";
  if (n === 0) return { n, missing, v: null };
  if (c.kind === "str") {
    // Only codes in use count (a dictionary may hold unused entries).
    const used = new Uint8Array(c.dict.length);
    for (let i = 0; i < c.codes.length; i++) { const k = c.codes[i]!; if (k >= 0) used[k] = 1; }
    let best: string | null = null;
    for (let j = 0; j < used.length; j++) {
      if (!used[j]) continue;
      const s = c.dict[j]!;
      if (best === null || (isMin ? compareCodePoints(s, best) < 0 : compareCodePoints(s, best) > 0)) best = s;
    }
    return { n, missing, v: best };
  }
  const valid = c.valid;
  const v = c.values;
  if (v instanceof BigInt64Array) {
    let best: bigint | null = null;
    for (let i = 0; i < v.length; i++) {
      if (valid !== null && valid[i] === 0) continue;
      const x = v[i]!;
      if (best === null || (isMin ? x < best : x > best)) best = x;
    }
    return { n, missing, v: best };
  }
  let best = isMin ? Infinity : -Infinity;
  const x = v as Float64Array | Int32Array | Uint8Array;
  // NaN (missing) never wins a comparison, so float columns need no separate check.
  if (isMin) for (let i = 0; i < x.length; i++) { if ((valid === null || valid[i] !== 0) && x[i]! < best) best = x[i]!; }
  else for (let i = 0; i < x.length; i++) { if ((valid === null || valid[i] !== 0) && x[i]! > best) best = x[i]!; }
  return { n, missing, v: best };
}

// Error-free transformations (Dekker, Knuth): a + b and a * b as value plus exact rounding error.
function twoSum(a: number, b: number): [number, number] {
  const s = a + b;
  const bb = s - a;
  return [s, a - (s - bb) + (b - bb)];
}
function split(a: number): [number, number] {
  const c = 134217729 * a;
  const hi = c - (c - a);
  return [hi, a - hi];
}
function twoProduct(a: number, b: number): [number, number] {
  const p = a * b;
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}

/** Count, double-double mean and M2 of the present values of a float array, two-pass (mean first). */
export function momentsOf(v: Float64Array, missing: number): MomentPartial {
  const { s, c, n } = floatSum(v);
  if (n === 0) return { n: 0, missing, mean: 0, meanLo: 0, m2: 0 };
  const mean = sumValue(s, c) / n;
  // The part of the sum (s + c) that mean * n misses, over n.
  const [p, e] = twoProduct(mean, n);
  let meanLo = (s - p - e + c) / n;
  if (!Number.isFinite(meanLo)) meanLo = 0;
  let m2 = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (x !== x) continue;
    const d = x - mean;
    m2 += d * d;
  }
  return { n, missing, mean, meanLo, m2 };
}

function momentChunk(c: Column, missing: number): MomentPartial {
  if (c.kind === "str") throw new TypeError("moments of strings");
  return momentsOf(floatView(c), missing);
}

/** The partial of one partition's column. */
export function chunkPartial(c: Column, op: ReduceKernelOp): Partial {
  const missing = countMissing(c);
  switch (op) {
    case "count": return { n: columnLength(c) - missing, missing };
    case "sum":
    case "mean": return sumChunk(c, missing);
    case "min":
    case "max": return extremeChunk(c, missing, op);
    case "std":
    case "var": return momentChunk(c, missing);
  }
}

// --- combine -----------------------------------------------------------------------------------------

function better(a: number | bigint | string, b: number | bigint | string, isMin: boolean): boolean {
  const d = typeof a === "string" ? compareCodePoints(a, b as string) : a < (b as number) ? -1 : a > (b as number) ? 1 : 0;
  return isMin ? d < 0 : d > 0;
}

/** Merges partials of one reduction. */
export function combinePartials(parts: readonly Partial[], op: ReduceKernelOp): Partial {
  let n = 0, missing = 0;
  for (const p of parts) { n += p.n; missing += p.missing; }
  switch (op) {
    case "count": return { n, missing };
    case "sum":
    case "mean": {
      const acc = { s: 0, c: 0 };
      let int: bigint | null = null;
      for (const p of parts as SumPartial[]) {
        if (p.int !== null) int = (int ?? 0n) + p.int;
        else { neumaier(acc, p.s); acc.c += p.c; }
      }
      return { n, missing, int, s: acc.s, c: acc.c } satisfies SumPartial;
    }
    case "min":
    case "max": {
      let v: number | bigint | string | null = null;
      for (const p of parts as ExtremePartial[]) if (p.v !== null && (v === null || better(p.v, v, op === "min"))) v = p.v;
      return { n, missing, v } satisfies ExtremePartial;
    }
    case "std":
    case "var": {
      let acc: MomentPartial = { n: 0, missing: 0, mean: 0, meanLo: 0, m2: 0 };
      for (const p of parts as MomentPartial[]) acc = chan(acc, p);
      return acc;
    }
  }
}

/** Chan et al.'s merge of two (count, mean, M2) partials. */
export function chan(a: MomentPartial, b: MomentPartial): MomentPartial {
  const missing = a.missing + b.missing;
  if (b.n === 0) return { ...a, missing };
  if (a.n === 0) return { ...b, missing };
  const n = a.n + b.n;
  const delta = b.mean - a.mean + (b.meanLo - a.meanLo);
  const [mean, err] = twoSum(a.mean, (delta * b.n) / n);
  return { n, missing, mean, meanLo: a.meanLo + err, m2: a.m2 + b.m2 + (delta * delta * a.n * b.n) / n };
}

// --- aggregate ---------------------------------------------------------------------------------------

/**
 * The reduction's value: number; bigint for int64 sums and extremes (and int sums past 2^53); string
 * or Date for extremes of strings and dates; boolean for extremes of bools; null when undefined
 * (no values, or a missing value with skipna false, or fewer than ddof + 1 values for std/var).
 */
export function aggregatePartial(p: Partial, op: ReduceKernelOp, dtype: ColType, skipna: boolean, ddof: number): unknown {
  if (op === "count") return p.n;
  if (!skipna && p.missing > 0) return null;
  switch (op) {
    case "sum":
    case "mean": {
      const q = p as SumPartial;
      if (op === "mean" && q.n === 0) return null;
      if (q.int !== null) {
        if (op === "mean") return Number(q.int) / q.n;
        if (dtype === "int64") return BigInt.asIntN(64, q.int); // wraps like NumPy's int64 sum
        return q.int >= -BigInt(Number.MAX_SAFE_INTEGER) && q.int <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(q.int) : q.int;
      }
      if (q.n === 0) return dtype === "int64" ? 0n : 0;
      const s = sumValue(q.s, q.c);
      return op === "mean" ? s / q.n : s;
    }
    case "min":
    case "max": {
      const v = (p as ExtremePartial).v;
      if (v === null) return null;
      if (dtype === "date") return new Date(v as number);
      if (dtype === "bool") return v === 1;
      return v;
    }
    case "std":
    case "var": {
      const q = p as MomentPartial;
      if (q.n - ddof <= 0) return null;
      const v = q.m2 / (q.n - ddof);
      return op === "std" ? Math.sqrt(v) : v;
    }
  }
}
