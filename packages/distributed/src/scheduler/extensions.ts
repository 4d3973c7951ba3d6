/** Scheduler extensions: operations beyond the task graph (coordination primitives, ...), plugged into the server. */
import type { Message } from "../comm/connection.js";
import type { SchedulerServer } from "./server.js";
import { EventExtension } from "./coordination/event-extension.js";
import { LockExtension } from "./coordination/lock-extension.js";
import { QueueExtension } from "./coordination/queue-extension.js";
import { SemaphoreExtension } from "./coordination/semaphore-extension.js";
import { VariableExtension } from "./coordination/variable-extension.js";

/** An extension: handlers for client operations by name, plus hooks. */
export interface SchedulerExtension {
  /** Operation name -> handler(client id, message); the return value (or promise) is the reply. */
  readonly handlers: Record<string, (client: string, msg: Message) => unknown>;
  /** A client disconnected (release what it held). */
  clientRemoved?(client: string): void;
  /** The scheduler is closing. */
  close?(): void;
}

/** The extensions every scheduler starts with. */
export function defaultExtensions(server: SchedulerServer): SchedulerExtension[] {
  // Queue, Variable, Lock, Event and Semaphore (Dask's default scheduler extensions).
  return [new QueueExtension(server), new VariableExtension(server), new LockExtension(), new EventExtension(server), new SemaphoreExtension(server)];
}
