/** Random arrays with a seed: the same values whatever the chunking or scheduler. OWNED BY: random helper. */
import type { DaskArray } from "./array.js";
import type { Chunks } from "./chunks.js";

/** Options of the random functions. */
export interface RandomOptions {
  chunks?: Chunks;
  seed?: number;
}

/** Uniform floats in [0, 1). */
export function random(shape: readonly number[], opts: RandomOptions = {}): DaskArray {
  throw new Error(`random: not implemented yet (${shape}, ${JSON.stringify(opts)})`);
}

/** Normal(loc, scale) floats. */
export function normal(loc: number, scale: number, shape: readonly number[], opts: RandomOptions = {}): DaskArray {
  throw new Error(`normal: not implemented yet (${loc}, ${scale}, ${shape}, ${JSON.stringify(opts)})`);
}

/** Integers in [low, high). */
export function randint(low: number, high: number, shape: readonly number[], opts: RandomOptions = {}): DaskArray {
  throw new Error(`randint: not implemented yet (${low}, ${high}, ${shape}, ${JSON.stringify(opts)})`);
}
