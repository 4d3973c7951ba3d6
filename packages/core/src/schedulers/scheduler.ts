/** What every scheduler offers: run a flat graph and return the values of the requested keys. */
import type { RunStats } from "../compute/options.js";
import type { ProgressReporter } from "../diagnostics/progress.js";
import type { Graph } from "../graph/task.js";

/** Options passed from compute() to a scheduler. */
export interface RunOptions {
  numWorkers?: number;
  progress?: unknown;
  stats?: RunStats;
  signal?: AbortSignal;
}

/** A scheduler: sync, the local pools, a distributed Client, or an Executor adapter. */
export interface Scheduler {
  /** Runs `graph` and resolves to the values of `outputs`. */
  runGraph(graph: Graph, outputs: readonly string[], opts: RunOptions): Promise<Map<string, unknown>>;
}

/** True when `v` is a Scheduler. */
export function isScheduler(v: unknown): v is Scheduler {
  return typeof (v as Scheduler | null)?.runGraph === "function";
}

export type { ProgressReporter };
