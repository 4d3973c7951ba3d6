/** transpose and reshape. OWNED BY: shape helper. */
import { Task, TaskRef, kernel, type Graph } from "@dask-ts/core";
import { DaskArray } from "./array.js";
import { arrayName, blockIndices, blockKey, blockShape, layerGraph } from "./blocks.js";
import { AxisError, ShapeError } from "./errors.js";
import { rechunk } from "./rechunk.js";

function shapeText(shape: readonly unknown[]): string {
  return `[${shape.join(", ")}]`;
}

function prod(xs: readonly number[]): number {
  let p = 1;
  for (const x of xs) p *= x;
  return p;
}

/** Validated axes of a permutation of `shape`'s axes (negative counts from the end). */
export function checkAxes(axes: readonly number[], shape: readonly number[], what = "transpose"): number[] {
  const nd = shape.length;
  if (!Array.isArray(axes)) throw new AxisError(`${what}: axes must be a list of integers; got ${String(axes)} (array of shape ${shapeText(shape)}).`);
  if (axes.length !== nd) {
    throw new AxisError(`${what}: axes ${shapeText(axes)} don't match the array: shape ${shapeText(shape)} has ${nd} axes, so give a permutation of ${nd} axes.`);
  }
  const out = axes.map((a) => {
    if (!Number.isInteger(a) || a < -nd || a >= nd) {
      throw new AxisError(`${what}: axis ${a} is out of bounds for an array of shape ${shapeText(shape)} (${nd} axes; use -${nd} to ${nd - 1}).`);
    }
    return a < 0 ? a + nd : a;
  });
  if (new Set(out).size !== nd) throw new AxisError(`${what}: axes ${shapeText(axes)} repeat an axis; give a permutation of the ${nd} axes of shape ${shapeText(shape)}.`);
  return out;
}

/** Permutes axes (reverses them by default); each block is a transposed view, no copy. */
export function transpose(x: DaskArray, axes?: readonly number[]): DaskArray {
  const nd = x.ndim;
  const perm = axes === undefined || axes === null ? Array.from({ length: nd }, (_, i) => nd - 1 - i) : checkAxes(axes, x.shape);
  if (perm.every((a, i) => a === i)) return x;
  const chunks = perm.map((a) => [...x.chunks[a]!]);
  const name = arrayName("transpose", x.name, perm);
  const tasks: Graph = new Map();
  const fn = kernel("array.transpose");
  for (const idx of blockIndices(chunks.map((c) => c.length))) {
    const inIdx = new Array<number>(nd);
    perm.forEach((a, i) => (inIdx[a] = idx[i]!));
    tasks.set(blockKey(name, idx), new Task(fn, [new TaskRef(blockKey(x.name, inIdx)), perm]));
  }
  return new DaskArray(layerGraph(name, tasks, [x]), name, chunks, x.dtype);
}

/** Dask's expand_tuple: splits each chunk into about `factor` parts. */
export function expandTuple(chunks: readonly number[], factor: number): number[] {
  if (factor === 1) return [...chunks];
  const out: number[] = [];
  for (const c of chunks) {
    let x = c;
    const part = Math.max(x / factor, 1);
    while (x >= 2 * part) {
      out.push(Math.trunc(part));
      x -= Math.trunc(part);
    }
    if (x) out.push(x);
  }
  return out;
}

/** Dask's contract_tuple: merges chunks so that `factor` divides each of them. */
export function contractTuple(chunks: readonly number[], factor: number): number[] {
  const out: number[] = [];
  let residual = 0;
  for (const c0 of chunks) {
    const c = c0 + residual;
    const good = factor * Math.floor(c / factor);
    residual = c % factor;
    if (good) out.push(good);
  }
  return out;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * Dask's reshape_rechunk, generalized: walks the axes from the end, grouping input and output axes whose
 * lengths multiply to the same number. Returns the chunks the input must have so that every block
 * reshapes on its own, and the chunks of the result; the k-th input block in C order becomes the k-th
 * output block.
 */
export function reshapeRechunk(
  inshape: readonly number[],
  outshape: readonly number[],
  inchunks: readonly (readonly number[])[],
): { inchunks: number[][]; outchunks: number[][] } {
  const rin: number[][] = inshape.map(() => []);
  const rout: number[][] = outshape.map(() => []);
  let ii = inshape.length - 1;
  let oi = outshape.length - 1;
  while (ii >= 0 || oi >= 0) {
    const din = ii >= 0 ? inshape[ii]! : 1;
    const dout = oi >= 0 ? outshape[oi]! : 1;
    if (ii >= 0 && oi >= 0 && din === dout) {
      rin[ii] = [...inchunks[ii]!];
      rout[oi] = [...inchunks[ii]!];
      ii--;
      oi--;
    } else if (ii >= 0 && din === 1) {
      rin[ii] = [1];
      ii--;
    } else if (oi >= 0 && dout === 1) {
      rout[oi] = [1];
      oi--;
    } else {
      // The smallest groups of axes [il..ii] and [ol..oi] with the same number of elements.
      let il = ii;
      let ol = oi;
      let pin = din;
      let pout = dout;
      while (pin !== pout) {
        if (il < 0 || ol < 0) throw new ShapeError(`Cannot reshape shape ${shapeText(inshape)} into ${shapeText(outshape)}.`);
        if (pin < pout) pin *= inshape[--il]!;
        else pout *= outshape[--ol]!;
      }
      if (ol === oi) {
        // Merge (4, 4, 4) -> (64,).
        const leading = inchunks.slice(il, ii).map((c) => c.length);
        if (leading.every((n, k) => n === inshape[il + k])) {
          // Leading axes chunked by 1: blocks only move around, no rechunk.
          for (let i = il; i <= ii; i++) rin[i] = [...inchunks[i]!];
          rout[oi] = Array.from({ length: prod(leading) }, () => inchunks[ii]!).flat();
        } else {
          for (let i = il + 1; i <= ii; i++) rin[i] = [inshape[i]!];
          const reduction = prod(inchunks.slice(il + 1, ii + 1).map((c) => c.length));
          rin[il] = expandTuple(inchunks[il]!, reduction);
          const rest = prod(inshape.slice(il + 1, ii + 1));
          rout[oi] = rin[il]!.map((c) => c * rest);
        }
      } else {
        // Split (64,) -> (4, 4, 4), or a mix of both: the leading input axis keeps blocks whose
        // element counts are multiples of both trailing products, every other axis is whole.
        const pIn = prod(inshape.slice(il + 1, ii + 1));
        const pOut = prod(outshape.slice(ol + 1, oi + 1));
        const lcm = (pIn / gcd(pIn, pOut)) * pOut;
        const rows = lcm / pIn;
        for (let i = il + 1; i <= ii; i++) rin[i] = [inshape[i]!];
        const reduction = prod(inchunks.slice(il + 1, ii + 1).map((c) => c.length));
        rin[il] = contractTuple(expandTuple(inchunks[il]!, reduction), rows);
        for (let i = ol + 1; i <= oi; i++) rout[i] = [outshape[i]!];
        rout[ol] = rin[il]!.map((c) => (c * pIn) / pOut);
      }
      ii = il - 1;
      oi = ol - 1;
    }
  }
  return { inchunks: rin, outchunks: rout };
}

/** The new shape with -1 inferred, or a ShapeError naming both shapes. */
export function resolveShape(from: readonly number[], shape: readonly number[]): number[] {
  const size = prod(from);
  const bad = () => new ShapeError(`Cannot reshape an array of shape ${shapeText(from)} (size ${size}) into shape ${shapeText(shape)}.`);
  if (!Array.isArray(shape)) throw new ShapeError(`reshape: the shape must be a list of integers; got ${String(shape)} (array of shape ${shapeText(from)}).`);
  const unknown = shape.filter((n) => n === -1).length;
  if (unknown > 1) throw new ShapeError(`reshape: can only infer one length (-1) in shape ${shapeText(shape)} (array of shape ${shapeText(from)}).`);
  for (const n of shape) {
    if (!Number.isInteger(n) || n < -1) {
      throw new ShapeError(`reshape: shape ${shapeText(shape)} must hold non-negative integers (or one -1); array of shape ${shapeText(from)}.`);
    }
  }
  const known = prod(shape.filter((n) => n !== -1));
  let out = [...shape];
  if (unknown) {
    if (known === 0 || size % known !== 0) throw bad();
    out = shape.map((n) => (n === -1 ? size / known : n));
  }
  if (prod(out) !== size) throw bad();
  return out;
}

/** A new shape with the same elements in C order (-1 infers one length); rechunks first where blocks must be whole. */
export function reshape(x: DaskArray, shapeArg: readonly number[] | number): DaskArray {
  const inshape = x.shape;
  const shape = resolveShape(inshape, typeof shapeArg === "number" ? [shapeArg] : shapeArg);
  if (shape.length === inshape.length && shape.every((n, i) => n === inshape[i])) return x;
  const name = arrayName("reshape", x.name, shape);
  const fn = kernel("array.reshape");
  const tasks: Graph = new Map();
  const nblocks = prod(x.numblocks);
  if (nblocks === 1 || x.size === 0) {
    // One block (or nothing at all): one task.
    const chunks = shape.map((n) => [n]);
    tasks.set(blockKey(name, shape.map(() => 0)), new Task(fn, [new TaskRef(blockKey(x.name, inshape.map(() => 0))), shape, x.dtype]));
    return new DaskArray(layerGraph(name, tasks, [x]), name, chunks, x.dtype);
  }
  const plan = reshapeRechunk(inshape, shape, x.chunks);
  const x2 = rechunk(x, plan.inchunks);
  const inKeys = [...blockIndices(x2.numblocks)];
  const outIdx = [...blockIndices(plan.outchunks.map((c) => c.length))];
  if (inKeys.length !== outIdx.length) throw new Error(`reshape: internal error, ${inKeys.length} input blocks for ${outIdx.length} output blocks`);
  outIdx.forEach((idx, k) => {
    tasks.set(blockKey(name, idx), new Task(fn, [new TaskRef(blockKey(x2.name, inKeys[k]!)), blockShape(plan.outchunks, idx), x.dtype]));
  });
  return new DaskArray(layerGraph(name, tasks, [x2]), name, plan.outchunks, x.dtype);
}
