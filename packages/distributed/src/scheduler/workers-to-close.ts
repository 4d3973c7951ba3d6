/** Which workers to retire with the least loss (Dask's Scheduler.workers_to_close), pure. */
import type { WorkerState } from "./task-state.js";

/** Options of workersToClose (Dask's names: n, target, memory_ratio, minimum). */
export interface WorkersToCloseOptions {
  /** Close exactly this many (fewer only when `minimum` forbids). */
  n?: number;
  /** Close down to this many workers (n = workers - target). */
  target?: number;
  /**
   * Without n / target: close idle workers while the memory of those left stays at least this many times the
   * bytes held (default 2). A worker with memoryLimit 0 has no limit, so while one is left memory is never short.
   */
  memoryRatio?: number;
  /** Never leave fewer workers than this. */
  minimum?: number;
}

/**
 * The addresses of the workers that are cheapest to close, best first: idle workers (nothing processing)
 * before busy ones, fewer held bytes first, and among equals the most recently registered first. Without `n`
 * or `target` only idle workers are closed, and only while the memory-ratio rule holds.
 */
export function workersToClose(workers: Iterable<WorkerState>, opts: WorkersToCloseOptions = {}): string[] {
  const list = [...workers];
  let n = opts.n;
  let target = opts.target;
  let ratio = opts.memoryRatio;
  if (target !== undefined && n === undefined) n = list.length - target;
  if (n !== undefined) {
    if (n < 0) n = 0;
    target = list.length - n;
  }
  if (n === undefined && ratio === undefined) ratio = 2;
  if (!n && list.every((ws) => ws.processing.size > 0)) return [];

  let limit = 0;
  let unlimited = 0;
  let total = 0;
  for (const ws of list) {
    if (ws.memoryLimit > 0) limit += ws.memoryLimit;
    else unlimited++;
    total += ws.nbytes;
  }
  // Dask sorts by (idle, -bytes) and pops from the end; a stable sort makes later workers win ties.
  const order = list
    .map((ws, i) => ({ ws, i, idle: ws.processing.size === 0 }))
    .sort((a, b) => (a.idle !== b.idle ? (a.idle ? -1 : 1) : a.ws.nbytes !== b.ws.nbytes ? a.ws.nbytes - b.ws.nbytes : b.i - a.i))
    .map((e) => e.ws);

  const out: string[] = [];
  let remain = list.length;
  for (const ws of order) {
    if (n === undefined && ws.processing.size > 0) break;
    if (opts.minimum && remain - 1 < opts.minimum) break;
    if (ws.memoryLimit > 0) limit -= ws.memoryLimit;
    else unlimited--;
    const byCount = n !== undefined && remain - 1 >= (target ?? 0);
    const byMemory = ratio !== undefined && (unlimited > 0 || limit >= ratio * total);
    if (!byCount && !byMemory) break;
    out.push(ws.address);
    remain--;
  }
  return out;
}
