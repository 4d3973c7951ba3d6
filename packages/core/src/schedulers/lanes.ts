/** Lanes: the parallel workers of a local pool, as the engine sees them. */
import type { TaskResult, ToWorker } from "../worker/protocol.js";

/** What a run hears back from its lanes. */
export interface RunHandler {
  onDone(lane: number, results: TaskResult[]): void;
  /** A task failed; `contained`: the lane goes on with the run's other tasks (independent runs). */
  onError(lane: number, key: string, error: unknown, contained?: boolean): void;
  onLaneDied(lane: number, error: Error): void;
  /** A running task sent an event through its task context (independent runs). */
  onEvent?(lane: number, key: string, name: string, data: unknown): void;
}

/** A set of workers that take batches of tasks. */
export interface LanePool {
  /** Number of workers. */
  readonly lanes: number;
  /** Workers keep results across batches of a run (so dependents on the same worker need no copy). */
  readonly retains: boolean;
  /** A fixed limit of tasks in flight per lane (otherwise the engine adapts it to task durations). */
  readonly maxInflight?: number;
  /** A short name for errors ("thread 2", "process 1"). */
  laneName(lane: number): string;
  attach(run: number, handler: RunHandler): void;
  detach(run: number): void;
  send(lane: number, msg: Extract<ToWorker, { t: "run" }>): void;
  /**
   * Lanes in this thread: forget (run, key) now rather than with the lane's next batch (which may never
   * come when the whole graph was sent at once). `recycle` as in ToWorker's `recycle` list.
   */
  releaseNow?(lane: number, run: number, key: string, recycle: boolean): void;
  /** Tells every lane the run is over; `interrupt` lists lanes still running its tasks (a failed or cancelled run). */
  end(run: number, interrupt?: readonly number[]): void;
}
