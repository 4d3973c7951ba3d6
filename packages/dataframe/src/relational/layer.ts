/** A layer's output as a partitioned input of the next layer. */
import type { LayeredGraph } from "@dask-ts/core";
import type { PartitionedInput } from "../graph.js";

export function asInput(layer: { name: string; dask: LayeredGraph }, npartitions: number): PartitionedInput {
  return { dask: layer.dask, _name: layer.name, npartitions };
}
