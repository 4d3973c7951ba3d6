/**
 * Bag and Item: a lazy sequence of plain JS values split into partitions (each a JS array computed
 * by one task), and a single lazy value (a reduction's result). Methods build graphs by naming
 * kernels; user functions travel as FnRefs (see core), with extra arguments as the way to pass values.
 */
import {
  Literal,
  LayeredGraph,
  compute as coreCompute,
  kernel,
  partitionKey,
  persist as corePersist,
  visualize as coreVisualize,
  type ComputeOptions,
  type DaskCollection,
  type FnRef,
  type Graph,
  type NestedKeys,
  type PartitionedInput,
  type VisualizeOptions,
} from "@dask-ts/core";
import type { DataFrame } from "@dask-ts/dataframe";
import * as ew from "./elementwise.js";
import * as red from "./reductions.js";
import { toTextFiles, type ToTextFilesOptions } from "./io/text.js";
import "./kernels/index.js";

/** A function users pass: a plain function (shipped as source; no captured variables) or an FnRef (fromModule). */
export type UserFn<A extends unknown[], R> = ((...args: A) => R) | FnRef;

/** A partitioned sequence of plain values (`db.Bag`). Default scheduler: processes. */
export class Bag<T = unknown> implements DaskCollection<T[]>, PartitionedInput {
  constructor(
    /** The layered task graph producing every partition. */
    readonly dask: LayeredGraph,
    /** The name of the partitions' keys: partition i is `[_name, i]`. */
    readonly _name: string,
    readonly npartitions: number,
  ) {}

  /** Key of partition i. */
  partitionKey(i: number): string {
    return partitionKey(this._name, i);
  }

  // --- collection protocol --------------------------------------------------------------------
  readonly daskScheduler: string = "processes";
  daskGraph(): LayeredGraph {
    return this.dask;
  }
  daskKeys(): NestedKeys {
    return Array.from({ length: this.npartitions }, (_, i) => this.partitionKey(i));
  }
  daskPostcompute(): { fn: FnRef; args: readonly unknown[] } {
    return { fn: kernel("bag.concat"), args: [] };
  }
  daskPostpersist(values: ReadonlyMap<string, unknown>): Bag<T> {
    const tasks: Graph = new Map();
    for (const k of this.daskKeys() as string[]) tasks.set(k, new Literal(values.get(k)));
    return new Bag<T>(LayeredGraph.fromLayer(this._name, tasks), this._name, this.npartitions);
  }
  daskToken(): string {
    return this._name;
  }

  /** Computes every partition and returns all elements in order. */
  async compute(opts?: ComputeOptions): Promise<T[]> {
    const [r] = await coreCompute(this, opts ?? {});
    return r as T[];
  }
  /** Computes the partitions and returns a bag whose graph holds them. */
  async persist(opts?: ComputeOptions): Promise<Bag<T>> {
    const [r] = await corePersist(this, opts ?? {});
    return r as Bag<T>;
  }
  /** Draws the task graph. */
  visualize(opts?: VisualizeOptions): Promise<string> {
    return coreVisualize(this, opts);
  }
  /** The materialized task graph. */
  graph(): Graph {
    return this.dask.materialize();
  }
  /** Keys of every partition, in order. */
  keys(): string[] {
    return this.daskKeys() as string[];
  }

  // --- element-wise ---------------------------------------------------------------------------
  /** fn(x, ...args) for every element. */
  map<R, A extends unknown[]>(fn: UserFn<[T, ...A], R>, ...args: A): Bag<R> { return ew.map(this, fn as never, args); }
  /** The elements for which fn(x, ...args) is truthy. */
  filter<A extends unknown[]>(fn: UserFn<[T, ...A], unknown>, ...args: A): Bag<T> { return ew.filter(this, fn as never, args); }
  /** Concatenates the elements' own elements (each element must be iterable). */
  flatten(): Bag<T extends Iterable<infer U> ? U : unknown> { return ew.flatten(this) as never; }
  /** x[key] of every element (a list of keys gives a list of values). */
  pluck(key: PropertyKey | readonly PropertyKey[], opts?: { default?: unknown }): Bag<unknown> { return ew.pluck(this, key, opts); }
  /** fn(partition, ...args) on every partition (an array in, an iterable out). */
  mapPartitions<R, A extends unknown[]>(fn: UserFn<[T[], ...A], Iterable<R>>, ...args: A): Bag<R> { return ew.mapPartitions(this, fn as never, args); }
  /** The first n elements, computed from the first partitions only (as Dask: npartitions 1 by default; -1 for all). */
  take(n: number, opts?: ew.TakeOptions): Promise<T[]> { return ew.take(this, n, opts); }
  /** String methods on every element. */
  get str(): ew.StringAccessor { return new ew.StringAccessor(this as Bag<unknown>); }
  /** A dataframe of the elements (objects -> columns by key; arrays -> columns by position named by `columns`). */
  toDataFrame(columns?: readonly string[], opts?: ew.ToDataFrameOptions): DataFrame { return ew.toDataFrame(this, columns, opts); }

  // --- reductions -------------------------------------------------------------------------------
  /** Folds each partition with binop(acc, x) from `initial`, then the partition results with combine (default binop). */
  fold<R = T>(binop: UserFn<[R, T], R>, combine?: UserFn<[R, R], R> | null, initial?: R, opts?: red.TreeOptions): Item<R> { return red.fold(this, binop as never, combine as never, initial, opts); }
  /** perPartition(partition) on every partition, then aggregate(results) over them (in a tree). */
  reduction<P, R>(perPartition: UserFn<[T[]], P>, aggregate: UserFn<[P[]], R>, opts?: red.TreeOptions): Item<R> { return red.reduction(this, perPartition as never, aggregate as never, opts); }
  /** Groups by key(x) and folds each group: a bag of [key, value] (Dask's foldby). */
  foldby<K, V>(key: UserFn<[T], K> | PropertyKey, binop: UserFn<[V, T], V>, initial?: V, combine?: UserFn<[V, V], V>, combineInitial?: V, opts?: red.GroupOptions): Bag<[K, V]> {
    return red.foldby(this, key as never, binop as never, initial, combine as never, combineInitial, opts);
  }
  /** Groups elements by key(x) through a shuffle: a bag of [key, elements[]]. */
  groupby<K>(key: UserFn<[T], K> | PropertyKey, opts?: red.GroupOptions): Bag<[K, T[]]> { return red.groupby(this, key as never, opts); }
  /** Counts of each distinct element: a bag of [element, count]. */
  frequencies(opts?: red.FrequenciesOptions): Bag<[T, number]> { return red.frequencies(this, opts); }
  /** Distinct elements (by key(x) when given), first occurrence kept. */
  distinct(key?: UserFn<[T], unknown> | PropertyKey, opts?: red.TreeOptions): Bag<T> { return red.distinct(this, key as never, opts); }
  /** The k largest elements (by key(x) when given), largest first. */
  topk(k: number, key?: ((x: T, ...items: any[]) => unknown) | FnRef | PropertyKey, opts?: red.TreeOptions): Bag<T> { return red.topk(this, k, key as never, opts); }
  /** Number of elements. */
  count(opts?: red.TreeOptions): Item<number> { return red.count(this, opts); }
  sum(opts?: red.TreeOptions): Item<number> { return red.sum(this, opts); }
  mean(opts?: red.TreeOptions): Item<number> { return red.mean(this, opts); }
  min(opts?: red.TreeOptions): Item<T> { return red.min(this, opts); }
  max(opts?: red.TreeOptions): Item<T> { return red.max(this, opts); }

  // --- output -------------------------------------------------------------------------------------
  /** Writes one text file per partition, one element per line ("out/*.txt": * becomes the partition number). */
  toTextFiles(pattern: string, opts?: ToTextFilesOptions): Promise<string[]> { return toTextFiles(this, pattern, opts); }

  toString(): string {
    return `dask.bag<${this._name}, npartitions=${this.npartitions}>`;
  }
}

/** A single lazy value: a bag reduction's result. */
export class Item<T = unknown> implements DaskCollection<T>, PartitionedInput {
  readonly npartitions = 1;
  constructor(
    readonly dask: LayeredGraph,
    readonly _name: string,
  ) {}
  readonly daskScheduler: string = "processes";
  daskGraph(): LayeredGraph {
    return this.dask;
  }
  daskKeys(): NestedKeys {
    return [partitionKey(this._name, 0)];
  }
  daskPostcompute(): { fn: FnRef; args: readonly unknown[] } {
    return { fn: kernel("bag.first"), args: [] };
  }
  daskPostpersist(values: ReadonlyMap<string, unknown>): Item<T> {
    const k = partitionKey(this._name, 0);
    return new Item<T>(LayeredGraph.fromLayer(this._name, new Map([[k, new Literal(values.get(k))]])), this._name);
  }
  daskToken(): string {
    return this._name;
  }
  /** Computes the value. */
  async compute(opts?: ComputeOptions): Promise<T> {
    const [r] = await coreCompute(this, opts ?? {});
    return r as T;
  }
  graph(): Graph {
    return this.dask.materialize();
  }
  keys(): string[] {
    return [partitionKey(this._name, 0)];
  }
  toString(): string {
    return `dask.bag.Item<${this._name}>`;
  }
}
