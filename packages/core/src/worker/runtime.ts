/** The task loop shared by worker threads and worker processes: run batches, hold results, report back. */
import { performance } from "node:perf_hooks";
import { failedKey, isThenable } from "../graph/evaluate.js";
import { TaskEvaluator } from "./task-evaluator.js";
import type { FromWorker, TaskResult, ToWorker } from "./protocol.js";
import { importWorkerModules } from "./modules.js";
import { ResultMemory } from "../memory/recycle.js";
import { clearBufferPoolWhenIdle } from "../memory/alloc.js";

/** How a runtime talks to its scheduler. */
export interface WorkerIO {
  send(msg: FromWorker): void;
}

/** Results are sent back at least this often while a batch runs (ms), so the scheduler can keep feeding. */
const FLUSH_MS = 1;

interface QueuedTask {
  run: number;
  key: string;
  node: unknown;
  /** Inputs shipped with this task's batch: used by its tasks only, never kept (the scheduler re-sends them if needed). */
  data: Map<string, unknown> | undefined;
}

/** A worker's state: queued tasks, held results per run, and the loop that drains the queue. */
export class WorkerRuntime {
  private readonly queue: QueuedTask[] = [];
  private head = 0;
  private readonly stores = new Map<number, Map<string, unknown>>();
  private readonly ended = new Set<number>();
  private draining = false;
  private pendingModules: Promise<void> = Promise.resolve();
  /** Module imports not finished yet: a drain waits for them before its next task. */
  private importing = 0;
  /** A failed module import, per run whose batch carried the module: that run's tasks fail with it. */
  private readonly moduleErrors = new Map<number, unknown>();
  /** Which chunk buffers of held results are provably dead once released (memory/recycle.ts). */
  private readonly memory = new ResultMemory();
  private readonly evaluator = new TaskEvaluator(this.memory);

  constructor(private readonly io: WorkerIO) {}

  /** Handles one message from the scheduler. */
  receive(msg: ToWorker): void {
    if (msg.t === "end") {
      this.stores.delete(msg.run);
      this.moduleErrors.delete(msg.run);
      this.memory.endRun(msg.run);
      // Idle: the free lists go back to the GC unless another computation starts soon.
      if (this.stores.size === 0) clearBufferPoolWhenIdle();
      this.ended.add(msg.run);
      if (this.ended.size > 1024) this.ended.delete(this.ended.values().next().value!);
      return;
    }
    if (this.ended.has(msg.run)) return;
    if (msg.modules?.length) {
      const mods = msg.modules;
      const run = msg.run;
      // A module that fails to import fails the run that sent it (its tasks may need it), not the worker:
      // other runs' tasks that need it fail on their own with an unknown-kernel error.
      this.importing++;
      this.pendingModules = this.pendingModules
        .then(() => importWorkerModules(mods))
        .catch((e: unknown) => void this.moduleErrors.set(run, e))
        .finally(() => this.importing--);
    }
    let store = this.stores.get(msg.run);
    if (!store) this.stores.set(msg.run, (store = new Map()));
    this.memory.forget(msg.run, store, msg.release, msg.recycle);
    const data = msg.data.length ? new Map(msg.data) : undefined;
    for (const [key, node] of msg.tasks) this.queue.push({ run: msg.run, key, node, data });
    if (!this.draining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    let results: TaskResult[] = [];
    let resultsRun = -1;
    let lastFlush = performance.now();
    const flush = (): void => {
      if (results.length) this.io.send({ t: "done", run: resultsRun, results });
      results = [];
      lastFlush = performance.now();
    };
    try {
      while (this.head < this.queue.length) {
        // Modules may arrive with any batch, also while this drain waits on an async task.
        if (this.importing > 0) await this.pendingModules;
        const task = this.queue[this.head]!;
        this.queue[this.head++] = undefined as unknown as QueuedTask;
        if (this.head > 4096 && this.head * 2 > this.queue.length) {
          this.queue.splice(0, this.head);
          this.head = 0;
        }
        const store = this.stores.get(task.run);
        if (!store) continue; // run ended or failed
        if (task.run !== resultsRun) {
          flush();
          resultsRun = task.run;
        }
        const t0 = performance.now();
        let value: unknown;
        try {
          if (this.moduleErrors.size && this.moduleErrors.has(task.run)) throw this.moduleErrors.get(task.run);
          value = this.evaluator.evaluate(task.run, task.key, task.node, task.data, store);
          if (isThenable(value)) {
            flush(); // let the scheduler see finished work while this one waits
            value = await value;
          }
        } catch (error) {
          flush();
          this.stores.delete(task.run);
          this.moduleErrors.delete(task.run);
          this.memory.endRun(task.run);
          this.ended.add(task.run); // later batches of this run are dropped, not started afresh
          this.io.send({ t: "error", run: task.run, key: failedKey(error) ?? task.key, error });
          continue;
        }
        const t1 = performance.now();
        store.set(task.key, value);
        const flags = this.evaluator.flags;
        results.push(flags ? [task.key, value, t1 - t0, flags] : [task.key, value, t1 - t0]);
        if (t1 - lastFlush > FLUSH_MS) flush();
      }
      flush();
    } finally {
      this.draining = false;
    }
  }
}
