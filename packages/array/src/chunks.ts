/** Chunk specifications (Dask's normalize_chunks): ints, per-axis sizes, explicit lists, "auto". */
import { config } from "@dask-ts/core";
import { itemSize, type DType } from "./dtype.js";
import { ChunkError } from "./errors.js";

/** How to split an array into blocks (as in Dask). */
export type Chunks = number | readonly (number | null)[] | readonly (readonly number[])[] | "auto";

/** Normalized chunks: for each axis, the block sizes along it. */
export type ChunkSizes = readonly (readonly number[])[];

/** Default target size of "auto" chunks in bytes (config "array.chunkSize"). */
export const DEFAULT_CHUNK_BYTES = 128 * 2 ** 20;

/** Splits a length into blocks of `size` (last one smaller). */
export function blocksOf(length: number, size: number): number[] {
  if (length === 0) return [0];
  const out: number[] = [];
  for (let s = 0; s < length; s += size) out.push(Math.min(size, length - s));
  return out;
}

function checkShape(shape: readonly number[]): void {
  for (const n of shape) {
    if (!Number.isInteger(n) || n < 0) throw new ChunkError(`Shape [${shape.join(", ")}] must hold non-negative integers.`);
  }
}

/** Turns any chunk specification into per-axis block sizes that sum to the shape. */
export function normalizeChunks(chunks: Chunks | undefined, shape: readonly number[], dtype: DType = "float64"): number[][] {
  checkShape(shape);
  const nd = shape.length;
  if (chunks === undefined || chunks === "auto") return autoChunks(shape, dtype);
  if (typeof chunks === "number") {
    if (!Number.isInteger(chunks) || (chunks <= 0 && chunks !== -1)) {
      throw new ChunkError(`Chunk size ${chunks} must be a positive integer (or -1 for whole axes).`);
    }
    return shape.map((n) => blocksOf(n, chunks === -1 ? Math.max(n, 1) : chunks));
  }
  if (!Array.isArray(chunks)) throw new ChunkError(`Chunks must be a number, a list per axis, or "auto"; got ${String(chunks)}.`);
  if (chunks.length !== nd) {
    throw new ChunkError(`Chunks ${JSON.stringify(chunks)} have ${chunks.length} axes but the shape [${shape.join(", ")}] has ${nd}.`);
  }
  return chunks.map((c, axis) => {
    const n = shape[axis]!;
    if (c === null || c === -1) return blocksOf(n, Math.max(n, 1));
    if (typeof c === "number") {
      if (!Number.isInteger(c) || c <= 0) throw new ChunkError(`Chunk size ${c} on axis ${axis} must be a positive integer (or -1).`);
      return blocksOf(n, c);
    }
    if (!Array.isArray(c)) throw new ChunkError(`Chunks on axis ${axis} must be a number or a list of block sizes; got ${String(c)}.`);
    const sizes = c as number[];
    for (const b of sizes) {
      if (!Number.isInteger(b) || b < 0) throw new ChunkError(`Block sizes on axis ${axis} must be non-negative integers; got ${JSON.stringify(sizes)}.`);
    }
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total !== n) {
      throw new ChunkError(`Chunks ${JSON.stringify(sizes)} on axis ${axis} sum to ${total}, but the shape has ${n} there (shape [${shape.join(", ")}]).`);
    }
    return sizes.length ? [...sizes] : [0];
  });
}

/** "auto": blocks of about config("array.chunkSize") bytes, as square as the shape allows. */
export function autoChunks(shape: readonly number[], dtype: DType): number[][] {
  const limit = config.get<number>("array.chunkSize", DEFAULT_CHUNK_BYTES);
  const items = Math.max(1, Math.floor(limit / itemSize(dtype)));
  const total = shape.reduce((a, b) => a * b, 1);
  if (total <= items) return shape.map((n) => [n]);
  // Axes shorter than the ideal edge stay whole; the rest share what is left equally.
  const sizes = shape.map(() => 0);
  let free = shape.map((_, i) => i);
  let budget = items;
  for (;;) {
    const edge = Math.pow(budget, 1 / free.length);
    const small = free.filter((i) => shape[i]! <= edge);
    if (small.length === 0) break;
    for (const i of small) {
      sizes[i] = shape[i]!;
      budget /= Math.max(shape[i]!, 1);
    }
    free = free.filter((i) => shape[i]! > edge);
    if (free.length === 0) break;
  }
  const edge = Math.max(1, Math.floor(Math.pow(budget, 1 / Math.max(free.length, 1))));
  for (const i of free) sizes[i] = Math.min(shape[i]!, edge);
  return shape.map((n, i) => blocksOf(n, Math.max(1, sizes[i]!)));
}

/** Start offsets of each block along an axis (plus the end). */
export function offsets(sizes: readonly number[]): number[] {
  const out = [0];
  for (const s of sizes) out.push(out[out.length - 1]! + s);
  return out;
}
