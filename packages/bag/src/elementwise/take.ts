/** take(n): the first elements, computed from the first partitions only (the rest of the graph is culled). */
import {
  InvalidArgumentError,
  LayeredGraph,
  Task,
  TaskRef,
  compute as coreCompute,
  cull,
  kernel,
  opName,
  partitionKey,
  type ComputeOptions,
  type DaskCollection,
  type FnRef,
  type Graph,
} from "@dask-ts/core";
import type { Bag } from "../bag.js";

/** Options of take. */
export interface TakeOptions extends ComputeOptions {
  /** Partitions to take from (default 1, as Dask; -1 for all). */
  npartitions?: number;
  /** Warn when fewer than n elements are found (default true, as Dask). */
  warn?: boolean;
}

/** The heads of a bag's first partitions as a collection of its own: its graph holds only what they need. */
class HeadView implements DaskCollection<unknown[]> {
  constructor(
    private readonly graph: Graph,
    private readonly keys: string[],
    private readonly token: string,
    readonly daskScheduler: string,
  ) {}
  daskGraph(): LayeredGraph {
    return LayeredGraph.fromLayer(this.token, this.graph);
  }
  daskKeys(): string[] {
    return this.keys;
  }
  daskPostcompute(): { fn: FnRef; args: readonly unknown[] } {
    return { fn: kernel("bag.concat"), args: [] };
  }
  daskPostpersist(): never {
    throw new InvalidArgumentError("take: the partial bag cannot be persisted.");
  }
  daskToken(): string {
    return this.token;
  }
}

/** The first n elements of the first `npartitions` partitions (Dask: fewer is a warning, not an error). */
export async function take(b: Bag<any>, n: number, opts: TakeOptions = {}): Promise<any[]> {
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`take: n must be a non-negative integer; got ${n}.`);
  const { npartitions = 1, warn = true, ...computeOpts } = opts;
  const np = npartitions === -1 ? b.npartitions : npartitions;
  if (!Number.isInteger(np) || np < 1) throw new InvalidArgumentError(`take: npartitions must be a positive integer or -1 (all); got ${npartitions}.`);
  if (np > b.npartitions) throw new InvalidArgumentError(`take: the bag has only ${b.npartitions} partitions; take received npartitions ${np}.`);
  const name = opName("take", b._name, n, np);
  const tasks: Graph = new Map(b.dask.materialize());
  const keys: string[] = [];
  // Each partition sends back at most n elements.
  for (let i = 0; i < np; i++) {
    const k = partitionKey(name, i);
    tasks.set(k, new Task(kernel("bag.head"), [new TaskRef(b.partitionKey(i)), n]));
    keys.push(k);
  }
  // Culled here, not only by the optimizer: with { optimize: false } the other partitions must not run either.
  const view = new HeadView(cull(tasks, keys), keys, name, b.daskScheduler);
  const [all] = (await coreCompute(view, computeOpts)) as [unknown[]];
  if (all.length < n && warn) {
    console.warn(
      `Insufficient elements for \`take\`. ${n} elements requested, only ${all.length} elements available. ` +
        `Try passing larger \`npartitions\` to \`take\`.`,
    );
  }
  return all.length > n ? all.slice(0, n) : all;
}
