/** Assembling a block from slices of other blocks (rechunk, and any op that regroups blocks). */
import { registerKernel } from "@dask-ts/core";
import type { DType } from "../dtype.js";
import { allocChunk, constantChunk, copyInto, isConstant, type Chunk } from "./nd.js";

/** A piece: a source block, the [start, stop) range to take from it per axis, and where it goes. */
export type Piece = [Chunk, number[], number[], number[]];

/** The sub-view [start, stop) of a chunk, without copying. */
export function subview(c: Chunk, start: readonly number[], stop: readonly number[]): Chunk {
  let v = c;
  if (start.some((s) => s !== 0)) v = v.lo(...start) as Chunk;
  const len = stop.map((e, i) => e - start[i]!);
  if (len.some((l, i) => l !== v.shape[i])) v = v.hi(...len) as Chunk;
  return v;
}

/** A block of `shape` filled from pieces of other blocks. */
export function assemble(shape: number[], dtype: DType, pieces: Piece[]): Chunk {
  if (pieces.length === 1) {
    const [c, start, stop] = pieces[0]!;
    const v = subview(c, start, stop);
    if (v.shape.every((s, i) => s === shape[i])) return v;
  }
  if (pieces.length > 0 && pieces.every(([c]) => isConstant(c) && c.data[c.offset] === pieces[0]![0].data[pieces[0]![0].offset])) {
    const v = pieces[0]![0].data[pieces[0]![0].offset] as number | bigint;
    return constantChunk(v, dtype, shape);
  }
  const out = allocChunk(dtype, shape);
  for (const [c, start, stop, at] of pieces) copyInto(out, at, subview(c, start, stop));
  return out;
}

registerKernel("array.assemble", assemble, { stateless: true });
