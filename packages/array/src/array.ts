/** DaskArray: a lazy n-d array split into blocks, each block an `ndarray` computed by one task. */
import {
  Literal,
  LayeredGraph,
  compute as coreCompute,
  kernel,
  persist as corePersist,
  visualize as coreVisualize,
  flattenKeys,
  type ComputeOptions,
  type DaskCollection,
  type Graph,
  type NestedKeys,
  type VisualizeOptions,
} from "@dask-ts/core";
import type { NdArray } from "ndarray";
import { blockKey, numBlocks } from "./blocks.js";
import type { ChunkSizes, Chunks } from "./chunks.js";
import { itemSize, type DType } from "./dtype.js";
import * as ew from "./elementwise.js";
import * as red from "./reductions.js";
import * as shp from "./reshape.js";
import * as slc from "./slicing.js";
import * as lin from "./linalg.js";
import { rechunk } from "./rechunk.js";
import { mapBlocks } from "./blockwise.js";
import "./kernels/index.js";

/** An operand of elementwise operations: an array or a JS number. */
export type Operand = DaskArray | number | boolean;

/** Options of reductions. */
export interface ReduceOptions {
  /** Axis or axes to reduce (negative counts from the end); all axes when omitted. */
  axis?: number | readonly number[];
  /** Keep reduced axes with length 1. */
  keepdims?: boolean;
  /** Partials one combine task takes in, shared across the reduced axes (Dask's split_every; default 16). */
  splitEvery?: number;
  /** Delta degrees of freedom for std/var. */
  ddof?: number;
}

/** What an array computes to: a number for 0-d results, an `ndarray` otherwise. */
export type ArrayResult = number | NdArray;

/** A chunked n-d array (`da.Array`). Operations build graphs; `compute()` runs them. */
export class DaskArray implements DaskCollection<ArrayResult> {
  constructor(
    /** The layered task graph producing every block. */
    readonly dask: LayeredGraph,
    /** The name of the blocks' keys: block (i, j) is `["name", i, j]`. */
    readonly name: string,
    /** Block sizes along each axis. */
    readonly chunks: ChunkSizes,
    readonly dtype: DType,
  ) {}

  /** Length along each axis. */
  get shape(): number[] {
    return this.chunks.map((c) => c.reduce((a, b) => a + b, 0));
  }
  get ndim(): number {
    return this.chunks.length;
  }
  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
  get numblocks(): number[] {
    return numBlocks(this.chunks);
  }
  get nbytes(): number {
    return this.size * itemSize(this.dtype);
  }
  /** Bytes per element. */
  get itemsize(): number {
    return itemSize(this.dtype);
  }
  /** Largest block size along each axis. */
  get chunksize(): number[] {
    return this.chunks.map((c) => Math.max(0, ...c));
  }

  /** Key of one block. */
  blockKey(...idx: number[]): string {
    return blockKey(this.name, idx);
  }

  // --- collection protocol --------------------------------------------------------------------
  readonly daskScheduler = "threads";
  daskGraph(): LayeredGraph {
    return this.dask;
  }
  daskKeys(): NestedKeys {
    const nb = this.numblocks;
    const build = (prefix: number[], axis: number): NestedKeys =>
      axis === nb.length ? blockKey(this.name, prefix) : Array.from({ length: nb[axis]! }, (_, i) => build([...prefix, i], axis + 1));
    return this.ndim === 0 ? [blockKey(this.name, [])] : build([], 0);
  }
  daskPostcompute(): { fn: ReturnType<typeof kernel>; args: readonly unknown[] } {
    return { fn: kernel("array.finalize"), args: [this.chunks.map((c) => [...c]), this.dtype] };
  }
  daskPostpersist(values: ReadonlyMap<string, unknown>): DaskArray {
    const tasks: Graph = new Map();
    for (const k of flattenKeys(this.daskKeys())) tasks.set(k, new Literal(values.get(k)));
    return new DaskArray(LayeredGraph.fromLayer(this.name, tasks), this.name, this.chunks, this.dtype);
  }
  daskToken(): string {
    return this.name;
  }

  /** Computes the array: a number for 0-d results, an `ndarray` otherwise. */
  async compute(opts?: ComputeOptions): Promise<ArrayResult> {
    const [r] = await coreCompute(this, opts ?? {});
    return r as ArrayResult;
  }
  /** Computes and returns nested JS arrays (a number for 0-d; booleans for bool, bigints for int64, as NumPy's tolist). */
  async toArray(opts?: ComputeOptions): Promise<unknown> {
    return toNested(await this.compute(opts), this.dtype);
  }
  /** Computes the blocks and returns an array whose graph holds them. */
  async persist(opts?: ComputeOptions): Promise<DaskArray> {
    const [r] = await corePersist(this, opts ?? {});
    return r as DaskArray;
  }
  /** Draws the task graph. */
  visualize(opts?: VisualizeOptions): Promise<string> {
    return coreVisualize(this, opts);
  }
  /** The materialized task graph. */
  graph(): Graph {
    return this.dask.materialize();
  }
  /** Keys of every block, in C order. */
  keys(): string[] {
    return flattenKeys(this.daskKeys());
  }

  // --- elementwise ------------------------------------------------------------------------------
  add(o: Operand): DaskArray { return ew.binary("add", this, o); }
  sub(o: Operand): DaskArray { return ew.binary("sub", this, o); }
  mul(o: Operand): DaskArray { return ew.binary("mul", this, o); }
  div(o: Operand): DaskArray { return ew.binary("div", this, o); }
  pow(o: Operand): DaskArray { return ew.binary("pow", this, o); }
  mod(o: Operand): DaskArray { return ew.binary("mod", this, o); }
  eq(o: Operand): DaskArray { return ew.binary("eq", this, o); }
  ne(o: Operand): DaskArray { return ew.binary("ne", this, o); }
  lt(o: Operand): DaskArray { return ew.binary("lt", this, o); }
  le(o: Operand): DaskArray { return ew.binary("le", this, o); }
  gt(o: Operand): DaskArray { return ew.binary("gt", this, o); }
  ge(o: Operand): DaskArray { return ew.binary("ge", this, o); }
  neg(): DaskArray { return ew.unary("neg", this); }
  abs(): DaskArray { return ew.unary("abs", this); }
  sqrt(): DaskArray { return ew.unary("sqrt", this); }
  exp(): DaskArray { return ew.unary("exp", this); }
  log(): DaskArray { return ew.unary("log", this); }
  sin(): DaskArray { return ew.unary("sin", this); }
  cos(): DaskArray { return ew.unary("cos", this); }
  /** Elementwise logical not (bool result). */
  not(): DaskArray { return ew.unary("not", this); }
  isnan(): DaskArray { return ew.unary("isnan", this); }
  /** A copy with another dtype (values converted as NumPy's astype: floats truncate toward zero into ints). */
  astype(dtype: DType): DaskArray { return ew.astype(this, dtype); }

  // --- reductions -------------------------------------------------------------------------------
  sum(opts?: ReduceOptions): DaskArray { return red.reduce("sum", this, opts); }
  prod(opts?: ReduceOptions): DaskArray { return red.reduce("prod", this, opts); }
  mean(opts?: ReduceOptions): DaskArray { return red.reduce("mean", this, opts); }
  min(opts?: ReduceOptions): DaskArray { return red.reduce("min", this, opts); }
  max(opts?: ReduceOptions): DaskArray { return red.reduce("max", this, opts); }
  std(opts?: ReduceOptions): DaskArray { return red.reduce("std", this, opts); }
  var(opts?: ReduceOptions): DaskArray { return red.reduce("var", this, opts); }
  any(opts?: ReduceOptions): DaskArray { return red.reduce("any", this, opts); }
  all(opts?: ReduceOptions): DaskArray { return red.reduce("all", this, opts); }
  argmin(opts?: { axis?: number; keepdims?: boolean; splitEvery?: number }): DaskArray { return red.argReduce("argmin", this, opts); }
  argmax(opts?: { axis?: number; keepdims?: boolean; splitEvery?: number }): DaskArray { return red.argReduce("argmax", this, opts); }
  /** Cumulative sum along an axis (the flattened array when omitted). */
  cumsum(axis?: number): DaskArray { return red.cumulative("cumsum", this, axis as number); }
  /** Cumulative product along an axis (the flattened array when omitted). */
  cumprod(axis?: number): DaskArray { return red.cumulative("cumprod", this, axis as number); }

  // --- shape ------------------------------------------------------------------------------------
  get T(): DaskArray { return shp.transpose(this); }
  transpose(axes?: readonly number[]): DaskArray { return shp.transpose(this, axes); }
  reshape(shape: readonly number[] | number): DaskArray { return shp.reshape(this, shape as readonly number[]); }
  rechunk(chunks: Chunks): DaskArray { return rechunk(this, chunks); }
  /** NumPy basic indexing: numbers drop the axis, "start:stop:step" slices, null for ":". */
  get(...index: (number | string | null)[]): DaskArray { return slc.getitem(this, index); }

  // --- linear algebra ---------------------------------------------------------------------------
  dot(o: DaskArray): DaskArray { return lin.dot(this, o); }
  matmul(o: DaskArray): DaskArray { return lin.matmul(this, o); }

  // --- user functions ---------------------------------------------------------------------------
  /** Applies `fn(block, ...args)` to every block (see blockwise.ts for options). */
  mapBlocks(fn: Parameters<typeof mapBlocks>[1], ...args: unknown[]): DaskArray { return mapBlocks(this, fn, ...args); }

  toString(): string {
    return `dask.array<${this.name}, shape=(${this.shape.join(", ")}), dtype=${this.dtype}, chunksize=(${this.chunksize.join(", ")})>`;
  }
}

/** An ndarray (or number) as nested JS arrays; bool arrays give booleans. */
export function toNested(v: ArrayResult, dtype?: DType): unknown {
  if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") return v;
  const shape = v.shape;
  if (dtype === "bool") {
    const inner = v;
    v = { shape, get: (...i: number[]) => (inner.get as (...i: number[]) => number)(...i) !== 0 } as unknown as NdArray;
  }
  if (shape.length === 0) return v.get();
  const idx = new Array<number>(shape.length).fill(0);
  const build = (axis: number): unknown[] => {
    const out = new Array<unknown>(shape[axis]!);
    for (let i = 0; i < shape[axis]!; i++) {
      idx[axis] = i;
      out[i] = axis === shape.length - 1 ? (v.get as (...i: number[]) => unknown)(...idx) : build(axis + 1);
    }
    return out;
  };
  return build(0);
}
