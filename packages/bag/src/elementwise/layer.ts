/**
 * Graph building of the element-wise operations: one task per partition, `kernel(partition, index, ...)`,
 * so kernels can name the partition that failed; and extra arguments that may be Items, Delayed values or
 * identically partitioned bags (as Dask's map).
 */
import {
  InvalidArgumentError,
  Literal,
  Task,
  TaskRef,
  addLayer,
  flattenKeys,
  isDaskCollection,
  kernel,
  opName,
  partitionKey,
  type Graph,
  type LayeredGraph,
  type PartitionedInput,
} from "@dask-ts/core";
import { Bag, Item } from "../bag.js";

/** Extra arguments as graph nodes: per partition, which are bag partitions, and the graphs they come from. */
export interface ArgNodes {
  /** The argument nodes of partition i (values wrapped in Literal so tasks do not walk them). */
  nodes(i: number): unknown[];
  /** Positions of the arguments that are bags (their element at the same position goes to fn). */
  readonly zip: number[];
  /** Graphs the arguments come from. */
  readonly inputs: { dask: LayeredGraph }[];
  /** What names the arguments in the layer's token. */
  readonly token: unknown[];
}

/**
 * Nodes of extra arguments: a Bag stands for its partition i (it must have `npartitions` partitions), an
 * Item or a single-key collection (Delayed) for its value, anything else for itself.
 */
export function argNodes(op: string, npartitions: number, args: readonly unknown[]): ArgNodes {
  const makers: ((i: number) => unknown)[] = [];
  const zip: number[] = [];
  const inputs: { dask: LayeredGraph }[] = [];
  const token: unknown[] = [];
  args.forEach((a, j) => {
    if (a instanceof Bag) {
      if (a.npartitions !== npartitions) {
        throw new InvalidArgumentError(
          `${op}: the bag passed as extra argument ${j + 1} has ${a.npartitions} partitions and this bag ${npartitions}; ` +
            `bags passed as arguments must be partitioned identically.`,
        );
      }
      zip.push(j);
      inputs.push(a);
      token.push(a._name);
      makers.push((i) => new TaskRef(a.partitionKey(i)));
    } else if (a instanceof Item) {
      inputs.push(a);
      token.push(a._name);
      const ref = new TaskRef(partitionKey(a._name, 0));
      makers.push(() => ref);
    } else if (isDaskCollection(a)) {
      const keys = flattenKeys(a.daskKeys());
      if (keys.length !== 1 || a.daskPostcompute() !== undefined) {
        throw new InvalidArgumentError(`${op}: extra argument ${j + 1} is a collection of several parts; pass a Bag, an Item, a Delayed value or a plain value.`);
      }
      inputs.push({ dask: a.daskGraph() });
      token.push(keys[0]);
      const ref = new TaskRef(keys[0]!);
      makers.push(() => ref);
    } else {
      token.push(a);
      const lit = new Literal(a);
      makers.push(() => lit);
    }
  });
  return { nodes: (i) => makers.map((m) => m(i)), zip, inputs, token };
}

/** A layer whose partition i is `kernelName(partition i of b, i, ...extra(i))` (the number names a failing partition). */
export function partitionLayer(
  prefix: string,
  kernelName: string,
  b: PartitionedInput,
  extra: (i: number) => readonly unknown[],
  token: readonly unknown[],
  inputs: readonly { dask: LayeredGraph }[] = [],
): { name: string; dask: LayeredGraph } {
  const name = opName(prefix, kernelName, b._name, ...token);
  const fn = kernel(kernelName);
  const tasks: Graph = new Map();
  for (let i = 0; i < b.npartitions; i++) tasks.set(partitionKey(name, i), new Task(fn, [new TaskRef(partitionKey(b._name, i)), i, ...extra(i)]));
  return { name, dask: addLayer(name, tasks, [b, ...inputs]) };
}

/** A bag whose partition i is `kernelName(partition i of b, i, ...extra(i))`. */
export function partitionwise<T>(
  prefix: string,
  kernelName: string,
  b: Bag<unknown>,
  extra: (i: number) => unknown[],
  token: readonly unknown[],
  inputs: readonly { dask: LayeredGraph }[] = [],
): Bag<T> {
  const { name, dask } = partitionLayer(prefix, kernelName, b, extra, token, inputs);
  return new Bag<T>(dask, name, b.npartitions);
}
