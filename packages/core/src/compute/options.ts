/** Options of compute()/persist(), shared by every scheduler. */
import type { ProgressReporter } from "../diagnostics/progress.js";
import type { Executor } from "../schedulers/executor.js";
import type { Scheduler } from "../schedulers/scheduler.js";

/** Counters a scheduler fills in when `stats` is passed (tests and benchmarks read them). */
export interface RunStats {
  /** Tasks run. */
  tasks: number;
  /** Most task results held at once by the scheduler. */
  peakHeld: number;
  /** Messages sent to workers (batches). */
  batches: number;
}

/** How to run a computation. */
export interface ComputeOptions {
  /** "sync", "threads", "processes", a distributed Client, or any Executor. */
  scheduler?: "sync" | "threads" | "processes" | Scheduler | Executor | string;
  /** Workers of the local pool (default: number of cores). */
  numWorkers?: number;
  /** Run graph optimizations (cull, inline, fuse); default true. */
  optimize?: boolean;
  /** Show a terminal progress bar (true), or report to your own ProgressReporter. */
  progress?: boolean | ProgressReporter;
  /** Filled with counters of the run. */
  stats?: RunStats;
  /** Abort the computation (rejects with CancelledError). */
  signal?: AbortSignal;
}

/** Names of ComputeOptions, used to tell an options object from a value passed to compute(). */
export const computeOptionNames = new Set(["scheduler", "numWorkers", "optimize", "progress", "stats", "signal"]);
