/** The shared state of every Future of one key in one client (Dask's FutureState). */
import { FutureCancelledError } from "../errors.js";
import { toTaskError } from "./task-error.js";

/** What a future is doing: pending, finished (in memory), error (the task raised), cancelled, or lost (connection gone). */
export type FutureStatus = "pending" | "finished" | "error" | "cancelled" | "lost";

/** One key's status and outcome, shared by all Future objects of that key (they are reference-counted by the client). */
export class FutureState {
  status: FutureStatus = "pending";
  /** The task's exception (status "error"), or why the result is unavailable (status "cancelled" / "lost"). */
  error: unknown;
  /** The result's type name as the worker reported it. */
  type: string | undefined;
  private waiting: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(readonly key: string) {}

  /** True once the status is no longer "pending". */
  get done(): boolean {
    return this.status !== "pending";
  }

  /** The result is in memory on the cluster. */
  finish(type?: string): void {
    this.type = type ?? this.type;
    this.settle("finished", undefined);
  }

  /** The task (or one it depends on) raised `exception`. */
  setError(exception: unknown): void {
    this.settle("error", exception);
  }

  /** The key was cancelled (by cancel(), another client with force, or the client closing). */
  cancel(reason?: string): void {
    this.settle("cancelled", new FutureCancelledError(this.key, reason));
  }

  /** The connection to the scheduler is gone: the key's fate is unknown. */
  lose(error: Error): void {
    this.settle("lost", error);
  }

  /** The result was lost with its worker and is being recomputed: back to pending (Dask's lost-data). */
  reset(): void {
    if (this.status === "cancelled" || this.status === "lost") return;
    this.status = "pending";
    this.error = undefined;
  }

  /** Resolves (never rejects) when the status is no longer pending. */
  whenDone(): Promise<void> {
    if (this.done) return Promise.resolve();
    if (!this.waiting) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.waiting = { promise, resolve };
    }
    return this.waiting.promise;
  }

  /** The error a waiter should see for a non-finished status (undefined when finished or pending). */
  failure(): Error | undefined {
    switch (this.status) {
      case "error":
        return toTaskError(this.key, this.error);
      case "cancelled":
      case "lost":
        return this.error as Error;
      default:
        return undefined;
    }
  }

  private settle(status: FutureStatus, error: unknown): void {
    // Cancelled and lost are final: late scheduler messages about the key must not revive it.
    if (this.status === "cancelled" || this.status === "lost") return;
    this.status = status;
    this.error = error;
    const w = this.waiting;
    this.waiting = undefined;
    w?.resolve();
  }
}
