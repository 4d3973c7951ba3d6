/** Block bookkeeping shared by every array operation: keys, index iteration, new arrays from layers. */
import { LayeredGraph, keyStr, tokenize, type Graph } from "@dask-ts/core";
import type { ChunkSizes } from "./chunks.js";

/** The canonical key of block `idx` of array `name`. */
export function blockKey(name: string, idx: readonly number[]): string {
  return keyStr([name, ...idx] as unknown as [string, ...number[]]);
}

/** Number of blocks along each axis. */
export function numBlocks(chunks: ChunkSizes): number[] {
  return chunks.map((c) => c.length);
}

/** Every block index tuple in C order (last axis fastest). A 0-d array has one block, []. */
export function* blockIndices(numblocks: readonly number[]): Generator<number[]> {
  const nd = numblocks.length;
  if (numblocks.some((n) => n === 0)) return;
  const idx = new Array<number>(nd).fill(0);
  for (;;) {
    yield idx.slice();
    let ax = nd - 1;
    while (ax >= 0) {
      if (++idx[ax]! < numblocks[ax]!) break;
      idx[ax] = 0;
      ax--;
    }
    if (ax < 0) return;
  }
}

/** Shape of block `idx`. */
export function blockShape(chunks: ChunkSizes, idx: readonly number[]): number[] {
  return idx.map((b, ax) => chunks[ax]![b]!);
}

/** A deterministic array name: `prefix-<token of the inputs>`. */
export function arrayName(prefix: string, ...inputs: unknown[]): string {
  return `${prefix}-${tokenize(prefix, ...inputs)}`;
}

/** A layered graph of one new layer on top of the inputs' graphs. */
export function layerGraph(name: string, tasks: Graph, deps: readonly { dask: LayeredGraph }[]): LayeredGraph {
  return LayeredGraph.fromLayer(name, tasks, deps.map((d) => d.dask));
}
