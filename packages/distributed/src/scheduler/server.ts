/**
 * The scheduler server: wraps the pure SchedulerState with TCP. Messages from workers and clients become
 * stimuli; once per event-loop turn the state's outbox is drained and sent (one frame per connection).
 * It also watches worker heartbeats and keeps published datasets and fire-and-forget keys alive.
 */
import { randomUUID } from "node:crypto";
import { config } from "@dask-ts/core";
import type { Connection, Message } from "../comm/connection.js";
import { listen, type Listener } from "../comm/tcp.js";
import { InvalidArgumentError } from "@dask-ts/core";
import type { ClientToScheduler, TaskSpec, WhoHas, WorkerInfo, WorkerMetrics, WorkerToScheduler } from "../protocol.js";
import { SchedulerState, type SchedulerStateOptions } from "./state.js";
import { CommClosedError, RestartTimeoutError } from "../errors.js";
import { defaultExtensions, type SchedulerExtension } from "./extensions.js";
import { ConnectionPool } from "../comm/pool.js";
import { retireWorkers, type GatherReply, type RetireOptions, type RetireResult } from "./retire.js";
import type { WorkersToCloseOptions } from "./workers-to-close.js";

/** Options of SchedulerServer.start. */
export interface SchedulerServerOptions extends SchedulerStateOptions {
  /** Interface to listen on (default 127.0.0.1; "0.0.0.0" for every interface). */
  host?: string;
  /** Port (default 8786; 0 = any free port). */
  port?: number;
  /** How often workers send heartbeats, ms (default config "distributed.heartbeatInterval", 500). */
  heartbeatInterval?: number;
  /** A worker silent for this long is removed, ms (default config "distributed.workerTTL", 10 s). */
  workerTTL?: number;
  /** How often work stealing rebalances tasks, ms (default config "distributed.stealingInterval", 100; 0 disables). */
  stealingInterval?: number;
}

/** Pseudo-clients that hold keys on behalf of the scheduler itself. */
const DATASETS = "~published-datasets";
const FIRE_AND_FORGET = "~fire-and-forget";

interface WorkerEntry {
  conn: Connection;
  lastSeen: number;
  metrics?: WorkerMetrics;
  /** Comes back after a restart (a nanny or its LocalCluster starts it again). */
  supervised: boolean;
}

/** A running scheduler. */
export class SchedulerServer {
  readonly id = `scheduler-${randomUUID().slice(0, 8)}`;
  readonly state: SchedulerState;
  private readonly workerConns = new Map<string, WorkerEntry>();
  private readonly clientConns = new Map<string, Connection>();
  private readonly datasets = new Map<string, { keys: string[]; data: Uint8Array }>();
  private flushScheduled = false;
  private listener!: Listener;
  private ttlTimer: NodeJS.Timeout | undefined;
  private stealTimer: NodeJS.Timeout | undefined;
  private readonly heartbeatInterval: number;
  private readonly workerTTL: number;
  private closing = false;
  private readonly extensions: SchedulerExtension[] = [];
  private readonly extensionHandlers = new Map<string, (client: string, msg: Message) => unknown>();
  /** Called whenever a worker joins or leaves (restart waits with these). */
  private readonly workerWaiters = new Set<() => void>();
  /** Connections to workers for scheduler-initiated requests (gather while retiring). */
  private readonly peers = new ConnectionPool("scheduler");
  /** Retirements run one at a time (as Dask's retire_workers lock): the second picks from what is left. */
  private retireChain: Promise<unknown> = Promise.resolve();
  /** Connections of retired workers that were not told to close: closed with the scheduler. */
  private readonly retiredConns = new Set<Connection>();

  private constructor(opts: SchedulerServerOptions) {
    this.state = new SchedulerState({
      ...opts,
      allowedFailures: opts.allowedFailures ?? config.get<number>("distributed.allowedFailures", 3),
    });
    this.heartbeatInterval = opts.heartbeatInterval ?? config.get<number>("distributed.heartbeatInterval", 500);
    this.workerTTL = opts.workerTTL ?? config.get<number>("distributed.workerTTL", 10_000);
    this.state.addClient(DATASETS);
    this.state.addClient(FIRE_AND_FORGET);
    for (const ext of defaultExtensions(this)) this.addExtension(ext);
  }

  /** Plugs an extension in: its handlers answer client operations of those names. */
  addExtension(ext: SchedulerExtension): void {
    for (const op of Object.keys(ext.handlers)) {
      if (this.extensionHandlers.has(op)) throw new InvalidArgumentError(`Two scheduler extensions handle '${op}'.`);
      this.extensionHandlers.set(op, ext.handlers[op]!);
    }
    this.extensions.push(ext);
  }

  /** Sends a message to a connected client (extensions use it); false when the client is gone. */
  sendToClient(client: string, msg: Message): boolean {
    const c = this.clientConns.get(client);
    if (!c || c.closed) return false;
    c.send(msg);
    return true;
  }

  /** Runs the state's outbox soon (extensions call it after changing the state). */
  touch(): void {
    this.schedule();
  }

  /** Starts a scheduler listening on `host:port`. */
  static async start(opts: SchedulerServerOptions = {}): Promise<SchedulerServer> {
    const s = new SchedulerServer(opts);
    s.listener = await listen({
      host: opts.host,
      port: opts.port ?? 8786,
      role: "scheduler",
      onConnection: (conn) => s.accept(conn),
    });
    s.ttlTimer = setInterval(() => s.checkHeartbeats(), Math.max(50, Math.min(s.workerTTL / 4, 1000)));
    s.ttlTimer.unref();
    const stealEvery = opts.stealingInterval ?? config.get<number>("distributed.stealingInterval", 100);
    if (stealEvery > 0) {
      // Steal-requests go out with the next flush; nothing to send when balance found nothing to move.
      s.stealTimer = setInterval(() => {
        try {
          if (s.state.balance() > 0) s.schedule();
        } catch (e) {
          // A balancing bug must not take the scheduler down: tasks still run where they are.
          console.error("dask-ts scheduler: work stealing failed:", e);
        }
      }, stealEvery);
      s.stealTimer.unref();
    }
    return s;
  }

  /** tcp://host:port of this scheduler. */
  get address(): string {
    return this.listener.address;
  }

  /** Addresses of the connected workers. */
  workerAddresses(): string[] {
    return [...this.workerConns.keys()];
  }

  private accept(conn: Connection): void {
    const role = conn.peerInfo.role;
    if (role === "worker") return this.acceptWorker(conn);
    if (role === "client") return this.acceptClient(conn);
    conn.onMessage = (msg) => this.handleCommon(msg);
  }

  private acceptWorker(conn: Connection): void {
    let address: string | undefined;
    conn.onMessage = (msg) => {
      if (msg.op === "register-worker") {
        const info = msg.info as WorkerInfo;
        if (this.workerConns.has(info.address)) throw new InvalidArgumentError(`A worker at ${info.address} is already registered.`);
        address = info.address;
        this.workerConns.set(address, { conn, lastSeen: performance.now(), supervised: info.supervised === true });
        this.state.addWorker(info);
        this.schedule();
        this.notifyWorkersChanged();
        return { id: this.id, heartbeatInterval: this.heartbeatInterval };
      }
      if (address === undefined) throw new InvalidArgumentError(`A worker must send register-worker first, got '${msg.op}'.`);
      const entry = this.workerConns.get(address);
      if (entry) entry.lastSeen = performance.now();
      if (msg.op === "heartbeat-worker") {
        const metrics = msg.metrics as WorkerMetrics;
        if (entry) {
          const wasPaused = entry.metrics?.paused ?? false;
          entry.metrics = metrics;
          if (metrics.paused !== wasPaused) this.state.setWorkerPaused(address, metrics.paused);
          this.schedule();
        }
        return {};
      }
      this.handleWorker(address, msg as unknown as WorkerToScheduler);
      this.schedule();
      return undefined;
    };
    conn.onClose = () => {
      if (address !== undefined && this.workerConns.get(address)?.conn === conn) this.removeWorker(address, "its connection closed");
    };
  }

  private handleWorker(address: string, msg: WorkerToScheduler): void {
    const s = this.state;
    switch (msg.op) {
      case "task-finished":
        return s.taskFinished(address, msg.key, msg.nbytes, msg.type, msg.start, msg.stop);
      case "task-erred":
        return s.taskErred(address, msg.key, msg.exception, msg.start, msg.stop);
      case "add-keys":
        return s.addKeys(address, msg.keys, msg.nbytes);
      case "missing-data":
        return s.missingData(address, msg.key, msg.errant);
      case "release-worker-data":
        return s.releaseWorkerData(address, msg.keys);
      case "steal-response":
        return s.stealResponse(address, msg.key, msg.state);
      case "long-running":
        return s.longRunning(address, msg.key, msg.compute_duration);
      default:
        throw new InvalidArgumentError(`Unknown worker message '${(msg as Message).op}'.`);
    }
  }

  private removeWorker(address: string, reason: string): void {
    const entry = this.workerConns.get(address);
    if (!entry) return;
    this.workerConns.delete(address);
    entry.conn.destroy();
    this.state.removeWorker(address, reason);
    this.schedule();
    this.notifyWorkersChanged();
  }

  private checkHeartbeats(): void {
    const now = performance.now();
    for (const [address, e] of this.workerConns) {
      if (now - e.lastSeen > this.workerTTL) this.removeWorker(address, `no heartbeat for ${Math.round(now - e.lastSeen)} ms`);
    }
  }

  private acceptClient(conn: Connection): void {
    const id = typeof conn.peerInfo.client === "string" ? conn.peerInfo.client : `client-${randomUUID().slice(0, 8)}`;
    if (this.clientConns.has(id) || id.startsWith("~")) {
      conn.send({ op: "refused", reason: `client id '${id}' is in use` });
      conn.close();
      return;
    }
    this.clientConns.set(id, conn);
    this.state.addClient(id);
    conn.onMessage = (msg) => {
      const out = this.handleClient(id, msg);
      this.schedule();
      return out;
    };
    conn.onClose = () => {
      this.clientConns.delete(id);
      if (!this.closing) {
        for (const ext of this.extensions) ext.clientRemoved?.(id);
        this.state.removeClient(id);
        this.schedule();
      }
    };
  }

  private handleClient(client: string, msg: Message): unknown {
    const s = this.state;
    const m = msg as unknown as ClientToScheduler;
    switch (m.op) {
      case "update-graph":
        return s.updateGraph(client, m.tasks as TaskSpec[], m.keys, m.modules ?? []);
      case "client-releases-keys":
        return s.clientReleasesKeys(client, m.keys);
      case "client-desires-keys":
        return s.clientDesiresKeys(client, m.keys);
      case "update-data":
        return s.updateData(client, m.who_has, m.nbytes, m.types);
      case "cancel":
        return s.cancel(client, m.keys, m.force);
    }
    switch (msg.op) {
      case "restart":
        return this.restart(typeof msg.timeout === "number" ? msg.timeout : undefined);
      case "fire-and-forget":
        return s.clientDesiresKeys(FIRE_AND_FORGET, msg.keys as string[]);
      case "publish-dataset":
        return this.publish(msg.name as string, msg.keys as string[], msg.data as Uint8Array, msg.override === true);
      case "get-dataset": {
        const d = this.datasets.get(msg.name as string);
        if (!d) {
          throw new InvalidArgumentError(
            `No dataset named '${String(msg.name)}' is published. Published: ${[...this.datasets.keys()].map((n) => `'${n}'`).join(", ") || "none"}.`,
          );
        }
        return d;
      }
      case "unpublish-dataset":
        return this.unpublish(msg.name as string);
      case "list-datasets":
        return [...this.datasets.keys()];
      case "retire-workers":
        return this.retireOp(msg);
      case "workers-to-close":
        return this.state.workersToClose(workersToCloseOptions(msg));
      case "adaptive-target":
        return this.state.adaptiveTarget(typeof msg.targetDuration === "number" ? msg.targetDuration : undefined);
    }
    return this.extensionHandlers.has(msg.op) ? this.handleExtension(client, msg) : this.handleCommon(msg);
  }

  /** The client op: `{ workers?: string[] } | { n?: number }`, `close` (default true); answers `{ retired, lost }`. */
  private retireOp(msg: Message): Promise<RetireResult> {
    if (msg.workers !== undefined && msg.n !== undefined) throw new InvalidArgumentError("retire-workers: give either workers or n, not both.");
    if (msg.workers !== undefined && !Array.isArray(msg.workers)) throw new InvalidArgumentError("retire-workers: workers must be an array of addresses or names.");
    const which = msg.workers !== undefined ? (msg.workers as string[]) : msg.n !== undefined ? { n: msg.n as number } : undefined;
    return this.retireWorkers(which, { close: msg.close !== false });
  }

  private handleExtension(client: string, msg: Message): unknown {
    const handler = this.extensionHandlers.get(msg.op);
    return handler === undefined ? undefined : handler(client, msg);
  }

  private publish(name: string, keys: string[], data: Uint8Array, override: boolean): void {
    if (typeof name !== "string" || name === "") throw new InvalidArgumentError("A dataset needs a non-empty string name.");
    if (this.datasets.has(name) && !override) {
      throw new InvalidArgumentError(`A dataset named '${name}' is already published; unpublish it first or pass { override: true }.`);
    }
    const unknown = keys.filter((k) => !this.state.tasks.has(k));
    if (unknown.length) throw new InvalidArgumentError(`Cannot publish '${name}': the scheduler knows no key ${unknown.map((k) => `'${k}'`).join(", ")}.`);
    this.state.clientDesiresKeys(DATASETS, keys);
    if (this.datasets.has(name)) this.unpublish(name);
    this.datasets.set(name, { keys, data });
  }

  private unpublish(name: string): void {
    const d = this.datasets.get(name);
    if (!d) throw new InvalidArgumentError(`No dataset named '${name}' is published.`);
    this.datasets.delete(name);
    const still = new Set<string>();
    for (const other of this.datasets.values()) for (const k of other.keys) still.add(k);
    this.state.clientReleasesKeys(DATASETS, d.keys.filter((k) => !still.has(k)));
  }

  /**
   * Dask's Scheduler.restart: every client's futures are cancelled and every task forgotten, published
   * datasets dropped, and every worker told to restart (a supervised one exits and its nanny or cluster starts
   * a fresh process; an unsupervised one just leaves). Resolves once as many supervised workers as before have
   * registered anew, or rejects with RestartTimeoutError after `timeoutMs`.
   */
  async restart(timeoutMs = config.get<number>("distributed.restartTimeout", 30_000)): Promise<{ workers: number }> {
    const s = this.state;
    for (const cs of [...s.clients.values()]) {
      const keys = [...cs.wantsWhat].map((ts) => ts.key);
      if (keys.length === 0) continue;
      this.sendToClient(cs.id, { op: "cancelled-keys", keys, reason: "the cluster was restarted (client.restart())" });
      s.clientReleasesKeys(cs.id, keys);
    }
    this.datasets.clear();
    const old = [...this.workerConns];
    const expected = old.filter(([, e]) => e.supervised).length;
    for (const [, e] of old) if (!e.conn.closed) e.conn.send({ op: "restart" });
    this.schedule();
    const oldAddresses = new Set(old.map(([a]) => a));
    const fresh = (): number => [...this.workerConns.keys()].filter((a) => !oldAddresses.has(a)).length;
    const gone = (): boolean => [...oldAddresses].every((a) => !this.workerConns.has(a));
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (this.closing) return finish(new CommClosedError("The scheduler closed during restart."));
        if (gone() && fresh() >= expected) finish();
      };
      const timer = setTimeout(() => {
        finish(
          new RestartTimeoutError(
            `Waited ${timeoutMs} ms for ${expected} worker(s) to come back after restarting, but ${fresh()} have` +
              (gone() ? "" : ` (and ${[...oldAddresses].filter((a) => this.workerConns.has(a)).length} old worker(s) did not leave)`) +
              `. Workers started without a nanny are not restarted; check the worker logs, or pass a longer timeout.`,
          ),
        );
      }, timeoutMs);
      const finish = (e?: Error): void => {
        clearTimeout(timer);
        this.workerWaiters.delete(check);
        if (e) reject(e);
        else resolve();
      };
      this.workerWaiters.add(check);
      check();
    });
    return { workers: this.workerConns.size };
  }

  /**
   * Dask's Scheduler.retire_workers: gracefully retires workers given by address or name (unknown ones are
   * ignored), `{ n }` workers chosen by workersToClose (idle first, then fewest bytes), or with no argument
   * the idle workers the memory-ratio rule lets go. Their unique results are copied to other workers first;
   * see retire.ts. With `close: false` the workers are only removed (their owner closes them).
   */
  async retireWorkers(which?: readonly string[] | { n: number }, opts: RetireOptions = {}): Promise<RetireResult> {
    let names: string[] | undefined;
    let n: number | undefined;
    if (Array.isArray(which)) {
      if (!which.every((w) => typeof w === "string")) throw new InvalidArgumentError("retireWorkers: workers must be an array of worker addresses or names.");
      names = [...(which as readonly string[])];
    } else if (which !== undefined) {
      n = (which as { n: unknown }).n as number;
      if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`retireWorkers: n must be a non-negative integer, got ${String(n)}.`);
    }
    if (this.closing) return { retired: [], lost: [] };
    const run = async (): Promise<RetireResult> => {
      const s = this.state;
      let addresses: string[];
      if (names !== undefined) {
        const byName = new Map<string, string>();
        for (const ws of s.workers.values()) byName.set(ws.name, ws.address);
        addresses = names.map((w) => (s.workers.has(w) ? w : byName.get(w))).filter((a): a is string => a !== undefined);
      } else {
        addresses = s.workersToClose(n === undefined ? {} : { n });
      }
      return retireWorkers(
        {
          state: s,
          gather: (recipient, whoHas) => this.peers.request<GatherReply>(recipient, { op: "gather", who_has: whoHas }, 60_000),
          touch: () => this.schedule(),
          detach: (address, close) => this.detachWorker(address, close),
          isClosing: () => this.closing,
        },
        addresses,
        opts,
      );
    };
    const p = this.retireChain.then(run, run);
    this.retireChain = p.catch(() => undefined);
    return p;
  }

  /** Forgets the connection of a worker the state no longer has; sends it close (its own request) if asked. */
  private detachWorker(address: string, close: boolean): void {
    const entry = this.workerConns.get(address);
    this.workerConns.delete(address);
    this.peers.drop(address);
    this.notifyWorkersChanged();
    if (!entry || entry.conn.closed) return;
    if (close) {
      entry.conn.send({ op: "close" });
      entry.conn.close();
    } else {
      this.retiredConns.add(entry.conn);
      entry.conn.onClose = () => this.retiredConns.delete(entry.conn);
    }
  }

  private notifyWorkersChanged(): void {
    for (const w of [...this.workerWaiters]) w();
  }

  /** Requests any peer may make. */
  private handleCommon(msg: Message): unknown {
    switch (msg.op) {
      case "who-has":
        return this.state.whoHas(msg.keys as string[]) satisfies WhoHas;
      case "task-states": {
        const out: Record<string, string> = {};
        for (const k of msg.keys as string[]) {
          const ts = this.state.tasks.get(k);
          if (ts) out[k] = ts.state;
        }
        return out;
      }
      case "scheduler-info":
        return this.info();
      case "transition-log":
        return this.state.transitionLog().slice(-((msg.last as number | undefined) ?? 1000));
      default:
        throw new InvalidArgumentError(`Unknown operation '${msg.op}'.`);
    }
  }

  /** A summary of the cluster: workers with their threads, memory and load. */
  info(): { id: string; address: string; workers: Record<string, unknown>; clients: number; tasks: number } {
    const workers: Record<string, unknown> = {};
    for (const [address, ws] of this.state.workers) {
      workers[address] = {
        name: ws.name,
        nthreads: ws.nthreads,
        memoryLimit: ws.memoryLimit,
        resources: ws.resources,
        nbytes: ws.nbytes,
        processing: ws.processing.size,
        pid: ws.pid,
        status: this.state.isRetiring(address) ? "closing-gracefully" : ws.paused ? "paused" : "running",
        metrics: this.workerConns.get(address)?.metrics,
      };
    }
    return { id: this.id, address: this.address, workers, clients: this.clientConns.size, tasks: this.state.tasks.size };
  }

  /** Drains the state's outbox once this event-loop turn is over (all stimuli of the turn first). */
  private schedule(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    const out = this.state.drain();
    const doneFireAndForget: string[] = [];
    for (const o of out) {
      if (o.to === "worker") {
        const w = this.workerConns.get(o.address);
        if (w && !w.conn.closed) w.conn.send(o.msg as unknown as Message);
      } else if (o.client === FIRE_AND_FORGET) {
        // Nobody waits for these: once they finish, the scheduler stops wanting them.
        if (o.msg.op === "key-in-memory" || o.msg.op === "task-erred") doneFireAndForget.push(o.msg.key);
      } else if (o.client !== DATASETS) {
        const c = this.clientConns.get(o.client);
        if (c && !c.closed) c.send(o.msg as unknown as Message);
      }
    }
    if (doneFireAndForget.length) {
      this.state.clientReleasesKeys(FIRE_AND_FORGET, doneFireAndForget);
      this.schedule();
    }
  }

  /** Stops listening and closes every connection (workers shut down when their scheduler goes away). */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.notifyWorkersChanged();
    if (this.ttlTimer) clearInterval(this.ttlTimer);
    if (this.stealTimer) clearInterval(this.stealTimer);
    for (const ext of this.extensions) ext.close?.();
    for (const w of this.workerConns.values()) w.conn.close();
    for (const c of this.retiredConns) c.close();
    this.peers.close();
    for (const c of this.clientConns.values()) c.close();
    await this.listener.close();
  }
}

/** The numeric options of a workers-to-close request (anything else is ignored, as Dask ignores it). */
function workersToCloseOptions(msg: Message): WorkersToCloseOptions {
  const out: WorkersToCloseOptions = {};
  for (const k of ["n", "target", "memoryRatio", "minimum"] as const) {
    const v = msg[k];
    if (v === undefined) continue;
    if (typeof v !== "number" || !(v >= 0)) throw new InvalidArgumentError(`workers-to-close: ${k} must be a non-negative number, got ${String(v)}.`);
    out[k] = v;
  }
  return out;
}
