/** NumPy basic indexing. OWNED BY: shape helper. */
import type { DaskArray } from "./array.js";

/** x.get(...index): numbers drop axes (negative from the end), "start:stop:step" slices, null for ":". */
export function getitem(x: DaskArray, index: readonly (number | string | null)[]): DaskArray {
  throw new Error(`get: not implemented yet (${x.name}, ${JSON.stringify(index)})`);
}
