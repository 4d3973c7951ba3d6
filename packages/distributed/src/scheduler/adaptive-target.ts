/** How many workers the scheduler's load wants (Dask 2022.12's Scheduler.adaptive_target), pure. */
import type { SchedulerState } from "./state.js";

/** Queued tasks sampled for their duration estimate (the rest are assumed alike, as in later Dask). */
const QUEUED_SAMPLE = 100;

/** Below this relative excess a quotient counts as whole: 100 * 0.3 s / 5 s is 6 workers, not 7. */
const EPSILON = 1e-9;

/**
 * The number of workers the current load asks for, given the wanted seconds of work per worker:
 * - cpu: ceil((occupancy of processing tasks + estimated duration of queued root tasks) / targetDuration),
 *   but never more than the number of processing plus queued tasks (a few long tasks do not ask for many
 *   workers);
 * - at least 1 when tasks wait (queued or no-worker) and there is no worker at all;
 * - memory: twice the current workers when the held bytes exceed 60% of the workers' memory limits (only
 *   when every worker has a limit);
 * - below the current count, only as far as workersToClose (idle workers, memory ratio 2) allows.
 * Workers being retired do not count as current workers.
 */
export function adaptiveTarget(s: SchedulerState, targetDuration: number): number {
  if (!(targetDuration > 0) || !Number.isFinite(targetDuration)) {
    throw new RangeError(`adaptiveTarget: targetDuration must be a positive number of seconds; got ${targetDuration}`);
  }
  const active = s.activeWorkers();
  let occupancy = 0;
  for (const ws of s.workers.values()) occupancy += ws.occupancy;

  const queued = s.queued.values();
  const sample = Math.min(QUEUED_SAMPLE, queued.length);
  let queuedOccupancy = 0;
  for (let i = 0; i < sample; i++) queuedOccupancy += s.estimate(queued[i]!.prefix);
  if (queued.length > sample) queuedOccupancy *= queued.length / sample;

  let cpu = Math.max(0, Math.ceil((occupancy + queuedOccupancy) / targetDuration - EPSILON));
  // Avoid a few long tasks asking for many workers: no more workers than tasks.
  let tasksReady = queued.length;
  let capped = true;
  for (const ws of s.workers.values()) {
    tasksReady += ws.processing.size;
    if (tasksReady > cpu) {
      capped = false;
      break;
    }
  }
  if (capped) cpu = Math.min(tasksReady, cpu);
  if ((s.unrunnable.size > 0 || queued.length > 0) && active.length === 0) cpu = Math.max(1, cpu);

  let limit = 0;
  let used = 0;
  let unlimited = false;
  for (const ws of active) {
    if (ws.memoryLimit > 0) limit += ws.memoryLimit;
    else unlimited = true;
    used += ws.nbytes;
  }
  const memory = !unlimited && limit > 0 && used > 0.6 * limit ? 2 * active.length : 0;

  const target = Math.max(memory, cpu);
  if (target >= active.length) return target;
  return active.length - s.workersToClose().length;
}
