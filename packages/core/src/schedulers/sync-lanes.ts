/** The sync scheduler's lane: the engine's one worker is this thread, running tasks in dispatch order. */
import { evaluate, failedKey, isThenable } from "../graph/evaluate.js";
import type { ToWorker } from "../worker/protocol.js";
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
  }

  send(_lane: number, msg: Extract<ToWorker, { t: "run" }>): void {
    const store = this.stores.get(msg.run);
    if (!store) return;
    for (const k of msg.release) store.delete(k);
    const data = msg.data.length ? new Map(msg.data) : undefined;
    for (const [key, node] of msg.tasks) this.queue.push({ run: msg.run, key, node, data });
    if (!this.draining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    // Results go to the engine in small batches (its bookkeeping per call is then amortized);
    // durations are not measured: this lane's capacity is fixed.
    let results: Array<[string, unknown, number]> = [];
    let resultsRun = -1;
    const flush = (): void => {
      const h = this.runs.get(resultsRun);
      const batch = results;
      results = [];
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
          const data = t.data;
          value = evaluate(t.node, data ? (k) => (data.has(k) ? data.get(k) : store.get(k)) : (k) => store.get(k));
          if (isThenable(value)) {
            flush();
            value = await value;
          }
        } catch (error) {
          flush();
          this.stores.delete(t.run);
          handler.onError(0, failedKey(error) ?? t.key, error);
          continue;
        }
        if (!this.stores.has(t.run)) continue; // failed or cancelled while this task awaited
        store.set(t.key, value);
        results.push([t.key, value, 0]);
        if (results.length >= RESULT_BATCH) flush();
      }
      flush();
    } finally {
      this.queue.length = 0;
      this.head = 0;
      this.draining = false;
    }
  }
}
