/**
 * The context of the task running now in a worker thread, kept across awaits (AsyncLocalStorage). Only
 * independent runs (distributed workers) set it, so local schedulers pay nothing for it.
 */
import { AsyncLocalStorage } from "node:async_hooks";

/** What a running task knows about itself. */
export interface TaskContext {
  /** The task's key. */
  readonly key: string;
  /** Sends an event about this task to whoever runs the worker (e.g. "secede", "rejoin"). */
  emit(name: string, data?: unknown): void;
}

let storage: AsyncLocalStorage<TaskContext> | undefined;

/** Runs `fn` with `ctx` as the current task context (also in everything `fn` awaits). */
export function runInTaskContext<T>(ctx: TaskContext, fn: () => T): T {
  storage ??= new AsyncLocalStorage<TaskContext>();
  return storage.run(ctx, fn);
}

/** The context of the task this code runs in, or undefined outside a task of an independent run. */
export function currentTask(): TaskContext | undefined {
  return storage?.getStore();
}
