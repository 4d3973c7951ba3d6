/**
 * Scheduler side of Semaphore (Dask's SemaphoreExtension): up to maxLeases leases per name, each lease id owned
 * by a client; waiters are served first come, first served. Leases of a client that disconnects are released
 * (instead of Dask's lease heartbeats: the connection is the heartbeat).
 */
import { InvalidArgumentError } from "@dask-ts/core";
import type { Message } from "../../comm/connection.js";
import type { SchedulerServer } from "../server.js";
import type { SchedulerExtension } from "../extensions.js";
import { nameOf, timeoutOf } from "./item.js";
import { WaitList } from "./wait-list.js";

interface SemaphoreState {
  maxLeases: number;
  /** lease id -> client. */
  leases: Map<string, string>;
  waiters: WaitList<boolean, { leaseId: string }>;
}

/** The semaphore extension. */
export class SemaphoreExtension implements SchedulerExtension {
  private readonly sems = new Map<string, SemaphoreState>();
  readonly handlers: SchedulerExtension["handlers"] = {
    "semaphore-acquire": (client, msg) => this.acquire(client, msg),
    "semaphore-release": (client, msg) => this.release(client, msg),
    "semaphore-value": (_client, msg) => this.semaphore(nameOf(msg, "Semaphore.getValue"), msg.maxLeases).leases.size,
  };

  constructor(_server: SchedulerServer) {}

  /** The semaphore of `name`, made with maxLeases if new; a different maxLeases for a known name is refused (as Dask). */
  private semaphore(name: string, maxLeases: unknown): SemaphoreState {
    if (typeof maxLeases !== "number" || !Number.isInteger(maxLeases) || maxLeases < 1) {
      throw new InvalidArgumentError(`Semaphore '${name}': maxLeases must be an integer >= 1; got ${String(maxLeases)}.`);
    }
    let s = this.sems.get(name);
    if (!s) this.sems.set(name, (s = { maxLeases, leases: new Map(), waiters: new WaitList() }));
    else if (s.maxLeases !== maxLeases) {
      throw new InvalidArgumentError(`Semaphore '${name}' exists with maxLeases ${s.maxLeases}; got ${maxLeases}. Use the same maxLeases everywhere.`);
    }
    return s;
  }

  private acquire(client: string, msg: Message): boolean | Promise<boolean> {
    const name = nameOf(msg, "Semaphore.acquire");
    const s = this.semaphore(name, msg.maxLeases);
    const timeout = timeoutOf(msg, `Semaphore '${name}'.acquire`);
    const leaseId = msg.leaseId;
    if (typeof leaseId !== "string" || leaseId === "") throw new InvalidArgumentError(`Semaphore '${name}'.acquire: the request carries no lease id.`);
    // The same lease id again is granted again (the request is idempotent, as in Dask).
    if (s.leases.has(leaseId)) return true;
    if (s.waiters.size === 0 && s.leases.size < s.maxLeases) {
      s.leases.set(leaseId, client);
      return true;
    }
    return s.waiters.add(client, { leaseId }, timeout, () => false);
  }

  /** Releases a lease; false when it was not held (already released, or its client was gone). */
  private release(client: string, msg: Message): boolean {
    const name = nameOf(msg, "Semaphore.release");
    const s = this.sems.get(name);
    const leaseId = msg.leaseId;
    if (!s || typeof leaseId !== "string" || s.leases.get(leaseId) !== client) return false;
    s.leases.delete(leaseId);
    this.pump(s);
    return true;
  }

  /** Grants free leases to the waiters, oldest first. */
  private pump(s: SemaphoreState): void {
    for (const w of s.waiters.list()) {
      if (s.leases.size >= s.maxLeases) break;
      s.leases.set(w.leaseId, w.client);
      w.settle(true);
    }
  }

  /** A client went away: its waits end and its leases go to the next waiters. */
  clientRemoved(client: string): void {
    for (const s of this.sems.values()) {
      s.waiters.dropClient(client, () => false);
      for (const [id, c] of [...s.leases]) if (c === client) s.leases.delete(id);
      this.pump(s);
    }
  }

  /** The scheduler closes: every wait ends. */
  close(): void {
    for (const s of this.sems.values()) s.waiters.settleAll(() => false);
  }
}
