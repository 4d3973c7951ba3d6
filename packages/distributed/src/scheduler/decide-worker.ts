/** Worker choice for ready tasks (Dask's decide_worker and root-task queuing slots). */
import type { TaskState, WorkerState } from "./task-state.js";

/** Above this many workers only the holders of a task's dependencies are costed (keeps choice cheap). */
const ALL_WORKERS_LIMIT = 32;

/** True when `ws` may run `ts`: not paused, enough resources, and (when strict) allowed by its workers list. */
export function canRun(ts: TaskState, ws: WorkerState, strictWorkers: boolean): boolean {
  if (ws.paused) return false;
  const rr = ts.resourceRestrictions;
  if (rr !== undefined) {
    for (const r in rr) {
      if (!((ws.resources[r] ?? 0) >= rr[r]!)) return false;
    }
  }
  const wr = ts.workerRestrictions;
  if (strictWorkers && wr !== undefined && !wr.has(ws.address) && !wr.has(ws.name)) return false;
  return true;
}

/** Bytes of `ts`'s dependencies that `ws` would have to fetch. */
function missingBytes(ts: TaskState, ws: WorkerState): number {
  let bytes = 0;
  for (const dts of ts.dependencies) {
    if (!dts.whoHas.has(ws)) bytes += dts.nbytes > 0 ? dts.nbytes : 0;
  }
  return bytes;
}

/** The best worker among `candidates` by estimated start time, ties by fewest processing, then address. */
function bestOf(
  ts: TaskState,
  candidates: Iterable<WorkerState>,
  strict: boolean,
  bandwidth: number,
): WorkerState | undefined {
  let best: WorkerState | undefined;
  let bestCost = Infinity;
  for (const ws of candidates) {
    if (!canRun(ts, ws, strict)) continue;
    const cost = missingBytes(ts, ws) / bandwidth + ws.occupancy / ws.nthreads;
    if (
      best === undefined ||
      cost < bestCost ||
      (cost === bestCost &&
        (ws.processing.size < best.processing.size ||
          (ws.processing.size === best.processing.size && ws.address < best.address)))
    ) {
      best = ws;
      bestCost = cost;
    }
  }
  return best;
}

/**
 * Chooses a worker for a task whose dependencies are all in memory, or undefined when no worker may run it
 * (the task then goes to no-worker).
 */
export function decideWorker(
  ts: TaskState,
  workers: ReadonlyMap<string, WorkerState>,
  bandwidth: number,
): WorkerState | undefined {
  if (workers.size === 0) return undefined;
  let ws: WorkerState | undefined;
  if (workers.size > ALL_WORKERS_LIMIT && ts.dependencies.size > 0 && !ts.actor) {
    // Many workers: only the holders of the dependencies are worth costing (as Dask does).
    const holders = new Set<WorkerState>();
    for (const dts of ts.dependencies) for (const h of dts.whoHas) holders.add(h);
    ws = bestOf(ts, holders, true, bandwidth);
  }
  ws ??= bestOf(ts, workers.values(), true, bandwidth);
  if (ws === undefined && ts.loose && ts.workerRestrictions !== undefined) {
    ws = bestOf(ts, workers.values(), false, bandwidth);
  }
  return ws;
}

/**
 * How many tasks a worker may have processing before it stops taking queued root tasks:
 * max(ceil(nthreads * saturation), ceil(nthreads * pipelineSeconds / estimate)), capped at nthreads * 1000.
 */
export function taskSlots(ws: WorkerState, saturation: number, pipelineSeconds: number, estimate: number): number {
  const bySaturation = Math.ceil(ws.nthreads * saturation);
  const byPipeline = estimate > 0 ? Math.ceil((ws.nthreads * pipelineSeconds) / estimate) : Infinity;
  return Math.max(1, Math.min(ws.nthreads * 1000, Math.max(bySaturation, byPipeline)));
}

/**
 * For a queued root task: the least busy (processing per thread) unpaused worker that has a free slot,
 * or undefined when every worker is saturated.
 */
export function decideRootishWorker(
  workers: ReadonlyMap<string, WorkerState>,
  saturation: number,
  pipelineSeconds: number,
  estimate: number,
): WorkerState | undefined {
  let best: WorkerState | undefined;
  let bestLoad = Infinity;
  for (const ws of workers.values()) {
    if (ws.paused) continue;
    const n = ws.processing.size - ws.longRunning.size; // seceded tasks hold no slot
    if (n >= taskSlots(ws, saturation, pipelineSeconds, estimate)) continue;
    const load = n / ws.nthreads;
    if (load < bestLoad || (load === bestLoad && ws.address < best!.address)) {
      best = ws;
      bestLoad = load;
    }
  }
  return best;
}
