/** Choosing a scheduler from a name, a Client or an Executor; the shared local pools. */
import { cpus } from "node:os";
import { config } from "../config/config.js";
import { createProgress } from "../diagnostics/progress.js";
import { UnknownSchedulerError } from "../errors.js";
import { makePlan } from "../graph/plan.js";
import type { Graph } from "../graph/task.js";
import { ExecutorLanes, isExecutor, type Executor } from "./executor.js";
import { GraphRun } from "./graph-run.js";
import type { LanePool } from "./lanes.js";
import { ProcessPool } from "./process-pool.js";
import { isScheduler, type RunOptions, type Scheduler } from "./scheduler.js";
import { syncScheduler } from "./sync.js";
import { ThreadPool } from "./thread-pool.js";
import type { WorkerPool } from "./worker-pool.js";

/** A scheduler that runs graphs on a pool of lanes with the shared engine. */
export class PoolScheduler implements Scheduler {
  constructor(private readonly pool: LanePool) {}
  async runGraph(graph: Graph, outputs: readonly string[], opts: RunOptions): Promise<Map<string, unknown>> {
    const plan = makePlan(graph);
    const run = new GraphRun(this.pool, plan, outputs, {
      progress: createProgress(opts.progress as never),
      stats: opts.stats,
      signal: opts.signal,
    });
    return run.start();
  }
}

const pools = new Map<string, WorkerPool>();
const executorSchedulers = new WeakMap<Executor, Scheduler>();

/** The shared, long-lived pool of a kind and size (started lazily, kept warm). */
export function getPool(kind: "threads" | "processes", size?: number): WorkerPool {
  const n = size ?? config.get<number>("numWorkers", cpus().length);
  const id = `${kind}:${n}`;
  let pool = pools.get(id);
  if (!pool) {
    pool = kind === "threads" ? new ThreadPool(n) : new ProcessPool(n);
    pools.set(id, pool);
  }
  return pool;
}

/** Resolves compute()'s `scheduler` option to a Scheduler. */
export function getScheduler(spec: unknown, opts: { numWorkers?: number } = {}): Scheduler {
  if (spec === "sync" || spec === "synchronous" || spec === "single-threaded") return syncScheduler;
  if (spec === "threads" || spec === "threading") return new PoolScheduler(getPool("threads", opts.numWorkers));
  if (spec === "processes" || spec === "multiprocessing") return new PoolScheduler(getPool("processes", opts.numWorkers));
  if (isScheduler(spec)) return spec;
  if (isExecutor(spec)) {
    let s = executorSchedulers.get(spec);
    if (!s) executorSchedulers.set(spec, (s = new PoolScheduler(new ExecutorLanes(spec))));
    return s;
  }
  throw new UnknownSchedulerError(spec);
}

/** Closes every shared pool (their workers exit). Pools restart on the next compute. */
export async function closeSchedulers(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.close()));
}
