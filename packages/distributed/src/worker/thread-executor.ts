/**
 * Runs a distributed worker's tasks on its own pool of worker threads (core's ThreadPool and worker
 * runtime). Results come back to the worker's main thread, which holds them and serves them to peers.
 *
 * Each thread has one long-lived, independent run of the pool: every task ships with its inputs, a task
 * that awaits (e.g. on tasks it submitted itself) does not hold back the thread's next tasks, and a task
 * error fails only that task. Tasks given to a thread in the same event-loop turn leave as one message, and
 * the keys whose results came back ride along with the next message as releases (or alone, once the thread
 * is idle), so the thread keeps nothing for long, except actors: their instances stay in their thread,
 * which runs their method calls. A message that cannot be delivered ends the run: the thread then gets a
 * fresh run and the dropped tasks are sent again (actors of the old run are lost).
 */
import { ThreadPool } from "@dask-ts/core/schedulers/thread-pool";
import { WorkerDiedError } from "@dask-ts/core";
import type { TaskResult } from "@dask-ts/core/worker/protocol";

interface Job {
  key: string;
  node: unknown;
  data: Array<[string, unknown]>;
  /** The value stays in the thread (an actor); the job resolves to undefined. */
  keep?: boolean;
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

/** Where an actor lives: its thread and the run that holds it. */
interface ActorHome {
  lane: number;
  run: number;
}

/** A pool of `nthreads` threads running the worker's tasks. */
export class ThreadExecutor {
  private readonly pool: ThreadPool;
  private readonly lanes: Lane[];
  private nextRun = 1;
  private readonly actors = new Map<string, ActorHome>();
  /** Events that running tasks send (secede, rejoin), by task key. */
  onTaskEvent: (key: string, name: string, data: unknown) => void = () => undefined;

  /** `env`: environment of the threads (getClient() inside tasks reads the scheduler address from it). */
  constructor(readonly nthreads: number, env?: Record<string, string | undefined>) {
    this.pool = new ThreadPool(nthreads, env ? { env } : {});
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
      onError: (_l: number, key: string, error: unknown, contained?: boolean) => this.onError(i, run, key, error, contained === true),
      onLaneDied: (_l: number, error: Error) => this.onLaneDied(i, run, error),
      onEvent: (_l: number, key: string, name: string, data: unknown) => this.onTaskEvent(key, name, data),
    });
  }

  /**
   * Runs `node` with its dependency values on the least busy thread; resolves to its value. With `actor`,
   * the value (an actor instance) stays in that thread for callActor, and the promise resolves to undefined.
   */
  run(key: string, node: unknown, data: Array<[string, unknown]>, opts: { actor?: boolean } = {}): Promise<unknown> {
    const best = this.leastBusy();
    return new Promise<unknown>((resolve, reject) => {
      const job: Job = { key, node, data, resolve, reject };
      if (opts.actor) {
        job.keep = true;
        this.actors.set(key, { lane: best, run: this.lanes[best]!.run });
      }
      this.enqueue(best, job);
    });
  }

  /** True when the actor `key` lives in a thread of this executor. */
  hasActor(key: string): boolean {
    const home = this.actors.get(key);
    return home !== undefined && this.lanes[home.lane]!.run === home.run;
  }

  /**
   * Runs `node` (which reads the actor by its key) on the actor's thread; rejects with `lost` when the actor's
   * thread was restarted since it was made.
   */
  callActor(actorKey: string, callKey: string, node: unknown, lost: () => Error): Promise<unknown> {
    const home = this.actors.get(actorKey);
    if (home === undefined || this.lanes[home.lane]!.run !== home.run) return Promise.reject(lost());
    return new Promise<unknown>((resolve, reject) => this.enqueue(home.lane, { key: callKey, node, data: [], resolve, reject }));
  }

  /** The actor `key` was released: its thread may drop the instance. */
  releaseActor(key: string): void {
    const home = this.actors.get(key);
    if (home === undefined) return;
    this.actors.delete(key);
    const lane = this.lanes[home.lane]!;
    if (lane.run !== home.run) return;
    lane.releases.push(key);
    this.scheduleFlush(home.lane);
  }

  private leastBusy(): number {
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
    return best;
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
    let keep: string[] | undefined;
    for (const j of jobs) {
      lane.inflight.set(j.key, j);
      tasks.push([j.key, j.node]);
      for (const d of j.data) data.push(d);
      if (j.keep) (keep ??= []).push(j.key);
    }
    try {
      this.pool.send(i, { t: "run", run: lane.run, tasks, data, release, independent: true, ...(keep ? { keep } : {}) });
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
      if (!job.keep) lane.releases.push(r[0]); // an actor stays until releaseActor
      job.resolve(r[1]);
    }
    // An idle thread would otherwise hold the results until its next task.
    if (lane.inflight.size === 0 && lane.outgoing.length === 0) this.scheduleFlush(i);
  }

  private onError(i: number, run: number, key: string, error: unknown, contained: boolean): void {
    const lane = this.lanes[i]!;
    if (lane.run !== run) return;
    if (contained) {
      // The thread goes on with its other tasks: only this one failed.
      const job = lane.inflight.get(key);
      if (job) {
        lane.inflight.delete(key);
        if (job.keep) this.actors.delete(key);
        job.reject(error);
      }
      return;
    }
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
