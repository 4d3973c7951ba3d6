/** Kernels of merge, sortValues/setIndex, dropDuplicates and repartition (logic in ../relational/). */
import { registerKernel } from "@dask-ts/core";
import type * as A from "apache-arrow";
import { columnNames, concatTables, makeTable, readColumns, sliceColumn } from "../column.js";
import { joinTables } from "../relational/join-kernel.js";
import { dedupeTable, dedupeTables } from "../relational/dedupe-kernel.js";
import { chooseBoundaries, rangeSplit, sampleKey, sortTable } from "../relational/range-kernel.js";

/** Rows [floor(r*n/k), floor((r+1)*n/k)) of a partition: piece r of k (repartition to more partitions). */
function slicePiece(t: A.Table, r: number, k: number): A.Table {
  const n = t.numRows;
  const s = Math.floor((r * n) / k), e = Math.floor(((r + 1) * n) / k);
  if (s === 0 && e === n) return t;
  const names = columnNames(t);
  return makeTable(names, readColumns(t, names).map((c) => sliceColumn(c, s, e)));
}

registerKernel("dataframe.mergePartitions", joinTables);
registerKernel("dataframe.sortSample", sampleKey);
registerKernel("dataframe.sortBoundaries", chooseBoundaries);
registerKernel("dataframe.rangeSplit", rangeSplit);
registerKernel("dataframe.sortPartition", sortTable);
registerKernel("dataframe.dropDuplicatesChunk", dedupeTable);
registerKernel("dataframe.dropDuplicatesCombine", dedupeTables);
registerKernel("dataframe.concatPartitions", (parts: readonly A.Table[]) => concatTables(parts));
registerKernel("dataframe.slicePiece", slicePiece);
