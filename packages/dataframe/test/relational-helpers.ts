// Shared by the relational tests: frames from fixture JSON, partitions with their own dictionaries, row comparisons.
import { readFileSync } from "node:fs";
import type * as A from "apache-arrow";
import { dd, type ColType, type DataFrame } from "@dask-ts/dataframe";
import { columnFromValues, makeTable } from "@dask-ts/dataframe/column";
import { rows } from "./helpers.js";

/** A column of a fixture: name, dask-ts dtype, values (null = missing). */
export interface FixtureColumn {
  name: string;
  dtype: ColType;
  values: unknown[];
}

/** An expected result computed by pandas: column names and rows of values. */
export interface FixtureResult {
  columns: string[];
  rows: unknown[][];
}

/** Reads a JSON fixture of test/fixtures/relational/. */
export function fixture<T>(file: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/relational/${file}`, import.meta.url), "utf8")) as T;
}

/** A frame of fixture columns in `npartitions` partitions. */
export function frameOf(cols: readonly FixtureColumn[], npartitions: number): DataFrame {
  return dd.fromColumns(
    Object.fromEntries(cols.map((c) => [c.name, c.values])),
    { npartitions, dtype: Object.fromEntries(cols.map((c) => [c.name, c.dtype])) },
  );
}

/**
 * A frame whose partitions are built separately (each string column gets its own dictionary, in order
 * of first appearance in that partition); an empty list makes an empty partition.
 */
export function partitionedFrame(dtypes: Record<string, ColType>, parts: readonly Record<string, unknown[]>[]): DataFrame {
  const names = Object.keys(dtypes);
  return dd.fromPartitions(parts.map((p) => makeTable(names, names.map((n) => columnFromValues(p[n] ?? [], dtypes[n])))));
}

/** Rows of a table as arrays in column order (nulls for missing, bigints as numbers). */
export function rowArrays(t: A.Table): unknown[][] {
  const names = t.schema.fields.map((f) => f.name);
  return rows(t).map((r) => names.map((n) => r[n]));
}

/** Rows in a canonical order (for results whose row order is not defined). */
export function sortedRows(r: readonly unknown[][]): string[] {
  return r.map((x) => JSON.stringify(x)).sort();
}

/** Each computed partition of a frame, in order (through persist: the persisted graph holds them as literals). */
export async function partitionsOf(df: DataFrame, scheduler: string): Promise<A.Table[]> {
  const p = await df.persist({ scheduler });
  const g = p.graph();
  return p.keys().map((k) => (g.get(k) as { value: A.Table }).value);
}

/** A deterministic pseudo-random sequence in [0, 1) (an LCG: the same numbers on every run). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}
