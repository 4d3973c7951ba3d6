/** transpose and reshape. OWNED BY: shape helper. */
import type { DaskArray } from "./array.js";

/** Permutes axes (reverses them by default). */
export function transpose(x: DaskArray, axes?: readonly number[]): DaskArray {
  throw new Error(`transpose: not implemented yet (${x.name}, ${JSON.stringify(axes)})`);
}

/** A new shape with the same elements in C order (-1 infers one length). */
export function reshape(x: DaskArray, shape: readonly number[]): DaskArray {
  throw new Error(`reshape: not implemented yet (${x.name}, ${JSON.stringify(shape)})`);
}
