/**
 * The tree of bag reductions. Like core's treeReduceLayer, but every
 * per-partition task also receives its partition number (so a user function's error names the
 * partition) and every combine task the range of partitions it covers (so its errors do too).
 */
import { Task, TaskRef, addLayer, kernel, keyStr, opName, partitionKey, type Graph, type LayeredGraph, type PartitionedInput } from "@dask-ts/core";

/** A kernel and the arguments that follow the ones the layout passes. */
export interface Step {
  readonly kernel: string;
  readonly args?: readonly unknown[];
}

/**
 * A tree reduction: `chunk(partition_i, i, ...args)` on every partition; then, while more than
 * `splitEvery` partials are left, `combine(partials, first, last, ...args)` over consecutive groups of at
 * most `splitEvery` (first..last: the partitions a group covers); then `finish(partials, 0, n - 1, ...args)`
 * over the last group. No task takes more than `splitEvery` inputs. The result is partition 0 of `name`.
 */
export function treeReduce(
  prefix: string,
  input: PartitionedInput,
  chunk: Step,
  combine: Step,
  finish: Step,
  splitEvery: number,
): { name: string; dask: LayeredGraph } {
  const name = opName(prefix, input._name, chunk, combine, finish, splitEvery);
  const tasks: Graph = new Map();
  const chunkFn = kernel(chunk.kernel);
  const chunkArgs = chunk.args ?? [];
  // Each entry: the key of a partial and the first and last partition it covers.
  let level: Array<[string, number, number]> = [];
  for (let i = 0; i < input.npartitions; i++) {
    const k = partitionKey(`${name}-chunk`, i);
    tasks.set(k, new Task(chunkFn, [new TaskRef(partitionKey(input._name, i)), i, ...chunkArgs]));
    level.push([k, i, i]);
  }
  const combineFn = kernel(combine.kernel);
  for (let depth = 0; level.length > splitEvery; depth++) {
    const next: Array<[string, number, number]> = [];
    for (let g = 0; g * splitEvery < level.length; g++) {
      const group = level.slice(g * splitEvery, (g + 1) * splitEvery);
      const k = keyStr([`${name}-combine`, depth, g]);
      const first = group[0]![1];
      const last = group[group.length - 1]![2];
      tasks.set(k, new Task(combineFn, [group.map(([r]) => new TaskRef(r)), first, last, ...(combine.args ?? [])]));
      next.push([k, first, last]);
    }
    level = next;
  }
  const refs = level.map(([r]) => new TaskRef(r));
  tasks.set(partitionKey(name, 0), new Task(kernel(finish.kernel), [refs, 0, input.npartitions - 1, ...(finish.args ?? [])]));
  return { name, dask: addLayer(name, tasks, [input]) };
}
