/** Typed errors of the coordination primitives (Queue, Variable, Lock, Event, Semaphore), usable on both sides. */
import { DaskError, registerErrorClass } from "@dask-ts/core";

/** A Queue get/put or a Variable get did not complete within its timeout (Dask raises TimeoutError). */
export class CoordinationTimeoutError extends DaskError {
  override name = "CoordinationTimeoutError";
}

/** A Lock or a Semaphore was released by someone who does not hold it (Dask's ValueError / "Released too often"). */
export class NotAcquiredError extends DaskError {
  override name = "NotAcquiredError";
}

/** A primitive was made without a client and no default Client is connected. */
export class NoClientError extends DaskError {
  override name = "NoClientError";
}

// Errors the scheduler raises reach the client as these classes.
for (const cls of [CoordinationTimeoutError, NotAcquiredError, NoClientError]) registerErrorClass(cls);
