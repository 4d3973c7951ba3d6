/** The sync scheduler: every task in this thread, in priority order, through the shared engine. */
import { PoolScheduler } from "./pool-scheduler.js";
import { SyncLanes } from "./sync-lanes.js";

/** Runs graphs in the calling thread. For debugging: a task's error is TaskError.cause with its original stack. */
export const syncScheduler = new PoolScheduler(new SyncLanes());
