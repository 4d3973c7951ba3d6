/** Future: a handle on a remote result, held by a Client (Dask's distributed.Future). */
import type { Client } from "./client.js";
import { FutureTimeoutError } from "./errors.js";
import type { FutureState, FutureStatus } from "./future-state.js";

export type { FutureStatus };

/** A remote result: its key, its status, and a way to wait for and fetch the value. */
export class Future<T = unknown> {
  /** @internal the shared state of this key (same object for every Future of the key in this client). */
  declare readonly _state: FutureState;
  private released = false;

  /** @internal Futures are made by a Client (submit, map, scatter, compute, persist, getDataset). */
  constructor(
    readonly key: string,
    readonly client: Client,
    state: FutureState,
  ) {
    // Not enumerable: inspecting a future shows its key and client, not the bookkeeping.
    Object.defineProperty(this, "_state", { value: state, enumerable: false });
  }

  /** "pending" | "finished" | "error" | "cancelled" | "lost". */
  get status(): FutureStatus {
    return this._state.status;
  }

  /** True when the future is no longer pending. */
  done(): boolean {
    return this._state.done;
  }

  /**
   * The value, fetched from the worker that holds it. Rejects with the task's error as a TaskError (key named,
   * remote stack kept), FutureCancelledError when cancelled, CommClosedError when the scheduler connection was
   * lost, FutureTimeoutError after `timeout` ms.
   */
  result(opts: { timeout?: number } = {}): Promise<T> {
    return withTimeout(this.client.gather(this) as Promise<T>, opts.timeout, () => `Future '${this.key}' did not finish within ${opts.timeout} ms.`);
  }

  /** Waits; resolves to the task's error (a TaskError) when it failed, undefined when it finished; rejects when cancelled or lost. */
  async exception(opts: { timeout?: number } = {}): Promise<Error | undefined> {
    await withTimeout(this._state.whenDone(), opts.timeout, () => `Future '${this.key}' did not finish within ${opts.timeout} ms.`);
    const st = this._state;
    if (st.status === "error") return st.failure();
    if (st.status === "cancelled" || st.status === "lost") throw st.failure();
    return undefined;
  }

  /** Cancels the task (the client stops wanting it; with force, every client does). */
  cancel(opts: { force?: boolean } = {}): Promise<void> {
    return this.client.cancel(this, opts);
  }

  /** Drops this handle: when no other Future of the key is left, the scheduler is told to release it. Idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.client._releaseFuture(this);
  }

  /** @internal resolves (never rejects) once the status is not pending. */
  _whenDone(): Promise<void> {
    return this._state.whenDone();
  }

  /** Tokenizes as its key, so pure tasks taking this future get a deterministic key. */
  daskToken(): string {
    return `future-${this.key}`;
  }

  toString(): string {
    return `<Future: ${this.status}, key: ${this.key}>`;
  }
}

/** True when `v` is a Future. */
export function isFuture(v: unknown): v is Future {
  return v instanceof Future;
}

/** `p`, or a rejection with FutureTimeoutError after `timeout` ms (no timeout when undefined). */
export function withTimeout<T>(p: Promise<T>, timeout: number | undefined, message: () => string): Promise<T> {
  if (timeout === undefined || timeout === Infinity) return p;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new FutureTimeoutError(message())), Math.max(0, timeout));
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
