/** Kernels of output: writing partitions as CSV files, and publishing them once every write succeeded. */
import { registerKernel } from "@dask-ts/core";
import { renameSync, rmSync } from "node:fs";
import type * as A from "apache-arrow";
import { writeCsvFile } from "../io/csv-write.js";

/** Writes a partition to its temporary file; returns that path. */
function writeCsvPartition(t: A.Table, tmpPath: string, sep: string, header: boolean): string {
  writeCsvFile(t, tmpPath, sep, header);
  return tmpPath;
}

/**
 * Renames every temporary file to its final name. Runs only after all writes succeeded, so a failed
 * computation leaves no final file; if a rename fails, the files renamed so far are removed again.
 */
function commitFiles(tmpPaths: readonly string[], finalPaths: readonly string[]): string[] {
  let done = 0;
  try {
    for (; done < tmpPaths.length; done++) renameSync(tmpPaths[done]!, finalPaths[done]!);
  } catch (e) {
    for (let i = 0; i < done; i++) rmSync(finalPaths[i]!, { force: true });
    for (let i = done; i < tmpPaths.length; i++) rmSync(tmpPaths[i]!, { force: true });
    throw e;
  }
  return [...finalPaths];
}

registerKernel("dataframe.writeCsvPartition", writeCsvPartition);
registerKernel("dataframe.commitFiles", commitFiles);
