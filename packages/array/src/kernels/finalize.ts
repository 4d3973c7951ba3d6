/** Turning computed blocks into the user's result: one contiguous ndarray, or a number for 0-d arrays. */
import { registerKernel } from "@dask-ts/core";
import ndarray from "ndarray";
import type { DType } from "../dtype.js";
import { storage } from "../dtype.js";
import { cStrides, copyInto, isCContiguous, isConstant, sizeOf, type Chunk } from "./nd.js";

/** A 0-d chunk's value as a JS number (bool as boolean). */
export function scalarOf(c: Chunk, dtype: DType): number | boolean {
  const v = c.data[c.offset] as number | bigint;
  if (dtype === "bool") return v !== 0;
  return typeof v === "bigint" ? Number(v) : v;
}

/** Assembles nested blocks (one nesting level per axis) into one contiguous ndarray in plain memory. */
export function finalize(nested: unknown, chunks: number[][], dtype: DType): unknown {
  const nd = chunks.length;
  if (nd === 0) return scalarOf((nested as Chunk[])[0]!, dtype);
  const shape = chunks.map((c) => c.reduce((a, b) => a + b, 0));
  // One block that already is a plain contiguous array: hand it over as is.
  let single: unknown = nested;
  for (let i = 0; i < nd && Array.isArray(single) && single.length === 1; i++) single = single[0];
  if (!Array.isArray(single) && chunks.every((c) => c.length === 1)) {
    const c = single as Chunk;
    if (isCContiguous(c) && !isConstant(c) && c.offset === 0 && c.data.length === sizeOf(c.shape)) return c;
  }
  const data = new (storage(dtype) as unknown as new (n: number) => Chunk["data"])(sizeOf(shape));
  const out = ndarray(data, shape, cStrides(shape), 0) as Chunk;
  const at = new Array<number>(nd).fill(0);
  const walk = (node: unknown, axis: number): void => {
    if (axis === nd) {
      copyInto(out, at, node as Chunk);
      return;
    }
    const list = node as unknown[];
    let pos = 0;
    for (let i = 0; i < list.length; i++) {
      at[axis] = pos;
      walk(list[i], axis + 1);
      pos += chunks[axis]![i]!;
    }
    at[axis] = 0;
  };
  walk(nested, 0);
  return out;
}

registerKernel("array.finalize", finalize, { stateless: true });
