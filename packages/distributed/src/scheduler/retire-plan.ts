/** Where the data of retiring workers should go (the planning half of Dask's RetireWorker policy), pure. */
import type { WhoHas } from "../protocol.js";
import type { SchedulerState } from "./state.js";
import type { TaskState, WorkerState } from "./task-state.js";

/** One round of copies: per recipient the keys to fetch with their current holders, and what cannot move. */
export interface ReplicaPlan {
  /** recipient address -> { key: holders } (the body of a worker `gather` request). */
  byRecipient: Map<string, WhoHas>;
  /** Keys held only by leaving workers that no live worker can take (no other worker). */
  homeless: string[];
  /** Actor results held only by leaving workers: an actor lives in its worker and cannot be copied. */
  pinned: string[];
}

/** Results in memory whose every holder is among `leaving` (they would be lost with those workers). */
export function uniqueKeys(leaving: ReadonlySet<WorkerState>): TaskState[] {
  const out: TaskState[] = [];
  const seen = new Set<TaskState>();
  for (const ws of leaving) {
    for (const ts of ws.hasWhat) {
      if (seen.has(ts) || ts.state !== "memory") continue;
      seen.add(ts);
      let elsewhere = false;
      for (const h of ts.whoHas) {
        if (!leaving.has(h)) {
          elsewhere = true;
          break;
        }
      }
      if (!elsewhere) out.push(ts);
    }
  }
  return out;
}

/**
 * Plans copies of every result held only by the `retiring` workers to the other workers that are not being
 * retired: biggest results first, each to the worker that would then hold the fewest bytes, preferring
 * workers not paused for memory and with room under their memory limit.
 */
export function planReplicas(s: SchedulerState, retiring: readonly string[]): ReplicaPlan {
  const leaving = new Set<WorkerState>();
  for (const a of retiring) {
    const ws = s.workers.get(a);
    if (ws !== undefined) leaving.add(ws);
  }
  const others = s.activeWorkers().filter((ws) => !leaving.has(ws));
  const unpaused = others.filter((ws) => !s.isMemoryPaused(ws.address));
  const recipients = unpaused.length > 0 ? unpaused : others;
  const projected = new Map<WorkerState, number>();
  for (const ws of recipients) projected.set(ws, ws.nbytes);

  const plan: ReplicaPlan = { byRecipient: new Map(), homeless: [], pinned: [] };
  const keys = uniqueKeys(leaving).sort((a, b) => b.nbytes - a.nbytes || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const ts of keys) {
    if (ts.actor) {
      plan.pinned.push(ts.key);
      continue;
    }
    const size = Math.max(ts.nbytes, 0);
    const r = pickRecipient(recipients, projected, size);
    if (r === undefined) {
      plan.homeless.push(ts.key);
      continue;
    }
    projected.set(r, projected.get(r)! + size);
    let body = plan.byRecipient.get(r.address);
    if (body === undefined) plan.byRecipient.set(r.address, (body = {}));
    body[ts.key] = [...ts.whoHas].map((h) => h.address);
  }
  return plan;
}

/** The recipient that would hold the fewest bytes, among those with room for `size` if any has room. */
function pickRecipient(recipients: readonly WorkerState[], projected: ReadonlyMap<WorkerState, number>, size: number): WorkerState | undefined {
  let best: WorkerState | undefined;
  let bestRoom = false;
  let bestBytes = Infinity;
  for (const ws of recipients) {
    const bytes = projected.get(ws)!;
    const room = ws.memoryLimit === 0 || bytes + size <= ws.memoryLimit;
    const better =
      best === undefined ||
      (room && !bestRoom) ||
      (room === bestRoom && (bytes < bestBytes || (bytes === bestBytes && ws.address < best.address)));
    if (better) {
      best = ws;
      bestRoom = room;
      bestBytes = bytes;
    }
  }
  return best;
}
