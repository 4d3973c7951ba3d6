/** rechunk: new block boundaries; each output block is assembled only from the input blocks it overlaps. */
import { Task, TaskRef, kernel, type Graph } from "@dask-ts/core";
import { DaskArray } from "./array.js";
import { arrayName, blockIndices, blockKey, layerGraph } from "./blocks.js";
import { normalizeChunks, offsets, type ChunkSizes, type Chunks } from "./chunks.js";

/** For one axis: for each output block, the overlapping input blocks as [inBlock, startIn, stopIn, startOut]. */
function axisPlan(src: readonly number[], dst: readonly number[]): Array<Array<[number, number, number, number]>> {
  const so = offsets(src);
  const d0 = offsets(dst);
  const out: Array<Array<[number, number, number, number]>> = [];
  let b = 0;
  for (let j = 0; j < dst.length; j++) {
    const lo = d0[j]!;
    const hi = d0[j + 1]!;
    const parts: Array<[number, number, number, number]> = [];
    while (b < src.length && so[b + 1]! <= lo && so[b + 1]! < hi) b++;
    let k = b;
    if (hi === lo) {
      // An empty output block still needs a source block to take its dtype from.
      const kk = Math.min(k, src.length - 1);
      parts.push([kk, 0, 0, 0]);
    }
    while (k < src.length && so[k]! < hi) {
      const s = Math.max(lo, so[k]!);
      const e = Math.min(hi, so[k + 1]!);
      if (e > s) parts.push([k, s - so[k]!, e - so[k]!, s - lo]);
      k++;
    }
    out.push(parts);
  }
  return out;
}

function sameChunks(a: ChunkSizes, b: ChunkSizes): boolean {
  return a.length === b.length && a.every((c, i) => c.length === b[i]!.length && c.every((x, j) => x === b[i]![j]));
}

/** The array with new chunks (moves only the blocks each output block needs). */
export function rechunk(x: DaskArray, chunks: Chunks): DaskArray {
  const target = normalizeChunks(chunks, x.shape, x.dtype);
  if (sameChunks(target, x.chunks)) return x;
  const name = arrayName("rechunk", x.name, target);
  const plans = x.chunks.map((c, ax) => axisPlan(c, target[ax]!));
  const tasks: Graph = new Map();
  for (const idx of blockIndices(target.map((c) => c.length))) {
    const perAxis = idx.map((j, ax) => plans[ax]![j]!);
    // Cartesian product of the overlapping input blocks along every axis.
    let combos: Array<Array<[number, number, number, number]>> = [[]];
    for (const parts of perAxis) combos = combos.flatMap((c) => parts.map((p) => [...c, p]));
    const shape = idx.map((j, ax) => target[ax]![j]!);
    const pieces = combos.map((c) => [
      new TaskRef(blockKey(x.name, c.map((p) => p[0]))),
      c.map((p) => p[1]),
      c.map((p) => p[2]),
      c.map((p) => p[3]),
    ]);
    tasks.set(blockKey(name, idx), new Task(kernel("array.assemble"), [shape, x.dtype, pieces]));
  }
  return new DaskArray(layerGraph(name, tasks, [x]), name, target, x.dtype);
}
