/**
 * Scheduler side of Lock (Dask's LockExtension): one holder per name, identified by the Lock instance's id; waiters
 * are served first come, first served. A lock whose holder's client disconnects is released.
 */
import type { Message } from "../../comm/connection.js";
import type { SchedulerExtension } from "../extensions.js";
import { InvalidArgumentError } from "@dask-ts/core";
import { NotAcquiredError } from "./errors.js";
import { nameOf, timeoutOf } from "./item.js";
import { WaitList } from "./wait-list.js";

interface LockState {
  holder: { client: string; id: string } | undefined;
  waiters: WaitList<boolean, { id: string }>;
}

/** The lock extension. */
export class LockExtension implements SchedulerExtension {
  private readonly locks = new Map<string, LockState>();
  readonly handlers: SchedulerExtension["handlers"] = {
    "lock-acquire": (client, msg) => this.acquire(client, msg),
    "lock-release": (client, msg) => this.release(client, msg),
  };

  private acquire(client: string, msg: Message): boolean | Promise<boolean> {
    const name = nameOf(msg, "Lock.acquire");
    const id = idOf(msg, name);
    const timeout = timeoutOf(msg, `Lock '${name}'.acquire`);
    let l = this.locks.get(name);
    if (!l) this.locks.set(name, (l = { holder: undefined, waiters: new WaitList() }));
    if (l.holder === undefined && l.waiters.size === 0) {
      l.holder = { client, id };
      return true;
    }
    const lock = l;
    // Not reentrant (as Dask): the holder's own second acquire waits like anyone else's.
    return l.waiters.add(client, { id }, timeout, () => {
      this.forgetIfIdle(name, lock);
      return false;
    });
  }

  private release(client: string, msg: Message): void {
    const name = nameOf(msg, "Lock.release");
    const id = idOf(msg, name);
    const l = this.locks.get(name);
    if (l?.holder?.id !== id || l.holder.client !== client) {
      throw new NotAcquiredError(`Lock '${name}' is not held by this Lock (release it only after a successful acquire).`);
    }
    this.free(name, l);
  }

  /** Hands the lock to the next waiter, or leaves it free. */
  private free(name: string, l: LockState): void {
    l.holder = undefined;
    const next = l.waiters.list()[0];
    if (next) {
      l.holder = { client: next.client, id: next.id };
      next.settle(true);
    } else this.forgetIfIdle(name, l);
  }

  private forgetIfIdle(name: string, l: LockState): void {
    if (l.holder === undefined && l.waiters.size === 0 && this.locks.get(name) === l) this.locks.delete(name);
  }

  /** A client went away: its waits end and the locks it held pass to the next waiters. */
  clientRemoved(client: string): void {
    for (const [name, l] of [...this.locks]) {
      l.waiters.dropClient(client, () => false);
      if (l.holder?.client === client) this.free(name, l);
      else this.forgetIfIdle(name, l);
    }
  }

  /** The scheduler closes: every wait ends. */
  close(): void {
    for (const l of this.locks.values()) l.waiters.settleAll(() => false);
  }
}

function idOf(msg: Message, name: string): string {
  if (typeof msg.id !== "string" || msg.id === "") throw new InvalidArgumentError(`Lock '${name}': the request carries no lock instance id.`);
  return msg.id;
}
