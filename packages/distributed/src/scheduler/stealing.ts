/**
 * Work stealing (dask.distributed's WorkStealing, 2022.12): periodically moves tasks that wait on saturated
 * workers to idle ones, when moving them costs little compared to running them. Pure bookkeeping: the
 * SchedulerState calls `balance` (which queues steal-requests) and `settle` (when a steal-response arrives).
 */
import type { SchedulerState } from "./state.js";
import { canRun } from "./decide-worker.js";
import type { TaskState, WorkerState } from "./task-state.js";

/**
 * Seconds added to every transfer estimate: a steal needs several network bounces and a new compute-task,
 * so small tasks must not look cheap to move (Dask's LATENCY).
 */
export const STEAL_LATENCY = 0.1;

/** Number of cost levels (Dask's len(cost_multipliers)): level 0 has no dependencies, level 14 is the dearest. */
export const STEAL_LEVELS = 15;

/** One steal-request awaiting its answer. */
export interface InFlightSteal {
  readonly victim: WorkerState;
  readonly thief: WorkerState;
  /** Seconds of work the victim loses / the thief gains if the steal goes through. */
  readonly victimDuration: number;
  readonly thiefDuration: number;
  /** Identifies the request: a response settles it only if it answers this very request. */
  readonly id: number;
}

/** Counters of what stealing did (for dashboards and tests). */
export interface StealingCounts {
  /** steal-requests sent. */
  requests: number;
  /** Tasks moved to their thief. */
  moved: number;
  /** Victim had started the task (or did not know it): nothing moved. */
  rejected: number;
  /** Victim gave the task up but the thief could no longer take it: rescheduled normally. */
  rescheduled: number;
  /** Responses to requests that no longer mattered (task finished, released, moved meanwhile). */
  stale: number;
}

/**
 * Cost level of moving `ts` (Dask's steal_time_ratio): 0 without dependencies, else
 * round(log2(transfer / compute) + 6) clamped to >= 1; -1 when never worth stealing (too dear, or no
 * duration estimate to weigh the transfer against).
 */
export function stealLevel(s: SchedulerState, ts: TaskState): number {
  if (ts.dependencies.size === 0) return 0;
  const compute = s.estimate(ts.prefix);
  if (!(compute > 0)) return -1;
  let nbytes = 0;
  for (const dts of ts.dependencies) nbytes += Math.max(dts.nbytes, 0);
  const transfer = nbytes / s.bandwidth + STEAL_LATENCY;
  const level = Math.round(Math.log2(transfer / compute) + 6);
  if (level >= STEAL_LEVELS) return -1;
  return Math.max(level, 1);
}

/** Seconds to bring `ts`'s dependencies to `ws` (Dask's get_comm_cost). */
export function commCost(s: SchedulerState, ts: TaskState, ws: WorkerState): number {
  let nbytes = 0;
  for (const dts of ts.dependencies) if (!dts.whoHas.has(ws)) nbytes += Math.max(dts.nbytes, 0);
  return nbytes / s.bandwidth;
}

/** Whether `ts` may ever be stolen: actors stay put, and so do tasks strictly restricted to some workers. */
function movable(ts: TaskState): boolean {
  // A seceded task is running by definition: asking for it back would only get "executing".
  return !ts.actor && (ts.workerRestrictions === undefined || ts.loose) && !(ts.processingOn?.longRunning.has(ts) ?? false);
}

/** In-flight steals, their request/response matching, and the balancing pass. */
export class WorkStealing {
  /** The steal in flight for each task (a task is in at most one). */
  readonly inFlight = new Map<TaskState, InFlightSteal>();
  readonly counts: StealingCounts = { requests: 0, moved: 0, rejected: 0, rescheduled: 0, stale: 0 };
  /**
   * Unanswered request ids per victim and key, oldest first. The protocol carries no request id, but one
   * connection keeps order both ways, so the next response for (worker, key) answers the oldest request.
   * This tells a late answer to an abandoned request from the answer to a newer steal of the same key.
   */
  private readonly pending = new Map<WorkerState, Map<string, number[]>>();
  private nextId = 0;

  /**
   * Looks for idle workers and saturated ones and sends steal-requests for cheap-to-move tasks of the latter
   * (Dask's WorkStealing.balance). Returns the number of requests sent.
   */
  balance(s: SchedulerState): number {
    const workers = s.workers;
    if (workers.size < 2 || s.totalNthreads === 0) return 0;
    // Occupancy and task counts as they will be once the steals in flight went through.
    const occDelta = new Map<WorkerState, number>();
    const nDelta = new Map<WorkerState, number>();
    const shift = (ws: WorkerState, occ: number, n: number): void => {
      occDelta.set(ws, (occDelta.get(ws) ?? 0) + occ);
      nDelta.set(ws, (nDelta.get(ws) ?? 0) + n);
    };
    for (const f of this.inFlight.values()) {
      shift(f.victim, -f.victimDuration, -1);
      shift(f.thief, f.thiefDuration, 1);
    }
    const occ = (ws: WorkerState): number => ws.occupancy + (occDelta.get(ws) ?? 0);
    const nproc = (ws: WorkerState): number => ws.processing.size + (nDelta.get(ws) ?? 0);
    let totalOccupancy = 0;
    for (const ws of workers.values()) totalOccupancy += ws.occupancy;
    const average = totalOccupancy / s.totalNthreads;
    // Dask's is_unoccupied: a free thread, or less than half an average share of work.
    const unoccupied = (ws: WorkerState): boolean => nproc(ws) < ws.nthreads || occ(ws) < (ws.nthreads * average) / 2;

    // Paused workers never become thieves.
    const thieves = new Set<WorkerState>();
    for (const ws of workers.values()) if (!ws.paused && unoccupied(ws)) thieves.add(ws);
    if (thieves.size === 0 || thieves.size === workers.size) return 0;

    let victims: WorkerState[] = [];
    for (const ws of workers.values()) {
      if (thieves.has(ws)) continue;
      const p = nproc(ws);
      const nc = ws.nthreads;
      if (p <= nc) continue;
      // Work queued beyond the running tasks, per thread (Dask's check_idle_saturated).
      const pending = (occ(ws) * (p - nc)) / (p * nc);
      if (pending > 0.4 && pending > 1.9 * average) victims.push(ws);
    }
    if (victims.length === 0) {
      // Nobody is saturated by that measure: the busiest workers with more tasks than threads will do.
      victims = [...workers.values()].filter((ws) => !thieves.has(ws) && occ(ws) > 0.2 && nproc(ws) > ws.nthreads);
      victims.sort((a, b) => occ(b) - occ(a) || (a.address < b.address ? -1 : 1));
      victims = victims.slice(0, 10);
    } else {
      victims.sort((a, b) => occ(b) - occ(a) || (a.address < b.address ? -1 : 1));
    }
    if (victims.length === 0) return 0;

    // Candidate tasks by victim and cost level.
    const buckets: TaskState[][][] = victims.map((victim) => {
      const levels: TaskState[][] = Array.from({ length: STEAL_LEVELS }, () => []);
      for (const ts of victim.processing.keys()) {
        if (this.inFlight.has(ts) || !movable(ts)) continue;
        const level = stealLevel(s, ts);
        if (level >= 0) levels[level]!.push(ts);
      }
      return levels;
    });

    let sent = 0;
    for (let level = 0; level < STEAL_LEVELS && thieves.size > 0; level++) {
      for (let vi = 0; vi < victims.length && thieves.size > 0; vi++) {
        const victim = victims[vi]!;
        const list = buckets[vi]![level]!;
        // Newest assignments first: the victim is least likely to have started them.
        for (let i = list.length - 1; i >= 0 && thieves.size > 0; i--) {
          const ts = list[i]!;
          const thief = pickThief(s, ts, thieves, occ);
          if (thief === undefined) continue;
          const compute = s.estimate(ts.prefix);
          const commThief = commCost(s, ts, thief);
          const commVictim = commCost(s, ts, victim);
          // Only when the task would start clearly sooner on the thief (Dask's criterion).
          if (occ(thief) + commThief + compute > occ(victim) - (commVictim + compute) / 2) continue;
          const victimDuration = compute + commVictim;
          const thiefDuration = compute + commThief;
          this.request(s, ts, victim, thief, victimDuration, thiefDuration);
          shift(victim, -victimDuration, -1);
          shift(thief, thiefDuration, 1);
          sent++;
          if (!unoccupied(thief)) thieves.delete(thief);
        }
      }
    }
    return sent;
  }

  /**
   * Matches a steal-response from `victim` about `key` to its request. Returns the in-flight steal it settles
   * (now removed), or undefined when the answer is stale (that steal was already abandoned).
   */
  settle(victim: WorkerState, key: string, ts: TaskState | undefined): InFlightSteal | undefined {
    const byKey = this.pending.get(victim);
    const queue = byKey?.get(key);
    const id = queue?.shift();
    if (queue !== undefined && queue.length === 0) {
      byKey!.delete(key);
      if (byKey!.size === 0) this.pending.delete(victim);
    }
    const f = ts === undefined ? undefined : this.inFlight.get(ts);
    if (id === undefined || f === undefined || f.id !== id || f.victim !== victim) {
      this.counts.stale++;
      return undefined;
    }
    this.inFlight.delete(ts!);
    return f;
  }

  /** A task left processing (finished, erred, released, its worker died): its steal, if any, is moot. */
  taskLeftProcessing(ts: TaskState): void {
    if (this.inFlight.size > 0) this.inFlight.delete(ts);
  }

  /** A worker is gone: no answer will come from it. */
  workerRemoved(ws: WorkerState): void {
    this.pending.delete(ws);
  }

  /** Asserts the stealing invariants against the state; throws on the first broken one. */
  validate(s: SchedulerState): void {
    const fail = (msg: string): never => {
      throw new Error(`Scheduler state invalid: ${msg}`);
    };
    for (const [ts, f] of this.inFlight) {
      if (s.tasks.get(ts.key) !== ts) fail(`steal of forgotten '${ts.key}' is in flight`);
      if (ts.state !== "processing" || ts.processingOn !== f.victim) fail(`steal of '${ts.key}' (${ts.state}) is in flight but it is not processing on its victim`);
      if (s.workers.get(f.victim.address) !== f.victim) fail(`steal of '${ts.key}' is in flight from removed worker ${f.victim.address}`);
      if (f.thief === f.victim) fail(`steal of '${ts.key}' has its victim as thief`);
      if (!(this.pending.get(f.victim)?.get(ts.key)?.includes(f.id) ?? false)) fail(`steal of '${ts.key}' has no pending request`);
    }
    for (const ws of this.pending.keys()) {
      if (s.workers.get(ws.address) !== ws) fail(`steal requests pending for removed worker ${ws.address}`);
    }
  }

  private request(s: SchedulerState, ts: TaskState, victim: WorkerState, thief: WorkerState, victimDuration: number, thiefDuration: number): void {
    const id = this.nextId++;
    let byKey = this.pending.get(victim);
    if (byKey === undefined) this.pending.set(victim, (byKey = new Map()));
    let queue = byKey.get(ts.key);
    if (queue === undefined) byKey.set(ts.key, (queue = []));
    queue.push(id);
    this.inFlight.set(ts, { victim, thief, victimDuration, thiefDuration, id });
    this.counts.requests++;
    s.toWorker(victim.address, { op: "steal-request", key: ts.key });
  }
}

/**
 * The thief for `ts` (Dask's _get_thief): among the thieves that may run it (restrictions, resources),
 * the one where it would start soonest, ties by fewer bytes held, then address. A loosely restricted task
 * prefers its allowed workers but may go to any thief with the resources.
 */
function pickThief(
  s: SchedulerState,
  ts: TaskState,
  thieves: ReadonlySet<WorkerState>,
  occ: (ws: WorkerState) => number,
): WorkerState | undefined {
  const best = (strict: boolean): WorkerState | undefined => {
    let out: WorkerState | undefined;
    let outCost = Infinity;
    for (const ws of thieves) {
      if (!canRun(ts, ws, strict)) continue;
      const cost = occ(ws) / ws.nthreads + commCost(s, ts, ws);
      if (
        out === undefined ||
        cost < outCost ||
        (cost === outCost && (ws.nbytes < out.nbytes || (ws.nbytes === out.nbytes && ws.address < out.address)))
      ) {
        out = ws;
        outCost = cost;
      }
    }
    return out;
  };
  return best(true) ?? (ts.loose ? best(false) : undefined);
}
