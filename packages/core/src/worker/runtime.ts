/** The task loop shared by worker threads and worker processes: run batches, hold results, report back. */
import { performance } from "node:perf_hooks";
import { failedKey, isThenable } from "../graph/evaluate.js";
import { TaskEvaluator } from "./task-evaluator.js";
import type { FromWorker, TaskResult, ToWorker } from "./protocol.js";
import { importWorkerModules } from "./modules.js";
import { ResultMemory } from "../memory/recycle.js";
import { clearBufferPoolWhenIdle } from "../memory/alloc.js";
import { runInTaskContext, type TaskContext } from "./task-context.js";

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

/** Per run: the options its batches carried. */
interface RunMode {
  independent: boolean;
  /** Keys whose values stay here (actors): their results are sent as undefined. */
  keep: Set<string> | undefined;
}

/** A worker's state: queued tasks, held results per run, and the loop that drains the queue. */
export class WorkerRuntime {
  private readonly queue: QueuedTask[] = [];
  private head = 0;
  private readonly stores = new Map<number, Map<string, unknown>>();
  private readonly modes = new Map<number, RunMode>();
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
  /** Finished tasks not sent yet, all of run `resultsRun`. */
  private results: TaskResult[] = [];
  private resultsRun = -1;
  private lastFlush = performance.now();
  private flushScheduled = false;

  constructor(private readonly io: WorkerIO) {}

  /** Handles one message from the scheduler. */
  receive(msg: ToWorker): void {
    if (msg.t === "end") {
      this.stores.delete(msg.run);
      this.modes.delete(msg.run);
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
    if (msg.independent || msg.keep?.length) {
      let mode = this.modes.get(msg.run);
      if (!mode) this.modes.set(msg.run, (mode = { independent: false, keep: undefined }));
      if (msg.independent) mode.independent = true;
      if (msg.keep?.length) for (const k of msg.keep) (mode.keep ??= new Set()).add(k);
    }
    this.memory.forget(msg.run, store, msg.release, msg.recycle);
    const data = msg.data.length ? new Map(msg.data) : undefined;
    for (const [key, node] of msg.tasks) this.queue.push({ run: msg.run, key, node, data });
    if (!this.draining) void this.drain();
  }

  /** Sends the finished tasks gathered so far. */
  private flush(): void {
    if (this.results.length) this.io.send({ t: "done", run: this.resultsRun, results: this.results });
    this.results = [];
    this.lastFlush = performance.now();
  }

  /** Records a finished task; results of one run leave together, at least every FLUSH_MS. */
  private finished(run: number, key: string, value: unknown, t0: number, flags: number, keep: Set<string> | undefined): void {
    const now = performance.now();
    if (run !== this.resultsRun) {
      this.flush();
      this.resultsRun = run;
    }
    // A kept value (an actor) never leaves this worker: its task reports only that it finished.
    const out = keep?.has(key) ? undefined : value;
    this.results.push(flags ? [key, out, now - t0, flags] : [key, out, now - t0]);
    if (now - this.lastFlush > FLUSH_MS) this.flush();
  }

  /** An async task of an independent run finished after the drain moved on: send soon, batched. */
  private scheduleFlush(): void {
    if (this.flushScheduled || this.draining) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      if (!this.draining) this.flush();
    });
  }

  private fail(run: number, key: string, error: unknown, mode: RunMode | undefined): void {
    this.flush();
    if (mode?.independent) {
      this.io.send({ t: "error", run, key, error, contained: true });
      return;
    }
    this.stores.delete(run);
    this.moduleErrors.delete(run);
    this.memory.endRun(run);
    this.ended.add(run); // later batches of this run are dropped, not started afresh
    this.io.send({ t: "error", run, key: failedKey(error) ?? key, error });
  }

  private async drain(): Promise<void> {
    this.draining = true;
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
        const mode = this.modes.get(task.run);
        const t0 = performance.now();
        let value: unknown;
        try {
          if (this.moduleErrors.size && this.moduleErrors.has(task.run)) throw this.moduleErrors.get(task.run);
          value = mode?.independent ? this.evaluateInContext(task, store) : this.evaluator.evaluate(task.run, task.key, task.node, task.data, store);
          if (isThenable(value)) {
            this.flush(); // let the scheduler see finished work while this one waits
            if (mode?.independent) {
              // Independent tasks never wait for each other: later ones run while this one awaits.
              this.settleLater(task, value, store, mode, t0, this.evaluator.flags);
              continue;
            }
            value = await value;
          }
        } catch (error) {
          this.fail(task.run, task.key, error, mode);
          continue;
        }
        store.set(task.key, value);
        this.finished(task.run, task.key, value, t0, this.evaluator.flags, mode?.keep);
      }
      this.flush();
    } finally {
      this.draining = false;
    }
  }

  private evaluateInContext(task: QueuedTask, store: Map<string, unknown>): unknown {
    const ctx: TaskContext = {
      key: task.key,
      emit: (name, data) => this.io.send({ t: "event", run: task.run, key: task.key, name, data }),
    };
    return runInTaskContext(ctx, () => this.evaluator.evaluate(task.run, task.key, task.node, task.data, store));
  }

  private settleLater(task: QueuedTask, pending: PromiseLike<unknown>, store: Map<string, unknown>, mode: RunMode, t0: number, flags: number): void {
    Promise.resolve(pending).then(
      (value) => {
        if (this.stores.get(task.run) !== store) return; // the run ended meanwhile
        store.set(task.key, value);
        this.finished(task.run, task.key, value, t0, flags, mode.keep);
        this.scheduleFlush();
      },
      (error: unknown) => {
        if (this.stores.get(task.run) !== store) return;
        this.fail(task.run, task.key, error, mode);
      },
    );
  }
}
