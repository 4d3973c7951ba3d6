/**
 * User functions inside bag kernels: arrive as FnRefs (shipped source, module export or kernel), are
 * resolved once per worker, and their errors name the partition and element they failed on.
 */
import { resolveFn, toFnRef, type FnRef } from "@dask-ts/core";
import { BagFunctionError } from "./errors.js";

/** A user function (or an FnRef) as a reference workers can load; rejects captured variables at the call. */
export function userFn(fn: Function | FnRef, what: string): FnRef {
  return toFnRef(fn as Function, what);
}

type AnyFn = (...args: unknown[]) => unknown;

/** The callable of a reference (resolved once per process, then cached by core). */
export function resolveUser(ref: FnRef): Promise<AnyFn> {
  return resolveFn(ref) as Promise<AnyFn>;
}

/** Calls fn(x, ...args) for each element of a partition, wrapping a failure with its position. */
export function callEach<T, R>(op: string, fn: AnyFn, items: readonly T[], args: readonly unknown[], partition: number, each: (r: R, x: T, i: number) => void): void {
  for (let i = 0; i < items.length; i++) {
    let r: R;
    try {
      r = fn(items[i], ...args) as R;
    } catch (e) {
      throw new BagFunctionError(op, partition, i, e);
    }
    each(r, items[i]!, i);
  }
}

/** Calls fn(...) once for a whole partition, wrapping a failure with the partition number. */
export function callOnce<R>(op: string, partition: number, f: () => R): R {
  try {
    return f();
  } catch (e) {
    if (e instanceof BagFunctionError) throw e;
    throw new BagFunctionError(op, partition, undefined, e);
  }
}
