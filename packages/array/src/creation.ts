/** Creating arrays: constants, ranges, and arrays from data. */
import { Literal, Task, kernel, setSharedAllocation, allocatesShared, type Graph } from "@dask-ts/core";
import ndarray, { type NdArray } from "ndarray";
import { DaskArray } from "./array.js";
import { arrayName, blockIndices, blockKey, blockShape, layerGraph } from "./blocks.js";
import { normalizeChunks, offsets, type Chunks } from "./chunks.js";
import { DEFAULT_INT, checkDType, dtypeOfData, type DType, type TypedArray } from "./dtype.js";
import { ShapeError } from "./errors.js";
import { subview } from "./kernels/rechunk.js";
import { copyAs, type Chunk } from "./kernels/nd.js";

/** Options of the creation functions. */
export interface CreateOptions {
  chunks?: Chunks;
  dtype?: DType;
}

function checkShapeArg(shape: unknown, what: string): number[] {
  const s = typeof shape === "number" ? [shape] : shape;
  if (!Array.isArray(s) || s.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new ShapeError(`${what}: shape must be a list of non-negative integers; got ${JSON.stringify(shape)}.`);
  }
  return s as number[];
}

/** An array of one value; each block is a zero-stride view (one element of memory), as Dask broadcasts a scalar. */
export function full(shapeArg: readonly number[] | number, value: number | boolean, opts: CreateOptions = {}): DaskArray {
  const shape = checkShapeArg(shapeArg, "full");
  const dtype = opts.dtype ? checkDType(opts.dtype) : typeof value === "boolean" ? "bool" : Number.isInteger(value) ? DEFAULT_INT : "float64";
  const chunks = normalizeChunks(opts.chunks, shape, dtype);
  const name = arrayName("full", shape, chunks, +value, dtype);
  const tasks: Graph = new Map();
  for (const idx of blockIndices(chunks.map((c) => c.length))) {
    tasks.set(blockKey(name, idx), new Task(kernel("array.full"), [+value, blockShape(chunks, idx), dtype]));
  }
  return new DaskArray(layerGraph(name, tasks, []), name, chunks, dtype);
}

/** An array of ones (float64 unless `dtype`). */
export function ones(shape: readonly number[] | number, opts: CreateOptions = {}): DaskArray {
  return full(shape, 1, { ...opts, dtype: opts.dtype ?? "float64" });
}

/** An array of zeros (float64 unless `dtype`). */
export function zeros(shape: readonly number[] | number, opts: CreateOptions = {}): DaskArray {
  return full(shape, 0, { ...opts, dtype: opts.dtype ?? "float64" });
}

/** An uninitialized array; here zeros, since JS memory is always initialized. */
export function empty(shape: readonly number[] | number, opts: CreateOptions = {}): DaskArray {
  return zeros(shape, opts);
}

/** Evenly spaced values in [start, stop): `arange(stop)`, `arange(start, stop, step?)`, options last. */
export function arange(start: number, stop?: number | CreateOptions, step?: number | CreateOptions, opts?: CreateOptions): DaskArray {
  let o: CreateOptions = opts ?? {};
  if (typeof stop === "object") {
    o = stop;
    stop = undefined;
  }
  if (typeof step === "object") {
    o = step;
    step = undefined;
  }
  const [a, b] = stop === undefined ? [0, start] : [start, stop];
  const s = step ?? 1;
  if (![a, b, s].every(Number.isFinite) || s === 0) {
    throw new ShapeError(`arange(${a}, ${b}, ${s}): start, stop and step must be finite numbers and step must not be 0.`);
  }
  const n = Math.max(0, Math.ceil((b - a) / s));
  const allInts = [a, b, s].every(Number.isInteger) && Math.abs(a) + Math.abs(s) * n < 2 ** 31;
  const dtype = o.dtype ? checkDType(o.dtype) : allInts ? DEFAULT_INT : "float64";
  const chunks = normalizeChunks(o.chunks, [n], dtype);
  const name = arrayName("arange", a, b, s, chunks, dtype);
  const off = offsets(chunks[0]!);
  const tasks: Graph = new Map();
  chunks[0]!.forEach((len, i) => tasks.set(blockKey(name, [i]), new Task(kernel("array.arange"), [a + off[i]! * s, s, len, dtype])));
  return new DaskArray(layerGraph(name, tasks, []), name, chunks, dtype);
}

/** `num` evenly spaced values from start to stop (stop included unless endpoint is false). */
export function linspace(start: number, stop: number, num = 50, opts: CreateOptions & { endpoint?: boolean } = {}): DaskArray {
  if (!Number.isInteger(num) || num < 0) throw new ShapeError(`linspace: num must be a non-negative integer; got ${num}.`);
  const dtype = opts.dtype ? checkDType(opts.dtype) : "float64";
  const endpoint = opts.endpoint ?? true;
  const chunks = normalizeChunks(opts.chunks, [num], dtype);
  const name = arrayName("linspace", start, stop, num, endpoint, chunks, dtype);
  const off = offsets(chunks[0]!);
  const tasks: Graph = new Map();
  chunks[0]!.forEach((len, i) =>
    tasks.set(blockKey(name, [i]), new Task(kernel("array.linspace"), [start, stop, num, endpoint, off[i]!, len, dtype])),
  );
  return new DaskArray(layerGraph(name, tasks, []), name, chunks, dtype);
}

/** Nested JS arrays as an ndarray (float64, int32 for integers, bool for booleans). */
function fromNested(data: unknown[]): Chunk {
  const shape: number[] = [];
  let level: unknown = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  const flat: unknown[] = [];
  const walk = (node: unknown, axis: number): void => {
    if (axis === shape.length) {
      if (Array.isArray(node)) throw new ShapeError(`fromArray: nested arrays are ragged (deeper than shape [${shape.join(", ")}]).`);
      if (typeof node !== "number" && typeof node !== "boolean") {
        throw new ShapeError(`fromArray: elements must be numbers or booleans; got ${JSON.stringify(node)}.`);
      }
      flat.push(node);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[axis]) {
      throw new ShapeError(`fromArray: nested arrays are ragged: expected length ${shape[axis]} at depth ${axis}.`);
    }
    for (const x of node) walk(x, axis + 1);
  };
  walk(data, 0);
  const allBool = flat.length > 0 && flat.every((v) => typeof v === "boolean");
  const allInt = flat.every((v) => typeof v === "number" && Number.isInteger(v) && Math.abs(v) < 2 ** 31);
  const typed: TypedArray = allBool ? Uint8Array.from(flat as boolean[], Number) : allInt ? Int32Array.from(flat as number[]) : Float64Array.from(flat as number[]);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const nd = ndarray(typed as never, shape, strides, 0) as Chunk;
  (nd as unknown as { __bool?: boolean }).__bool = allBool;
  return nd;
}

/** A dask array from an ndarray, a typed array (1-d) or nested number arrays; blocks are copied once into shared memory. */
export function fromArray(data: NdArray | TypedArray | unknown[], opts: { chunks?: Chunks; dtype?: DType } = {}): DaskArray {
  let nd: Chunk;
  let dtype: DType;
  if (Array.isArray(data)) {
    nd = fromNested(data);
    dtype = (nd as unknown as { __bool?: boolean }).__bool ? "bool" : dtypeOfData(nd.data);
  } else if (ArrayBuffer.isView(data)) {
    nd = ndarray(data as never, [(data as TypedArray).length]) as Chunk;
    dtype = dtypeOfData(data);
  } else if (data && typeof data === "object" && "shape" in data && "data" in data) {
    nd = data as Chunk;
    dtype = dtypeOfData(nd.data);
  } else {
    throw new ShapeError(`fromArray: expected an ndarray, a typed array or nested arrays; got ${Object.prototype.toString.call(data)}.`);
  }
  if (opts.dtype) dtype = checkDType(opts.dtype);
  const shape = nd.shape.slice();
  const chunks = normalizeChunks(opts.chunks, shape, dtype);
  const name = arrayName("array", nd.data, shape, nd.stride, nd.offset, chunks, dtype);
  const tasks: Graph = new Map();
  const wasShared = allocatesShared();
  // Blocks live in shared memory so the threads scheduler passes them to workers without copies.
  setSharedAllocation(true);
  try {
    for (const idx of blockIndices(chunks.map((c) => c.length))) {
      const start = idx.map((b, ax) => offsets(chunks[ax]!)[b]!);
      const stop = idx.map((b, ax) => start[ax]! + chunks[ax]![b]!);
      tasks.set(blockKey(name, idx), new Literal(copyAs(subview(nd, start, stop), dtype)));
    }
  } finally {
    setSharedAllocation(wasShared);
  }
  return new DaskArray(layerGraph(name, tasks, []), name, chunks, dtype);
}
