/**
 * groupby and valueCounts. Each partition is reduced to partial aggregates per group (kernels in
 * groupby/partials.ts); with splitOut 1 the partials are combined in a tree into one sorted partition,
 * with splitOut > 1 they are hash-split by key so that no task sees every group.
 */
import { InvalidArgumentError, Task, TaskRef, kernel, type Graph } from "@dask-ts/core";
import type { Meta } from "./dtypes.js";
import { DataFrame, type Series } from "./frame.js";
import { addLayer, mapPartitionsLayer, opName, partitionKey, treeReduceLayer } from "./graph.js";
import { AGG_NAMES, aggApplies, checkAggName, planGroupBy, type AggName, type AggRequest, type GroupSpec } from "./groupby/spec.js";
import { checkColumns, select, subMeta } from "./select.js";

export type { AggName } from "./groupby/spec.js";

/** Options of groupby. */
export interface GroupByOptions {
  /** Number of output partitions; above 1 the groups are hash-split instead of tree-reduced. */
  splitOut?: number;
  /** Drop groups whose key is missing (default true, as pandas). */
  dropna?: boolean;
  /** Fan-in of combine tasks (default 8). */
  splitEvery?: number;
}

/** Options of valueCounts. */
export interface ValueCountsOptions {
  /** Drop values (rows) with a missing value (default true, as pandas). */
  dropna?: boolean;
  /** Output partitions (default 1); above 1 each partition is sorted on its own, as Dask. */
  splitOut?: number;
  /** Fan-in of combine tasks (default 8). */
  splitEvery?: number;
}

/** Options of std and var. */
export interface DdofOptions {
  /** Delta degrees of freedom (default 1, as pandas). */
  ddof?: number;
}

/** Aggregations per column: one name keeps the column's name, a list gives `column_agg` columns. */
export type AggSpec = Record<string, AggName | readonly AggName[]>;

function checkOptions(opts: GroupByOptions | ValueCountsOptions, where: string): { splitOut: number; splitEvery: number; dropna: boolean } {
  if (typeof opts !== "object" || opts === null) throw new InvalidArgumentError(`${where}: options must be an object; got ${String(opts)}.`);
  const splitOut = opts.splitOut ?? 1;
  const splitEvery = opts.splitEvery ?? 8;
  const dropna = opts.dropna ?? true;
  if (!Number.isInteger(splitOut) || splitOut < 1) throw new InvalidArgumentError(`${where}: splitOut must be a positive integer; got ${String(opts.splitOut)}.`);
  if (!Number.isInteger(splitEvery) || splitEvery < 2) throw new InvalidArgumentError(`${where}: splitEvery must be an integer of at least 2; got ${String(opts.splitEvery)}.`);
  if (typeof dropna !== "boolean") throw new InvalidArgumentError(`${where}: dropna must be true or false; got ${String(opts.dropna)}.`);
  return { splitOut, splitEvery, dropna };
}

/** The graph of a planned groupby over `df` (whose columns include keys and values). */
function aggregate(df: DataFrame, spec: GroupSpec, splitOut: number, splitEvery: number, label: string): DataFrame {
  // Only the columns used, through the ordinary select: CSV column projection sees it right above the readers.
  const selected = select(df, [...spec.keys, ...spec.values.map((v) => v.name)]);
  const meta: Meta = [...subMeta(df, spec.keys), ...spec.outs.map((o) => ({ name: o.name, dtype: o.dtype }))];
  const prefix = `groupby-${label}`;
  if (splitOut === 1) {
    const { name, dask } = treeReduceLayer(
      prefix,
      selected,
      { kernel: "dataframe.groupbyChunk", args: [spec] },
      { kernel: "dataframe.groupbyCombine", args: [spec] },
      { kernel: "dataframe.groupbyFinish", args: [spec] },
      splitEvery,
    );
    return new DataFrame(dask, name, meta, 1, {});
  }
  const chunks = mapPartitionsLayer(`${prefix}-chunk`, "dataframe.groupbyChunkSplit", [selected, spec, splitOut], selected.npartitions);
  const name = opName(prefix, chunks.name, splitOut);
  const refs = Array.from({ length: selected.npartitions }, (_, i) => new TaskRef(partitionKey(chunks.name, i)));
  const tasks: Graph = new Map();
  const fn = kernel("dataframe.groupbyCombineFinish");
  for (let j = 0; j < splitOut; j++) tasks.set(partitionKey(name, j), new Task(fn, [refs, j, spec]));
  // Each partition is sorted; compute() merges the sorted partitions (by key; valueCounts by count, then value).
  const state =
    spec.order === "keys"
      ? { sortOnCompute: [...spec.keys] }
      : { sortOnCompute: [meta[meta.length - 1]!.name, ...spec.keys], sortAscending: [false, ...spec.keys.map(() => true)] };
  return new DataFrame(addLayer(name, tasks, [chunks]), name, meta, splitOut, state);
}

/** A grouped frame: aggregations give a DataFrame of the key columns, then the aggregated columns, sorted by key. */
export class GroupBy {
  private readonly splitOut: number;
  private readonly splitEvery: number;
  private readonly dropna: boolean;

  constructor(readonly frame: DataFrame, readonly by: string[], readonly opts: GroupByOptions) {
    if (!Array.isArray(by) || by.length === 0) throw new InvalidArgumentError(`groupby: give at least one key column.`);
    checkColumns(frame, by, "groupby");
    if (new Set(by).size !== by.length) throw new InvalidArgumentError(`groupby: a key column is named twice in [${by.join(", ")}].`);
    ({ splitOut: this.splitOut, splitEvery: this.splitEvery, dropna: this.dropna } = checkOptions(opts, "groupby"));
  }

  /** Runs a list of aggregations (column null: group size). */
  private run(reqs: readonly AggRequest[], label: string): DataFrame {
    for (const r of reqs) {
      if (r.column !== null && this.by.includes(r.column)) {
        throw new InvalidArgumentError(`groupby: '${r.column}' is a key column; aggregate other columns (the keys are in the result already).`);
      }
    }
    const spec = planGroupBy(this.frame.meta, this.by, this.dropna, reqs);
    return aggregate(this.frame, spec, this.splitOut, this.splitEvery, label);
  }

  /** The value columns (all but the keys) that `op` applies to. */
  private valueColumns(op: AggName): string[] {
    return this.frame.meta.filter((m) => !this.by.includes(m.name) && aggApplies(op, m.dtype)).map((m) => m.name);
  }

  private all(op: AggName, ddof?: number): DataFrame {
    return this.run(this.valueColumns(op).map((c) => ({ column: c, op, out: c, ...(ddof === undefined ? {} : { ddof }) })), op);
  }

  /** Aggregations per column, e.g. { v1: "sum", v3: ["mean", "max"] } gives columns v1, v3_mean, v3_max. */
  agg(spec: AggSpec): DataFrame {
    if (typeof spec !== "object" || spec === null || Array.isArray(spec)) {
      throw new InvalidArgumentError(`agg: expected an object { column: "sum" | ["mean", "max"] }; got ${Array.isArray(spec) ? "an array" : String(spec)}.`);
    }
    const cols = Object.keys(spec);
    if (cols.length === 0) throw new InvalidArgumentError(`agg: give at least one column to aggregate.`);
    checkColumns(this.frame, cols, "agg");
    const reqs: AggRequest[] = [];
    for (const c of cols) {
      const ops = spec[c];
      if (Array.isArray(ops)) {
        if (ops.length === 0) throw new InvalidArgumentError(`agg: the list of aggregations of '${c}' is empty.`);
        for (const op of ops) { checkAggName(op, `agg('${c}')`); reqs.push({ column: c, op, out: `${c}_${op}` }); }
      } else {
        checkAggName(ops, `agg('${c}')`);
        reqs.push({ column: c, op: ops as AggName, out: c });
      }
    }
    return this.run(reqs, "agg");
  }

  /** Sum of each numeric or bool column (bool: number of trues; ints give int64); missing values are skipped. */
  sum(): DataFrame { return this.all("sum"); }
  /** Mean of each numeric or bool column. */
  mean(): DataFrame { return this.all("mean"); }
  /** Number of present values of each column. */
  count(): DataFrame { return this.all("count"); }
  /** Number of rows of each group: one column "size". */
  size(): DataFrame { return this.run([{ column: null, op: "size", out: "size" }], "size"); }
  /** Smallest present value of each column (strings in code-point order). */
  min(): DataFrame { return this.all("min"); }
  /** Largest present value of each column. */
  max(): DataFrame { return this.all("max"); }
  /** Standard deviation of each numeric column (ddof 1: NaN for a group of one). */
  std(opts?: DdofOptions): DataFrame { return this.all("std", ddofOf(opts)); }
  /** Variance of each numeric column (ddof 1: NaN for a group of one). */
  var(opts?: DdofOptions): DataFrame { return this.all("var", ddofOf(opts)); }
  /** First present value of each column. */
  first(): DataFrame { return this.all("first"); }
  /** Last present value of each column. */
  last(): DataFrame { return this.all("last"); }
  /** Number of distinct present values of each column. */
  nunique(): DataFrame { return this.all("nunique"); }

  /** One or more value columns, aggregated as pandas `df.groupby(k)[name]`: results hold the keys, then those columns. */
  col(name: string | readonly string[]): SeriesGroupBy {
    const names = typeof name === "string" ? [name] : name;
    checkColumns(this.frame, names, "groupby.col");
    if (names.length === 0) throw new InvalidArgumentError(`groupby.col: give at least one column.`);
    for (const n of names) {
      if (this.by.includes(n)) throw new InvalidArgumentError(`groupby.col: '${n}' is a key column; select other columns.`);
    }
    return new SeriesGroupBy(this, [...names]);
  }

  /** @internal Runs aggregations of selected columns (SeriesGroupBy). */
  _run(reqs: readonly AggRequest[], label: string): DataFrame {
    return this.run(reqs, label);
  }
}

function ddofOf(opts: DdofOptions | undefined): number {
  const ddof = opts?.ddof ?? 1;
  if (!Number.isInteger(ddof) || ddof < 0) throw new InvalidArgumentError(`ddof must be a non-negative integer; got ${String(opts?.ddof)}.`);
  return ddof;
}

/** Selected columns of a grouped frame; every aggregation applies to each of them (or throws ColumnTypeError). */
export class SeriesGroupBy {
  constructor(readonly groupby: GroupBy, readonly columns: readonly string[]) {}

  private each(op: AggName, ddof?: number): DataFrame {
    return this.groupby._run(this.columns.map((c) => ({ column: c, op, out: c, ...(ddof === undefined ? {} : { ddof }) })), op);
  }

  /** One aggregation (columns keep their names) or a list (columns `name_agg`). */
  agg(ops: AggName | readonly AggName[]): DataFrame {
    if (!Array.isArray(ops)) {
      checkAggName(ops, "agg");
      return this.each(ops as AggName);
    }
    if (ops.length === 0) throw new InvalidArgumentError(`agg: the list of aggregations is empty.`);
    const reqs: AggRequest[] = [];
    for (const c of this.columns) for (const op of ops) { checkAggName(op, "agg"); reqs.push({ column: c, op, out: `${c}_${op}` }); }
    return this.groupby._run(reqs, "agg");
  }

  /** Sum per group (ints and bools give int64; missing values skipped, none at all gives 0). */
  sum(): DataFrame { return this.each("sum"); }
  /** Mean per group (float64). */
  mean(): DataFrame { return this.each("mean"); }
  /** Number of present values per group. */
  count(): DataFrame { return this.each("count"); }
  /** Number of rows of each group (under each selected column's name, as pandas). */
  size(): DataFrame { return this.each("size"); }
  /** Smallest present value per group. */
  min(): DataFrame { return this.each("min"); }
  /** Largest present value per group. */
  max(): DataFrame { return this.each("max"); }
  /** Standard deviation per group (ddof 1 by default). */
  std(opts?: DdofOptions): DataFrame { return this.each("std", ddofOf(opts)); }
  /** Variance per group (ddof 1 by default). */
  var(opts?: DdofOptions): DataFrame { return this.each("var", ddofOf(opts)); }
  /** First present value per group. */
  first(): DataFrame { return this.each("first"); }
  /** Last present value per group. */
  last(): DataFrame { return this.each("last"); }
  /** Number of distinct present values per group. */
  nunique(): DataFrame { return this.each("nunique"); }
}

/** Counts of each distinct row of `df`, most frequent first (ties by value ascending): columns, then "count". */
export function frameValueCounts(df: DataFrame, opts: ValueCountsOptions = {}): DataFrame {
  const { splitOut, splitEvery, dropna } = checkOptions(opts, "valueCounts");
  const keys = df.columns;
  if (keys.includes("count")) {
    throw new InvalidArgumentError(`valueCounts: the result has a column "count", which the frame has already; rename it first.`);
  }
  const spec = planGroupBy(df.meta, keys, dropna, [{ column: null, op: "size", out: "count" }], "count-desc");
  return aggregate(df, spec, splitOut, splitEvery, "value-counts");
}

/** Counts of each distinct value of `s`, most frequent first: a frame of the value column and "count". */
export function seriesValueCounts(s: Series, opts?: ValueCountsOptions): DataFrame {
  return frameValueCounts(s.toFrame(), opts);
}

export { AGG_NAMES };
