/** Errors only the client raises (the shared ones live in ../errors.ts and core). */
import { DaskError } from "@dask-ts/core";

/** A wait on futures (result, wait, gather) did not end within its timeout. */
export class FutureTimeoutError extends DaskError {
  override name = "FutureTimeoutError";
}

/** scatter() found no worker (matching the `workers` option) to put the data on. */
export class NoWorkersError extends DaskError {
  override name = "NoWorkersError";
}

/** gather() could not fetch results from any worker holding them, after retries with a fresh who-has. */
export class DataUnavailableError extends DaskError {
  override name = "DataUnavailableError";
  constructor(readonly keys: readonly string[], detail: string) {
    super(
      `Could not fetch ${keys.length} result(s) (${keys.slice(0, 5).map((k) => `'${k}'`).join(", ")}${keys.length > 5 ? ", ..." : ""}) ` +
        `from the workers: ${detail}. The workers holding them may have died; check the cluster and compute again.`,
    );
  }
}
