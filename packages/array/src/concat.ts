/** concatenate and stack. OWNED BY: shape helper. */
import { Task, TaskRef, kernel, type Graph } from "@dask-ts/core";
import { DaskArray } from "./array.js";
import { arrayName, blockIndices, blockKey, layerGraph } from "./blocks.js";
import { resultType } from "./dtype.js";
import { AxisError, ShapeError } from "./errors.js";
import { rechunk } from "./rechunk.js";

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

function checkArrays(arrays: readonly DaskArray[], what: string): DaskArray[] {
  if (!Array.isArray(arrays)) throw new ShapeError(`${what}: expected a list of dask arrays; got ${Object.prototype.toString.call(arrays)}.`);
  if (arrays.length === 0) throw new ShapeError(`${what}: need at least one array to ${what}.`);
  arrays.forEach((a, i) => {
    if (!(a instanceof DaskArray)) throw new ShapeError(`${what}: element ${i} is not a dask array (${Object.prototype.toString.call(a)}); wrap data with da.fromArray first.`);
  });
  return [...arrays];
}

/** The arrays converted to their common dtype (NumPy's result_type). */
function promoted(arrays: readonly DaskArray[]): DaskArray[] {
  const dtype = arrays.map((a) => a.dtype).reduce((t, d) => resultType(t, d));
  return arrays.map((a) => (a.dtype === dtype ? a : a.astype(dtype)));
}

function normalizeAxis(axis: number, nd: number, what: string, shape: readonly number[]): number {
  if (!Number.isInteger(axis) || axis < -nd || axis >= nd) {
    throw new AxisError(`${what}: axis ${axis} is out of bounds for arrays of shape ${shapeText(shape)} (use -${nd} to ${nd - 1}).`);
  }
  return axis < 0 ? axis + nd : axis;
}

/** Joins arrays along an existing axis; other axes must match and are rechunked to the first array's chunks. */
export function concatenate(arraysArg: readonly DaskArray[], axis = 0): DaskArray {
  const arrays = checkArrays(arraysArg, "concatenate");
  const first = arrays[0]!;
  const nd = first.ndim;
  if (nd === 0) throw new ShapeError("concatenate: zero-dimensional arrays cannot be concatenated; use stack to join them along a new axis.");
  const ax = normalizeAxis(axis, nd, "concatenate", first.shape);
  arrays.forEach((a, i) => {
    const bad = a.ndim !== nd || a.shape.some((n, j) => j !== ax && n !== first.shape[j]);
    if (bad) {
      throw new ShapeError(
        `concatenate: all arrays must have the same shape except along axis ${ax}; array 0 has shape ${shapeText(first.shape)} but array ${i} has shape ${shapeText(a.shape)}.`,
      );
    }
  });
  let seq = promoted(arrays);
  if (seq.length === 1) return seq[0]!;
  // Empty arrays contribute nothing (as Dask), unless every array is empty.
  const nonEmpty = seq.filter((a) => a.size > 0);
  if (nonEmpty.length > 0) seq = nonEmpty;
  if (seq.length === 1) return seq[0]!;
  const ref = seq[0]!;
  seq = seq.map((a) => rechunk(a, a.chunks.map((c, j) => (j === ax ? [...c] : [...ref.chunks[j]!]))));
  const chunks = ref.chunks.map((c, j) => (j === ax ? seq.flatMap((a) => [...a.chunks[ax]!]) : [...c]));
  const name = arrayName("concatenate", seq.map((a) => a.name), ax);
  // Output block b along the axis comes from array owner[b], its block local[b].
  const owner: number[] = [];
  const local: number[] = [];
  seq.forEach((a, i) => a.chunks[ax]!.forEach((_, b) => (owner.push(i), local.push(b))));
  const tasks: Graph = new Map();
  for (const idx of blockIndices(chunks.map((c) => c.length))) {
    const b = idx[ax]!;
    const src = idx.slice();
    src[ax] = local[b]!;
    tasks.set(blockKey(name, idx), new TaskRef(blockKey(seq[owner[b]!]!.name, src)));
  }
  return new DaskArray(layerGraph(name, tasks, seq), name, chunks, ref.dtype);
}

/** Joins arrays of the same shape along a new axis; each block gets a length-1 axis (a view). */
export function stack(arraysArg: readonly DaskArray[], axis = 0): DaskArray {
  const arrays = checkArrays(arraysArg, "stack");
  const first = arrays[0]!;
  const nd = first.ndim;
  arrays.forEach((a, i) => {
    if (a.ndim !== nd || a.shape.some((n, j) => n !== first.shape[j])) {
      throw new ShapeError(`stack: arrays must have the same shape; array 0 has shape ${shapeText(first.shape)} but array ${i} has shape ${shapeText(a.shape)}.`);
    }
  });
  if (!Number.isInteger(axis) || axis < -(nd + 1) || axis > nd) {
    throw new AxisError(`stack: axis ${axis} is out of bounds for stacking arrays of shape ${shapeText(first.shape)} (the result has ${nd + 1} axes; use -${nd + 1} to ${nd}).`);
  }
  const ax = axis < 0 ? axis + nd + 1 : axis;
  let seq = promoted(arrays);
  const ref = seq[0]!;
  seq = seq.map((a) => rechunk(a, ref.chunks.map((c) => [...c])));
  const chunks = [...ref.chunks.slice(0, ax).map((c) => [...c]), seq.map(() => 1), ...ref.chunks.slice(ax).map((c) => [...c])];
  const name = arrayName("stack", seq.map((a) => a.name), ax);
  const fn = kernel("array.expandDims");
  const tasks: Graph = new Map();
  for (const idx of blockIndices(chunks.map((c) => c.length))) {
    const src = idx.slice();
    const [i] = src.splice(ax, 1);
    tasks.set(blockKey(name, idx), new Task(fn, [new TaskRef(blockKey(seq[i!]!.name, src)), ax]));
  }
  return new DaskArray(layerGraph(name, tasks, seq), name, chunks, ref.dtype);
}
