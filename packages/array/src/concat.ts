/** concatenate and stack. OWNED BY: shape helper. */
import type { DaskArray } from "./array.js";

/** Joins arrays along an existing axis. */
export function concatenate(arrays: readonly DaskArray[], axis = 0): DaskArray {
  throw new Error(`concatenate: not implemented yet (${arrays.length}, ${axis})`);
}

/** Joins arrays along a new axis. */
export function stack(arrays: readonly DaskArray[], axis = 0): DaskArray {
  throw new Error(`stack: not implemented yet (${arrays.length}, ${axis})`);
}
