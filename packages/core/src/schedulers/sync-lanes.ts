/** The sync scheduler's lane: the engine's one worker is this thread, running tasks in dispatch order. */
import { failedKey, isThenable } from "../graph/evaluate.js";
import { TaskEvaluator } from "../worker/task-evaluator.js";
import type { TaskResult, ToWorker } from "../worker/protocol.js";
import { ResultMemory } from "../memory/recycle.js";
import { clearBufferPoolWhenIdle } from "../memory/alloc.js";
import type { LanePool, RunHandler } from "./lanes.js";

interface Queued {
  run: number;
  key: string;
  node: unknown;
  data: Map<string, unknown> | undefined;
}

/** Tasks between yields to the event loop, so progress bars and AbortSignals are heard during long graphs. */
const YIELD_EVERY = 1024;
/** Results handed to the engine per call: small enough that finished inputs are released promptly. */
const RESULT_BATCH = 64;
/** ...and at least this often (ms), so that inputs of long tasks (array chunks) are released after each. */
const RESULT_MS = 1;

/**
 * One in-thread lane. Functions are called directly (errors keep their original stack and class,
 * breakpoints work). Batches are queued and drained by one loop, so a chain of results feeding new
 * batches never recurses.
 */
export class SyncLanes implements LanePool {
  readonly lanes = 1;
  readonly retains = true;
  /** Everything ready may be queued: there is no message cost to amortize and no other lane to balance. */
  readonly maxInflight = 2 ** 30;
  private readonly runs = new Map<number, RunHandler>();
  private readonly stores = new Map<number, Map<string, unknown>>();
  private readonly queue: Queued[] = [];
  private head = 0;
  private draining = false;
  /** Which chunk buffers of held results are provably dead once released (memory/recycle.ts). */
  private readonly memory = new ResultMemory();
  private readonly evaluator = new TaskEvaluator(this.memory);

  laneName(): string {
    return "the main thread";
  }

  attach(run: number, handler: RunHandler): void {
    this.runs.set(run, handler);
    this.stores.set(run, new Map());
  }

  detach(run: number): void {
    this.runs.delete(run);
  }

  end(run: number): void {
    this.stores.delete(run);
    this.memory.endRun(run);
    if (this.stores.size === 0) clearBufferPoolWhenIdle(); // unless another computation starts soon
  }

  releaseNow(_lane: number, run: number, key: string, recycle: boolean): void {
    // Called by the engine between tasks (from onDone), never while one is being evaluated.
    if (!this.stores.get(run)?.delete(key)) return;
    this.memory.release(run, key, recycle);
  }

  send(_lane: number, msg: Extract<ToWorker, { t: "run" }>): void {
    const store = this.stores.get(msg.run);
    if (!store) return;
    this.memory.forget(msg.run, store, msg.release, msg.recycle);
    const data = msg.data.length ? new Map(msg.data) : undefined;
    for (const [key, node] of msg.tasks) this.queue.push({ run: msg.run, key, node, data });
    if (!this.draining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    // Results go to the engine in small batches (its bookkeeping per call is then amortized);
    // durations are not measured: this lane's capacity is fixed.
    let results: TaskResult[] = [];
    let resultsRun = -1;
    let lastFlush = performance.now();
    const flush = (): void => {
      const h = this.runs.get(resultsRun);
      const batch = results;
      results = [];
      lastFlush = performance.now();
      if (h && batch.length) h.onDone(0, batch);
    };
    try {
      let sinceYield = 0;
      while (this.head < this.queue.length) {
        const t = this.queue[this.head]!;
        this.queue[this.head++] = undefined as unknown as Queued;
        const store = this.stores.get(t.run);
        const handler = this.runs.get(t.run);
        if (!store || !handler) continue;
        if (t.run !== resultsRun) {
          flush();
          resultsRun = t.run;
        }
        if (++sinceYield >= YIELD_EVERY) {
          sinceYield = 0;
          flush();
          await new Promise<void>((r) => setImmediate(r));
          if (!this.stores.has(t.run)) continue;
        }
        let value: unknown;
        try {
          value = this.evaluator.evaluate(t.run, t.key, t.node, t.data, store);
          if (isThenable(value)) {
            flush();
            value = await value;
          }
        } catch (error) {
          flush();
          this.stores.delete(t.run);
          this.memory.endRun(t.run);
          handler.onError(0, failedKey(error) ?? t.key, error);
          continue;
        }
        if (!this.stores.has(t.run)) {
          this.memory.endRun(t.run); // failed or cancelled while this task ran
          continue;
        }
        store.set(t.key, value);
        const flags = this.evaluator.flags;
        results.push(flags ? [t.key, value, 0, flags] : [t.key, value, 0]);
        if (results.length >= RESULT_BATCH || performance.now() - lastFlush > RESULT_MS) flush();
      }
      flush();
    } finally {
      this.queue.length = 0;
      this.head = 0;
      this.draining = false;
    }
  }
}
