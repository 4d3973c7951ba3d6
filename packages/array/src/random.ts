/**
 * Random arrays (`da.random`). With a seed, every element depends only on the seed, the distribution
 * and its position in the whole array, so the values are the same whatever the chunking or the
 * scheduler (a counter-based generator, see kernels/random.ts). Without a seed, a random seed is
 * drawn at the call: the graph, and the array's name, are then fixed.
 */
import { InvalidArgumentError, Task, kernel, type Graph } from "@dask-ts/core";
import { webcrypto } from "node:crypto";
import { DaskArray } from "./array.js";
import { arrayName, blockIndices, blockKey, blockShape, layerGraph } from "./blocks.js";
import { normalizeChunks, offsets, type Chunks } from "./chunks.js";
import type { DType } from "./dtype.js";
import { ShapeError } from "./errors.js";
import { DIST_NORMAL, DIST_RANDINT, DIST_UNIFORM, streamKey } from "./kernels/random.js";

/** Options of the random functions. */
export interface RandomOptions {
  chunks?: Chunks;
  /** A non-negative integer below 2^53; drawn at random when omitted. */
  seed?: number;
}

/** Largest number of elements: counters (two per element for normal) stay exact below 2^53. */
const MAX_SIZE = 2 ** 52;

function checkShape(shape: unknown, what: string): number[] {
  const s = typeof shape === "number" ? [shape] : shape;
  if (!Array.isArray(s) || s.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new ShapeError(`${what}: shape must be a non-negative integer or a list of them; got ${JSON.stringify(shape)}.`);
  }
  const size = (s as number[]).reduce((a, b) => a * b, 1);
  if (size > MAX_SIZE) throw new ShapeError(`${what}: shape [${s.join(", ")}] has ${size} elements, more than 2^52.`);
  return [...(s as number[])];
}

function checkSeed(seed: unknown, what: string): number {
  if (seed === undefined) {
    const w = webcrypto.getRandomValues(new Uint32Array(2));
    return (w[0]! & 0x1fffff) * 2 ** 32 + w[1]!;
  }
  if (typeof seed !== "number" || !Number.isSafeInteger(seed) || seed < 0) {
    throw new InvalidArgumentError(`${what}: seed must be an integer in [0, 2^53); got ${typeof seed === "number" ? seed : JSON.stringify(seed)}.`);
  }
  return seed;
}

/** One task per block: kernel(keyHi, keyLo, ...params, blockShape, blockStart, shape). */
function build(prefix: string, fn: string, dist: number, dtype: DType, shape: number[], opts: RandomOptions, what: string, params: readonly number[]): DaskArray {
  if (opts === null || typeof opts !== "object") throw new InvalidArgumentError(`${what}: options must be an object; got ${JSON.stringify(opts)}.`);
  const seed = checkSeed(opts.seed, what);
  const chunks = normalizeChunks(opts.chunks, shape, dtype);
  const [keyHi, keyLo] = streamKey(seed, dist);
  const name = arrayName(prefix, seed, dist, params, shape, chunks, dtype);
  const offs = chunks.map((c) => offsets(c));
  const tasks: Graph = new Map();
  for (const idx of blockIndices(chunks.map((c) => c.length))) {
    const start = idx.map((b, ax) => offs[ax]![b]!);
    tasks.set(blockKey(name, idx), new Task(kernel(fn), [keyHi, keyLo, ...params, blockShape(chunks, idx), start, shape]));
  }
  return new DaskArray(layerGraph(name, tasks, []), name, chunks, dtype);
}

/** Uniform floats in [0, 1) (53 random bits each). */
export function random(shape: readonly number[] | number, opts: RandomOptions = {}): DaskArray {
  const s = checkShape(shape, "random");
  return build("random_sample", "array.random.uniform", DIST_UNIFORM, "float64", s, opts, "random", []);
}

/** Normal(loc, scale) floats. */
export function normal(loc: number, scale: number, shape: readonly number[] | number, opts: RandomOptions = {}): DaskArray {
  if (typeof loc !== "number" || !Number.isFinite(loc)) throw new InvalidArgumentError(`normal: loc must be a finite number; got ${String(loc)}.`);
  if (typeof scale !== "number" || !Number.isFinite(scale) || scale < 0) {
    throw new InvalidArgumentError(`normal: scale must be a finite number >= 0; got ${String(scale)}.`);
  }
  const s = checkShape(shape, "normal");
  return build("normal", "array.random.normal", DIST_NORMAL, "float64", s, opts, "normal", [loc, scale]);
}

/** Integers in [low, high), int32, each value equally likely. */
export function randint(low: number, high: number, shape: readonly number[] | number, opts: RandomOptions = {}): DaskArray {
  for (const [nm, v] of [["low", low], ["high", high]] as const) {
    if (typeof v !== "number" || !Number.isInteger(v)) throw new InvalidArgumentError(`randint: ${nm} must be an integer; got ${String(v)}.`);
  }
  if (low >= high) throw new InvalidArgumentError(`randint: low must be less than high; got low=${low}, high=${high}.`);
  if (low < -(2 ** 31) || high > 2 ** 31) {
    throw new InvalidArgumentError(`randint: [${low}, ${high}) does not fit int32 (low >= -2^31, high <= 2^31).`);
  }
  const s = checkShape(shape, "randint");
  return build("randint", "array.random.randint", DIST_RANDINT, "int32", s, opts, "randint", [low, high]);
}
