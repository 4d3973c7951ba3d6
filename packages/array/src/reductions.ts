/** Reductions as tree reductions (sum, mean, std, argmin, ...) and cumulative scans. OWNED BY: reductions helper. */
import type { DaskArray, ReduceOptions } from "./array.js";

/** Reduces over axes with a tree reduction. */
export function reduce(op: "sum" | "prod" | "mean" | "min" | "max" | "std" | "var" | "any" | "all", x: DaskArray, opts?: ReduceOptions): DaskArray {
  throw new Error(`${op}: not implemented yet (${x.name}, ${JSON.stringify(opts)})`);
}

/** argmin/argmax over one axis or the flattened array. */
export function argReduce(op: "argmin" | "argmax", x: DaskArray, opts?: { axis?: number; splitEvery?: number }): DaskArray {
  throw new Error(`${op}: not implemented yet (${x.name}, ${JSON.stringify(opts)})`);
}

/** cumsum/cumprod along an axis. */
export function cumulative(op: "cumsum" | "cumprod", x: DaskArray, axis: number): DaskArray {
  throw new Error(`${op}: not implemented yet (${x.name}, ${axis})`);
}
