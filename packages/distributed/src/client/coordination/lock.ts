/** Lock (Dask's distributed.Lock): a named mutual-exclusion lock held on the scheduler. */
import { InvalidArgumentError } from "@dask-ts/core";
import type { Client } from "../client.js";
import { NotAcquiredError } from "../../scheduler/coordination/errors.js";
import { checkTimeout, poll, primitiveName, request, resolveClient, type CoordinationOptions } from "./client-link.js";

/**
 * A lock shared by every client through its name. Each Lock object is one holder: it is not reentrant, and
 * only the object that acquired it may release it. A lock whose client disconnects is released.
 */
export class Lock {
  readonly name: string;
  readonly client: Client;
  /** This object's identity on the scheduler. */
  readonly id = crypto.randomUUID();
  private held = false;

  constructor(name?: string, opts?: CoordinationOptions) {
    this.name = primitiveName(name, "lock");
    this.client = resolveClient(opts, "Lock");
  }

  /**
   * Acquires the lock: true once held; false when `timeout` ms passed first, or at once when `blocking` is
   * false and someone else holds it. A timeout with blocking false is refused (as Dask).
   */
  async acquire(opts: { blocking?: boolean; timeout?: number } = {}): Promise<boolean> {
    const what = `Lock '${this.name}'.acquire`;
    let timeout = checkTimeout(opts.timeout, what);
    if (opts.blocking === false) {
      if (timeout !== undefined) throw new InvalidArgumentError(`${what}: a timeout cannot be given with blocking false.`);
      timeout = 0;
    }
    const ok = await poll<boolean>(this.client, "lock-acquire", timeout, () => ({ name: this.name, id: this.id }), (x) => x);
    if (ok) this.held = true;
    return ok;
  }

  /** Releases the lock; NotAcquiredError when this object does not hold it. */
  async release(): Promise<void> {
    if (!this.held) throw new NotAcquiredError(`Lock '${this.name}' is not acquired by this Lock: acquire it before releasing it.`);
    this.held = false;
    await request(this.client, "lock-release", { name: this.name, id: this.id });
  }

  /** True while this Lock object holds the lock (Dask's locked(); local, no round trip). */
  locked(): boolean {
    return this.held;
  }

  /** Runs `fn` while holding the lock (Python's `with lock:`), releasing it afterwards even when fn throws. */
  async withLock<R>(fn: () => R | Promise<R>): Promise<R> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      await this.release();
    }
  }

  toString(): string {
    return `<Lock: ${this.name}>`;
  }
}
