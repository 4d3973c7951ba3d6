/**
 * The scheduler state machine (dask.distributed's SchedulerState and its transitions), pure: every public
 * method is a stimulus (a message that arrived), the messages to send are collected in an outbox that the
 * server drains. No timers, no sockets, no async; the clock is injected.
 */
import { keyPrefix, MissingDependencyError } from "@dask-ts/core";
import { KilledWorker, LostDataError, UnknownKeyError } from "../errors.js";
import type { SchedulerToClient, SchedulerToWorker, StealResponseState, TaskSpec, WhoHas, WorkerInfo } from "../protocol.js";
import { canRun, decideRootishWorker } from "./decide-worker.js";
import { comparePriority, PriorityHeap } from "./priority-heap.js";
import { validateState } from "./state-validate.js";
import { TABLE, type Recs } from "./state-transitions.js";
import {
  ClientState,
  TaskGroup,
  TaskPrefix,
  TaskState,
  WorkerState,
  type Priority,
  type TaskStateName,
} from "./task-state.js";
import { RingBuffer, TransitionLog, type TransitionRecord } from "./transition-log.js";
import { WorkStealing } from "./stealing.js";
import { adaptiveTarget } from "./adaptive-target.js";
import { workersToClose, type WorkersToCloseOptions } from "./workers-to-close.js";

export { ClientState, TaskGroup, TaskPrefix, TaskState, WorkerState };
export type { Priority, TaskStateName, TransitionRecord, WorkersToCloseOptions };

/** A message the server must send. */
export type Outgoing =
  | { to: "worker"; address: string; msg: SchedulerToWorker }
  | { to: "client"; client: string; msg: SchedulerToClient };

/** A non-transition event: add-worker, remove-worker, add-client, remove-client, worker-paused, ... */
export interface SchedulerEvent {
  time: number;
  topic: string;
  [k: string]: unknown;
}

/** Tuning of the state machine. */
export interface SchedulerStateOptions {
  /** A task whose processing worker died more than this many times errs with KilledWorker (default 3). */
  allowedFailures?: number;
  /** Root-task queuing: slots per thread (default 1.1); Infinity disables queuing. */
  workerSaturation?: number;
  /** Seconds of queued tiny tasks kept in flight per thread (default 0.005). */
  pipelineSeconds?: number;
  /** Duration estimate in seconds for a prefix never seen finishing (default 0.5). */
  defaultTaskDuration?: number;
  /** Bytes/s used to cost data transfer in worker choice (default 1e9). */
  bandwidth?: number;
  /** Ring buffer size of the transition log (default 100_000). */
  transitionLogLength?: number;
  /** Clock in seconds (default performance.now() / 1000). */
  now?: () => number;
}


/** Dask's state machine over tasks, workers and clients. */
export class SchedulerState {
  readonly tasks = new Map<string, TaskState>();
  readonly workers = new Map<string, WorkerState>();
  readonly clients = new Map<string, ClientState>();
  /** Root tasks waiting for a worker slot, by priority. */
  readonly queued = new PriorityHeap<TaskState>();
  /** Tasks in no-worker. */
  readonly unrunnable = new Set<TaskState>();
  readonly prefixes = new Map<string, TaskPrefix>();
  readonly groups = new Map<string, TaskGroup>();
  /** Every module seen in update-graph, in order (workers are sent the tail they lack). */
  readonly modules: string[] = [];
  /** Sum of nthreads over all workers. */
  totalNthreads = 0;
  /** Number of update-graph calls so far (second element of task priorities). */
  generation = 0;
  /** Work stealing: steals in flight and their counters. */
  readonly stealing = new WorkStealing();

  readonly allowedFailures: number;
  readonly workerSaturation: number;
  readonly pipelineSeconds: number;
  readonly defaultTaskDuration: number;
  readonly bandwidth: number;

  private readonly now: () => number;
  private readonly log: TransitionLog;
  private readonly eventLog: RingBuffer<SchedulerEvent>;
  private readonly moduleSet = new Set<string>();
  /** Workers being retired gracefully: paused for new tasks until they are removed. */
  private readonly retiringWorkers = new Set<WorkerState>();
  /** Workers that paused themselves because of memory pressure. */
  private readonly memoryPaused = new Set<WorkerState>();
  private outbox: Outgoing[] = [];
  /** Time of the current stimulus (one clock read per stimulus). */
  private time = 0;
  // Arguments of the first transition of a stimulus (Dask passes them as kwargs).
  /** @internal */ finNbytes = 0;
  /** @internal */ finType = "";
  /** @internal */ finDuration = -1;
  /** @internal A worker chosen before a queued->processing transition. */ chosenWorker: WorkerState | undefined;
  /** @internal The steal being enacted: its task leaves `victim` quietly and goes to `thief` (when still able). */
  stealMove: { ts: TaskState; victim: WorkerState; thief: WorkerState | undefined } | undefined;

  constructor(opts: SchedulerStateOptions = {}) {
    this.allowedFailures = opts.allowedFailures ?? 3;
    this.workerSaturation = opts.workerSaturation ?? 1.1;
    this.pipelineSeconds = opts.pipelineSeconds ?? 0.005;
    this.defaultTaskDuration = opts.defaultTaskDuration ?? 0.5;
    this.bandwidth = opts.bandwidth ?? 1e9;
    this.now = opts.now ?? (() => performance.now() / 1000);
    if (!(this.workerSaturation > 0)) throw new RangeError(`workerSaturation must be > 0; got ${this.workerSaturation}`);
    if (!(this.bandwidth > 0)) throw new RangeError(`bandwidth must be > 0; got ${this.bandwidth}`);
    if (!(this.defaultTaskDuration >= 0)) throw new RangeError(`defaultTaskDuration must be >= 0`);
    if (!(this.allowedFailures >= 0)) throw new RangeError(`allowedFailures must be >= 0`);
    const n = opts.transitionLogLength ?? 100_000;
    this.log = new TransitionLog(n);
    this.eventLog = new RingBuffer<SchedulerEvent>(n);
  }

  // ---------------------------------------------------------------- reading

  /** Every transition, oldest first (bounded). */
  transitionLog(): TransitionRecord[] {
    return this.log.toArray();
  }

  /** Non-transition events, oldest first (bounded). */
  events(): SchedulerEvent[] {
    return this.eventLog.toArray();
  }

  /** Transitions of one key, in order. */
  story(key: string): TransitionRecord[] {
    return this.log.toArray(key);
  }

  /** Where each key is held (unknown keys: no holder). */
  whoHas(keys: readonly string[]): WhoHas {
    const out: WhoHas = {};
    for (const key of keys) {
      const ts = this.tasks.get(key);
      out[key] = ts === undefined ? [] : [...ts.whoHas].map((ws) => ws.address);
    }
    return out;
  }

  /** The messages produced since the last call, in order. */
  drain(): Outgoing[] {
    const out = this.outbox;
    this.outbox = [];
    return out;
  }

  /** Asserts every invariant of the state; throws an Error naming the first one broken. */
  validate(): void {
    validateState(this);
    this.stealing.validate(this);
  }

  /** Current duration estimate (seconds) of a task of this prefix. */
  estimate(prefix: TaskPrefix): number {
    return prefix.durationAverage >= 0 ? prefix.durationAverage : this.defaultTaskDuration;
  }

  /** Dask's is_rootish: no dependencies, or a large group with very few dependency keys; never restricted. */
  isRootish(ts: TaskState): boolean {
    if (ts.resourceRestrictions !== undefined || ts.workerRestrictions !== undefined || ts.actor) return false;
    if (ts.dependencies.size === 0) return true;
    const g = ts.group;
    if (g.size <= 2 * this.totalNthreads) return false;
    let total = 0;
    for (const dg of g.dependencies) {
      total += dg.size;
      if (total > 5) return false;
    }
    return true;
  }

  // ---------------------------------------------------------------- workers and clients

  /** A worker registered. */
  addWorker(info: WorkerInfo): void {
    if (typeof info?.address !== "string" || info.address === "") throw new TypeError("addWorker: address must be a non-empty string");
    if (!Number.isInteger(info.nthreads) || info.nthreads < 1) {
      throw new RangeError(`addWorker: nthreads must be a positive integer; got ${info.nthreads}`);
    }
    if (this.workers.has(info.address)) throw new Error(`Worker ${info.address} is already registered`);
    const ws = new WorkerState(
      info.address,
      info.name ?? info.address,
      info.nthreads,
      info.memoryLimit ?? 0,
      { ...(info.resources ?? {}) },
      info.pid ?? 0,
    );
    this.workers.set(ws.address, ws);
    this.totalNthreads += ws.nthreads;
    this.time = this.now();
    this.event("add-worker", { worker: ws.address, name: ws.name, nthreads: ws.nthreads });
    this.retryUnrunnable("add-worker");
    this.fillQueuedSlots("add-worker");
  }

  /**
   * A worker died, stopped answering or closed: reschedule its tasks, recompute what was only there.
   * With `safe` (a graceful retirement, Dask's remove_worker(safe=True)) its processing tasks are rescheduled
   * without counting the removal against them: a worker that was asked to leave did not crash.
   */
  removeWorker(address: string, reason: string, opts: { safe?: boolean } = {}): void {
    const ws = this.workers.get(address);
    if (ws === undefined) return;
    const stimulus = opts.safe === true ? "retire-worker" : "remove-worker";
    this.workers.delete(address);
    this.retiringWorkers.delete(ws);
    this.memoryPaused.delete(ws);
    this.stealing.workerRemoved(ws);
    this.totalNthreads -= ws.nthreads;
    this.time = this.now();
    const recs: Recs = new Map();
    // Lost results first, so that rescheduled dependents see them released rather than in memory with no holder.
    let lost = 0;
    for (const ts of ws.hasWhat) {
      ts.whoHas.delete(ws);
      if (ts.whoHas.size === 0 && ts.state === "memory") {
        recs.set(ts.key, "released");
        lost++;
      }
    }
    ws.hasWhat.clear();
    ws.nbytes = 0;
    const processing = ws.processing.size;
    for (const ts of ws.processing.keys()) {
      if (opts.safe === true) {
        recs.set(ts.key, "released");
        continue;
      }
      ts.suspicious++;
      ts.prefix.suspicious++;
      ts.killedOn.push(address);
      if (ts.suspicious > this.allowedFailures) {
        ts.exception = new KilledWorker(ts.key, [...ts.killedOn], this.allowedFailures);
        ts.exceptionBlame = ts.key;
        recs.set(ts.key, "erred");
      } else {
        recs.set(ts.key, "released");
      }
    }
    this.event("remove-worker", { worker: address, reason, processing, lost, safe: opts.safe === true });
    this.transitions(recs, stimulus);
    this.fillQueuedSlots(stimulus);
  }

  /** Paused workers get no new tasks; unpausing hands them queued and no-worker tasks. */
  setWorkerPaused(address: string, paused: boolean): void {
    const ws = this.workers.get(address);
    if (ws === undefined) return;
    // While retiring, ws.paused stays true whatever memory says: only the memory flag changes.
    const was = this.retiringWorkers.has(ws) ? this.memoryPaused.has(ws) : ws.paused;
    if (was === paused) return;
    if (paused) this.memoryPaused.add(ws);
    else this.memoryPaused.delete(ws);
    this.time = this.now();
    this.event(paused ? "worker-paused" : "worker-unpaused", { worker: address });
    this.refreshPaused(ws, "worker-unpaused");
  }

  /**
   * Marks a worker as retiring (Dask's closing_gracefully): like a paused one it gets no new tasks, but its
   * processing tasks go on. `false` takes the mark off again (an aborted retirement).
   */
  setWorkerRetiring(address: string, retiring: boolean): void {
    const ws = this.workers.get(address);
    if (ws === undefined || this.retiringWorkers.has(ws) === retiring) return;
    if (retiring) this.retiringWorkers.add(ws);
    else this.retiringWorkers.delete(ws);
    this.time = this.now();
    this.event(retiring ? "worker-retiring" : "worker-retiring-aborted", { worker: address });
    this.refreshPaused(ws, "worker-retiring-aborted");
  }

  /** True while `address` is being retired. */
  isRetiring(address: string): boolean {
    const ws = this.workers.get(address);
    return ws !== undefined && this.retiringWorkers.has(ws);
  }

  /** True when the worker paused itself for memory (as opposed to being retired). */
  isMemoryPaused(address: string): boolean {
    const ws = this.workers.get(address);
    return ws !== undefined && (this.retiringWorkers.has(ws) ? this.memoryPaused.has(ws) : ws.paused);
  }

  /** Workers not being retired, in registration order. */
  activeWorkers(): WorkerState[] {
    const out: WorkerState[] = [];
    for (const ws of this.workers.values()) if (!this.retiringWorkers.has(ws)) out.push(ws);
    return out;
  }

  /**
   * Dask's Scheduler.adaptive_target: how many workers the current load wants (`targetDuration` in seconds
   * of work per worker). See adaptive-target.ts for the rules.
   */
  adaptiveTarget(targetDuration = 5): number {
    return adaptiveTarget(this, targetDuration);
  }

  /** Dask's Scheduler.workers_to_close over the workers not being retired: idle ones first, then fewest bytes. */
  workersToClose(opts: WorkersToCloseOptions = {}): string[] {
    return workersToClose(this.activeWorkers(), opts);
  }

  /** Records a non-transition event (the server logs retirements with it). */
  logEvent(topic: string, fields: Record<string, unknown>): void {
    this.time = this.now();
    this.event(topic, fields);
  }

  /** ws.paused = paused for memory or retiring; becoming unpaused hands it queued and no-worker tasks. */
  private refreshPaused(ws: WorkerState, stimulus: string): void {
    const paused = this.memoryPaused.has(ws) || this.retiringWorkers.has(ws);
    if (ws.paused === paused) return;
    ws.paused = paused;
    if (!paused) {
      this.retryUnrunnable(stimulus);
      this.fillQueuedSlots(stimulus);
    }
  }

  /** A client connected. */
  addClient(id: string): void {
    this.ensureClient(id);
  }

  /** A client went away: release everything it wanted. */
  removeClient(id: string): void {
    const cs = this.clients.get(id);
    if (cs === undefined) return;
    const recs: Recs = new Map();
    for (const ts of [...cs.wantsWhat]) this.dropWant(cs, ts, recs);
    this.clients.delete(id);
    this.time = this.now();
    this.event("remove-client", { client: id });
    this.transitions(recs, "remove-client");
    this.fillQueuedSlots("remove-client");
  }

  // ---------------------------------------------------------------- client stimuli

  /** A client submitted tasks and holds futures for `wanted`. */
  updateGraph(client: string, tasks: TaskSpec[], wanted: string[], modules: string[]): void {
    const stimulus = "update-graph";
    const cs = this.ensureClient(client);
    this.generation++;
    for (const m of modules ?? []) {
      if (!this.moduleSet.has(m)) {
        this.moduleSet.add(m);
        this.modules.push(m);
      }
    }
    const specs = new Map<string, TaskSpec>();
    for (const spec of tasks ?? []) {
      if (typeof spec?.key !== "string") throw new TypeError("updateGraph: every task needs a string key");
      if (!Array.isArray(spec.deps)) throw new TypeError(`updateGraph: task '${spec.key}' needs a deps array`);
      if (!specs.has(spec.key)) specs.set(spec.key, spec);
    }
    // Create the tasks the wanted keys need (a cull: specs nobody needs are not created).
    const created: TaskState[] = [];
    const stack = [...wanted].reverse();
    const seen = new Set<string>();
    while (stack.length > 0) {
      const key = stack.pop()!;
      if (seen.has(key)) continue;
      seen.add(key);
      const spec = specs.get(key);
      const known = this.tasks.get(key);
      if (known !== undefined) {
        // Reused as it is, except that a released task without a run gets the new one.
        if (known.state === "released" && known.run === undefined && spec?.run !== undefined) {
          known.run = spec.run;
          if (known.dependencies.size === 0 && spec.deps.length > 0) {
            created.push(known);
            for (const d of spec.deps) stack.push(d);
          }
        }
        continue;
      }
      if (spec === undefined) continue;
      created.push(this.newTask(spec));
      for (let i = spec.deps.length - 1; i >= 0; i--) stack.push(spec.deps[i]!);
    }
    const recs: Recs = new Map();
    const ready: TaskState[] = [];
    for (const ts of created) {
      let missing: string | undefined;
      for (const d of specs.get(ts.key)!.deps) {
        const dts = this.tasks.get(d);
        if (dts === undefined || dts === ts) {
          missing ??= d;
          continue;
        }
        ts.dependencies.add(dts);
        dts.dependents.add(ts);
        ts.group.dependencies.add(dts.group);
      }
      if (missing !== undefined) {
        ts.exception = new MissingDependencyError(ts.key, missing);
        ts.exceptionBlame = ts.key;
        // Erred recommendations go first so that no dependent gets to run on them.
        recs.set(ts.key, "erred");
      } else if (ts.state === "released") {
        ready.push(ts);
      }
    }
    for (const key of wanted) {
      const ts = this.tasks.get(key);
      if (ts === undefined) {
        this.toClient(cs.id, { op: "task-erred", key, exception: new UnknownKeyError(key) });
        continue;
      }
      this.addWant(cs, ts);
      if (ts.state === "released" && !recs.has(key)) ready.push(ts);
    }
    ready.sort((a, b) => comparePriority(a.priority, b.priority));
    for (const ts of ready) if (!recs.has(ts.key)) recs.set(ts.key, "waiting");
    this.transitions(recs, stimulus);
    this.fillQueuedSlots(stimulus);
  }

  /** The client dropped its futures of these keys. */
  clientReleasesKeys(client: string, keys: string[]): void {
    const cs = this.clients.get(client);
    if (cs === undefined) return;
    const recs: Recs = new Map();
    for (const key of keys) {
      const ts = this.tasks.get(key);
      if (ts !== undefined) this.dropWant(cs, ts, recs);
    }
    this.transitions(recs, "client-releases-keys");
    this.fillQueuedSlots("client-releases-keys");
  }

  /** The client (again) holds futures of these keys; unknown keys err with UnknownKeyError. */
  clientDesiresKeys(client: string, keys: string[]): void {
    const cs = this.ensureClient(client);
    const recs: Recs = new Map();
    for (const key of keys) {
      const ts = this.tasks.get(key);
      if (ts === undefined) {
        this.toClient(cs.id, { op: "task-erred", key, exception: new UnknownKeyError(key) });
        continue;
      }
      this.addWant(cs, ts);
      if (ts.state === "released") recs.set(key, "waiting");
    }
    this.transitions(recs, "client-desires-keys");
    this.fillQueuedSlots("client-desires-keys");
  }

  /** Data the client scattered to workers: tasks directly in memory, without a run. */
  updateData(client: string, whoHas: WhoHas, nbytes: Record<string, number>, types: Record<string, string>): void {
    const stimulus = "update-data";
    const cs = this.ensureClient(client);
    this.time = this.now();
    const recs: Recs = new Map();
    for (const key in whoHas) {
      const holders = (whoHas[key] ?? []).map((a) => this.workers.get(a)).filter((w) => w !== undefined);
      if (holders.length === 0) {
        // Every worker it was scattered to is gone already.
        this.toClient(cs.id, { op: "task-erred", key, exception: new LostDataError(key) });
        continue;
      }
      let ts = this.tasks.get(key);
      if (ts !== undefined && ts.state !== "memory" && ts.state !== "released") {
        // Scattered over a task that is computing or erred: let that go first (its own follow-up is moot).
        const tmp: Recs = new Map();
        this.transitionKey(key, "released", tmp, stimulus);
        tmp.delete(key);
        for (const [k, f] of tmp) recs.set(k, f);
        ts = this.tasks.get(key);
      }
      ts ??= this.newTask({ key, deps: [], order: 0 });
      if (ts.state === "memory") {
        for (const ws of holders) this.addReplica(ts, ws);
        this.addWant(cs, ts);
        continue;
      }
      const n = nbytes?.[key];
      ts.nbytes = typeof n === "number" && n >= 0 ? n : -1;
      ts.type = types?.[key] ?? "";
      ts.exception = undefined;
      ts.exceptionBlame = undefined;
      ts.whoWants.add(cs);
      cs.wantsWhat.add(ts);
      // addToMemory tells every wanting client (cs included).
      this.addToMemory(ts, holders[0]!, recs);
      this.log.record(key, "released", "memory", stimulus, this.time);
      for (const ws of holders) this.addReplica(ts, ws);
    }
    this.transitions(recs, stimulus);
    this.fillQueuedSlots(stimulus);
  }

  /** The client stops wanting these keys (force: every client does); dependents it alone wants go too. */
  cancel(client: string, keys: string[], force = false): void {
    const cs = this.clients.get(client);
    if (cs === undefined) return;
    const recs: Recs = new Map();
    const removed = new Map<ClientState, string[]>();
    const visited = new Set<TaskState>();
    const visit = (ts: TaskState): void => {
      if (visited.has(ts) || ts.whoWants.size === 0) return;
      visited.add(ts);
      if (force || (ts.whoWants.size === 1 && ts.whoWants.has(cs))) {
        for (const dts of [...ts.dependents]) visit(dts);
      }
      const losers = force ? [...ts.whoWants] : ts.whoWants.has(cs) ? [cs] : [];
      for (const c of losers) {
        this.dropWant(c, ts, recs);
        let list = removed.get(c);
        if (list === undefined) removed.set(c, (list = []));
        list.push(ts.key);
      }
    };
    for (const key of keys) {
      const ts = this.tasks.get(key);
      if (ts !== undefined) visit(ts);
    }
    for (const [c, list] of removed) this.toClient(c.id, { op: "cancelled-keys", keys: list });
    this.transitions(recs, "cancel");
    this.fillQueuedSlots("cancel");
  }

  // ---------------------------------------------------------------- worker stimuli

  /** A worker finished a task. */
  taskFinished(worker: string, key: string, nbytes: number, type: string, start: number, stop: number): void {
    const ws = this.workers.get(worker);
    if (ws === undefined) return;
    const ts = this.tasks.get(key);
    const size = typeof nbytes === "number" && nbytes >= 0 ? nbytes : 0;
    if (ts !== undefined && ts.state === "processing" && ts.processingOn === ws) {
      this.finNbytes = size;
      this.finType = typeof type === "string" ? type : "";
      // A seceded task's wall time is mostly waiting: its compute time was counted at secede (as in Dask).
      this.finDuration = ws.longRunning.has(ts) ? -1 : stop >= start ? stop - start : -1;
      this.transitionsOne(key, "memory", "task-finished");
      this.fillQueuedSlots("task-finished");
    } else if (ts !== undefined && ts.state === "memory") {
      // Stale (e.g. it was rescheduled and finished twice): keep the extra replica.
      this.addReplica(ts, ws);
    } else {
      this.toWorker(worker, { op: "free-keys", keys: [key] });
    }
  }

  /** A task raised on a worker: retry it while it has retries, else err it and its dependents. */
  taskErred(worker: string, key: string, exception: unknown, start: number, stop: number): void {
    void start;
    void stop;
    const ws = this.workers.get(worker);
    const ts = this.tasks.get(key);
    if (ws === undefined || ts === undefined || ts.state !== "processing" || ts.processingOn !== ws) return;
    if (ts.retries > 0) {
      ts.retries--;
      this.transitionsOne(key, "waiting", "task-erred");
    } else {
      ts.exception = exception;
      ts.exceptionBlame = key;
      this.transitionsOne(key, "erred", "task-erred");
    }
    this.fillQueuedSlots("task-erred");
  }

  /** A worker fetched replicas of these keys. */
  addKeys(worker: string, keys: string[], nbytes: Record<string, number>): void {
    const ws = this.workers.get(worker);
    if (ws === undefined) return;
    const redundant: string[] = [];
    for (const key of keys) {
      const ts = this.tasks.get(key);
      if (ts !== undefined && ts.state === "memory") {
        if (ts.nbytes < 0 && typeof nbytes?.[key] === "number" && ts.whoHas.size === 0) ts.nbytes = nbytes[key]!;
        this.addReplica(ts, ws);
      } else {
        redundant.push(key);
      }
    }
    if (redundant.length > 0) this.toWorker(worker, { op: "free-keys", keys: redundant });
  }

  /** `worker` could not fetch `key` from `errant`: drop that replica, recompute if none is left. */
  missingData(worker: string, key: string, errant: string): void {
    const ts = this.tasks.get(key);
    if (ts === undefined) return;
    this.time = this.now();
    this.event("missing-data", { worker, key, errant });
    const ews = this.workers.get(errant);
    if (ews !== undefined) this.removeReplica(ts, ews);
    const recs: Recs = new Map();
    if (ts.state === "memory" && ts.whoHas.size === 0) recs.set(key, "released");
    // The dependent that needed it starts over with fresh who_has (memory->released does this too).
    const ws = this.workers.get(worker);
    for (const dts of ts.dependents) {
      if (dts.state === "processing" && dts.processingOn === ws) recs.set(dts.key, "waiting");
    }
    this.transitions(recs, "missing-data");
    this.fillQueuedSlots("missing-data");
  }

  /** A worker dropped these keys on its own. */
  releaseWorkerData(worker: string, keys: string[]): void {
    const ws = this.workers.get(worker);
    if (ws === undefined) return;
    const recs: Recs = new Map();
    for (const key of keys) {
      const ts = this.tasks.get(key);
      if (ts === undefined || !ts.whoHas.has(ws)) continue;
      this.removeReplica(ts, ws);
      if (ts.state === "memory" && ts.whoHas.size === 0) recs.set(key, "released");
    }
    this.transitions(recs, "release-worker-data");
    this.fillQueuedSlots("release-worker-data");
  }

  // ---------------------------------------------------------------- work stealing

  /**
   * Periodic rebalancing (the server calls it every stealing interval): sends steal-requests for tasks
   * waiting on saturated workers that idle workers could start sooner. Returns the number of requests sent.
   */
  balance(): number {
    return this.stealing.balance(this);
  }

  /**
   * A worker answered a steal-request. "ready" / "fetching": it dropped the task, which moves to the thief
   * (or is rescheduled normally when the thief can no longer take it); "executing" / null: nothing moves.
   * Answers to abandoned steals (the task finished, was released or moved meanwhile) are ignored.
   */
  stealResponse(worker: string, key: string, state: StealResponseState): void {
    const victim = this.workers.get(worker);
    if (victim === undefined) return;
    const ts = this.tasks.get(key);
    const steal = this.stealing.settle(victim, key, ts);
    if (steal === undefined || ts === undefined) return;
    if (state !== "ready" && state !== "fetching") {
      this.stealing.counts.rejected++;
      return;
    }
    // settle() only returns steals of tasks still processing on the victim (validate() checks it).
    const thief = steal.thief;
    const thiefOk = this.workers.get(thief.address) === thief && canRun(ts, thief, !ts.loose);
    this.stealMove = { ts, victim, thief: thiefOk ? thief : undefined };
    try {
      // processing -> released -> waiting -> processing, all recorded under the stimulus "steal".
      this.transitionsOne(key, "released", "steal");
    } finally {
      this.stealMove = undefined;
    }
    const moved = thiefOk && ts.processingOn === thief;
    if (moved) this.stealing.counts.moved++;
    else this.stealing.counts.rescheduled++;
    this.event(moved ? "steal" : "steal-rescheduled", {
      key,
      victim: victim.address,
      thief: thief.address,
      worker: ts.processingOn?.address,
      state,
    });
    this.fillQueuedSlots("steal");
  }

  /** Runs one recommended transition (and everything it recommends). */
  transition(key: string, finish: TaskStateName, stimulus = "manual"): void {
    this.transitionsOne(key, finish, stimulus);
    this.fillQueuedSlots(stimulus);
  }

  // ---------------------------------------------------------------- engine

  /** Runs recommendations until none is left (Dask's _transitions). */
  private transitions(recs: Recs, stimulus: string): void {
    if (recs.size === 0) return;
    this.time = this.now();
    // Map iteration visits entries added (or deleted and re-added) during the loop.
    for (const [key, finish] of recs) {
      recs.delete(key);
      this.transitionKey(key, finish, recs, stimulus);
    }
  }

  private transitionsOne(key: string, finish: TaskStateName, stimulus: string): void {
    const recs: Recs = new Map();
    recs.set(key, finish);
    this.transitions(recs, stimulus);
  }

  /** One transition; those without a direct edge go through released (Dask's _transition). */
  private transitionKey(key: string, finish: TaskStateName, recs: Recs, stimulus: string): void {
    const ts = this.tasks.get(key);
    if (ts === undefined) return;
    const start = ts.state;
    if (start === finish) return;
    // Only tasks nothing refers to may be forgotten; a stale recommendation is dropped.
    if (finish === "forgotten" && (ts.dependents.size > 0 || ts.whoWants.size > 0)) return;
    const direct = TABLE[start][finish];
    if (direct !== undefined) {
      direct(this, ts, recs);
      if (ts.state !== start) this.log.record(key, start, ts.state, stimulus, this.time);
      return;
    }
    if (start === "released" || finish === "released") {
      throw new Error(`Impossible transition ${start} -> ${finish} of '${key}'`);
    }
    TABLE[start].released!(this, ts, recs);
    this.log.record(key, start, "released", stimulus, this.time);
    const v = finish === "erred" ? finish : (recs.get(key) ?? finish);
    recs.delete(key);
    if (v === "released") return;
    if (v === "forgotten" && (ts.dependents.size > 0 || ts.whoWants.size > 0)) return;
    const next = TABLE.released[v];
    if (next === undefined) throw new Error(`Impossible transition released -> ${v} of '${key}'`);
    next(this, ts, recs);
    if (ts.state !== "released") this.log.record(key, "released", ts.state, stimulus, this.time);
  }

  // ---------------------------------------------------------------- helpers used by transitions

  /**
   * A processing task seceded from its worker's thread (secede() inside it, e.g. to wait for tasks it
   * submitted): it stops counting against the worker's slots and occupancy, so queued tasks can go there.
   */
  longRunning(worker: string, key: string, computeDuration: number): void {
    const ws = this.workers.get(worker);
    const ts = this.tasks.get(key);
    if (ws === undefined || ts === undefined || ts.state !== "processing" || ts.processingOn !== ws || ws.longRunning.has(ts)) return;
    this.time = this.now();
    const est = ws.processing.get(ts) ?? 0;
    ws.processing.set(ts, 0);
    ws.occupancy = ws.processing.size === 1 ? 0 : ws.occupancy - est;
    ws.longRunning.add(ts);
    if (typeof computeDuration === "number" && computeDuration >= 0) {
      const p = ts.prefix;
      p.durationAverage = p.durationAverage < 0 ? computeDuration : 0.5 * p.durationAverage + 0.5 * computeDuration;
    }
    this.stealing.taskLeftProcessing(ts);
    this.event("long-running", { key, worker, computeDuration });
    this.fillQueuedSlots("long-running");
  }

  /** @internal Assigns a ready task to a worker and sends compute-task. */
  addToProcessing(ts: TaskState, ws: WorkerState): void {
    const est = this.estimate(ts.prefix);
    ws.processing.set(ts, est);
    ws.occupancy += est;
    ts.processingOn = ws;
    ts.state = "processing";
    const whoHas: WhoHas = {};
    const nbytes: Record<string, number> = {};
    for (const dts of ts.dependencies) {
      const holders: string[] = [];
      for (const h of dts.whoHas) holders.push(h.address);
      whoHas[dts.key] = holders;
      nbytes[dts.key] = Math.max(dts.nbytes, 0);
    }
    const msg: Extract<SchedulerToWorker, { op: "compute-task" }> = {
      op: "compute-task",
      key: ts.key,
      run: ts.run!,
      who_has: whoHas,
      nbytes,
      priority: ts.priority,
    };
    if (ts.resourceRestrictions !== undefined) msg.resources = ts.resourceRestrictions;
    if (ts.actor) msg.actor = true;
    if (ws.modulesSent < this.modules.length) {
      msg.modules = this.modules.slice(ws.modulesSent);
      ws.modulesSent = this.modules.length;
    }
    this.outbox.push({ to: "worker", address: ws.address, msg });
  }

  /** @internal Takes a task off its worker; returns that worker. */
  removeFromProcessing(ts: TaskState): WorkerState | undefined {
    const ws = ts.processingOn;
    if (ws === undefined) return undefined;
    const est = ws.processing.get(ts) ?? 0;
    ws.processing.delete(ts);
    ws.longRunning.delete(ts);
    this.stealing.taskLeftProcessing(ts);
    // Reset on empty so that floating-point drift never accumulates.
    ws.occupancy = ws.processing.size === 0 ? 0 : ws.occupancy - est;
    ts.processingOn = undefined;
    return ws;
  }

  /** @internal Puts a task in memory on `ws` and tells dependents, dependencies and clients. */
  addToMemory(ts: TaskState, ws: WorkerState, recs: Recs): void {
    this.addReplica(ts, ws);
    ts.state = "memory";
    for (const dts of ts.dependents) {
      if (dts.waitingOn.delete(ts) && dts.waitingOn.size === 0 && dts.state === "waiting") {
        recs.set(dts.key, "processing");
      }
    }
    for (const dts of ts.dependencies) {
      dts.waiters.delete(ts);
      if (dts.waiters.size === 0 && dts.whoWants.size === 0 && dts.state === "memory") recs.set(dts.key, "released");
    }
    if (ts.waiters.size === 0 && ts.whoWants.size === 0) {
      recs.set(ts.key, ts.dependents.size === 0 ? "forgotten" : "released");
    } else {
      for (const cs of ts.whoWants) {
        this.toClient(cs.id, { op: "key-in-memory", key: ts.key, nbytes: Math.max(ts.nbytes, 0), type: ts.type });
      }
    }
  }

  /** @internal Records that `ws` holds `ts`. */
  addReplica(ts: TaskState, ws: WorkerState): void {
    if (ts.whoHas.has(ws)) return;
    ts.whoHas.add(ws);
    ws.hasWhat.add(ts);
    ws.nbytes += Math.max(ts.nbytes, 0);
  }

  /** @internal Records that `ws` no longer holds `ts`. */
  removeReplica(ts: TaskState, ws: WorkerState): void {
    if (!ts.whoHas.delete(ws)) return;
    ws.hasWhat.delete(ts);
    ws.nbytes -= Math.max(ts.nbytes, 0);
  }

  /** @internal Queues a message to a worker (dropped when the worker is gone). */
  toWorker(address: string, msg: SchedulerToWorker): void {
    if (this.workers.has(address)) this.outbox.push({ to: "worker", address, msg });
  }

  /** @internal Queues a message to a client. */
  toClient(client: string, msg: SchedulerToClient): void {
    this.outbox.push({ to: "client", client, msg });
  }

  /** @internal Removes a forgotten task from every index. */
  removeKey(ts: TaskState): void {
    this.tasks.delete(ts.key);
    this.unrunnable.delete(ts);
    this.queued.remove(ts);
    for (const cs of ts.whoWants) cs.wantsWhat.delete(ts);
    ts.whoWants.clear();
    ts.processingOn = undefined;
    ts.prefix.size--;
    if (--ts.group.size === 0) this.groups.delete(ts.group.name);
  }

  /** Hands queued root tasks to workers with free slots, best priority first. */
  private fillQueuedSlots(stimulus: string): void {
    if (this.queued.size === 0 || this.workers.size === 0) return;
    const recs: Recs = new Map();
    for (;;) {
      const ts = this.queued.peek();
      if (ts === undefined) break;
      const ws = decideRootishWorker(this.workers, this.workerSaturation, this.pipelineSeconds, this.estimate(ts.prefix));
      if (ws === undefined) break;
      this.chosenWorker = ws;
      recs.set(ts.key, "processing");
      this.transitions(recs, stimulus);
      this.chosenWorker = undefined;
    }
  }

  /** Re-tries every no-worker task (a worker joined or unpaused). */
  private retryUnrunnable(stimulus: string): void {
    if (this.unrunnable.size === 0) return;
    const recs: Recs = new Map();
    for (const ts of this.unrunnable) recs.set(ts.key, "processing");
    this.transitions(recs, stimulus);
  }

  private newTask(spec: TaskSpec): TaskState {
    const key = spec.key;
    const gname = groupName(key);
    let group = this.groups.get(gname);
    if (group === undefined) {
      const pname = key.startsWith("[") ? keyPrefix(gname) : gname;
      let prefix = this.prefixes.get(pname);
      if (prefix === undefined) this.prefixes.set(pname, (prefix = new TaskPrefix(pname)));
      this.groups.set(gname, (group = new TaskGroup(gname, prefix)));
    }
    group.size++;
    group.prefix.size++;
    const priority: Priority = [-(spec.priority ?? 0), this.generation, spec.order ?? 0];
    const ts = new TaskState(key, group.prefix, group, spec.run, priority);
    ts.retries = spec.retries ?? 0;
    if (spec.resources !== undefined && Object.keys(spec.resources).length > 0) ts.resourceRestrictions = { ...spec.resources };
    if (spec.workers !== undefined && spec.workers.length > 0) ts.workerRestrictions = new Set(spec.workers);
    ts.loose = spec.allowOtherWorkers === true;
    ts.actor = spec.actor === true;
    this.tasks.set(key, ts);
    return ts;
  }

  private ensureClient(id: string): ClientState {
    let cs = this.clients.get(id);
    if (cs === undefined) {
      this.clients.set(id, (cs = new ClientState(id)));
      this.time = this.now();
      this.event("add-client", { client: id });
    }
    return cs;
  }

  private addWant(cs: ClientState, ts: TaskState): void {
    if (!ts.whoWants.has(cs)) {
      ts.whoWants.add(cs);
      cs.wantsWhat.add(ts);
    }
    if (ts.state === "memory") {
      this.toClient(cs.id, { op: "key-in-memory", key: ts.key, nbytes: Math.max(ts.nbytes, 0), type: ts.type });
    } else if (ts.state === "erred") {
      this.toClient(cs.id, { op: "task-erred", key: ts.key, exception: ts.exception });
    }
  }

  /** Removes a client's want; recommends releasing / forgetting what nobody needs any more. */
  private dropWant(cs: ClientState, ts: TaskState, recs: Recs): void {
    if (!ts.whoWants.delete(cs)) return;
    cs.wantsWhat.delete(ts);
    if (ts.whoWants.size > 0) return;
    if (ts.dependents.size === 0) recs.set(ts.key, "forgotten");
    else if (ts.state !== "erred" && ts.waiters.size === 0) recs.set(ts.key, "released");
  }

  private event(topic: string, fields: Record<string, unknown>): void {
    this.eventLog.push({ time: this.time, topic, ...fields });
  }
}

/** Group name of a key: the name of a tuple key, the prefix of a plain one. */
function groupName(key: string): string {
  if (key.startsWith('["')) {
    // Fast path for the common `["name", i, j]` form; escaped names go through the parser.
    const end = key.indexOf('"', 2);
    if (end > 0 && key.indexOf("\\") < 0) return key.slice(2, end);
    try {
      const v = JSON.parse(key) as unknown;
      if (Array.isArray(v) && typeof v[0] === "string") return v[0];
    } catch {
      /* a plain key that starts with [" */
    }
  }
  return keyPrefix(key);
}

