/** @dask-ts/array: chunked n-d arrays with blocked algorithms (`da`). */
import { DaskArray, toNested, type ArrayResult, type Operand, type ReduceOptions } from "./array.js";
import { arange, empty, fromArray, full, linspace, ones, zeros, type CreateOptions } from "./creation.js";
import { elemwise, maximum, minimum, where } from "./elementwise.js";
import { concatenate, stack } from "./concat.js";
import { dot, matmul, tensordot } from "./linalg.js";
import { normal, randint, random as uniform, type RandomOptions } from "./random.js";
import { blockOptions, blockwise, mapBlocks, BlockOptions } from "./blockwise.js";
import { rechunk } from "./rechunk.js";
import { normalizeChunks, type Chunks, type ChunkSizes } from "./chunks.js";

export * from "./errors.js";
export { DaskArray, DaskArray as Array, toNested, elemwise, normalizeChunks, BlockOptions };
export type { ArrayResult, Operand, ReduceOptions, CreateOptions, RandomOptions, Chunks, ChunkSizes };
export type { DType } from "./dtype.js";

/** The array namespace, as `dask.array`. */
export const da = {
  Array: DaskArray,
  ones,
  zeros,
  full,
  empty,
  arange,
  linspace,
  fromArray,
  random: { random: uniform, normal, randint },
  where,
  maximum,
  minimum,
  concatenate,
  stack,
  tensordot,
  dot,
  matmul,
  blockwise,
  mapBlocks,
  blockOptions,
  rechunk,
  /** True for dask arrays. */
  isArray: (v: unknown): v is DaskArray => v instanceof DaskArray,
};
export { ones, zeros, full, empty, arange, linspace, fromArray, where, maximum, minimum, concatenate, stack, tensordot, dot, matmul, blockwise, mapBlocks, blockOptions, rechunk };
