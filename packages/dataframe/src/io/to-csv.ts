/**
 * DataFrame.toCsv: one CSV file per partition, written by the worker tasks. Nothing partial is left on
 * failure: each task writes a hidden temporary file next to its target, and one final task renames them
 * all only once every write has succeeded; when the computation fails, the temporary files are removed.
 */
import { InvalidArgumentError, writePartitionFiles, type ComputeOptions } from "@dask-ts/core";
import type { DataFrame } from "../frame.js";

/** Options of toCsv (plus the compute options it runs with). */
export interface ToCsvOptions extends ComputeOptions {
  /** Field separator, one character (default ","). */
  sep?: string;
  /** Write a header line of column names (default true). */
  header?: boolean;
}

/** Writes every partition to its own file; resolves to the paths written, in partition order. */
export async function toCsv(df: DataFrame, pathPattern: string, opts: ToCsvOptions = {}): Promise<string[]> {
  const { sep = ",", header = true, ...computeOpts } = opts;
  if (typeof sep !== "string" || sep.length !== 1 || sep === '"' || sep === "\n" || sep === "\r") {
    throw new InvalidArgumentError(`toCsv: sep must be one character other than a quote or a line break; got ${JSON.stringify(sep)}.`);
  }
  if (typeof header !== "boolean") throw new InvalidArgumentError(`toCsv: header must be true or false; got ${JSON.stringify(header)}.`);
  return writePartitionFiles(df, pathPattern, { kernel: "dataframe.writeCsvPartition", args: () => [sep, header] }, { ...computeOpts, caller: "toCsv", example: "out/part-*.csv" });
}
