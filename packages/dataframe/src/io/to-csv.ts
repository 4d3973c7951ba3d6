/** Writing a frame as CSV files, one per partition. STUB: to be built. */
import type { ComputeOptions } from "@dask-ts/core";
import type { DataFrame } from "../frame.js";

export interface ToCsvOptions extends ComputeOptions {
  sep?: string;
  header?: boolean;
}

export function toCsv(df: DataFrame, pathPattern: string, opts?: ToCsvOptions): Promise<string[]> {
  return Promise.reject(new Error("toCsv is not built yet"));
}
