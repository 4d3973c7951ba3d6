/** Kernels that create blocks: constants (zero-stride views), ranges, linspace. */
import { registerKernel } from "@dask-ts/core";
import type { DType } from "../dtype.js";
import { allocChunk, constantChunk, type Chunk } from "./nd.js";

/** A block of one value: one element of memory whatever the block's size. */
export function full(value: number, shape: number[], dtype: DType): Chunk {
  return constantChunk(value, dtype, shape);
}

/** A 1-d block of `n` values start, start+step, ... */
export function arange(start: number, step: number, n: number, dtype: DType): Chunk {
  const out = allocChunk(dtype === "int64" ? "float64" : dtype, [n]);
  const d = out.data as Float64Array;
  for (let i = 0; i < n; i++) d[i] = start + i * step;
  return dtype === "int64" ? toBig(out) : out;
}

/** Block [i0, i0+n) of linspace(start, stop, num): exact endpoints, as NumPy. */
export function linspace(start: number, stop: number, num: number, endpoint: boolean, i0: number, n: number, dtype: DType): Chunk {
  const div = endpoint ? num - 1 : num;
  const step = div > 0 ? (stop - start) / div : 0;
  const out = allocChunk(dtype === "int64" ? "float64" : dtype, [n]);
  const d = out.data as Float64Array;
  for (let i = 0; i < n; i++) {
    const k = i0 + i;
    d[i] = endpoint && k === num - 1 && num > 1 ? stop : start + k * step;
  }
  return dtype === "int64" ? toBig(out) : out;
}

function toBig(a: Chunk): Chunk {
  const out = allocChunk("int64", a.shape);
  const s = a.data as Float64Array;
  const d = out.data as BigInt64Array;
  for (let i = 0; i < s.length; i++) d[i] = BigInt(Math.trunc(s[i]!));
  return out;
}

registerKernel("array.full", full, { stateless: true });
registerKernel("array.arange", arange, { stateless: true });
registerKernel("array.linspace", linspace, { stateless: true });
