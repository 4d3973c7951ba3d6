/** Choosing a scheduler from a name, a Client or an Executor; the shared local pools. */
import { cpus } from "node:os";
import { config } from "../config/config.js";
import { ConfigError, UnknownSchedulerError } from "../errors.js";
import { ExecutorLanes, isExecutor, type Executor } from "./executor.js";
import { PoolScheduler } from "./pool-scheduler.js";
import { ProcessPool } from "./process-pool.js";
import { isScheduler, type Scheduler } from "./scheduler.js";
import { syncScheduler } from "./sync.js";
import { ThreadPool } from "./thread-pool.js";
import type { WorkerPool } from "./worker-pool.js";

export { PoolScheduler };

const pools = new Map<string, WorkerPool>();
const executorSchedulers = new WeakMap<Executor, Scheduler>();

/** The shared, long-lived pool of a kind and size (started lazily, kept warm). */
export function getPool(kind: "threads" | "processes", size?: number): WorkerPool {
  const n = size ?? config.get<number>("numWorkers", Math.max(1, cpus().length));
  if (!Number.isInteger(n) || n < 1) {
    throw new ConfigError(`numWorkers must be a positive integer; got ${String(n)}. Use e.g. { numWorkers: 2 }.`);
  }
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
