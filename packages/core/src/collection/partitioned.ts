/**
 * Graph patterns of partitioned collections (dataframes, bags): partition-wise maps, tree reductions
 * and shuffles. Operations name a registered kernel and its arguments; these functions lay out the
 * tasks. Partition i of a collection named `name` has the key `[name, i]`.
 */
import { kernel } from "../fn/registry.js";
import { keyStr } from "../graph/key.js";
import { LayeredGraph } from "../graph/layered.js";
import { Task, TaskRef, type Graph } from "../graph/task.js";
import { tokenize } from "../graph/tokenize.js";

/** What graph building needs of a partitioned input (a frame, a bag, a one-partition scalar). */
export interface PartitionedInput {
  readonly dask: LayeredGraph;
  /** The name of the partitions' keys: partition i is `[_name, i]`. */
  readonly _name: string;
  readonly npartitions: number;
}

/** Key of partition i of collection `name`. */
export function partitionKey(name: string, i: number): string {
  return keyStr([name, i]);
}

/** A deterministic collection name: `prefix-<token of the inputs>`. */
export function opName(prefix: string, ...inputs: unknown[]): string {
  return `${prefix}-${tokenize(prefix, ...inputs)}`;
}

/** One new layer on top of the inputs' graphs. */
export function addLayer(name: string, tasks: Graph, inputs: readonly { dask: LayeredGraph }[]): LayeredGraph {
  return LayeredGraph.fromLayer(name, tasks, inputs.map((d) => d.dask));
}

/** An argument that is partition i of a partitioned input, or a plain value passed as is. */
export type PartArg = PartitionedInput | unknown;

function isPartitioned(a: unknown): a is PartitionedInput {
  return typeof a === "object" && a !== null && (a as PartitionedInput).dask instanceof LayeredGraph && typeof (a as PartitionedInput).npartitions === "number";
}

/**
 * A layer whose partition i is `kernelName(arg_0, arg_1, ...)`, where a partitioned argument stands for
 * its partition i (a single-partition one, e.g. a scalar, for its only partition) and anything else is
 * passed unchanged. Returns the new layer's name and graph.
 */
export function mapPartitionsLayer(
  prefix: string,
  kernelName: string,
  args: readonly PartArg[],
  npartitions: number,
  tokenExtra: readonly unknown[] = [],
): { name: string; dask: LayeredGraph } {
  const inputs = args.filter(isPartitioned);
  const name = opName(prefix, kernelName, ...args.map((a) => (isPartitioned(a) ? a._name : a)), ...tokenExtra);
  const fn = kernel(kernelName);
  const tasks: Graph = new Map();
  for (let i = 0; i < npartitions; i++) {
    const taskArgs = args.map((a) => (isPartitioned(a) ? new TaskRef(partitionKey(a._name, a.npartitions === 1 ? 0 : i)) : a));
    tasks.set(partitionKey(name, i), new Task(fn, taskArgs));
  }
  return { name, dask: addLayer(name, tasks, inputs) };
}

/** Kernel and extra arguments of one stage of a tree reduction. */
export interface Stage {
  readonly kernel: string;
  readonly args?: readonly unknown[];
}

/**
 * Apply-concat-apply: `chunk(partition, ...args)` on every partition, then `combine([partials], ...args)`
 * over groups of at most `splitEvery` partials until one is left, then `aggregate(partial, ...args)`.
 * The result is a single partition: key `[name, 0]`.
 */
export function treeReduceLayer(
  prefix: string,
  input: PartitionedInput,
  chunk: Stage,
  combine: Stage,
  aggregate: Stage,
  splitEvery = 8,
  extraInputs: readonly PartitionedInput[] = [],
): { name: string; dask: LayeredGraph } {
  if (!Number.isInteger(splitEvery) || splitEvery < 2) throw new RangeError(`splitEvery must be an integer of at least 2; got ${splitEvery}.`);
  const name = opName(prefix, input._name, chunk, combine, aggregate, splitEvery);
  const tasks: Graph = new Map();
  const chunkName = `${name}-chunk`;
  let level: string[] = [];
  for (let i = 0; i < input.npartitions; i++) {
    const k = partitionKey(chunkName, i);
    tasks.set(k, new Task(kernel(chunk.kernel), [new TaskRef(partitionKey(input._name, i)), ...(chunk.args ?? [])]));
    level.push(k);
  }
  let depth = 0;
  while (level.length > splitEvery) {
    const next: string[] = [];
    for (let g = 0; g * splitEvery < level.length; g++) {
      const k = keyStr([`${name}-combine`, depth, g]);
      const refs = level.slice(g * splitEvery, (g + 1) * splitEvery).map((r) => new TaskRef(r));
      tasks.set(k, new Task(kernel(combine.kernel), [refs, ...(combine.args ?? [])]));
      next.push(k);
    }
    level = next;
    depth++;
  }
  // The aggregate folds the last group itself (no separate combine of it).
  const refs = level.map((r) => new TaskRef(r));
  const combined = new Task(kernel(combine.kernel), [refs, ...(combine.args ?? [])]);
  tasks.set(partitionKey(name, 0), new Task(kernel(aggregate.kernel), [combined, ...(aggregate.args ?? [])]));
  return { name, dask: addLayer(name, tasks, [input, ...extraInputs]) };
}

/**
 * A shuffle: every input partition is split by `split.kernel(partition, nout, ...args)` into an array
 * of `nout` pieces (piece j holds the rows bound for output j), and output partition j is
 * `gatherKernel(splits, j)`, which concatenates piece j of every split.
 *
 * Each output task takes every split as input and picks its piece: on threads pieces on shared memory
 * cost nothing to pass; on processes each split crosses once per output.
 */
export function shuffleLayer(
  prefix: string,
  input: PartitionedInput,
  nout: number,
  split: Stage,
  gatherKernel: string,
  tokenExtra: readonly unknown[] = [],
): { name: string; dask: LayeredGraph } {
  if (!Number.isInteger(nout) || nout < 1) throw new RangeError(`The number of output partitions must be a positive integer; got ${nout}.`);
  const name = opName(prefix, input._name, nout, split, gatherKernel, ...tokenExtra);
  const splitName = `${name}-split`;
  const tasks: Graph = new Map();
  const splits: TaskRef[] = [];
  for (let i = 0; i < input.npartitions; i++) {
    const k = partitionKey(splitName, i);
    tasks.set(k, new Task(kernel(split.kernel), [new TaskRef(partitionKey(input._name, i)), nout, ...(split.args ?? [])]));
    splits.push(new TaskRef(k));
  }
  for (let j = 0; j < nout; j++) tasks.set(partitionKey(name, j), new Task(kernel(gatherKernel), [splits, j]));
  return { name, dask: addLayer(name, tasks, [input]) };
}
