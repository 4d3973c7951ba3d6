/** The client side of @dask-ts/distributed: Client, Future and their helpers. */
export { Client, type ClientOptions, type ClientStatus, type ClientComputeOptions, type MapOptions, type ScatterOptions, type SchedulerInfo, type WorkerSummary } from "./client.js";
export { Future, isFuture, type FutureStatus } from "./future.js";
export { submitOptions, isSubmitOptions, type SubmitOptions } from "./submit-options.js";
export { AsCompleted, asCompleted } from "./as-completed.js";
export { wait, type WaitOptions, type DoneAndNotDone } from "./wait.js";
export { fireAndForget } from "./fire-and-forget.js";
export { futuresOf, type Gathered } from "./walk-futures.js";
export { FutureTimeoutError, NoWorkersError, DataUnavailableError } from "./errors.js";
export { getClient, secede, rejoin, withWorkerClient } from "./in-task.js";
export { type Actor, type ActorHandle } from "./actor.js";
