/**
 * dropDuplicates: a tree reduction (dedupe each partition, then concatenations of neighbours deduped
 * again) into one partition, or with splitOut > 1 a hash shuffle on the key columns (equal rows meet in
 * one partition) followed by a dedupe of each. Partition order is kept at every step, so "first" and
 * "last" mean first and last in the frame's row order.
 */
import { InvalidArgumentError } from "@dask-ts/core";
import { DataFrame } from "../frame.js";
import { mapPartitionsLayer, shuffleLayer, treeReduceLayer } from "../graph.js";
import { checkColumns } from "../select.js";
import { asInput } from "./layer.js";

/** Options of dropDuplicates. */
export interface DropDuplicatesOptions {
  /** Which row of each set of duplicates stays (default "first"). */
  keep?: "first" | "last";
  /** Output partitions (default 1); above 1 rows are hash-shuffled on the key columns first. */
  splitOut?: number;
  /** Fan-in of the combine tasks of the tree reduction (default 8). */
  splitEvery?: number;
}

/** Rows with distinct values of `subset` (default: all columns). */
export function dropDuplicates(df: DataFrame, subset: readonly string[] | undefined, opts: DropDuplicatesOptions): DataFrame {
  if (subset !== undefined) {
    checkColumns(df, subset, "dropDuplicates");
    if (subset.length === 0) throw new InvalidArgumentError(`dropDuplicates: subset is empty; omit it to compare all columns.`);
  }
  const keep = opts.keep ?? "first";
  if (keep !== "first" && keep !== "last") {
    throw new InvalidArgumentError(`dropDuplicates: keep must be "first" or "last"; got ${JSON.stringify(keep)} (keep=False, dropping every duplicated row, is not supported, as in Dask).`);
  }
  const splitOut = opts.splitOut ?? 1;
  if (!Number.isInteger(splitOut) || splitOut < 1) throw new InvalidArgumentError(`dropDuplicates: splitOut must be a positive integer; got ${splitOut}.`);
  const keys = subset === undefined ? null : [...subset];
  if (splitOut === 1) {
    const { name, dask } = treeReduceLayer(
      "drop-duplicates",
      df,
      { kernel: "dataframe.dropDuplicatesChunk", args: [keys, keep] },
      { kernel: "dataframe.dropDuplicatesCombine", args: [keys, keep] },
      { kernel: "core.identity" },
      opts.splitEvery ?? 8,
    );
    return new DataFrame(dask, name, df.meta, 1);
  }
  const shuffled = shuffleLayer("drop-duplicates-shuffle", df, splitOut, { kernel: "dataframe.hashSplit", args: [keys ?? df.columns] });
  const { name, dask } = mapPartitionsLayer("drop-duplicates", "dataframe.dropDuplicatesChunk", [asInput(shuffled, splitOut), keys, keep], splitOut);
  return new DataFrame(dask, name, df.meta, splitOut);
}
