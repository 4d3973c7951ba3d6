/** wait(): block until futures finish (all, or the first), with an optional timeout (Dask's distributed.wait). */
import { InvalidArgumentError } from "@dask-ts/core";
import { FutureTimeoutError } from "./errors.js";
import type { Future } from "./future.js";
import { futuresOf } from "./walk-futures.js";

/** Options of wait. */
export interface WaitOptions {
  /** ms; rejects with FutureTimeoutError when the condition is not met in time. */
  timeout?: number;
  /** "ALL_COMPLETED" (default) or "FIRST_COMPLETED". */
  returnWhen?: "ALL_COMPLETED" | "FIRST_COMPLETED";
}

/** The futures that are done (any final status) and those still pending. */
export interface DoneAndNotDone<T = unknown> {
  done: Set<Future<T>>;
  notDone: Set<Future<T>>;
}

/** Waits until all futures (or the first, with returnWhen "FIRST_COMPLETED") are done; errors do not reject. */
export async function wait<T = unknown>(futures: Future<T> | Iterable<Future<T>> | unknown, opts: WaitOptions = {}): Promise<DoneAndNotDone<T>> {
  const returnWhen = opts.returnWhen ?? "ALL_COMPLETED";
  if (returnWhen !== "ALL_COMPLETED" && returnWhen !== "FIRST_COMPLETED") {
    throw new InvalidArgumentError(`wait: returnWhen must be "ALL_COMPLETED" or "FIRST_COMPLETED"; got ${JSON.stringify(returnWhen)}.`);
  }
  if (opts.timeout !== undefined && (typeof opts.timeout !== "number" || !(opts.timeout >= 0))) {
    throw new InvalidArgumentError(`wait: timeout must be a number of ms >= 0; got ${String(opts.timeout)}.`);
  }
  const list = (futuresOf(futures instanceof Set ? [...futures] : futures) as Future<T>[]);
  const pending = list.filter((f) => !f.done());
  const split = (): DoneAndNotDone<T> => ({
    done: new Set(list.filter((f) => f.done())),
    notDone: new Set(list.filter((f) => !f.done())),
  });
  const enough = returnWhen === "ALL_COMPLETED" ? pending.length === 0 : pending.length < list.length || list.length === 0;
  if (enough) return split();
  const waits = pending.map((f) => f._whenDone());
  const condition = returnWhen === "ALL_COMPLETED" ? Promise.all(waits) : Promise.race(waits);
  let timer: NodeJS.Timeout | undefined;
  try {
    await (opts.timeout === undefined
      ? condition
      : Promise.race([
          condition,
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new FutureTimeoutError(`wait: ${returnWhen === "ALL_COMPLETED" ? "not all" : "none"} of ${list.length} future(s) finished within ${opts.timeout} ms.`)),
              opts.timeout,
            );
          }),
        ]));
  } finally {
    if (timer) clearTimeout(timer);
  }
  return split();
}
