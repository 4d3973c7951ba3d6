/** Text files: readText (line-aligned byte blocks, gzip by extension) and toTextFiles. STUB. */
import type { ComputeOptions } from "@dask-ts/core";
import type { Bag } from "../bag.js";

export interface ReadTextOptions {
  /** Bytes per partition (number or "64MB"); default: one partition per file. */
  blocksize?: number | string;
  /** Text encoding (default utf-8). */
  encoding?: string;
}
export interface ToTextFilesOptions extends ComputeOptions {}

export function readText(path: string | readonly string[], opts?: ReadTextOptions): Bag<string> {
  throw new Error("readText is not built yet");
}
export function toTextFiles(b: Bag<any>, pattern: string, opts?: ToTextFilesOptions): Promise<string[]> {
  return Promise.reject(new Error("toTextFiles is not built yet"));
}
