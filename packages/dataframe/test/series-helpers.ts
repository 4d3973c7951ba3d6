// Shared by the Series, reductions and toCsv tests: frames with chosen partition sizes, fixtures.
import { readFileSync } from "node:fs";
import { dd, type ColType, type DataFrame } from "@dask-ts/dataframe";
import { columnFromValues, makeTable, sliceColumn } from "@dask-ts/dataframe/column";

/** A frame of JS columns split into partitions of exactly these sizes (0 makes an empty partition). */
export function framePartitioned(columns: Record<string, readonly unknown[]>, dtypes: Record<string, ColType>, sizes: readonly number[]): DataFrame {
  const names = Object.keys(columns);
  const cols = names.map((n) => columnFromValues(columns[n]!, dtypes[n]));
  const total = sizes.reduce((s, x) => s + x, 0);
  const n = columns[names[0]!]!.length;
  if (total !== n) throw new Error(`partition sizes add up to ${total}, the columns have ${n} rows`);
  const parts = [];
  let at = 0;
  for (const size of sizes) {
    parts.push(makeTable(names, cols.map((c) => sliceColumn(c, at, at + size))));
    at += size;
  }
  return dd.fromPartitions(parts);
}

/** Reads a JSON fixture of test/fixtures/series/. */
export function seriesFixture<T>(file: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/series/${file}`, import.meta.url), "utf8")) as T;
}

/** The input frame of the pandas fixtures, as JS columns (int64 as bigint, dates as Date, "inf" as Infinity). */
export interface FixtureData {
  n: number;
  dtypes: Record<string, ColType>;
  columns: Record<string, unknown[]>;
}

/** Fixture values as dask-ts values of `dtype`. */
export function fromFixture(values: readonly unknown[], dtype: ColType): unknown[] {
  return values.map((v) => {
    if (v === null) return null;
    if (dtype === "int64") return BigInt(v as string);
    if (dtype === "date") return new Date(v as number);
    if (v === "inf") return Infinity;
    if (v === "-inf") return -Infinity;
    return v;
  });
}

/** The fixture frame (first `rows` rows) in partitions of the given sizes. */
export function fixtureFrame(data: FixtureData, sizes: readonly number[], rows = data.n): DataFrame {
  const cols: Record<string, unknown[]> = {};
  for (const [name, vals] of Object.entries(data.columns)) cols[name] = fromFixture(vals.slice(0, rows), data.dtypes[name]!);
  return framePartitioned(cols, data.dtypes, sizes);
}

/** Expects `actual` within a relative tolerance of `expected` (null/NaN match null). */
export function close(actual: unknown, expected: unknown, rel = 1e-12): boolean {
  if (expected === null || expected === undefined) return actual === null || (typeof actual === "number" && Number.isNaN(actual));
  if (typeof expected !== "number" || typeof actual !== "number") return false;
  if (!Number.isFinite(expected)) return actual === expected;
  return Math.abs(actual - expected) <= rel * Math.max(1, Math.abs(expected));
}
