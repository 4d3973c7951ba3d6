/** Semaphore (Dask's distributed.Semaphore): at most maxLeases holders at a time, counted on the scheduler. */
import { InvalidArgumentError } from "@dask-ts/core";
import type { Client } from "../client.js";
import { NotAcquiredError } from "../../scheduler/coordination/errors.js";
import { checkTimeout, poll, primitiveName, request, resolveClient, type CoordinationOptions } from "./client-link.js";

/**
 * A counting semaphore shared through its name. Each acquire takes a lease; release gives back this object's
 * oldest lease. Leases of a client that disconnects are released.
 */
export class Semaphore {
  readonly name: string;
  readonly client: Client;
  readonly maxLeases: number;
  private readonly leases: string[] = [];

  constructor(maxLeases: number = 1, name?: string, opts?: CoordinationOptions) {
    if (typeof maxLeases !== "number" || !Number.isInteger(maxLeases) || maxLeases < 1) {
      throw new InvalidArgumentError(`new Semaphore: maxLeases must be an integer >= 1; got ${String(maxLeases)}.`);
    }
    this.maxLeases = maxLeases;
    this.name = primitiveName(name, "semaphore");
    this.client = resolveClient(opts, "Semaphore");
  }

  /** Takes a lease: true once granted; false when `timeout` ms passed first (0 = only if one is free now). */
  async acquire(opts: { timeout?: number } = {}): Promise<boolean> {
    const timeout = checkTimeout(opts.timeout, `Semaphore '${this.name}'.acquire`);
    const leaseId = crypto.randomUUID();
    const ok = await poll<boolean>(this.client, "semaphore-acquire", timeout, () => ({ name: this.name, maxLeases: this.maxLeases, leaseId }), (x) => x);
    if (ok) this.leases.push(leaseId);
    return ok;
  }

  /**
   * Gives back this object's oldest lease; NotAcquiredError when it holds none ("Released too often").
   * Resolves to false when the scheduler no longer had the lease (its client was disconnected meanwhile).
   */
  async release(): Promise<boolean> {
    const leaseId = this.leases.shift();
    if (leaseId === undefined) throw new NotAcquiredError(`Semaphore '${this.name}' was released too often: this Semaphore holds no lease.`);
    return request<boolean>(this.client, "semaphore-release", { name: this.name, leaseId });
  }

  /** The number of leases held now, by every client together. */
  getValue(): Promise<number> {
    return request<number>(this.client, "semaphore-value", { name: this.name, maxLeases: this.maxLeases });
  }

  /** Runs `fn` while holding a lease, giving it back afterwards even when fn throws. */
  async withLease<R>(fn: () => R | Promise<R>): Promise<R> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      await this.release();
    }
  }

  toString(): string {
    return `<Semaphore: ${this.name} maxLeases=${this.maxLeases}>`;
  }
}
