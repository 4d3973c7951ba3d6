/**
 * DataFrame, Series and Scalar: lazy collections of Arrow-table partitions. Methods build graphs by
 * naming kernels (see graph.ts); `compute()` runs them on a scheduler and returns Arrow values.
 */
import {
  Literal,
  LayeredGraph,
  compute as coreCompute,
  kernel,
  persist as corePersist,
  visualize as coreVisualize,
  type ComputeOptions,
  type DaskCollection,
  type Graph,
  type NestedKeys,
  type VisualizeOptions,
} from "@dask-ts/core";
import type * as A from "apache-arrow";
import type { ColType, Meta } from "./dtypes.js";
import { partitionKey, type PartitionedInput } from "./graph.js";
import { optimizeFrameGraph } from "./optimize.js";
import * as sel from "./select.js";
import * as ew from "./elementwise.js";
import * as red from "./reductions.js";
import * as gb from "./groupby.js";
import * as rel from "./relational.js";
import { toCsv, type ToCsvOptions } from "./io/to-csv.js";
import "./kernels/index.js";

/** Sorted boundaries of a frame's partitions on its index column (Dask's divisions): npartitions + 1 values. */
export type Divisions = readonly (number | string | null)[];

/** Optional state of a frame beyond its schema. */
export interface FrameState {
  /** Partition boundaries of a frame sorted on `index` (after setIndex / sortValues). */
  readonly divisions?: Divisions;
  /** The column that serves as the index (setIndex); it stays a column of the Arrow tables. */
  readonly index?: string;
  /**
   * Columns the computed result is sorted by when it spans several partitions (groupby with splitOut:
   * each partition is sorted, the concatenation is sorted once at the end).
   */
  readonly sortOnCompute?: readonly string[];
  /** Direction per `sortOnCompute` column (default ascending). */
  readonly sortAscending?: readonly boolean[];
}

/** An operand of Series arithmetic: another Series (same partitions), a Scalar, or a JS value. */
export type SeriesOperand = Series | Scalar | number | bigint | string | boolean | Date | null;

/** Options of Series reductions. */
export interface ReduceOptions {
  /** Skip missing values (default true, as pandas). */
  skipna?: boolean;
  /** Delta degrees of freedom of std and var (default 1, as pandas). */
  ddof?: number;
  /** Fan-in of the combine tasks (default 8). */
  splitEvery?: number;
}

/** What every partitioned collection shares: graph, partitions, schema, collection protocol. */
export abstract class FrameBase implements PartitionedInput {
  constructor(
    /** The layered task graph producing every partition. */
    readonly dask: LayeredGraph,
    /** The name of the partitions' keys: partition i is `[_name, i]`. */
    readonly _name: string,
    /** Column names and types of every partition. */
    readonly meta: Meta,
    readonly npartitions: number,
    readonly state: FrameState = {},
  ) {}

  /** Partition boundaries when known (sorted frames), else undefined. */
  get divisions(): Divisions | undefined {
    return this.state.divisions;
  }
  /** True when the frame is sorted on an index column with known partition boundaries. */
  get knownDivisions(): boolean {
    return this.state.divisions !== undefined;
  }

  /** Key of partition i. */
  partitionKey(i: number): string {
    return partitionKey(this._name, i);
  }

  /** A collection of the same kind with another graph (used by persist). */
  protected abstract rebuild(dask: LayeredGraph): FrameBase;

  // --- collection protocol --------------------------------------------------------------------
  readonly daskScheduler: string = "threads";
  daskGraph(): LayeredGraph {
    return this.dask;
  }
  daskKeys(): NestedKeys {
    return Array.from({ length: this.npartitions }, (_, i) => this.partitionKey(i));
  }
  abstract daskPostcompute(): { fn: ReturnType<typeof kernel>; args: readonly unknown[] } | undefined;
  daskPostpersist(values: ReadonlyMap<string, unknown>): FrameBase {
    const tasks: Graph = new Map();
    for (const k of this.daskKeys() as string[]) tasks.set(k, new Literal(values.get(k)));
    return this.rebuild(LayeredGraph.fromLayer(this._name, tasks));
  }
  daskToken(): string {
    return this._name;
  }
  daskOptimize(graph: Graph, keys: readonly string[]): Graph {
    return optimizeFrameGraph(graph, keys);
  }

  /** The materialized task graph. */
  graph(): Graph {
    return this.dask.materialize();
  }
  /** Keys of every partition, in order. */
  keys(): string[] {
    return this.daskKeys() as string[];
  }
  /** Draws the task graph. */
  visualize(opts?: VisualizeOptions): Promise<string> {
    return coreVisualize(this, opts);
  }
}

/** A partitioned dataframe (`dd.DataFrame`); each partition is an Arrow Table. */
export class DataFrame extends FrameBase implements DaskCollection<A.Table> {
  /** Column names, in order. */
  get columns(): string[] {
    return this.meta.map((m) => m.name);
  }
  /** Column types by name. */
  get dtypes(): Record<string, ColType> {
    return Object.fromEntries(this.meta.map((m) => [m.name, m.dtype]));
  }

  protected rebuild(dask: LayeredGraph): DataFrame {
    return new DataFrame(dask, this._name, this.meta, this.npartitions, this.state);
  }
  daskPostcompute(): { fn: ReturnType<typeof kernel>; args: readonly unknown[] } {
    return { fn: kernel("dataframe.finalizeFrame"), args: [this.meta, this.state.sortOnCompute ?? null, this.state.sortAscending ?? []] };
  }

  /** Computes every partition and concatenates them into one Arrow Table. */
  async compute(opts?: ComputeOptions): Promise<A.Table> {
    const [r] = await coreCompute(this, opts ?? {});
    return r as A.Table;
  }
  /** Computes the partitions and returns a frame whose graph holds them. */
  async persist(opts?: ComputeOptions): Promise<DataFrame> {
    const [r] = await corePersist(this, opts ?? {});
    return r as DataFrame;
  }

  // --- columns ------------------------------------------------------------------------------------
  /** One column as a Series. */
  col(name: string): Series { return sel.col(this, name); }
  /** A frame of some columns, in the given order. */
  select(names: readonly string[]): DataFrame { return sel.select(this, names); }
  /** Rows where `mask` (a bool Series of this frame) is true; missing counts as false. */
  filter(mask: Series): DataFrame { return sel.filter(this, mask); }
  /** New or replaced columns from Series (same partitions) or constants. */
  assign(cols: Record<string, SeriesOperand>): DataFrame { return sel.assign(this, cols); }
  /** The frame without these columns. */
  drop(names: string | readonly string[]): DataFrame { return sel.drop(this, typeof names === "string" ? [names] : names); }
  /** Renames columns ({ old: "new" }). */
  rename(mapping: Record<string, string>): DataFrame { return sel.rename(this, mapping); }
  /** Applies `fn(table, ...args)` to every partition (a function workers can run; see fromModule). */
  mapPartitions(fn: Function | ReturnType<typeof kernel>, ...args: unknown[]): DataFrame { return sel.mapPartitions(this, fn, args); }

  // --- rows -----------------------------------------------------------------------------------------
  /** The first n rows (from the first partitions, as Dask). */
  head(n = 5, opts?: ComputeOptions): Promise<A.Table> { return sel.head(this, n, opts); }
  /** Number of rows. */
  len(opts?: ComputeOptions): Promise<number> { return red.len(this, opts); }
  /** count, mean, std, min, 25%, 50%, 75%, max of the numeric columns (a frame with a `statistic` column). */
  describe(): DataFrame { return red.describe(this); }

  // --- groupby and relational ------------------------------------------------------------------------
  /** Groups rows by one or more key columns. */
  groupby(by: string | readonly string[], opts?: gb.GroupByOptions): gb.GroupBy { return new gb.GroupBy(this, typeof by === "string" ? [by] : [...by], opts ?? {}); }
  /** Counts of each distinct row (of all columns), most frequent first. */
  valueCounts(opts?: gb.ValueCountsOptions): DataFrame { return gb.frameValueCounts(this, opts); }
  /** Database-style join with another frame. */
  merge(other: DataFrame, opts?: rel.MergeOptions): DataFrame { return rel.merge(this, other, opts ?? {}); }
  /** Rows sorted by one or more columns (partitioned by sampled quantiles, each partition sorted). */
  sortValues(by: string | readonly string[], opts?: rel.SortOptions): DataFrame { return rel.sortValues(this, typeof by === "string" ? [by] : by, opts ?? {}); }
  /** Sorts by `col` and makes it the index, with known divisions. */
  setIndex(col: string, opts?: rel.SetIndexOptions): DataFrame { return rel.setIndex(this, col, opts ?? {}); }
  /** Rows with distinct values (of `subset`, default all columns); the first of each is kept. */
  dropDuplicates(subset?: string | readonly string[], opts?: rel.DropDuplicatesOptions): DataFrame {
    return rel.dropDuplicates(this, subset === undefined ? undefined : typeof subset === "string" ? [subset] : subset, opts ?? {});
  }
  /** The same rows in another number of partitions. */
  repartition(opts: rel.RepartitionOptions): DataFrame { return rel.repartition(this, opts); }

  // --- output ---------------------------------------------------------------------------------------
  /** Writes one CSV file per partition ("out/part-*.csv": * becomes the partition number); returns the paths. */
  toCsv(pathPattern: string, opts?: ToCsvOptions): Promise<string[]> { return toCsv(this, pathPattern, opts); }

  override toString(): string {
    return `dd.DataFrame<${this._name}, npartitions=${this.npartitions}, columns=[${this.meta.map((m) => `${m.name}: ${m.dtype}`).join(", ")}]>`;
  }
}

/** One column of a partitioned dataframe; each partition is a one-column Arrow Table. */
export class Series extends FrameBase implements DaskCollection<A.Vector> {
  /** The column's name. */
  get name(): string {
    return this.meta[0]!.name;
  }
  /** The column's type. */
  get dtype(): ColType {
    return this.meta[0]!.dtype;
  }

  protected rebuild(dask: LayeredGraph): Series {
    return new Series(dask, this._name, this.meta, this.npartitions, this.state);
  }
  daskPostcompute(): { fn: ReturnType<typeof kernel>; args: readonly unknown[] } {
    return { fn: kernel("dataframe.finalizeSeries"), args: [this.meta] };
  }

  /** Computes the column: an Arrow Vector. */
  async compute(opts?: ComputeOptions): Promise<A.Vector> {
    const [r] = await coreCompute(this, opts ?? {});
    return r as A.Vector;
  }
  /** Computes the column as JS values (null for missing). */
  async toArray(opts?: ComputeOptions): Promise<unknown[]> {
    const [r] = await coreCompute(this, opts ?? {});
    return ew.vectorToValues(r as A.Vector);
  }
  /** Computes the partitions and returns a series whose graph holds them. */
  async persist(opts?: ComputeOptions): Promise<Series> {
    const [r] = await corePersist(this, opts ?? {});
    return r as Series;
  }
  /** A one-column DataFrame. */
  toFrame(): DataFrame {
    return new DataFrame(this.dask, this._name, this.meta, this.npartitions, this.state);
  }
  /** The same values under another name. */
  rename(name: string): Series { return sel.renameSeries(this, name); }

  // --- elementwise (nulls propagate as pandas: comparisons with a missing value are false) -----------
  add(o: SeriesOperand): Series { return ew.binary("add", this, o); }
  sub(o: SeriesOperand): Series { return ew.binary("sub", this, o); }
  mul(o: SeriesOperand): Series { return ew.binary("mul", this, o); }
  div(o: SeriesOperand): Series { return ew.binary("div", this, o); }
  mod(o: SeriesOperand): Series { return ew.binary("mod", this, o); }
  pow(o: SeriesOperand): Series { return ew.binary("pow", this, o); }
  eq(o: SeriesOperand): Series { return ew.binary("eq", this, o); }
  ne(o: SeriesOperand): Series { return ew.binary("ne", this, o); }
  lt(o: SeriesOperand): Series { return ew.binary("lt", this, o); }
  le(o: SeriesOperand): Series { return ew.binary("le", this, o); }
  gt(o: SeriesOperand): Series { return ew.binary("gt", this, o); }
  ge(o: SeriesOperand): Series { return ew.binary("ge", this, o); }
  /** Logical and of bool series (Kleene logic with missing values, as pandas' nullable booleans). */
  and(o: SeriesOperand): Series { return ew.binary("and", this, o); }
  or(o: SeriesOperand): Series { return ew.binary("or", this, o); }
  not(): Series { return ew.unary("not", this); }
  neg(): Series { return ew.unary("neg", this); }
  abs(): Series { return ew.unary("abs", this); }
  /** True where the value is one of `values`. */
  isin(values: readonly unknown[]): Series { return ew.isin(this, values); }
  /** True where the value is missing (null, or NaN in float columns). */
  isNull(): Series { return ew.unary("isNull", this); }
  /** True where the value is present. */
  notNull(): Series { return ew.unary("notNull", this); }
  /** Missing values replaced by `value`. */
  fillNull(value: number | bigint | string | boolean | Date | Scalar): Series { return ew.fillNull(this, value); }
  /** Values converted to another type. */
  astype(dtype: ColType): Series { return ew.astype(this, dtype); }

  // --- reductions -----------------------------------------------------------------------------------
  sum(opts?: ReduceOptions): Scalar { return red.reduce("sum", this, opts); }
  mean(opts?: ReduceOptions): Scalar { return red.reduce("mean", this, opts); }
  min(opts?: ReduceOptions): Scalar { return red.reduce("min", this, opts); }
  max(opts?: ReduceOptions): Scalar { return red.reduce("max", this, opts); }
  /** Number of present values. */
  count(opts?: ReduceOptions): Scalar { return red.reduce("count", this, opts); }
  std(opts?: ReduceOptions): Scalar { return red.reduce("std", this, opts); }
  var(opts?: ReduceOptions): Scalar { return red.reduce("var", this, opts); }
  /** Number of distinct present values. */
  nunique(opts?: ReduceOptions): Scalar { return red.nunique(this, opts); }
  /** Distinct values (missing included once if present), in order of first appearance. */
  unique(opts?: { splitEvery?: number }): Series { return red.unique(this, opts); }
  /** Counts of each value, most frequent first (a frame with the value column and `count`). */
  valueCounts(opts?: gb.ValueCountsOptions): DataFrame { return gb.seriesValueCounts(this, opts); }
  /** Number of rows (missing included). */
  len(opts?: ComputeOptions): Promise<number> { return red.len(this, opts); }
  /** The first n values. */
  async head(n = 5, opts?: ComputeOptions): Promise<A.Vector> {
    const t = await sel.head(this.toFrame(), n, opts);
    return t.getChildAt(0)!;
  }

  override toString(): string {
    return `dd.Series<${this._name}, name=${this.name}, dtype=${this.dtype}, npartitions=${this.npartitions}>`;
  }
}

/** A single lazy value (a reduction's result). Usable as an operand of Series arithmetic. */
export class Scalar implements DaskCollection<unknown>, PartitionedInput {
  readonly npartitions = 1;
  constructor(
    readonly dask: LayeredGraph,
    readonly _name: string,
    /** The value's type when known (for arithmetic with Series). */
    readonly dtype: ColType,
  ) {}
  readonly daskScheduler: string = "threads";
  daskGraph(): LayeredGraph {
    return this.dask;
  }
  daskKeys(): NestedKeys {
    return [partitionKey(this._name, 0)];
  }
  daskPostcompute(): { fn: ReturnType<typeof kernel>; args: readonly unknown[] } {
    return { fn: kernel("dataframe.finalizeScalar"), args: [] };
  }
  daskPostpersist(values: ReadonlyMap<string, unknown>): Scalar {
    const k = partitionKey(this._name, 0);
    return new Scalar(LayeredGraph.fromLayer(this._name, new Map([[k, new Literal(values.get(k))]])), this._name, this.dtype);
  }
  daskToken(): string {
    return this._name;
  }
  daskOptimize(graph: Graph, keys: readonly string[]): Graph {
    return optimizeFrameGraph(graph, keys);
  }
  /** Computes the value (a number for numeric reductions; bigint for int64 sums; string, Date or null). */
  async compute(opts?: ComputeOptions): Promise<number | bigint | string | boolean | Date | null> {
    const [r] = await coreCompute(this, opts ?? {});
    return r as number;
  }
  graph(): Graph {
    return this.dask.materialize();
  }
  keys(): string[] {
    return [partitionKey(this._name, 0)];
  }
  toString(): string {
    return `dd.Scalar<${this._name}, dtype=${this.dtype}>`;
  }
}
