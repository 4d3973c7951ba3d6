/** Turning an exception reported by the scheduler into the error a future rejects with. */
import { TaskError } from "@dask-ts/core";
import { KilledWorker, LostDataError, UnknownKeyError } from "../errors.js";

/**
 * The error of `key`: cluster failures (KilledWorker, lost scattered data, unknown keys) as themselves, like
 * Dask raises them; an exception raised by the task (or a task it depends on) as core's TaskError with the key
 * and the remote stack. A TaskError made on the worker arrives as itself (core registers its error classes
 * with the codec) and is not wrapped twice.
 */
export function toTaskError(key: string, exception: unknown): Error {
  if (exception instanceof TaskError) return exception;
  if (exception instanceof KilledWorker || exception instanceof LostDataError || exception instanceof UnknownKeyError) return exception;
  return new TaskError(key, exception);
}
