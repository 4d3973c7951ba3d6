/** Coordination primitives shared between clients through the scheduler: Queue, Variable, Lock, Event, Semaphore. */
export { Queue, type QueueOptions } from "./queue.js";
export { Variable } from "./variable.js";
export { Lock } from "./lock.js";
export { Event } from "./event.js";
export { Semaphore } from "./semaphore.js";
export { type CoordinationOptions } from "./client-link.js";
export { CoordinationTimeoutError, NotAcquiredError, NoClientError } from "../../scheduler/coordination/errors.js";
