/** Series reductions (sum, mean, ..., nunique, unique), len and describe. STUB: to be built. */
import type { ComputeOptions } from "@dask-ts/core";
import type { DataFrame, FrameBase, ReduceOptions, Scalar, Series } from "./frame.js";

const todo = (what: string): never => { throw new Error(`${what} is not built yet`); };

export type ReduceOp = "sum" | "mean" | "min" | "max" | "count" | "std" | "var";
export function reduce(op: ReduceOp, s: Series, opts?: ReduceOptions): Scalar { return todo(`Series.${op}`); }
export function nunique(s: Series, opts?: ReduceOptions): Scalar { return todo("nunique"); }
export function unique(s: Series): Series { return todo("unique"); }
export function len(f: FrameBase, opts?: ComputeOptions): Promise<number> { return todo("len"); }
export function describe(df: DataFrame): DataFrame { return todo("describe"); }
