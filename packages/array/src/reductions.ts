/**
 * Reductions as tree reductions (sum, mean, std, argmin, ...) and cumulative scans (Dask's
 * dask/array/reductions.py).
 *
 * A reduction is three layers of tasks: `chunk` reduces every block on its own (reduced axes kept as
 * length 1), `partial` levels fold groups of neighbouring partials along the reduced axes, and
 * `aggregate` folds the last group and finishes (mean = sum / n, var = M2 / (n - ddof), ...).
 *
 * `splitEvery` is, as in Dask, the fan-in of one combine task: with k reduced axes each axis is
 * grouped by max(2, floor(splitEvery^(1/k))) blocks. The default is Dask's 16 (4 x 4 for a 2-d
 * full reduction).
 *
 * dtypes (JS-friendly NumPy):
 * - sum, prod, cumsum, cumprod: float32 stays float32; every other dtype gives float64 (accumulation
 *   is always float64, so integer sums are exact to 2^53).
 * - mean, std, var: float32 for float32 input, else float64.
 * - min, max: the input's dtype.  any, all: bool.
 * - argmin, argmax: int32 (int64 for arrays of 2^31 elements or more); NumPy gives int64.
 */
import { InvalidArgumentError, Task, TaskRef, kernel, LayeredGraph, type Graph } from "@dask-ts/core";
import { DaskArray, type ReduceOptions } from "./array.js";
import { arrayName, blockIndices, blockKey, layerGraph } from "./blocks.js";
import { offsets } from "./chunks.js";
import { DEFAULT_INT, type DType } from "./dtype.js";
import { AxisError, ShapeError } from "./errors.js";

type ReduceOp = "sum" | "prod" | "mean" | "min" | "max" | "std" | "var" | "any" | "all";
type ArgOp = "argmin" | "argmax";

/** Default fan-in of combine tasks (Dask's `split_every` default). */
export const DEFAULT_SPLIT_EVERY = 16;

const fmtShape = (x: DaskArray): string => `[${x.shape.join(", ")}]`;

function checkArray(x: unknown, what: string): asserts x is DaskArray {
  if (!(x instanceof DaskArray)) throw new InvalidArgumentError(`${what}: expected a dask array; got ${Object.prototype.toString.call(x)}.`);
}

/** One axis, negative counting from the end, checked against the array's dimensions. */
function normalizeAxis(x: DaskArray, axis: unknown, what: string): number {
  const nd = x.ndim;
  if (typeof axis !== "number" || !Number.isInteger(axis)) {
    throw new AxisError(`${what}: axis must be an integer; got ${JSON.stringify(axis)} (array of shape ${fmtShape(x)}).`);
  }
  if (axis < -nd || axis >= nd) {
    throw new AxisError(
      `${what}: axis ${axis} is out of bounds for an array of ${nd} dimension${nd === 1 ? "" : "s"} (shape ${fmtShape(x)}); ` +
        `use an axis in [${-nd}, ${nd - 1}].`,
    );
  }
  return axis < 0 ? axis + nd : axis;
}

/** The reduced axes, sorted; all axes when `axis` is undefined (or null). */
function normalizeAxes(x: DaskArray, axis: unknown, what: string): number[] {
  if (axis === undefined || axis === null) return x.shape.map((_, i) => i);
  const list = typeof axis === "number" ? [axis] : axis;
  if (!Array.isArray(list)) {
    throw new AxisError(`${what}: axis must be a number or a list of numbers; got ${JSON.stringify(axis)} (array of shape ${fmtShape(x)}).`);
  }
  const out = list.map((a) => normalizeAxis(x, a, what));
  const seen = new Set<number>();
  for (let i = 0; i < out.length; i++) {
    if (seen.has(out[i]!)) {
      throw new AxisError(`${what}: duplicate axis ${list[i]} in ${JSON.stringify(list)} (array of shape ${fmtShape(x)}); list each axis once.`);
    }
    seen.add(out[i]!);
  }
  return out.sort((a, b) => a - b);
}

function checkSplitEvery(v: unknown, what: string): number {
  if (v === undefined || v === null) return DEFAULT_SPLIT_EVERY;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 2) {
    throw new InvalidArgumentError(`${what}: splitEvery must be an integer >= 2 (the fan-in of combine tasks); got ${JSON.stringify(v)}.`);
  }
  return v;
}

function checkOptions(opts: unknown, what: string): Record<string, unknown> {
  if (opts === undefined || opts === null) return {};
  if (typeof opts !== "object" || Array.isArray(opts)) {
    throw new InvalidArgumentError(`${what}: options must be an object like { axis, keepdims, splitEvery }; got ${JSON.stringify(opts)}.`);
  }
  return opts as Record<string, unknown>;
}

function checkKeepdims(v: unknown, what: string): boolean {
  if (v === undefined) return false;
  if (typeof v !== "boolean") throw new InvalidArgumentError(`${what}: keepdims must be true or false; got ${JSON.stringify(v)}.`);
  return v;
}

/** Result dtype of a reduction (see the module comment). */
export function reductionDType(op: ReduceOp | ArgOp | "cumsum" | "cumprod", dtype: DType, size = 0): DType {
  switch (op) {
    case "min":
    case "max":
      return dtype;
    case "any":
    case "all":
      return "bool";
    case "argmin":
    case "argmax":
      return size >= 2 ** 31 ? "int64" : DEFAULT_INT;
    default:
      return dtype === "float32" ? "float32" : "float64";
  }
}

/**
 * Builds the layers of a tree reduction over `axes` of `x`: `chunk(idx)` makes the partial of block
 * `idx`, then groups of partials are combined until one group per output block is left.
 */
function treeReduce(
  op: ReduceOp | ArgOp,
  x: DaskArray,
  axes: readonly number[],
  keepdims: boolean,
  splitEvery: number,
  dtype: DType,
  token: readonly unknown[],
  chunk: (idx: number[]) => Task,
  aggregateArgs: readonly unknown[],
): DaskArray {
  const nd = x.ndim;
  const red = x.shape.map((_, i) => axes.includes(i));
  const perAxis = Math.max(2, Math.floor(Math.pow(splitEvery, 1 / Math.max(axes.length, 1)) + 1e-9));

  const chunkName = arrayName(`${op}-chunk`, x.name, ...token);
  const chunkTasks: Graph = new Map();
  for (const idx of blockIndices(x.numblocks)) chunkTasks.set(blockKey(chunkName, idx), chunk(idx));
  let graph = layerGraph(chunkName, chunkTasks, [x]);
  let name = chunkName;
  let grid = x.numblocks;

  // Members of group `idx` of the next level: perAxis consecutive blocks along each reduced axis.
  const groupRefs = (idx: readonly number[], size: readonly number[], from: string): TaskRef[] => {
    const ranges = idx.map((j, ax) => (red[ax] ? [j * size[ax]!, Math.min((j + 1) * size[ax]!, grid[ax]!)] : [j, j + 1]) as [number, number]);
    const refs: TaskRef[] = [];
    for (const local of blockIndices(ranges.map(([a, b]) => b - a))) {
      refs.push(new TaskRef(blockKey(from, local.map((l, ax) => l + ranges[ax]![0]))));
    }
    return refs;
  };

  let level = 0;
  while (axes.some((ax) => grid[ax]! > perAxis)) {
    level++;
    const next = grid.map((n, ax) => (red[ax] ? Math.ceil(n / perAxis) : n));
    const size = grid.map((_, ax) => (red[ax] ? perAxis : 1));
    const partName = arrayName(`${op}-partial`, name, level, perAxis);
    const tasks: Graph = new Map();
    for (const idx of blockIndices(next)) {
      tasks.set(blockKey(partName, idx), new Task(kernel("array.reduce.combine"), [op, groupRefs(idx, size, name)]));
    }
    graph = LayeredGraph.fromLayer(partName, tasks, [graph]);
    name = partName;
    grid = next;
  }

  const outName = arrayName(`${op}-aggregate`, x.name, ...token, keepdims, splitEvery, dtype);
  const last = grid.map((n, ax) => (red[ax] ? 1 : n));
  const size = grid.map((n, ax) => (red[ax] ? n : 1));
  const tasks: Graph = new Map();
  for (const idx of blockIndices(last)) {
    const outIdx = keepdims ? idx : idx.filter((_, ax) => !red[ax]);
    tasks.set(
      blockKey(outName, outIdx),
      new Task(kernel("array.reduce.aggregate"), [op, groupRefs(idx, size, name), [...axes], keepdims, dtype, ...aggregateArgs]),
    );
  }
  graph = LayeredGraph.fromLayer(outName, tasks, [graph]);
  const chunks: number[][] = [];
  for (let ax = 0; ax < nd; ax++) {
    if (!red[ax]) chunks.push([...x.chunks[ax]!]);
    else if (keepdims) chunks.push([1]);
  }
  return new DaskArray(graph, outName, chunks, dtype);
}

/** Reduces over axes with a tree reduction. */
export function reduce(op: ReduceOp, x: DaskArray, opts?: ReduceOptions): DaskArray {
  checkArray(x, op);
  const o = checkOptions(opts, op);
  const axes = normalizeAxes(x, o.axis, op);
  const keepdims = checkKeepdims(o.keepdims, op);
  const splitEvery = checkSplitEvery(o.splitEvery, op);
  let ddof = 0;
  if (op === "var" || op === "std") {
    ddof = o.ddof === undefined ? 0 : (o.ddof as number);
    if (typeof ddof !== "number" || !Number.isFinite(ddof)) {
      throw new InvalidArgumentError(`${op}: ddof must be a finite number; got ${JSON.stringify(o.ddof)}.`);
    }
  } else if (o.ddof !== undefined) {
    throw new InvalidArgumentError(`${op}: ddof applies to std and var only.`);
  }
  if ((op === "min" || op === "max") && axes.some((ax) => x.shape[ax] === 0)) {
    throw new ShapeError(
      `${op}: zero-size array to reduction operation ${op === "min" ? "minimum" : "maximum"} which has no identity ` +
        `(shape ${fmtShape(x)}, axis ${JSON.stringify(axes)}).`,
    );
  }
  const dtype = reductionDType(op, x.dtype);
  return treeReduce(
    op,
    x,
    axes,
    keepdims,
    splitEvery,
    dtype,
    [axes, ddof],
    (idx) => new Task(kernel("array.reduce.chunk"), [op, new TaskRef(x.blockKey(...idx)), [...axes]]),
    [ddof],
  );
}

/** argmin/argmax over one axis or the flattened array. */
export function argReduce(op: ArgOp, x: DaskArray, opts?: { axis?: number; splitEvery?: number; keepdims?: boolean }): DaskArray {
  checkArray(x, op);
  const o = checkOptions(opts, op);
  const flat = o.axis === undefined || o.axis === null;
  const axis = flat ? null : normalizeAxis(x, o.axis, op);
  const keepdims = checkKeepdims(o.keepdims, op);
  const splitEvery = checkSplitEvery(o.splitEvery, op);
  const axes = axis === null ? x.shape.map((_, i) => i) : [axis];
  if (flat ? x.size === 0 : x.shape[axis!] === 0) {
    throw new ShapeError(`${op}: attempt to get ${op} of an empty sequence (shape ${fmtShape(x)}${flat ? "" : `, axis ${axis}`}).`);
  }
  const dtype = reductionDType(op, x.dtype, x.size);
  const starts = x.chunks.map((c) => offsets(c));
  const shape = x.shape;
  return treeReduce(
    op,
    x,
    axes,
    keepdims,
    splitEvery,
    dtype,
    [axis],
    (idx) =>
      new Task(kernel("array.reduce.argchunk"), [op, new TaskRef(x.blockKey(...idx)), axis, idx.map((b, ax) => starts[ax]![b]!), shape]),
    [0],
  );
}

/** x flattened to 1-d in C order (blocks of whole trailing axes; rechunks when needed). */
function ravel(x: DaskArray): DaskArray {
  if (x.ndim === 1) return x;
  if (x.ndim === 0) {
    const name = arrayName("ravel", x.name);
    const tasks: Graph = new Map([[blockKey(name, [0]), new Task(kernel("array.cum.ravel"), [new TaskRef(x.blockKey()), x.dtype])]]);
    return new DaskArray(layerGraph(name, tasks, [x]), name, [[1]], x.dtype);
  }
  const whole = x.rechunk([x.chunks[0]!.slice(), ...x.shape.slice(1).map((n) => [n])]);
  const rest = x.shape.slice(1).reduce((a, b) => a * b, 1);
  const name = arrayName("ravel", whole.name);
  const tasks: Graph = new Map();
  whole.chunks[0]!.forEach((_, i) => {
    tasks.set(blockKey(name, [i]), new Task(kernel("array.cum.ravel"), [new TaskRef(whole.blockKey(i, ...x.shape.slice(1).map(() => 0))), x.dtype]));
  });
  return new DaskArray(layerGraph(name, tasks, [whole]), name, [whole.chunks[0]!.map((r) => r * rest)], x.dtype);
}

/** cumsum/cumprod along an axis (undefined: over the flattened array, as Dask's axis=None). */
export function cumulative(op: "cumsum" | "cumprod", x: DaskArray, axis: number): DaskArray {
  checkArray(x, op);
  if (axis === undefined || axis === null) return cumulative(op, ravel(x), 0);
  const ax = normalizeAxis(x, axis, op);
  const dtype = reductionDType(op, x.dtype);
  const nb = x.numblocks;
  const scanName = arrayName(`${op}-scan`, x.name, ax);
  const carryName = arrayName(`${op}-carry`, x.name, ax);
  const outName = arrayName(op, x.name, ax, dtype);
  const scans: Graph = new Map();
  const carries: Graph = new Map();
  const outs: Graph = new Map();
  for (const idx of blockIndices(nb)) {
    scans.set(blockKey(scanName, idx), new Task(kernel("array.cum.scan"), [op, new TaskRef(x.blockKey(...idx)), ax]));
    const j = idx[ax]!;
    const at = (k: number): number[] => idx.map((v, i) => (i === ax ? k : v));
    if (j >= 1) {
      // Sequential along the axis (small slices only); independent across the other axes.
      const prev = j >= 2 ? new TaskRef(blockKey(carryName, at(j - 1))) : null;
      carries.set(blockKey(carryName, idx), new Task(kernel("array.cum.carry"), [op, prev, new TaskRef(blockKey(scanName, at(j - 1))), ax]));
    }
    const carry = j >= 1 ? new TaskRef(blockKey(carryName, idx)) : null;
    outs.set(blockKey(outName, idx), new Task(kernel("array.cum.apply"), [op, carry, new TaskRef(blockKey(scanName, idx)), dtype]));
  }
  const scanGraph = layerGraph(scanName, scans, [x]);
  const carryGraph = LayeredGraph.fromLayer(carryName, carries, [scanGraph]);
  const graph = LayeredGraph.fromLayer(outName, outs, [carryGraph]);
  return new DaskArray(graph, outName, x.chunks.map((c) => [...c]), dtype);
}
