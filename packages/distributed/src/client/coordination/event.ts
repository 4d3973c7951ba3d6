/** Event (Dask's distributed.Event): a named flag on the scheduler that clients set, clear and wait for. */
import type { Client } from "../client.js";
import { checkTimeout, poll, primitiveName, request, resolveClient, type CoordinationOptions } from "./client-link.js";

/** A flag shared by every client through its name; it starts unset. */
export class Event {
  readonly name: string;
  readonly client: Client;

  constructor(name?: string, opts?: CoordinationOptions) {
    this.name = primitiveName(name, "event");
    this.client = resolveClient(opts, "Event");
  }

  /** Sets the flag: every waiter wakes up with true. */
  async set(): Promise<void> {
    await request(this.client, "event-set", { name: this.name });
  }

  /** Clears the flag: later waits wait for the next set. */
  async clear(): Promise<void> {
    await request(this.client, "event-clear", { name: this.name });
  }

  /** Whether the flag is set now. */
  isSet(): Promise<boolean> {
    return request<boolean>(this.client, "event-is-set", { name: this.name });
  }

  /** Waits until the flag is set: true; false when `timeout` ms passed first. */
  async wait(opts: { timeout?: number } = {}): Promise<boolean> {
    const timeout = checkTimeout(opts.timeout, `Event '${this.name}'.wait`);
    return poll<boolean>(this.client, "event-wait", timeout, () => ({ name: this.name }), (x) => x);
  }

  toString(): string {
    return `<Event: ${this.name}>`;
  }
}
