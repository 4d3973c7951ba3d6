/** Typed errors of bag reductions (re-exported by the package index). */
import { DaskError } from "@dask-ts/core";

/** A reduction that needs at least one element (min, max, fold without an initial value) ran on an empty bag. */
export class EmptyBagError extends DaskError {
  override name = "EmptyBagError";
  constructor(readonly operation: string, detail: string, hint: string) {
    super(`${operation}: ${detail}: the bag has no elements. ${hint}`);
  }
}

/**
 * A combine (or aggregate) function failed: on the partial results of a range of input partitions
 * (tree reductions) or in an output partition of a shuffle.
 */
export class BagCombineError extends DaskError {
  override name = "BagCombineError";
  constructor(
    readonly operation: string,
    /** Where: "the results of partitions 0-7" or "output partition 3". */
    readonly where: string,
    cause: unknown,
  ) {
    super(`${operation}: the combine function failed on ${where}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

/** The `where` of a BagCombineError for the partial results of partitions first..last. */
export function partitionRange(first: number, last: number): string {
  return first === last ? `the result of partition ${first}` : `the results of partitions ${first}-${last}`;
}
