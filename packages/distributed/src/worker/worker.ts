/**
 * A distributed worker: registers with the scheduler, runs the tasks it is given on its own thread pool,
 * holds their results, fetches missing inputs from peers and serves its results to peers and clients
 * (get-data). The scheduler only learns sizes and locations.
 */
import { hostname } from "node:os";
import { config, decode, kernel, loadOptionalExtensions, registerWorkerModule, InvalidArgumentError, Literal, Task, TaskRef } from "@dask-ts/core";
import { ActorLostError } from "../errors.js";
import type { Connection, Message } from "../comm/connection.js";
import { ConnectionPool } from "../comm/pool.js";
import { connect, listen, type Listener } from "../comm/tcp.js";
import type { SchedulerToWorker, WhoHas, WorkerInfo, WorkerMetrics } from "../protocol.js";
import { PriorityHeap } from "../scheduler/priority-heap.js";
import { DataStore } from "./data-store.js";
import { typeName } from "./sizeof.js";
import { ThreadExecutor } from "./thread-executor.js";

/** Options of Worker.start. */
export interface WorkerOptions {
  /** tcp://host:port of the scheduler. */
  scheduler: string;
  /** Threads that run tasks (default 1). */
  nthreads?: number;
  /** A name for logs and restrictions (default: the address). */
  name?: string;
  /** Interface to serve peers on (default 127.0.0.1). */
  host?: string;
  /** Port to serve peers on (default any free port). */
  port?: number;
  /** Bytes of results to hold before spilling (0 = no limit). */
  memoryLimit?: number;
  /** Abstract resources this worker offers, e.g. { GPU: 2 }. */
  resources?: Record<string, number>;
  /** ms to wait for the scheduler (default config "distributed.connectTimeout"). */
  timeout?: number;
  /** Where spilled results go (default the OS temp directory). */
  localDirectory?: string;
  /** A nanny or cluster starts this worker again when it stops for a restart (tells the scheduler to wait for it). */
  supervised?: boolean;
}

let extensionsRequested = false;

/** A memory fraction from config "distributed.worker.memory.<name>" (Dask's defaults). */
function memoryFraction(name: string, dflt: number): number {
  return config.get<number>(`distributed.worker.memory.${name}`, dflt);
}

type Phase = "fetching" | "ready" | "executing" | "cancelled";

interface WorkerTask {
  key: string;
  run: Uint8Array;
  priority: [number, number, number];
  deps: string[];
  /** Dependencies not held here yet. */
  missing: Set<string>;
  resources?: Record<string, number>;
  phase: Phase;
  heapIndex: number;
  /** Its result is an actor: the instance stays in the thread that made it. */
  actor: boolean;
  /** Seconds since the epoch when it started executing. */
  start: number;
  /** It called secede(): it holds no execution slot until rejoin(). */
  seceded: boolean;
}

interface Fetch {
  holders: string[];
  waiters: Set<WorkerTask>;
}

function wallSeconds(): number {
  return (performance.timeOrigin + performance.now()) / 1000;
}

/** A running worker. */
export class Worker {
  readonly name: string;
  readonly nthreads: number;
  private readonly data: DataStore;
  private readonly memoryLimit: number;
  private memoryTimer: NodeJS.Timeout | undefined;
  /** No new tasks start while the process uses more than the pause fraction of its memory limit. */
  paused = false;
  private readonly tasks = new Map<string, WorkerTask>();
  private readonly ready = new PriorityHeap<WorkerTask>();
  /** Ready tasks waiting for resources held by running tasks. */
  private blocked: WorkerTask[] = [];
  private readonly fetches = new Map<string, Fetch>();
  private executing = 0;
  private actorCalls = 0;
  private readonly available: Record<string, number>;
  private readonly executor: ThreadExecutor;
  private readonly peers = new ConnectionPool("peer");
  private listener!: Listener;
  private scheduler!: Connection;
  private heartbeat: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  /** close() was called (also by the scheduler's close or restart): not a lost scheduler. */
  private stopping = false;
  /** True when the worker stopped because its scheduler connection broke (not by close()). */
  lostScheduler = false;
  /** True when the worker stopped because the scheduler asked for a restart (client.restart()). */
  restartRequested = false;
  private resolveClosed!: () => void;
  /** Resolves when the worker has stopped (closed, or its scheduler went away). */
  readonly closed: Promise<void>;

  private constructor(opts: WorkerOptions) {
    this.nthreads = opts.nthreads ?? 1;
    if (!Number.isInteger(this.nthreads) || this.nthreads < 1) {
      throw new InvalidArgumentError(`nthreads must be a positive integer, got ${String(opts.nthreads)}.`);
    }
    this.name = opts.name ?? "";
    this.available = { ...(opts.resources ?? {}) };
    // Tasks find their cluster through this (getClient() inside a task).
    this.executor = new ThreadExecutor(this.nthreads, { ...process.env, DASK_TS_SCHEDULER_ADDRESS: opts.scheduler });
    this.executor.onTaskEvent = (key, name) => this.onTaskEvent(key, name);
    this.memoryLimit = opts.memoryLimit ?? 0;
    this.data = new DataStore(opts.localDirectory);
    this.closed = new Promise((r) => (this.resolveClosed = r));
  }

  /** Starts a worker: listens for peers, starts its threads, and registers with the scheduler. */
  static async start(opts: WorkerOptions): Promise<Worker> {
    const w = new Worker(opts);
    w.executor.warm();
    w.listener = await listen({
      host: opts.host,
      port: opts.port ?? 0,
      role: "worker",
      onConnection: (conn) => {
        conn.onMessage = (msg) => w.handlePeer(msg);
      },
    });
    try {
      w.scheduler = await connect(opts.scheduler, { role: "worker", timeout: opts.timeout });
      w.scheduler.onMessage = (msg) => w.handleScheduler(msg);
      w.scheduler.onClose = () => {
        if (!w.stopping) w.lostScheduler = true;
        void w.close();
      };
      const info: WorkerInfo = {
        address: w.listener.address,
        name: w.name || w.listener.address,
        nthreads: w.nthreads,
        memoryLimit: opts.memoryLimit ?? 0,
        resources: opts.resources ?? {},
        pid: process.pid,
        supervised: opts.supervised === true,
      };
      const reply = await w.scheduler.request<{ heartbeatInterval: number }>({ op: "register-worker", info: info as unknown as Record<string, unknown> });
      w.heartbeat = setInterval(() => w.sendHeartbeat(), reply.heartbeatInterval);
      w.heartbeat.unref();
      if (w.memoryLimit > 0) {
        w.memoryTimer = setInterval(() => w.manageMemory(), 100);
        w.memoryTimer.unref();
      }
    } catch (e) {
      await w.close();
      throw e;
    }
    return w;
  }

  /** tcp://host:port where this worker serves its data. */
  get address(): string {
    return this.listener.address;
  }

  /** Memory accounting: bytes held in memory and on disk, results spilled so far, paused or not. */
  memoryInfo(): { memory: number; spilled: number; spillCount: number; paused: boolean } {
    return { memory: this.data.memory, spilled: this.data.spilledBytes, spillCount: this.data.spillCount, paused: this.paused };
  }

  /** Keys of the results held here. */
  keys(): string[] {
    return this.data.keys();
  }

  private metrics(): WorkerMetrics {
    return {
      executing: this.executing,
      ready: this.ready.size + this.blocked.length,
      memory: this.data.memory,
      spilled: this.data.spilledBytes,
      rss: process.memoryUsage.rss(),
      paused: this.paused,
    };
  }

  private sendHeartbeat(): void {
    if (this.scheduler.closed) return;
    this.scheduler.request({ op: "heartbeat-worker", metrics: this.metrics() as unknown as Record<string, unknown> }, 10_000).catch(() => {
      /* a missed heartbeat is the scheduler's to judge; a closed connection closes this worker */
    });
  }

  // ---- messages from the scheduler -------------------------------------------------------------

  private handleScheduler(msg: Message): void {
    const m = msg as unknown as SchedulerToWorker;
    if (m.op === "compute-task") return this.computeTask(m);
    if (m.op === "free-keys") return this.freeKeys(m.keys);
    if (msg.op === "steal-request") return this.stealRequest(msg.key as string);
    if (msg.op === "restart") {
      // Whoever started this worker (nanny, LocalCluster) starts a fresh one; running tasks die with the threads.
      this.restartRequested = true;
      void this.close();
    }
    if (msg.op === "close") void this.close();
  }

  private computeTask(m: Extract<SchedulerToWorker, { op: "compute-task" }>): void {
    if (m.modules) for (const url of m.modules) registerWorkerModule(url);
    const existing = this.tasks.get(m.key);
    if (existing) {
      // Freed while running, then assigned here again: the running execution counts.
      if (existing.phase === "cancelled") existing.phase = "executing";
      return;
    }
    if (this.data.has(m.key)) {
      this.report({ op: "task-finished", key: m.key, nbytes: this.data.nbytes(m.key), type: typeName(this.data.get(m.key)), start: wallSeconds(), stop: wallSeconds() });
      return;
    }
    const deps = Object.keys(m.who_has);
    const t: WorkerTask = {
      key: m.key,
      run: m.run,
      priority: m.priority,
      deps,
      missing: new Set(deps.filter((d) => !this.data.has(d))),
      resources: m.resources,
      phase: "fetching",
      heapIndex: -1,
      actor: m.actor === true,
      start: 0,
      seceded: false,
    };
    this.tasks.set(t.key, t);
    if (t.missing.size === 0) this.makeReady(t);
    else for (const d of t.missing) this.fetch(d, m.who_has, t);
  }

  private freeKeys(keys: string[]): void {
    for (const k of keys) {
      this.data.delete(k);
      this.executor.releaseActor(k);
      const t = this.tasks.get(k);
      if (!t) continue;
      if (t.phase === "executing") t.phase = "cancelled";
      else {
        this.tasks.delete(k);
        if (this.ready.has(t)) this.ready.remove(t);
        for (const d of t.missing) this.fetches.get(d)?.waiters.delete(t);
        t.phase = "cancelled";
      }
    }
  }

  /** The scheduler wants to run `key` elsewhere: give it up unless it already started. */
  private stealRequest(key: string): void {
    const t = this.tasks.get(key);
    let state: string | null = null;
    if (t && (t.phase === "ready" || t.phase === "fetching")) {
      state = t.phase;
      this.tasks.delete(key);
      if (this.ready.has(t)) this.ready.remove(t);
      for (const d of t.missing) this.fetches.get(d)?.waiters.delete(t);
      t.phase = "cancelled";
    } else if (t) state = "executing";
    this.report({ op: "steal-response", key, state });
  }

  private report(msg: Message): void {
    if (!this.scheduler.closed) this.scheduler.send(msg);
  }

  // ---- fetching inputs from peers --------------------------------------------------------------

  private fetch(dep: string, whoHas: WhoHas, t: WorkerTask): void {
    const f = this.fetches.get(dep);
    if (f) {
      f.waiters.add(t);
      return;
    }
    const holders = (whoHas[dep] ?? []).filter((a) => a !== this.address);
    this.fetches.set(dep, { holders, waiters: new Set([t]) });
    void this.fetchFrom(dep);
  }

  private async fetchFrom(dep: string): Promise<void> {
    const f = this.fetches.get(dep)!;
    let errant = "";
    while (f.holders.length) {
      const i = Math.floor(Math.random() * f.holders.length);
      const peer = f.holders.splice(i, 1)[0]!;
      errant = peer;
      try {
        const reply = await this.peers.request<{ data: Array<[string, unknown]>; missing: string[] }>(peer, { op: "get-data", keys: [dep] });
        const hit = reply.data.find(([k]) => k === dep);
        if (hit) return this.fetched(dep, hit[1]);
      } catch {
        this.peers.drop(peer);
      }
      if (this.closing) return;
    }
    // No holder could give it: the scheduler decides (recompute, or tell us where else to look).
    this.fetches.delete(dep);
    for (const t of f.waiters) {
      this.tasks.delete(t.key);
      t.phase = "cancelled";
    }
    this.report({ op: "missing-data", key: dep, errant });
  }

  private fetched(dep: string, value: unknown): void {
    const f = this.fetches.get(dep);
    this.fetches.delete(dep);
    if (!this.data.has(dep)) this.store(dep, value);
    this.report({ op: "add-keys", keys: [dep], nbytes: { [dep]: this.data.nbytes(dep) } });
    if (!f) return;
    for (const t of f.waiters) {
      t.missing.delete(dep);
      if (t.missing.size === 0 && t.phase === "fetching") this.makeReady(t);
    }
  }

  private store(key: string, value: unknown): number {
    const n = this.data.set(key, value);
    if (this.memoryLimit > 0 && this.data.memory > this.memoryLimit * memoryFraction("target", 0.6)) this.manageMemory();
    return n;
  }

  /**
   * Dask's memory rules: results beyond the target fraction of the limit go to disk (least recently used
   * first); above the spill fraction of process memory more go; above the pause fraction no new task starts
   * until memory drops (the nanny restarts the process above 95%).
   */
  private manageMemory(): void {
    const limit = this.memoryLimit;
    if (limit <= 0 || this.closing) return;
    const keep = new Set<string>();
    for (const t of this.tasks.values()) if (t.phase === "executing") for (const d of t.deps) keep.add(d);
    const target = limit * memoryFraction("target", 0.6);
    const before = this.data.spillCount;
    if (this.data.memory > target) this.data.spillTo(target, keep);
    const rss = process.memoryUsage.rss();
    if (rss > limit * memoryFraction("spill", 0.7)) this.data.spillTo(Math.max(0, this.data.memory - (rss - target)), keep);
    if (this.data.spillCount === before && this.data.memory > target && !extensionsRequested) {
      // Maybe a value whose codec loads lazily (Arrow): load it for the next round.
      extensionsRequested = true;
      void loadOptionalExtensions().catch(() => undefined);
    }
    const pause = rss > limit * memoryFraction("pause", 0.8);
    if (pause !== this.paused) {
      this.paused = pause;
      this.sendHeartbeat(); // the scheduler stops (or resumes) giving this worker tasks
      if (!pause) this.runReady();
    }
  }

  // ---- running tasks ---------------------------------------------------------------------------

  private makeReady(t: WorkerTask): void {
    t.phase = "ready";
    this.ready.push(t);
    this.runReady();
  }

  /** Threads get up to two tasks each, so a thread never idles while its next task is on the way. */
  private runReady(): void {
    if (this.paused) return;
    const limit = this.nthreads * 2;
    if (this.blocked.length && this.executing < limit) {
      // Resources were freed: blocked tasks go back to the heap and compete by priority again.
      for (const t of this.blocked) if (t.phase === "ready") this.ready.push(t);
      this.blocked = [];
    }
    while (this.executing < limit && this.ready.size) {
      const t = this.ready.pop()!;
      if (t.phase !== "ready") continue;
      if (!this.acquire(t.resources)) {
        this.blocked.push(t);
        continue;
      }
      this.execute(t);
    }
  }

  private acquire(res: Record<string, number> | undefined): boolean {
    if (!res) return true;
    for (const r in res) if ((this.available[r] ?? 0) < res[r]!) return false;
    for (const r in res) this.available[r]! -= res[r]!;
    return true;
  }

  private releaseResources(res: Record<string, number> | undefined): void {
    if (res) for (const r in res) this.available[r] = (this.available[r] ?? 0) + res[r]!;
  }

  private execute(t: WorkerTask): void {
    t.phase = "executing";
    this.executing++;
    const start = wallSeconds();
    t.start = start;
    let node: unknown;
    try {
      node = decode(t.run);
    } catch (e) {
      return this.finishTask(t, start, undefined, e, true);
    }
    const data: Array<[string, unknown]> = [];
    try {
      for (const d of t.deps) data.push([d, this.data.get(d)]);
    } catch (e) {
      return this.finishTask(t, start, undefined, e, true); // a spilled input could not be read back
    }
    this.executor.run(t.key, node, data, { actor: t.actor }).then(
      (v) => this.finishTask(t, start, v, undefined, false),
      (e: unknown) => this.finishTask(t, start, undefined, e, true),
    );
  }

  private finishTask(t: WorkerTask, start: number, value: unknown, error: unknown, failed: boolean): void {
    if (!t.seceded) this.executing--;
    this.releaseResources(t.resources);
    const stop = wallSeconds();
    if (this.tasks.get(t.key) === t) this.tasks.delete(t.key);
    if (t.phase === "cancelled") {
      // The scheduler freed the key while it ran: nobody wants the result.
    } else if (failed) {
      this.report({ op: "task-erred", key: t.key, exception: error, start, stop });
    } else if (t.actor) {
      // The instance lives in its thread; what is held here only marks where (clients call it through actor-call).
      const nbytes = this.store(t.key, { actor: t.key, worker: this.address });
      this.report({ op: "task-finished", key: t.key, nbytes, type: "Actor", start, stop });
    } else {
      const nbytes = this.store(t.key, value);
      this.report({ op: "task-finished", key: t.key, nbytes, type: typeName(value), start, stop });
    }
    if (t.phase === "cancelled" && t.actor) this.executor.releaseActor(t.key);
    this.runReady();
  }

  /**
   * A running task left its slot (secede()) or came back (rejoin()). A seceded task waits on other tasks:
   * it stops counting against the worker's slots here and on the scheduler, so those tasks can run.
   */
  private onTaskEvent(key: string, name: string): void {
    const t = this.tasks.get(key);
    if (t === undefined || (t.phase !== "executing" && t.phase !== "cancelled")) return;
    if (name === "secede" && !t.seceded) {
      t.seceded = true;
      this.executing--;
      if (t.phase === "executing") this.report({ op: "long-running", key, compute_duration: wallSeconds() - t.start });
      this.runReady();
    } else if (name === "rejoin" && t.seceded) {
      t.seceded = false;
      this.executing++;
    }
  }

  /** A client calls a method of (or reads a member of) an actor held here; resolves to what it returns. */
  private callActor(key: string, member: string, args: unknown[]): Promise<unknown> {
    const lost = (): Error =>
      new ActorLostError(
        `Actor '${key}' is not on worker ${this.address} any more (it was released, or its thread or worker restarted): its state is lost. Submit a new actor.`,
      );
    if (typeof member !== "string" || member === "") return Promise.reject(new InvalidArgumentError(`actor-call needs a member name, got ${String(member)}.`));
    const node = new Task(kernel("core.invokeMember"), [new TaskRef(key), member, ...args.map((a) => new Literal(a))]);
    return this.executor.callActor(key, `${key}.${member}#${++this.actorCalls}`, node, lost);
  }

  // ---- requests from peers and clients ---------------------------------------------------------

  private handlePeer(msg: Message): unknown {
    if (msg.op === "get-data") {
      const data: Array<[string, unknown]> = [];
      const missing: string[] = [];
      for (const k of msg.keys as string[]) {
        if (this.data.has(k)) data.push([k, this.data.get(k)]);
        else missing.push(k);
      }
      // Reading spilled keys loaded them back: make room again (the reply keeps what it sends alive).
      if (this.memoryLimit > 0) this.manageMemory();
      return { data, missing };
    }
    if (msg.op === "update-data") {
      const nbytes: Record<string, number> = {};
      const types: Record<string, string> = {};
      for (const [k, v] of msg.data as Array<[string, unknown]>) {
        nbytes[k] = this.store(k, v);
        types[k] = typeName(v);
      }
      return { nbytes, types };
    }
    if (msg.op === "gather") return this.gatherFromPeers(msg.who_has as WhoHas);
    if (msg.op === "actor-call") return this.callActor(msg.key as string, msg.member as string, (msg.args as unknown[] | undefined) ?? []);
    if (msg.op === "worker-info") return { address: this.address, name: this.name, keys: this.keys(), metrics: this.metrics(), host: hostname() };
    throw new InvalidArgumentError(`Unknown worker operation '${msg.op}'.`);
  }

  /**
   * Copies keys from the peers that hold them (Dask's gather_on_worker, used to move data off a retiring
   * worker). The reply names the sizes of the keys now held here and those no holder could give.
   */
  private async gatherFromPeers(whoHas: WhoHas): Promise<{ nbytes: Record<string, number>; missing: string[] }> {
    const nbytes: Record<string, number> = {};
    const missing: string[] = [];
    await Promise.all(
      Object.entries(whoHas).map(async ([key, holders]) => {
        if (this.data.has(key)) return void (nbytes[key] = this.data.nbytes(key));
        for (const peer of holders) {
          if (peer === this.address) continue;
          try {
            const reply = await this.peers.request<{ data: Array<[string, unknown]> }>(peer, { op: "get-data", keys: [key] });
            const hit = reply.data.find(([k]) => k === key);
            if (hit) return void (nbytes[key] = this.data.has(key) ? this.data.nbytes(key) : this.store(key, hit[1]));
          } catch {
            this.peers.drop(peer);
          }
        }
        missing.push(key);
      }),
    );
    return { nbytes, missing };
  }

  /** Stops serving, leaves the scheduler and stops the threads. */
  close(): Promise<void> {
    // Set before anything closes: the scheduler connection's close handler must see that this was asked for.
    this.stopping = true;
    this.closing ??= (async () => {
      if (this.heartbeat) clearInterval(this.heartbeat);
      if (this.memoryTimer) clearInterval(this.memoryTimer);
      this.scheduler?.close();
      this.peers.close();
      await this.listener?.close();
      await this.executor.close();
      this.data.close();
      this.resolveClosed();
    })();
    return this.closing;
  }
}
