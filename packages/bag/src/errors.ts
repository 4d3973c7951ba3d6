/** Typed errors of the bag collection. */
import { DaskError } from "@dask-ts/core";

export { FileNotFoundError } from "@dask-ts/core";

/** A user function failed on an element: names the partition (and element) and keeps the original error as cause. */
export class BagFunctionError extends DaskError {
  override name = "BagFunctionError";
  constructor(
    readonly operation: string,
    readonly partition: number,
    readonly element: number | undefined,
    cause: unknown,
  ) {
    const what = element === undefined ? "" : `element ${element} of `;
    super(`${operation}: the function failed on ${what}partition ${partition}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

