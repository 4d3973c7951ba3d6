/**
 * Scheduler side of Event (Dask's EventExtension): a named flag; wait replies true once it is set. Setting wakes
 * every current waiter even if the flag is cleared right after (as asyncio.Event). Unset events with nobody
 * waiting are forgotten, so names do not pile up.
 */
import type { Message } from "../../comm/connection.js";
import type { SchedulerServer } from "../server.js";
import type { SchedulerExtension } from "../extensions.js";
import { nameOf, timeoutOf } from "./item.js";
import { WaitList } from "./wait-list.js";

interface EventState {
  flag: boolean;
  waiters: WaitList<boolean>;
}

/** The event extension. */
export class EventExtension implements SchedulerExtension {
  private readonly events = new Map<string, EventState>();
  readonly handlers: SchedulerExtension["handlers"] = {
    "event-wait": (client, msg) => this.wait(client, msg),
    "event-set": (_client, msg) => this.set(nameOf(msg, "Event.set")),
    "event-clear": (_client, msg) => this.clear(nameOf(msg, "Event.clear")),
    "event-is-set": (_client, msg) => this.events.get(nameOf(msg, "Event.isSet"))?.flag === true,
  };

  constructor(_server: SchedulerServer) {}

  private event(name: string): EventState {
    let e = this.events.get(name);
    if (!e) this.events.set(name, (e = { flag: false, waiters: new WaitList() }));
    return e;
  }

  private wait(client: string, msg: Message): boolean | Promise<boolean> {
    const name = nameOf(msg, "Event.wait");
    const timeout = timeoutOf(msg, `Event '${name}'.wait`);
    const e = this.event(name);
    if (e.flag) return true;
    return e.waiters.add(client, {}, timeout, () => {
      this.forgetIfIdle(name, e);
      return false;
    });
  }

  private set(name: string): void {
    const e = this.event(name);
    e.flag = true;
    e.waiters.settleAll(() => true);
  }

  private clear(name: string): void {
    const e = this.events.get(name);
    if (!e) return;
    e.flag = false;
    this.forgetIfIdle(name, e);
  }

  private forgetIfIdle(name: string, e: EventState): void {
    if (!e.flag && e.waiters.size === 0 && this.events.get(name) === e) this.events.delete(name);
  }

  /** A client went away: its waits end. */
  clientRemoved(client: string): void {
    for (const [name, e] of [...this.events]) {
      e.waiters.dropClient(client, () => false);
      this.forgetIfIdle(name, e);
    }
  }

  /** The scheduler closes: every wait ends. */
  close(): void {
    for (const e of this.events.values()) e.waiters.settleAll(() => false);
  }
}
