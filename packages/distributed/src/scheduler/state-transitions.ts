/**
 * The named transitions of the scheduler state machine (Dask's transition_<start>_<finish> methods). Each
 * mutates one task and adds follow-up recommendations; the engine in state.ts runs and records them.
 */
import { LostDataError } from "../errors.js";
import { decideRootishWorker, decideWorker } from "./decide-worker.js";
import type { SchedulerState } from "./state.js";
import type { TaskState, TaskStateName, WorkerState } from "./task-state.js";

/** Recommendations: key -> state it should go to next. */
export type Recs = Map<string, TaskStateName>;
/** One transition: mutates `ts`, adds recommendations. */
export type TransitionFn = (s: SchedulerState, ts: TaskState, recs: Recs) => void;


/** State -> released for waiting, queued, no-worker and processing: recompute if needed, else let go. */
function propagateReleased(s: SchedulerState, ts: TaskState, recs: Recs): void {
  ts.state = "released";
  ts.waitingOn.clear();
  if (ts.whoWants.size > 0 || ts.waiters.size > 0) {
    // Still needed: it will wait again, so its dependencies keep it as a waiter.
    recs.set(ts.key, "waiting");
    return;
  }
  for (const dts of ts.dependencies) {
    dts.waiters.delete(ts);
    if (dts.waiters.size === 0 && dts.whoWants.size === 0 && dts.state !== "released" && dts.state !== "erred") {
      recs.set(dts.key, "released");
    }
  }
  if (ts.dependents.size === 0) recs.set(ts.key, "forgotten");
  void s;
}

/** Marks a task erred: dependencies let go of it, dependents err too, wanting clients are told. */
function propagateErred(s: SchedulerState, ts: TaskState, recs: Recs): void {
  ts.state = "erred";
  ts.waitingOn.clear();
  for (const dts of ts.dependencies) {
    dts.waiters.delete(ts);
    if (dts.waiters.size === 0 && dts.whoWants.size === 0 && dts.state !== "released" && dts.state !== "erred") {
      recs.set(dts.key, "released");
    }
  }
  for (const dts of ts.dependents) {
    if (dts.state !== "memory" && dts.state !== "erred") {
      dts.exception = ts.exception;
      dts.exceptionBlame = ts.exceptionBlame;
      recs.set(dts.key, "erred");
    }
  }
  for (const cs of ts.whoWants) s.toClient(cs.id, { op: "task-erred", key: ts.key, exception: ts.exception });
}

/** Drops a task for good: unlinks it, frees its replicas, forgets dependencies nobody refers to any more. */
function propagateForgotten(s: SchedulerState, ts: TaskState, recs: Recs): void {
  ts.state = "forgotten";
  for (const dts of ts.dependents) {
    // Only reached for scattered data released under live dependents: they cannot be recomputed.
    dts.hasLostDependencies = true;
    dts.dependencies.delete(ts);
    dts.waitingOn.delete(ts);
    if (dts.state !== "memory" && dts.state !== "erred") recs.set(dts.key, "forgotten");
  }
  ts.dependents.clear();
  for (const dts of ts.dependencies) {
    dts.dependents.delete(ts);
    dts.waiters.delete(ts);
    if (dts.dependents.size === 0 && dts.whoWants.size === 0) recs.set(dts.key, "forgotten");
  }
  ts.dependencies.clear();
  ts.waitingOn.clear();
  ts.waiters.clear();
  for (const ws of ts.whoHas) {
    s.toWorker(ws.address, { op: "free-keys", keys: [ts.key] });
    ws.hasWhat.delete(ts);
    ws.nbytes -= Math.max(ts.nbytes, 0);
  }
  ts.whoHas.clear();
  s.removeKey(ts);
}

/** Makes a task wait for its dependencies (computing released ones), or recommends processing. */
const releasedWaiting: TransitionFn = (s, ts, recs) => {
  if (ts.run === undefined || ts.hasLostDependencies) {
    // Scattered data (or something computed from forgotten scattered data) cannot be recomputed.
    ts.exception = new LostDataError(ts.key);
    ts.exceptionBlame = ts.key;
    recs.set(ts.key, "erred");
    return;
  }
  if (ts.whoWants.size === 0) {
    // Only dependents that are still to run need it (not erred or finished ones, e.g. after a missing dependency).
    let needed = false;
    for (const dts of ts.dependents) {
      if (dts.state !== "erred" && dts.state !== "memory") {
        needed = true;
        break;
      }
    }
    if (!needed) {
      if (ts.dependents.size === 0) recs.set(ts.key, "forgotten");
      return;
    }
  }
  for (const dts of ts.dependencies) {
    if (dts.state === "erred") {
      ts.exception = dts.exception;
      ts.exceptionBlame = dts.exceptionBlame;
      recs.set(ts.key, "erred");
      return;
    }
  }
  ts.state = "waiting";
  for (const dts of ts.dependencies) {
    if (dts.state !== "memory") {
      ts.waitingOn.add(dts);
      if (dts.state === "released" && recs.get(dts.key) !== "erred") recs.set(dts.key, "waiting");
    }
    dts.waiters.add(ts);
  }
  if (ts.waitingOn.size === 0) recs.set(ts.key, "processing");
  void s;
};

const waitingProcessing: TransitionFn = (s, ts, recs) => {
  if (ts.waitingOn.size > 0) return;
  const steal = s.stealMove;
  if (steal !== undefined && steal.ts === ts && steal.thief !== undefined) {
    // A confirmed steal: the thief takes it, whatever decide_worker would say now.
    s.addToProcessing(ts, steal.thief);
    return;
  }
  let ws: WorkerState | undefined;
  if (Number.isFinite(s.workerSaturation) && s.isRootish(ts)) {
    ws = decideRootishWorker(s.workers, s.workerSaturation, s.pipelineSeconds, s.estimate(ts.prefix));
    if (ws === undefined) {
      recs.set(ts.key, "queued");
      return;
    }
  } else {
    ws = decideWorker(ts, s.workers, s.bandwidth);
    if (ws === undefined) {
      recs.set(ts.key, "no-worker");
      return;
    }
  }
  s.addToProcessing(ts, ws);
};

const waitingQueued: TransitionFn = (s, ts) => {
  if (ts.waitingOn.size > 0) return;
  ts.state = "queued";
  s.queued.push(ts);
};

const waitingNoWorker: TransitionFn = (s, ts) => {
  if (ts.waitingOn.size > 0) return;
  ts.state = "no-worker";
  s.unrunnable.add(ts);
};

const queuedProcessing: TransitionFn = (s, ts) => {
  const ws =
    s.chosenWorker ??
    decideRootishWorker(s.workers, s.workerSaturation, s.pipelineSeconds, s.estimate(ts.prefix));
  s.chosenWorker = undefined;
  if (ws === undefined) return;
  s.queued.remove(ts);
  s.addToProcessing(ts, ws);
};

const noWorkerProcessing: TransitionFn = (s, ts) => {
  const ws = decideWorker(ts, s.workers, s.bandwidth);
  if (ws === undefined) return;
  s.unrunnable.delete(ts);
  s.addToProcessing(ts, ws);
};

const noWorkerWaiting: TransitionFn = (s, ts, recs) => {
  s.unrunnable.delete(ts);
  ts.state = "waiting";
  for (const dts of ts.dependencies) {
    if (dts.state !== "memory") {
      ts.waitingOn.add(dts);
      if (dts.state === "released") recs.set(dts.key, "waiting");
    }
    dts.waiters.add(ts);
  }
  if (ts.waitingOn.size === 0) recs.set(ts.key, "processing");
};

const processingMemory: TransitionFn = (s, ts, recs) => {
  const ws = s.removeFromProcessing(ts)!;
  const d = s.finDuration;
  if (d >= 0) {
    const p = ts.prefix;
    p.durationAverage = p.durationAverage < 0 ? d : 0.5 * p.durationAverage + 0.5 * d;
  }
  ts.nbytes = s.finNbytes;
  ts.type = s.finType;
  s.addToMemory(ts, ws, recs);
};

const processingErred: TransitionFn = (s, ts, recs) => {
  s.removeFromProcessing(ts);
  propagateErred(s, ts, recs);
};

const processingReleased: TransitionFn = (s, ts, recs) => {
  const ws = s.removeFromProcessing(ts);
  // Tell a live worker to cancel it (unless it is a steal victim that already dropped it).
  const steal = s.stealMove;
  if (ws !== undefined && !(steal !== undefined && steal.ts === ts && steal.victim === ws)) {
    s.toWorker(ws.address, { op: "free-keys", keys: [ts.key] });
  }
  propagateReleased(s, ts, recs);
};

const waitingReleased: TransitionFn = (s, ts, recs) => propagateReleased(s, ts, recs);

const queuedReleased: TransitionFn = (s, ts, recs) => {
  s.queued.remove(ts);
  propagateReleased(s, ts, recs);
};

const noWorkerReleased: TransitionFn = (s, ts, recs) => {
  s.unrunnable.delete(ts);
  propagateReleased(s, ts, recs);
};

const memoryReleased: TransitionFn = (s, ts, recs) => {
  for (const ws of ts.whoHas) {
    s.toWorker(ws.address, { op: "free-keys", keys: [ts.key] });
    ws.hasWhat.delete(ts);
    ws.nbytes -= Math.max(ts.nbytes, 0);
  }
  ts.whoHas.clear();
  ts.state = "released";
  for (const dts of ts.dependents) {
    const st = dts.state;
    if (st === "processing" || st === "queued" || st === "no-worker") {
      // A KilledWorker verdict of the same stimulus wins over rescheduling.
      if (recs.get(dts.key) !== "erred") recs.set(dts.key, "waiting");
    } else if (st === "waiting") {
      dts.waitingOn.add(ts);
    }
  }
  if (ts.whoWants.size > 0 || ts.waiters.size > 0) {
    if (ts.run === undefined) {
      ts.exception = new LostDataError(ts.key);
      ts.exceptionBlame = ts.key;
      recs.set(ts.key, "erred");
    } else {
      for (const cs of ts.whoWants) s.toClient(cs.id, { op: "lost-data", key: ts.key });
      recs.set(ts.key, "waiting");
    }
  } else if (ts.dependents.size === 0) {
    recs.set(ts.key, "forgotten");
  }
};

const erredReleased: TransitionFn = (s, ts, recs) => {
  ts.exception = undefined;
  ts.exceptionBlame = undefined;
  ts.state = "released";
  for (const dts of ts.dependents) if (dts.state === "erred") recs.set(dts.key, "waiting");
  if (ts.whoWants.size > 0 || ts.waiters.size > 0) recs.set(ts.key, "waiting");
  else if (ts.dependents.size === 0) recs.set(ts.key, "forgotten");
  void s;
};

const releasedErred: TransitionFn = (s, ts, recs) => {
  if (ts.exception === undefined) {
    ts.exception = new Error(`Task '${ts.key}' was marked erred`);
    ts.exceptionBlame = ts.key;
  }
  propagateErred(s, ts, recs);
};

const toForgotten: TransitionFn = (s, ts, recs) => propagateForgotten(s, ts, recs);

/** The transition functions by start and finish state (Dask's _TRANSITIONS_TABLE). */
export const TABLE: Record<TaskStateName, Partial<Record<TaskStateName, TransitionFn>>> = {
  released: { waiting: releasedWaiting, erred: releasedErred, forgotten: toForgotten },
  waiting: {
    processing: waitingProcessing,
    queued: waitingQueued,
    "no-worker": waitingNoWorker,
    released: waitingReleased,
  },
  queued: { processing: queuedProcessing, released: queuedReleased },
  "no-worker": { processing: noWorkerProcessing, waiting: noWorkerWaiting, released: noWorkerReleased },
  processing: { memory: processingMemory, erred: processingErred, released: processingReleased },
  memory: { released: memoryReleased, forgotten: toForgotten },
  erred: { released: erredReleased, forgotten: toForgotten },
  forgotten: {},
};
