/** Kernels of output: writing a partition as a CSV file (core publishes the files once all are written). */
import { registerKernel } from "@dask-ts/core";
import type * as A from "apache-arrow";
import { writeCsvFile } from "../io/csv-write.js";

/** Writes a partition to its temporary file; returns that path. */
function writeCsvPartition(t: A.Table, tmpPath: string, sep: string, header: boolean): string {
  writeCsvFile(t, tmpPath, sep, header);
  return tmpPath;
}

registerKernel("dataframe.writeCsvPartition", writeCsvPartition);
