/** The graph patterns of partitioned collections (in core), with the dataframe's shuffle gather. */
import { shuffleLayer as shuffleWith, type LayeredGraph, type PartitionedInput, type Stage } from "@dask-ts/core";

export { addLayer, mapPartitionsLayer, opName, partitionKey, treeReduceLayer, type PartArg, type PartitionedInput, type Stage } from "@dask-ts/core";

/** A hash or range shuffle of a frame: pieces from `split.kernel`, gathered with dataframe.concatPieces. */
export function shuffleLayer(
  prefix: string,
  input: PartitionedInput,
  nout: number,
  split: Stage,
  tokenExtra: readonly unknown[] = [],
): { name: string; dask: LayeredGraph } {
  return shuffleWith(prefix, input, nout, split, "dataframe.concatPieces", tokenExtra);
}
