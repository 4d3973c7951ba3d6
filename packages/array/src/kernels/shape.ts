/** Kernels of the shape operations: views (slicing, transpose, new axes) and reshape of one block. */
import { registerKernel } from "@dask-ts/core";
import ndarray from "ndarray";
import type { DType } from "../dtype.js";
import { cStrides, copyAs, isCContiguous, isConstant, sizeOf, type Chunk } from "./nd.js";

/** A view over the same memory with another shape, strides and offset. */
function makeView(c: Chunk, shape: number[], stride: number[], offset: number): Chunk {
  return ndarray(c.data as never, shape, stride, offset) as Chunk;
}

/**
 * How one axis of a block is indexed: a number picks one position (the axis is dropped), and
 * `[start, count, step]` keeps positions start, start + step, ..., start + (count - 1) * step
 * (step may be negative: then start is the highest position).
 */
export type AxisView = number | readonly [number, number, number];

/** A view of a block by one AxisView per axis, without copying (NumPy basic indexing of one block). */
export function view(c: Chunk, spec: readonly AxisView[]): Chunk {
  const shape: number[] = [];
  const stride: number[] = [];
  let offset = c.offset;
  for (let ax = 0; ax < c.shape.length; ax++) {
    const s = spec[ax];
    const st = c.stride[ax]!;
    if (typeof s === "number") {
      offset += s * st;
    } else if (s === undefined) {
      shape.push(c.shape[ax]!);
      stride.push(st);
    } else {
      const [start, count, step] = s;
      if (count > 0) offset += start * st;
      shape.push(count);
      stride.push(st * step);
    }
  }
  return makeView(c, shape, stride, offset);
}

/** The block with its axes permuted (axis i of the result is axis axes[i] of the block), a view. */
export function transposeBlock(c: Chunk, axes: readonly number[]): Chunk {
  return makeView(
    c,
    axes.map((a) => c.shape[a]!),
    axes.map((a) => c.stride[a]!),
    c.offset,
  );
}

/** The block with a new axis of length 1 inserted at `axis`, a view. */
export function expandDims(c: Chunk, axis: number): Chunk {
  const shape = c.shape.slice();
  const stride = c.stride.slice();
  shape.splice(axis, 0, 1);
  stride.splice(axis, 0, 0);
  return makeView(c, shape, stride, c.offset);
}

/** The block's elements in C order with a new shape: a view when the block is contiguous (or constant), else a copy. */
export function reshapeBlock(c: Chunk, shape: readonly number[], dtype: DType): Chunk {
  const s = [...shape];
  if (sizeOf(c.shape) !== sizeOf(s)) {
    throw new Error(`reshape: block of shape [${c.shape.join(", ")}] cannot hold shape [${s.join(", ")}]`);
  }
  if (c.shape.length === s.length && c.shape.every((n, i) => n === s[i])) return c;
  if (isConstant(c)) return makeView(c, s, s.map(() => 0), c.offset);
  const src = isCContiguous(c) ? c : copyAs(c, dtype);
  return makeView(src, s, cStrides(s), src.offset);
}

registerKernel("array.view", view, { stateless: true });
registerKernel("array.transpose", transposeBlock, { stateless: true });
registerKernel("array.expandDims", expandDims, { stateless: true });
registerKernel("array.reshape", reshapeBlock, { stateless: true });
