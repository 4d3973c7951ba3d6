/** The base of the threads and processes pools: lanes of long-lived workers, routing, recovery. */
import { workerModules } from "../fn/registry.js";
import type { FromWorker, ToWorker } from "../worker/protocol.js";
import type { LanePool, RunHandler } from "./lanes.js";

/** One live worker (thread or process) as the pool drives it. */
export interface WorkerHandle {
  post(msg: ToWorker): void;
  ref(): void;
  unref(): void;
  terminate(): Promise<void>;
}

/** Callbacks a subclass wires to its worker's events. */
export interface WorkerEvents {
  message(msg: FromWorker): void;
  died(error: Error): void;
  /** A message could not be encoded: its run fails with the error. */
  sendFailed(msg: ToWorker, error: unknown): void;
  /** A message from the worker could not be decoded: its run (if known) fails with the error. */
  receiveFailed(run: number | undefined, error: unknown): void;
}

/** A pool of `size` workers; a worker that dies is replaced when next needed. */
export abstract class WorkerPool implements LanePool {
  readonly retains = true;
  private readonly workers: Array<WorkerHandle | undefined>;
  private readonly modulesSent: number[];
  private readonly runs = new Map<number, RunHandler>();
  private readonly runLanes = new Map<number, Set<number>>();
  private closed = false;

  constructor(readonly lanes: number, private readonly kind: string) {
    this.workers = new Array(lanes).fill(undefined);
    this.modulesSent = new Array(lanes).fill(0);
  }

  /** Starts a worker for a lane with the modules it must import first. */
  protected abstract spawn(lane: number, modules: readonly string[], events: WorkerEvents): WorkerHandle;

  laneName(lane: number): string {
    return `${this.kind} ${lane}`;
  }

  /** Starts every worker now rather than on first use (benchmarks, warm pools). */
  warm(): void {
    for (let l = 0; l < this.lanes; l++) this.worker(l);
    if (this.runs.size === 0) for (const w of this.workers) w?.unref();
  }

  private worker(lane: number): WorkerHandle {
    let w = this.workers[lane];
    if (w) return w;
    const modules = workerModules();
    let dead = false;
    w = this.spawn(lane, modules, {
      message: (msg) => this.route(lane, msg),
      died: (error) => {
        // A worker the pool already replaced or stopped on purpose has nothing to report.
        if (dead || this.workers[lane] !== w) return;
        dead = true;
        this.workers[lane] = undefined;
        for (const [id, h] of this.runs) if (this.runLanes.get(id)?.has(lane)) h.onLaneDied(lane, error);
      },
      sendFailed: (msg, error) => {
        if (msg.t === "run") this.runs.get(msg.run)?.onError(lane, msg.tasks[0]?.[0] ?? "<data>", error);
      },
      receiveFailed: (run, error) => {
        // Without a readable run id, every run using this lane fails rather than wait forever.
        for (const [id, h] of this.runs) {
          if (run === id || (run === undefined && this.runLanes.get(id)?.has(lane))) h.onError(lane, "<result>", error);
        }
      },
    });
    this.workers[lane] = w;
    this.modulesSent[lane] = modules.length;
    if (this.runs.size > 0) w.ref();
    else w.unref();
    return w;
  }

  private route(lane: number, msg: FromWorker): void {
    if (msg.t === "ready") return;
    const h = this.runs.get(msg.run);
    if (!h) return; // a run that already ended
    if (msg.t === "done") h.onDone(lane, msg.results);
    else if (msg.t === "event") h.onEvent?.(lane, msg.key, msg.name, msg.data);
    else h.onError(lane, msg.key, msg.error, msg.contained);
  }

  attach(run: number, handler: RunHandler): void {
    if (this.closed) throw new Error(`This ${this.kind} pool is closed.`);
    // Keep the process alive while work is in flight; idle pools never hold it open.
    if (this.runs.size === 0) for (const w of this.workers) w?.ref();
    this.runs.set(run, handler);
    this.runLanes.set(run, new Set());
  }

  detach(run: number): void {
    this.runs.delete(run);
    if (this.runs.size === 0) for (const w of this.workers) w?.unref();
  }

  send(lane: number, msg: Extract<ToWorker, { t: "run" }>): void {
    if (this.closed) throw new Error(`This ${this.kind} pool was closed (closeSchedulers()); compute again to use a new one.`);
    const w = this.worker(lane);
    const all = workerModules();
    if (all.length > this.modulesSent[lane]!) {
      msg.modules = all.slice(this.modulesSent[lane]);
      this.modulesSent[lane] = all.length;
    }
    this.runLanes.get(msg.run)?.add(lane);
    w.post(msg);
  }

  end(run: number, interrupt: readonly number[] = []): void {
    const lanes = this.runLanes.get(run);
    this.runLanes.delete(run);
    if (!lanes) return;
    for (const l of lanes) this.workers[l]?.post({ t: "end", run });
    // A worker still busy with a cancelled or failed run is stopped (and replaced on next use), unless
    // another run is using it too: a long task must not hold the lane hostage.
    for (const l of interrupt) {
      const sharing = [...this.runLanes.values()].some((set) => set.has(l));
      const w = this.workers[l];
      if (!sharing && w) {
        this.workers[l] = undefined;
        void w.terminate();
      }
    }
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    this.closed = true;
    const ws = this.workers.splice(0, this.workers.length, ...new Array(this.lanes).fill(undefined));
    await Promise.all(ws.map((w) => w?.terminate()));
  }
}
