/** The Executor interface: plug any compute backend in as a scheduler, without writing a pool. */
import { evaluate } from "../graph/evaluate.js";
import type { GraphNode } from "../graph/task.js";
import type { ToWorker } from "../worker/protocol.js";
import type { LanePool, RunHandler } from "./lanes.js";

/** One task to run: its node and the values of the keys it refers to. */
export interface ExecutorJob {
  /** The task's key (for logs and errors). */
  readonly key: string;
  /** The task: a Task, or a structure with Tasks and TaskRefs inside (serializable with serialize/codec). */
  readonly node: GraphNode;
  /** Values of the keys the node refers to. */
  readonly data: ReadonlyMap<string, unknown>;
  /** Runs the task here, in the calling thread (for executors that only limit or wrap execution). */
  run(): Promise<unknown>;
}

/**
 * A compute backend: runs jobs, up to `size` at a time. `submit` resolves to the task's value or rejects
 * with its error. Ship `{ node, data }` elsewhere with `encode` from "@dask-ts/core/serialize/codec" and
 * call `runJob(node, data)` on the other side, or call `job.run()` to run in this thread.
 */
export interface Executor {
  readonly size: number;
  submit(job: ExecutorJob): Promise<unknown>;
  close(): Promise<void>;
}

/** True when `v` implements Executor. */
export function isExecutor(v: unknown): v is Executor {
  const e = v as Executor | null;
  return typeof e?.submit === "function" && typeof e.size === "number" && typeof e.close === "function";
}

/** Evaluates a job's node with its dependency values (what an executor runs on its side). */
export async function runJob(node: GraphNode, data: ReadonlyMap<string, unknown>): Promise<unknown> {
  return evaluate(node, (k) => {
    if (!data.has(k)) throw new Error(`The job has no value for '${k}'.`);
    return data.get(k);
  });
}

/** Presents an Executor as lanes: one task in flight per slot; every job carries its inputs. */
export class ExecutorLanes implements LanePool {
  readonly retains = false;
  readonly maxInflight = 1;
  private readonly runs = new Map<number, RunHandler>();

  constructor(private readonly executor: Executor) {
    if (!Number.isInteger(executor.size) || executor.size < 1) {
      throw new TypeError(`Executor.size must be a positive integer; got ${String(executor.size)}`);
    }
  }

  get lanes(): number {
    return this.executor.size;
  }

  laneName(lane: number): string {
    return `executor slot ${lane}`;
  }

  attach(run: number, handler: RunHandler): void {
    this.runs.set(run, handler);
  }

  detach(run: number): void {
    this.runs.delete(run);
  }

  end(): void {}

  send(lane: number, msg: Extract<ToWorker, { t: "run" }>): void {
    const data = new Map(msg.data);
    for (const [key, node] of msg.tasks) {
      const job: ExecutorJob = { key, node, data, run: () => runJob(node, data) };
      let p: Promise<unknown>;
      try {
        p = Promise.resolve(this.executor.submit(job));
      } catch (e) {
        p = Promise.reject(e);
      }
      const t0 = performance.now();
      p.then(
        (value) => this.runs.get(msg.run)?.onDone(lane, [[key, value, performance.now() - t0]]),
        (error) => this.runs.get(msg.run)?.onError(lane, key, error),
      );
    }
  }
}
