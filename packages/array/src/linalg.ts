/**
 * dot, matmul, tensordot as blocked algorithms (as Dask's): each output block is the sum, over the blocks
 * along the contracted axes, of the products of block pairs. One task multiplies up to PAIRS_PER_TASK pairs
 * and accumulates them in place (kernel "array.contract"); with more contracted blocks than that, the
 * partial products are added in a tree (kernel "array.sumBlocks") with the same fan-in.
 *
 * dtypes follow NumPy's result_type. Floats are computed by the fast block kernel (kernels/matmul/gemm.ts).
 * Integers of 32 bits or less are exact and wrap around like NumPy's; int64 products are computed in
 * float64 (exact while every partial sum stays below 2^53 in magnitude); bool products are "any(a and b)".
 */
import { Task, TaskRef, kernel, type Graph } from "@dask-ts/core";
import { DaskArray } from "./array.js";
import { arrayName, blockIndices, blockKey, layerGraph } from "./blocks.js";
import { resultType } from "./dtype.js";
import { binary } from "./elementwise.js";
import { AxisError, ShapeError } from "./errors.js";
import type { ContractSpec } from "./kernels/linalg.js";
import { rechunk } from "./rechunk.js";

/** Block pairs multiplied and accumulated by one task; also the fan-in of the tree sum of partial products. */
export const PAIRS_PER_TASK = 8;

/** One operand of a contraction: which of its axes are batch axes (-1: absent), kept, or summed. */
interface Side {
  readonly x: DaskArray;
  readonly batch: readonly number[];
  readonly free: readonly number[];
  readonly sum: readonly number[];
}

const fmt = (s: readonly number[]): string => `[${s.join(", ")}]`;

function checkArrays(op: string, a: unknown, b: unknown): asserts a is DaskArray {
  for (const [i, v] of [a, b].entries()) {
    if (!(v instanceof DaskArray)) {
      throw new ShapeError(`${op}: operand ${i} must be a dask array; got ${v === null ? "null" : typeof v === "object" ? Object.prototype.toString.call(v) : typeof v}.`);
    }
  }
}

/** The blocked contraction of a and b: output axes are [batch..., a.free..., b.free...]. Shapes are checked by callers. */
function contraction(op: string, a: Side, b: Side): DaskArray {
  const dtype = resultType(a.x.dtype, b.x.dtype);
  const nb = a.batch.length;
  const aChunks = a.x.chunks.map((c) => [...c]);
  const bChunks = b.x.chunks.map((c) => [...c]);
  const batchChunks: number[][] = [];
  /** Per batch axis: whether a (resp. b) broadcasts along it (its length is 1 or it lacks the axis). */
  const aBroadcast: boolean[] = [];
  const bBroadcast: boolean[] = [];
  for (let t = 0; t < nb; t++) {
    const xa = a.batch[t]!;
    const xb = b.batch[t]!;
    const sa = xa >= 0 ? a.x.shape[xa]! : 1;
    const sb = xb >= 0 ? b.x.shape[xb]! : 1;
    if (xa >= 0 && xb >= 0 && sa === sb) {
      bChunks[xb] = aChunks[xa]!;
      batchChunks.push(aChunks[xa]!);
      aBroadcast.push(false);
      bBroadcast.push(false);
    } else if (sa === 1 && xb >= 0) {
      if (xa >= 0) aChunks[xa] = [1];
      batchChunks.push(bChunks[xb]!);
      aBroadcast.push(true);
      bBroadcast.push(false);
    } else {
      if (xb >= 0) bChunks[xb] = [1];
      batchChunks.push(aChunks[xa]!);
      aBroadcast.push(false);
      bBroadcast.push(true);
    }
  }
  // b's contracted axes take a's chunks there.
  a.sum.forEach((ax, i) => (bChunks[b.sum[i]!] = aChunks[ax]!));
  const ar = rechunk(a.x, aChunks);
  const br = rechunk(b.x, bChunks);
  const outChunks = [...batchChunks, ...a.free.map((ax) => [...ar.chunks[ax]!]), ...b.free.map((ax) => [...br.chunks[ax]!])];
  const spec: ContractSpec = { dtype, aBatch: [...a.batch], bBatch: [...b.batch], aFree: [...a.free], aSum: [...a.sum], bSum: [...b.sum], bFree: [...b.free] };
  const name = arrayName(op, ar.name, br.name, spec);
  const partialName = arrayName(`${op}-partial`, name);
  const nFree = a.free.length;
  const sumBlocks = a.sum.map((ax) => ar.numblocks[ax]!);
  const tasks: Graph = new Map();
  const partials: Graph = new Map();
  const contractFn = kernel("array.contract");
  const sumFn = kernel("array.sumBlocks");
  for (const idx of blockIndices(outChunks.map((c) => c.length))) {
    const aIdx = new Array<number>(ar.ndim).fill(0);
    const bIdx = new Array<number>(br.ndim).fill(0);
    for (let t = 0; t < nb; t++) {
      if (a.batch[t]! >= 0) aIdx[a.batch[t]!] = aBroadcast[t] ? 0 : idx[t]!;
      if (b.batch[t]! >= 0) bIdx[b.batch[t]!] = bBroadcast[t] ? 0 : idx[t]!;
    }
    a.free.forEach((ax, i) => (aIdx[ax] = idx[nb + i]!));
    b.free.forEach((ax, i) => (bIdx[ax] = idx[nb + nFree + i]!));
    const pairs: TaskRef[][] = [];
    for (const combo of blockIndices(sumBlocks)) {
      combo.forEach((k, i) => {
        aIdx[a.sum[i]!] = k;
        bIdx[b.sum[i]!] = k;
      });
      pairs.push([new TaskRef(blockKey(ar.name, aIdx)), new TaskRef(blockKey(br.name, bIdx))]);
    }
    const key = blockKey(name, idx);
    if (pairs.length <= PAIRS_PER_TASK) {
      tasks.set(key, new Task(contractFn, [spec, pairs]));
      continue;
    }
    // Several tasks of pairs, then a tree sum of their products.
    const groups = Math.ceil(pairs.length / PAIRS_PER_TASK);
    const per = Math.ceil(pairs.length / groups);
    let level: TaskRef[] = [];
    for (let g = 0; g * per < pairs.length; g++) {
      const k = blockKey(partialName, [...idx, 0, g]);
      partials.set(k, new Task(contractFn, [spec, pairs.slice(g * per, (g + 1) * per)]));
      level.push(new TaskRef(k));
    }
    for (let depth = 1; level.length > PAIRS_PER_TASK; depth++) {
      const next: TaskRef[] = [];
      for (let g = 0; g * PAIRS_PER_TASK < level.length; g++) {
        const k = blockKey(partialName, [...idx, depth, g]);
        partials.set(k, new Task(sumFn, [dtype, level.slice(g * PAIRS_PER_TASK, (g + 1) * PAIRS_PER_TASK)]));
        next.push(new TaskRef(k));
      }
      level = next;
    }
    tasks.set(key, new Task(sumFn, [dtype, level]));
  }
  const deps = partials.size ? [{ dask: layerGraph(partialName, partials, [ar, br]) }] : [ar, br];
  return new DaskArray(layerGraph(name, tasks, deps), name, outChunks, dtype);
}

function normalizeAxis(op: string, ax: unknown, ndim: number, shape: readonly number[], which: string): number {
  if (typeof ax !== "number" || !Number.isInteger(ax) || ax < -ndim || ax >= ndim) {
    throw new AxisError(`${op}: axis ${String(ax)} is out of bounds for ${which} of shape ${fmt(shape)} (${ndim} dimensions).`);
  }
  return ax < 0 ? ax + ndim : ax;
}

/** The axes of tensordot as two lists of non-negative axes. */
function tensordotAxes(a: DaskArray, b: DaskArray, axes: unknown): [number[], number[]] {
  if (typeof axes === "number") {
    if (!Number.isInteger(axes) || axes < 0) throw new AxisError(`tensordot: axes must be a non-negative integer or two lists of axes; got ${axes}.`);
    if (axes > a.ndim || axes > b.ndim) {
      throw new AxisError(`tensordot: cannot sum over the last ${axes} axes of ${fmt(a.shape)} and the first ${axes} of ${fmt(b.shape)}.`);
    }
    return [Array.from({ length: axes }, (_, i) => a.ndim - axes + i), Array.from({ length: axes }, (_, i) => i)];
  }
  if (!Array.isArray(axes) || axes.length !== 2) {
    throw new AxisError(`tensordot: axes must be a non-negative integer or a pair [axesOfA, axesOfB]; got ${JSON.stringify(axes)}.`);
  }
  const [xa, xb] = axes.map((v: unknown) => (Array.isArray(v) ? v : [v])) as [unknown[], unknown[]];
  if (xa.length !== xb.length) {
    throw new ShapeError(`tensordot: ${xa.length} axes of a (${JSON.stringify(xa)}) but ${xb.length} of b (${JSON.stringify(xb)}); shapes ${fmt(a.shape)} and ${fmt(b.shape)}.`);
  }
  const na = xa.map((ax) => normalizeAxis("tensordot", ax, a.ndim, a.shape, "a"));
  const nbx = xb.map((ax) => normalizeAxis("tensordot", ax, b.ndim, b.shape, "b"));
  for (const [list, x] of [[na, a], [nbx, b]] as const) {
    if (new Set(list).size !== list.length) throw new AxisError(`tensordot: repeated axis in ${JSON.stringify(list)} for shape ${fmt(x.shape)}.`);
  }
  return [na, nbx];
}

/** NumPy tensordot: sums products over axes[0] of a and axes[1] of b (default: last two of a, first two of b). */
export function tensordot(a: DaskArray, b: DaskArray, axes: number | [number[], number[]] | [number, number] = 2): DaskArray {
  checkArrays("tensordot", a, b);
  const [sa, sb] = tensordotAxes(a, b, axes);
  sa.forEach((ax, i) => {
    if (a.shape[ax] !== b.shape[sb[i]!]) {
      throw new ShapeError(
        `tensordot: shape mismatch for sum: a has length ${a.shape[ax]} on axis ${ax} but b has ${b.shape[sb[i]!]} on axis ${sb[i]} (shapes ${fmt(a.shape)} and ${fmt(b.shape)}).`,
      );
    }
  });
  const fa = Array.from({ length: a.ndim }, (_, i) => i).filter((i) => !sa.includes(i));
  const fb = Array.from({ length: b.ndim }, (_, i) => i).filter((i) => !sb.includes(i));
  return contraction("tensordot", { x: a, batch: [], free: fa, sum: sa }, { x: b, batch: [], free: fb, sum: sb });
}

/**
 * NumPy dot: 0-d operands multiply; 1-d . 1-d is the inner product (a 0-d array); n-d . 1-d sums over the
 * last axis of a; n-d . m-d sums the last axis of a against the second-to-last of b.
 */
export function dot(a: DaskArray, b: DaskArray): DaskArray {
  checkArrays("dot", a, b);
  if (a.ndim === 0 || b.ndim === 0) return binary("mul", a, b);
  const xa = a.ndim - 1;
  const xb = b.ndim === 1 ? 0 : b.ndim - 2;
  if (a.shape[xa] !== b.shape[xb]) {
    throw new ShapeError(`dot: shapes ${fmt(a.shape)} and ${fmt(b.shape)} not aligned: ${a.shape[xa]} (dim ${xa}) != ${b.shape[xb]} (dim ${xb}).`);
  }
  const fa = Array.from({ length: a.ndim - 1 }, (_, i) => i);
  const fb = Array.from({ length: b.ndim }, (_, i) => i).filter((i) => i !== xb);
  return contraction("dot", { x: a, batch: [], free: fa, sum: [xa] }, { x: b, batch: [], free: fb, sum: [xb] });
}

/**
 * NumPy matmul: matrix products over the last two axes with the leading (batch) axes broadcast; a 1-d a
 * is a row vector and a 1-d b a column vector, whose added axis is dropped from the result.
 */
export function matmul(a: DaskArray, b: DaskArray): DaskArray {
  checkArrays("matmul", a, b);
  for (const [i, x] of [a, b].entries()) {
    if (x.ndim === 0) throw new ShapeError(`matmul: operand ${i} has shape [] but needs at least 1 dimension (shapes ${fmt(a.shape)} and ${fmt(b.shape)}).`);
  }
  const ka = a.ndim - 1;
  const kb = b.ndim === 1 ? 0 : b.ndim - 2;
  if (a.shape[ka] !== b.shape[kb]) {
    throw new ShapeError(
      `matmul: shapes ${fmt(a.shape)} and ${fmt(b.shape)} have a mismatch in the core dimension: ${a.shape[ka]} (axis ${ka} of a) != ${b.shape[kb]} (axis ${kb} of b).`,
    );
  }
  const ba = Math.max(0, a.ndim - 2);
  const bb = Math.max(0, b.ndim - 2);
  const nb = Math.max(ba, bb);
  const aBatch = Array.from({ length: nb }, (_, t) => t - (nb - ba)).map((ax) => (ax >= 0 ? ax : -1));
  const bBatch = Array.from({ length: nb }, (_, t) => t - (nb - bb)).map((ax) => (ax >= 0 ? ax : -1));
  for (let t = 0; t < nb; t++) {
    const sa = aBatch[t]! >= 0 ? a.shape[aBatch[t]!]! : 1;
    const sb = bBatch[t]! >= 0 ? b.shape[bBatch[t]!]! : 1;
    if (sa !== sb && sa !== 1 && sb !== 1) {
      throw new ShapeError(`matmul: batch dimensions of shapes ${fmt(a.shape)} and ${fmt(b.shape)} cannot be broadcast together (${sa} vs ${sb}).`);
    }
  }
  return contraction(
    "matmul",
    { x: a, batch: aBatch, free: a.ndim === 1 ? [] : [a.ndim - 2], sum: [ka] },
    { x: b, batch: bBatch, free: b.ndim === 1 ? [] : [b.ndim - 1], sum: [kb] },
  );
}
