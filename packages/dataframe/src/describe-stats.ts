/**
 * DataFrame.describe's statistics: count, mean, std, min, quartiles and max of numeric columns. The
 * quartiles are exact, as pandas computes them: every partition sends its sorted present values, the
 * combine steps merge them, and the aggregate interpolates linearly between order statistics exactly
 * as NumPy's percentile does. Mean and std merge (count, mean, M2) partials (Chan).
 */
import * as A from "apache-arrow";
import { makeTable, readColumn, type Column, type NumColumn } from "./column.js";
import { floatView } from "./binary-ops.js";
import { chan, momentsOf, type MomentPartial } from "./reduce-partials.js";

/** The row labels of describe's output, in order. */
export const DESCRIBE_STATS = ["count", "mean", "std", "min", "25%", "50%", "75%", "max"] as const;

/** One column's contribution: moments and its present values, sorted. */
export interface ColumnSummary extends MomentPartial {
  sorted: Float64Array;
}

/** The summaries of some numeric columns of a partition. */
export function describeChunk(t: A.Table, names: readonly string[]): ColumnSummary[] {
  return names.map((name) => {
    const v = floatView(readColumn(t, name) as NumColumn);
    let k = 0;
    const present = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) if (v[i] === v[i]) present[k++] = v[i]!;
    const sorted = present.slice(0, k).sort();
    return { ...momentsOf(sorted, v.length - k), sorted };
  });
}

/** Merges two sorted arrays. */
function mergeSorted(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  let i = 0, j = 0, k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i]! <= b[j]! ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}

/** Merges the summaries of several partitions, column by column. */
export function describeCombine(parts: readonly ColumnSummary[][]): ColumnSummary[] {
  return parts[0]!.map((_, col) => {
    let acc: ColumnSummary = { n: 0, missing: 0, mean: 0, meanLo: 0, m2: 0, sorted: new Float64Array(0) };
    for (const p of parts) {
      const s = p[col]!;
      acc = { ...chan(acc, s), sorted: mergeSorted(acc.sorted, s.sorted) };
    }
    return acc;
  });
}

/** NumPy's linear-interpolation quantile of sorted values (including its lerp, for identical results). */
export function quantileSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  const t = pos - lo;
  const a = sorted[lo]!, b = sorted[hi]!;
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** The describe table: a `statistic` column, then one float64 column per summarized column. */
export function describeTable(parts: ColumnSummary[], names: readonly string[]): A.Table {
  const stat: Column = { kind: "str", dtype: "string", codes: Int32Array.from(DESCRIBE_STATS.keys()), dict: [...DESCRIBE_STATS] };
  const cols: Column[] = parts.map((p) => {
    const s = p.sorted;
    const n = p.n;
    const std = n > 1 ? Math.sqrt(p.m2 / (n - 1)) : NaN;
    const values = Float64Array.from([
      n,
      n > 0 ? p.mean + p.meanLo : NaN,
      std,
      n > 0 ? s[0]! : NaN,
      quantileSorted(s, 0.25),
      quantileSorted(s, 0.5),
      quantileSorted(s, 0.75),
      n > 0 ? s[n - 1]! : NaN,
    ]);
    return { kind: "num", dtype: "float64", values, valid: null };
  });
  return makeTable(["statistic", ...names], [stat, ...cols]);
}
