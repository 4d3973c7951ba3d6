/** The engine of the local schedulers: one run of a graph on a pool of lanes. */
import type { RunStats } from "../compute/options.js";
import type { ProgressReporter } from "../diagnostics/progress.js";
import { CancelledError, MissingDependencyError, TaskError, WorkerDiedError } from "../errors.js";
import type { Plan } from "../graph/plan.js";
import type { TaskResult } from "../worker/protocol.js";
import { ALIASES_INPUTS, MAY_KEEP_INPUTS } from "../memory/recycle.js";
import type { LanePool, RunHandler } from "./lanes.js";
import { PriorityQueue } from "./priority-queue.js";

/** Milliseconds of queued work each lane should have, so it never waits for the next batch. */
const TARGET_QUEUED_MS = 2;
/** Most tasks in flight per lane. */
const MAX_INFLIGHT = 512;
/** Tasks in flight per lane before any duration is known (one: a few long tasks must spread evenly). */
const START_INFLIGHT = 1;
/**
 * Tasks shorter than this (ms, on average) keep at least one more task queued behind the running one, so
 * that a lane does not wait a round trip to the scheduler (0.1 ms on an idle machine, milliseconds when
 * every core is busy and the scheduler's thread must wait for one) between tasks. Longer tasks go one at
 * a time, so that a few of them spread evenly (a queued task cannot move to a lane that became idle).
 */
const QUEUE_BELOW_MS = 25;
/** ...and about this much work (ms) queued, in up to MAX_QUEUED_SHORT tasks: many tiny tasks (views) in between must not leave a lane idle. */
const QUEUE_FLOOR_MS = 10;
const MAX_QUEUED_SHORT = 4;

const WAITING = 0;
const READY = 1;
const DISPATCHED = 2;
const DONE = 3;

let nextRunId = 1;

/** Options of one run. */
export interface GraphRunOptions {
  progress?: ProgressReporter;
  stats?: RunStats;
  signal?: AbortSignal;
}

/**
 * Runs a plan: ready tasks go out in priority order, in batches sized so each lane holds about
 * TARGET_QUEUED_MS of work; a task whose unfinished inputs are all in flight on one lane is sent to
 * that lane at once (the worker holds or will hold the inputs), which keeps chains and reduction
 * groups on one worker without a round trip per task. Results no later task needs are released as
 * soon as possible.
 */
export class GraphRun implements RunHandler {
  readonly id = nextRunId++;
  private readonly n: number;
  private readonly waiting: Int32Array;
  private readonly state: Uint8Array;
  private readonly where: Int32Array;
  /** The one lane on which a waiting task's dispatched inputs run (-1 none yet, -2 several lanes). */
  private readonly inputLane: Int32Array;
  /** How many of a waiting task's unfinished inputs are in flight on inputLane. */
  private readonly onInputLane: Int32Array;
  private readonly refs: Int32Array;
  private readonly laneHas: Uint8Array;
  private readonly values: unknown[];
  private readonly ready: PriorityQueue;
  private readonly laneReady: PriorityQueue[];
  private readonly inflight: Int32Array;
  private readonly release: string[][];
  /** Released keys whose memory nothing outside their lane can reach (see memory/recycle.ts), per lane. */
  private readonly recycle: string[][];
  /** 1 when code of a dependent may have kept this key's memory: never recycled (memory/recycle.ts). */
  private readonly pinned: Uint8Array;
  /** Results (on any lane) that are views of this key's memory and not retired yet. */
  private readonly aliasedBy: Int32Array;
  /** 1 when this key's result is a view of its inputs' memory (it holds them while it lives). */
  private readonly aliases: Uint8Array;
  /** 1 once released by this engine, 2 once retired: released and no live result is a view of it. */
  private readonly gone: Uint8Array;
  private readonly isOutput: Uint8Array;
  private done = 0;
  private held = 0;
  private avgMs = -1;
  private finished = false;
  private resolve!: (v: Map<string, unknown>) => void;
  private reject!: (e: unknown) => void;
  readonly promise: Promise<Map<string, unknown>>;
  private readonly onAbort = (): void => this.fail(new CancelledError("The computation was cancelled (AbortSignal)."));

  constructor(
    private readonly pool: LanePool,
    private readonly plan: Plan,
    private readonly outputs: readonly string[],
    private readonly opts: GraphRunOptions = {},
  ) {
    const n = (this.n = plan.keys.length);
    this.waiting = new Int32Array(n);
    this.state = new Uint8Array(n);
    this.where = new Int32Array(n).fill(-1);
    this.inputLane = new Int32Array(n).fill(-1);
    this.onInputLane = new Int32Array(n);
    this.refs = new Int32Array(n);
    this.laneHas = new Uint8Array(n);
    this.values = new Array(n);
    this.isOutput = new Uint8Array(n);
    this.ready = new PriorityQueue(plan.priority);
    this.laneReady = Array.from({ length: pool.lanes }, () => new PriorityQueue(plan.priority));
    this.inflight = new Int32Array(pool.lanes);
    this.release = Array.from({ length: pool.lanes }, () => []);
    this.recycle = Array.from({ length: pool.lanes }, () => []);
    this.pinned = new Uint8Array(n);
    this.aliasedBy = new Int32Array(n);
    this.aliases = new Uint8Array(n);
    this.gone = new Uint8Array(n);
    this.promise = new Promise((res, rej) => {
      this.resolve = res;
      this.reject = rej;
    });
    for (const k of outputs) {
      const i = plan.index.get(k);
      if (i === undefined) throw new MissingDependencyError("<output>", k);
      this.isOutput[i] = 1;
    }
    for (let i = 0; i < n; i++) {
      this.waiting[i] = plan.deps[i]!.length;
      this.refs[i] = plan.dependents[i]!.length + this.isOutput[i]!;
    }
  }

  /** Starts the run; resolves to the output values. */
  start(): Promise<Map<string, unknown>> {
    const { signal, progress } = this.opts;
    if (signal?.aborted) {
      this.fail(new CancelledError("The computation was cancelled before it started."));
      return this.promise;
    }
    signal?.addEventListener("abort", this.onAbort, { once: true });
    progress?.start(this.n);
    if (this.n === 0) {
      this.finish();
      return this.promise;
    }
    try {
      this.pool.attach(this.id, this);
      for (let i = 0; i < this.n; i++) {
        if (this.waiting[i] === 0) {
          this.state[i] = READY;
          this.ready.push(i);
        }
      }
      this.fill();
    } catch (e) {
      this.fail(e);
    }
    return this.promise;
  }

  private capacity(): number {
    if (this.pool.maxInflight) return this.pool.maxInflight;
    if (this.avgMs < 0) return START_INFLIGHT;
    const avg = Math.max(this.avgMs, 1e-4);
    const floor = avg < QUEUE_BELOW_MS ? Math.max(2, Math.min(MAX_QUEUED_SHORT, Math.ceil(QUEUE_FLOOR_MS / avg))) : 1;
    return Math.max(floor, Math.min(MAX_INFLIGHT, Math.floor(TARGET_QUEUED_MS / avg)));
  }

  /** Sends ready work to every lane that has room. */
  private fill(): void {
    if (this.finished) return;
    const cap = this.capacity();
    const lanes = this.pool.lanes;
    let freeLanes = 0;
    for (let l = 0; l < lanes; l++) if (this.inflight[l]! < cap) freeLanes++;
    if (freeLanes === 0) return;
    const share = Math.max(1, Math.ceil(this.ready.size / freeLanes));
    for (let l = 0; l < lanes && !this.finished; l++) {
      const room = cap - this.inflight[l]!;
      // A busy lane is topped up only when half its queue has drained: fewer, larger messages.
      if (room <= 0 || (this.inflight[l]! > 0 && room * 2 < cap)) continue;
      const local = this.laneReady[l]!;
      if (local.size === 0 && this.ready.size === 0 && !this.stealFor(l)) continue;
      this.dispatch(l, room, share);
    }
  }

  /** An idle lane takes tasks queued behind another lane whose inputs are all done (they can run anywhere). */
  private stealFor(lane: number): boolean {
    if (this.inflight[lane]! > 0) return false;
    for (let m = 0; m < this.pool.lanes; m++) {
      const q = this.laneReady[m]!;
      if (m === lane || q.size === 0) continue;
      const top = q.peek();
      if (this.waiting[top] === 0) {
        q.pop();
        this.ready.push(top);
        return true;
      }
    }
    return false;
  }

  /** Sends up to `room` tasks to a lane: its own queue first by priority, and at most `share` from the global queue. */
  private dispatch(lane: number, room: number, share: number): void {
    const { plan, pool } = this;
    const tasks: Array<[string, unknown]> = [];
    const data: Array<[string, unknown]> = [];
    const shipped = new Set<number>();
    const local = this.laneReady[lane]!;
    const retains = pool.retains;
    let fromGlobal = 0;
    while (tasks.length < room) {
      const a = local.peek();
      const b = fromGlobal < share ? this.ready.peek() : -1;
      if (a < 0 && b < 0) break;
      const takeLocal = a >= 0 && (b < 0 || plan.priority[a]! < plan.priority[b]!);
      const i = takeLocal ? local.pop() : this.ready.pop();
      if (!takeLocal) fromGlobal++;
      this.state[i] = DISPATCHED;
      this.where[i] = lane;
      if (retains) this.laneHas[i] = 1;
      this.inflight[lane]!++;
      for (const d of plan.deps[i]!) {
        if (retains && this.where[d] === lane && this.laneHas[d]) continue;
        if (!shipped.has(d)) {
          shipped.add(d);
          data.push([plan.keys[d]!, this.values[d]]);
        }
      }
      tasks.push([plan.keys[i]!, plan.nodes[i]]);
      if (retains) {
        // A dependent whose unfinished inputs all run on this lane can follow them here now:
        // the worker runs it right after them with no round trip, and their results are released sooner.
        // A fan-out is sent ahead only up to the lane's capacity, so it still spreads over the other
        // lanes; a chain (one dependent) always follows. The counters are kept either way: a dependent
        // not sent ahead waits for its inputs like any other.
        const fanOut = plan.dependents[i]!.length > 1;
        for (const d of plan.dependents[i]!) {
          if (this.state[d] !== WAITING) continue;
          const il = this.inputLane[d]!;
          if (il === -1) this.inputLane[d] = lane;
          else if (il !== lane) {
            this.inputLane[d] = -2;
            continue;
          }
          if (++this.onInputLane[d]! === this.waiting[d] && (!fanOut || this.capacity() - this.inflight[lane]! - local.size > 0)) {
            this.state[d] = READY;
            local.push(d);
          }
        }
      }
    }
    if (tasks.length === 0) return;
    const release = this.release[lane]!;
    this.release[lane] = [];
    const recycle = this.recycle[lane]!;
    if (recycle.length) this.recycle[lane] = [];
    if (this.opts.stats) this.opts.stats.batches++;
    pool.send(lane, recycle.length ? { t: "run", run: this.id, tasks, data, release, recycle } : { t: "run", run: this.id, tasks, data, release });
  }

  onDone(lane: number, results: TaskResult[]): void {
    if (this.finished) return;
    const { plan } = this;
    let ms = 0;
    for (const [key, value, dt, flags] of results) {
      const i = plan.index.get(key);
      if (i === undefined || this.state[i] === DONE) continue;
      ms += dt;
      if (flags! & MAY_KEEP_INPUTS) {
        // Code that may keep references ran on the inputs: their memory is never reused.
        for (const d of plan.deps[i]!) this.pinned[d] = 1;
      } else if (flags! & ALIASES_INPUTS) {
        // The result is a view of its inputs' memory (e.g. a transpose of a chunk from another lane).
        this.aliases[i] = 1;
        for (const d of plan.deps[i]!) this.aliasedBy[d]!++;
      }
      this.state[i] = DONE;
      this.done++;
      this.inflight[lane]!--;
      this.values[i] = value;
      this.held++;
      for (const d of plan.deps[i]!) {
        if (--this.refs[d]! === 0) this.releaseValue(d);
      }
      for (const d of plan.dependents[i]!) {
        if (this.inputLane[d] === lane) this.onInputLane[d]!--;
        if (--this.waiting[d]! === 0 && this.state[d] === WAITING) {
          this.state[d] = READY;
          this.ready.push(d);
        }
      }
      if (this.refs[i] === 0) this.releaseValue(i);
    }
    if (results.length) {
      // Rises at once, falls slowly: after cheap tasks, expensive ones must not be queued hundreds deep.
      const avg = ms / results.length;
      this.avgMs = this.avgMs < 0 || avg > this.avgMs ? avg : 0.7 * this.avgMs + 0.3 * avg;
    }
    const stats = this.opts.stats;
    if (stats) stats.peakHeld = Math.max(stats.peakHeld, this.held);
    this.opts.progress?.update(this.done);
    if (this.done === this.n) this.finish();
    else this.fill();
  }

  private releaseValue(i: number): void {
    if (this.isOutput[i]) return;
    this.values[i] = undefined;
    this.held--;
    this.gone[i] = 1;
    this.retire(i);
  }

  /**
   * Tells the lane holding a released key to drop it once no live result is a view of its memory. Its last
   * dependent has finished, this engine has dropped its copy, and every result that aliased it is retired
   * too: unless code that may keep references saw it, the lane may reuse its buffers (memory/recycle.ts).
   */
  private retire(first: number): void {
    if (this.aliasedBy[first]! > 0) return; // when the last view of it retires
    if (!this.aliases[first]) return this.notify(first);
    const stack = [first];
    while (stack.length) {
      const i = stack.pop()!;
      if (this.gone[i] !== 1 || this.aliasedBy[i]! > 0) continue;
      this.notify(i);
      if (this.aliases[i]) {
        for (const d of this.plan.deps[i]!) {
          if (this.pinned[i]) this.pinned[d] = 1; // a pinned view pins the memory it shows
          if (--this.aliasedBy[d]! === 0) stack.push(d);
        }
      }
    }
  }

  /** Retires a released key no live view refers to: its lane is told to drop it (and may reuse its memory). */
  private notify(i: number): void {
    this.gone[i] = 2;
    if (!this.laneHas[i]) return;
    this.laneHas[i] = 0;
    const recycle = !this.pinned[i];
    if (this.pool.releaseNow) this.pool.releaseNow(this.where[i]!, this.id, this.plan.keys[i]!, recycle);
    else (recycle ? this.recycle : this.release)[this.where[i]!]!.push(this.plan.keys[i]!);
  }

  onError(_lane: number, key: string, error: unknown): void {
    this.fail(new TaskError(key, error));
  }

  onLaneDied(lane: number, error: Error): void {
    if (this.finished) return;
    if (this.inflight[lane]! > 0) {
      const keys: string[] = [];
      for (let i = 0; i < this.n; i++) if (this.where[i] === lane && this.state[i] === DISPATCHED) keys.push(this.plan.keys[i]!);
      this.fail(new WorkerDiedError(this.pool.laneName(lane), keys, error.message));
      return;
    }
    // Nothing of ours was running there; forget what that worker held and carry on.
    for (let i = 0; i < this.n; i++) if (this.where[i] === lane) this.laneHas[i] = 0;
    this.release[lane] = [];
    this.recycle[lane] = [];
  }

  private busyLanes(): number[] {
    const out: number[] = [];
    for (let l = 0; l < this.pool.lanes; l++) if (this.inflight[l]! > 0) out.push(l);
    return out;
  }

  private cleanup(): void {
    this.finished = true;
    this.opts.signal?.removeEventListener("abort", this.onAbort);
    this.pool.detach(this.id);
    // Workers still busy with this run's tasks are interrupted when the run did not finish normally.
    this.pool.end(this.id, this.done < this.n ? this.busyLanes() : []);
    const stats = this.opts.stats;
    if (stats) stats.tasks += this.done;
  }

  private finish(): void {
    this.cleanup();
    const out = new Map<string, unknown>();
    for (const k of this.outputs) out.set(k, this.values[this.plan.index.get(k)!]);
    this.opts.progress?.finish();
    this.resolve(out);
  }

  private fail(error: unknown): void {
    if (this.finished) return;
    this.cleanup();
    this.opts.progress?.finish(error);
    this.reject(error);
  }
}
