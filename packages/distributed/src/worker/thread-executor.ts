/**
 * Runs a distributed worker's tasks on its own pool of worker threads (core's ThreadPool and worker
 * runtime). Results come back to the worker's main thread, which holds them and serves them to peers.
 *
 * Each thread has one long-lived run of the pool. Tasks given to a thread in the same event-loop turn
 * leave as one message, and the keys whose results came back ride along with the next message as
 * releases (or alone, once the thread is idle), so the thread keeps nothing for long. A task error ends
 * the run inside the thread (it drops that run's queued tasks), so the thread then gets a fresh run and
 * the dropped tasks are sent again.
 */
import { ThreadPool } from "@dask-ts/core/schedulers/thread-pool";
import { WorkerDiedError } from "@dask-ts/core";
import type { TaskResult } from "@dask-ts/core/worker/protocol";

interface Job {
  key: string;
  node: unknown;
  data: Array<[string, unknown]>;
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

interface Lane {
  run: number;
  /** Jobs sent and not answered, by key. */
  inflight: Map<string, Job>;
  /** Jobs to send with the next message. */
  outgoing: Job[];
  /** Keys the thread may forget. */
  releases: string[];
  flushScheduled: boolean;
}

/** A pool of `nthreads` threads running the worker's tasks. */
export class ThreadExecutor {
  private readonly pool: ThreadPool;
  private readonly lanes: Lane[];
  private nextRun = 1;

  constructor(readonly nthreads: number) {
    this.pool = new ThreadPool(nthreads);
    this.lanes = [];
    for (let i = 0; i < nthreads; i++) {
      const lane: Lane = { run: 0, inflight: new Map(), outgoing: [], releases: [], flushScheduled: false };
      this.lanes.push(lane);
      this.newRun(i);
    }
  }

  /** Starts the threads now (they load their kernel modules while the worker registers). */
  warm(): void {
    this.pool.warm();
  }

  /** Tasks queued or running on the threads. */
  get inflight(): number {
    let n = 0;
    for (const l of this.lanes) n += l.inflight.size + l.outgoing.length;
    return n;
  }

  private newRun(i: number): void {
    const lane = this.lanes[i]!;
    if (lane.run) {
      this.pool.end(lane.run);
      this.pool.detach(lane.run);
    }
    const run = this.nextRun++;
    lane.run = run;
    lane.releases = []; // the old run's store is gone with it
    this.pool.attach(run, {
      onDone: (_l: number, results: TaskResult[]) => this.onDone(i, run, results),
      onError: (_l: number, key: string, error: unknown) => this.onError(i, run, key, error),
      onLaneDied: (_l: number, error: Error) => this.onLaneDied(i, run, error),
    });
  }

  /** Runs `node` with its dependency values on the least busy thread; resolves to its value. */
  run(key: string, node: unknown, data: Array<[string, unknown]>): Promise<unknown> {
    let best = 0;
    let load = Infinity;
    for (let i = 0; i < this.lanes.length; i++) {
      const l = this.lanes[i]!;
      const n = l.inflight.size + l.outgoing.length;
      if (n < load) {
        load = n;
        best = i;
      }
    }
    return new Promise<unknown>((resolve, reject) => {
      this.enqueue(best, { key, node, data, resolve, reject });
    });
  }

  private enqueue(i: number, job: Job): void {
    const lane = this.lanes[i]!;
    lane.outgoing.push(job);
    this.scheduleFlush(i);
  }

  private scheduleFlush(i: number): void {
    const lane = this.lanes[i]!;
    if (lane.flushScheduled) return;
    lane.flushScheduled = true;
    queueMicrotask(() => this.flush(i));
  }

  private flush(i: number): void {
    const lane = this.lanes[i]!;
    lane.flushScheduled = false;
    if (lane.outgoing.length === 0 && lane.releases.length === 0) return;
    const jobs = lane.outgoing;
    lane.outgoing = [];
    const release = lane.releases;
    lane.releases = [];
    const tasks: Array<[string, unknown]> = [];
    const data: Array<[string, unknown]> = [];
    for (const j of jobs) {
      lane.inflight.set(j.key, j);
      tasks.push([j.key, j.node]);
      for (const d of j.data) data.push(d);
    }
    try {
      this.pool.send(i, { t: "run", run: lane.run, tasks, data, release });
    } catch (e) {
      for (const j of jobs) {
        lane.inflight.delete(j.key);
        j.reject(e);
      }
    }
  }

  private onDone(i: number, run: number, results: TaskResult[]): void {
    const lane = this.lanes[i]!;
    if (lane.run !== run) return;
    for (const r of results) {
      const job = lane.inflight.get(r[0]);
      if (!job) continue;
      lane.inflight.delete(r[0]);
      lane.releases.push(r[0]);
      job.resolve(r[1]);
    }
    // An idle thread would otherwise hold the results until its next task.
    if (lane.inflight.size === 0 && lane.outgoing.length === 0) this.scheduleFlush(i);
  }

  private onError(i: number, run: number, key: string, error: unknown): void {
    const lane = this.lanes[i]!;
    if (lane.run !== run) return;
    const failed = lane.inflight.get(key) ?? [...lane.inflight.values()][0];
    if (failed) lane.inflight.delete(failed.key);
    // The thread dropped the rest of this run: send them again under a new run.
    const resend = [...lane.inflight.values()];
    lane.inflight.clear();
    this.newRun(i);
    failed?.reject(error);
    lane.outgoing = resend.concat(lane.outgoing);
    if (lane.outgoing.length) this.scheduleFlush(i);
  }

  private onLaneDied(i: number, run: number, error: Error): void {
    const lane = this.lanes[i]!;
    if (lane.run !== run) return;
    const lost = [...lane.inflight.values()];
    lane.inflight.clear();
    this.newRun(i);
    const err = new WorkerDiedError(this.pool.laneName(i), lost.map((j) => j.key), error.message);
    for (const j of lost) j.reject(err);
  }

  /** Stops the threads. */
  close(): Promise<void> {
    return this.pool.close();
  }
}
