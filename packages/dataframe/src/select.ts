/** Column and row selection: col, select, drop, rename, assign, filter, mapPartitions, head. */
import { InvalidArgumentError, compute as coreCompute, toFnRef, type ComputeOptions, FnRef } from "@dask-ts/core";
import * as A from "apache-arrow";
import type { Meta } from "./dtypes.js";
import { metaOfTable } from "./dtypes.js";
import { concatTables, emptyTable, inferColType } from "./column.js";
import { AlignmentError, UnknownColumnError, ColumnTypeError } from "./errors.js";
import { DataFrame, Scalar, Series, type FrameBase, type SeriesOperand } from "./frame.js";
import { mapPartitionsLayer } from "./graph.js";

/** Throws UnknownColumnError unless every name is a column of the frame. */
export function checkColumns(f: FrameBase, names: readonly string[], what: string): void {
  if (!Array.isArray(names)) throw new InvalidArgumentError(`${what}: expected a list of column names; got ${typeof names}.`);
  const have = f.meta.map((m) => m.name);
  for (const n of names) {
    if (typeof n !== "string") throw new InvalidArgumentError(`${what}: column names must be strings; got ${typeof n}.`);
    if (!have.includes(n)) throw new UnknownColumnError(n, have);
  }
}

/** Meta of some columns, in the given order. */
export function subMeta(f: FrameBase, names: readonly string[]): Meta {
  return names.map((n) => f.meta.find((m) => m.name === n)!);
}

/** Throws AlignmentError unless `s` has as many partitions as `f` (partition i of one matches partition i of the other). */
export function checkAligned(f: FrameBase, s: FrameBase, what: string): void {
  if (s.npartitions !== f.npartitions) {
    throw new AlignmentError(
      `${what}: the Series has ${s.npartitions} partitions and the frame ${f.npartitions}; ` +
        `use a Series derived from the same frame (or repartition one to match).`,
    );
  }
}

/** A frame of the given columns. */
export function select(df: DataFrame, names: readonly string[]): DataFrame {
  checkColumns(df, names, "select");
  const { name, dask } = mapPartitionsLayer("select", "dataframe.select", [df, [...names]], df.npartitions);
  const index = df.state.index !== undefined && names.includes(df.state.index) ? df.state : {};
  return new DataFrame(dask, name, subMeta(df, names), df.npartitions, index);
}

/** One column as a Series. */
export function col(df: DataFrame, column: string): Series {
  if (typeof column !== "string") throw new InvalidArgumentError(`col: expected a column name; got ${typeof column}.`);
  checkColumns(df, [column], "col");
  const { name, dask } = mapPartitionsLayer("select", "dataframe.select", [df, [column]], df.npartitions);
  return new Series(dask, name, subMeta(df, [column]), df.npartitions, {});
}

/** The frame without some columns. */
export function drop(df: DataFrame, names: readonly string[]): DataFrame {
  checkColumns(df, names, "drop");
  return select(df, df.columns.filter((c) => !names.includes(c)));
}

/** Renames columns. */
export function rename(df: DataFrame, mapping: Record<string, string>): DataFrame {
  if (typeof mapping !== "object" || mapping === null) throw new InvalidArgumentError(`rename: expected an object { old: "new" }.`);
  checkColumns(df, Object.keys(mapping), "rename");
  const meta = df.meta.map((m) => ({ name: mapping[m.name] ?? m.name, dtype: m.dtype }));
  const seen = new Set<string>();
  for (const m of meta) {
    if (seen.has(m.name)) throw new InvalidArgumentError(`rename: two columns would be named '${m.name}'; column names must be unique.`);
    seen.add(m.name);
  }
  const { name, dask } = mapPartitionsLayer("rename", "dataframe.rename", [df, { ...mapping }], df.npartitions);
  const index = df.state.index !== undefined ? { ...df.state, index: mapping[df.state.index] ?? df.state.index } : df.state;
  return new DataFrame(dask, name, meta, df.npartitions, index);
}

/** The same series under another name. */
export function renameSeries(s: Series, to: string): Series {
  const { name, dask } = mapPartitionsLayer("rename", "dataframe.rename", [s, { [s.name]: to }], s.npartitions);
  return new Series(dask, name, [{ name: to, dtype: s.dtype }], s.npartitions, {});
}

/** Rows where the mask is true. */
export function filter(df: DataFrame, mask: Series): DataFrame {
  if (!(mask instanceof Series)) throw new InvalidArgumentError(`filter: expected a bool Series (e.g. df.col("x").gt(0)); got ${String(mask)}.`);
  if (mask.dtype !== "bool") throw new ColumnTypeError(`filter: the mask must be a bool Series; '${mask.name}' is ${mask.dtype}. Compare it first, e.g. .gt(0).`);
  checkAligned(df, mask, "filter");
  const { name, dask } = mapPartitionsLayer("filter", "dataframe.filter", [df, mask], df.npartitions);
  return new DataFrame(dask, name, df.meta, df.npartitions, df.state);
}

/** New or replaced columns. */
export function assign(df: DataFrame, cols: Record<string, SeriesOperand>): DataFrame {
  if (typeof cols !== "object" || cols === null) throw new InvalidArgumentError(`assign: expected an object { name: Series | value }.`);
  const names = Object.keys(cols);
  const values: unknown[] = [];
  const meta = [...df.meta];
  for (const n of names) {
    const v = cols[n];
    let dtype;
    if (v instanceof Series) {
      checkAligned(df, v, `assign('${n}')`);
      dtype = v.dtype;
    } else if (v instanceof Scalar) dtype = v.dtype;
    else if (v instanceof DataFrame) throw new InvalidArgumentError(`assign('${n}'): expected a Series or a value, got a DataFrame; pick a column with .col(name).`);
    else dtype = inferColType([v]);
    values.push(v);
    const at = meta.findIndex((m) => m.name === n);
    if (at >= 0) meta[at] = { name: n, dtype };
    else meta.push({ name: n, dtype });
  }
  const { name, dask } = mapPartitionsLayer("assign", "dataframe.assign", [df, names, names.map((n) => meta.find((m) => m.name === n)!.dtype), ...values], df.npartitions);
  return new DataFrame(dask, name, meta, df.npartitions, df.state);
}

/**
 * Applies a user function to every partition. The output schema is found as Dask does, by running the
 * function on an empty partition here (pass a function that accepts an empty table).
 */
export function mapPartitions(df: DataFrame, fn: Function | FnRef, args: readonly unknown[]): DataFrame {
  const ref = toFnRef(fn as Function, "mapPartitions");
  const local = fn instanceof FnRef ? fn.local : (fn as (...a: unknown[]) => unknown);
  if (local === undefined) {
    throw new InvalidArgumentError(`mapPartitions: the output columns are found by running the function on an empty partition here; pass a function (or a registered kernel) that is available in this process.`);
  }
  let sample: unknown;
  try {
    sample = local(emptyTable(df.meta), ...args);
  } catch (e) {
    throw new InvalidArgumentError(`mapPartitions: the function failed on an empty partition (used to find its output columns): ${(e as Error)?.message ?? e}. Make it accept a table with no rows.`, { cause: e });
  }
  if (!(sample instanceof A.Table)) throw new InvalidArgumentError(`mapPartitions: the function must return an Arrow Table; it returned ${Object.prototype.toString.call(sample)}.`);
  const { name, dask } = mapPartitionsLayer("map-partitions", "dataframe.applyPartition", [df, ref, [...args]], df.npartitions);
  return new DataFrame(dask, name, metaOfTable(sample), df.npartitions, {});
}

/** The first n rows, from as many leading partitions as needed. */
export async function head(df: DataFrame, n: number, opts?: ComputeOptions): Promise<A.Table> {
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`head: n must be a non-negative integer; got ${n}.`);
  const parts: A.Table[] = [];
  let got = 0;
  let next = 0;
  let batch = 1;
  while (got < n && next < df.npartitions) {
    const upto = Math.min(df.npartitions, next + batch);
    const idx = Array.from({ length: upto - next }, (_, k) => next + k);
    const { name, dask } = mapPartitionsLayer("head", "dataframe.head", [df, n], df.npartitions);
    const pick = new DataFrame(dask, name, df.meta, df.npartitions);
    const heads = await coreCompute(...idx.map((i) => new PartitionView(pick, i)), opts ?? {});
    for (const h of heads as A.Table[]) { parts.push(h); got += h.numRows; }
    next = upto;
    batch *= 4;
  }
  const all = concatTables(parts, df.meta);
  return all.numRows > n ? all.slice(0, n) : all;
}

/** One partition of a frame as a collection of its own (for head). */
class PartitionView {
  constructor(readonly df: DataFrame, readonly i: number) {}
  readonly daskScheduler = "threads";
  daskGraph() { return this.df.dask; }
  daskKeys() { return this.df.partitionKey(this.i); }
  daskPostcompute() { return undefined; }
  daskPostpersist(): never { throw new Error("not persistable"); }
  daskToken() { return `${this.df._name}-${this.i}`; }
}
