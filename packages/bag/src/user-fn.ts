/**
 * User functions inside bag kernels: they arrive as FnRefs (shipped source, module export or kernel) and
 * are resolved once per process. A kernel runs synchronously whenever its functions are at hand, so its
 * task's value is not a Promise (computeSync, used by toDataFrame, can then evaluate it).
 */
import { resolveFn, resolveFnSync, toFnRef, type FnRef } from "@dask-ts/core";

/** A user function (or an FnRef) as a reference workers can load; rejects captured variables at the call. */
export function userFn(fn: Function | FnRef, what: string): FnRef {
  return toFnRef(fn as Function, what);
}

export type AnyFn = (...args: unknown[]) => unknown;

/** The callable of a reference (resolved once per process, then cached by core). */
export function resolveUser(ref: FnRef): Promise<AnyFn> {
  return resolveFn(ref) as Promise<AnyFn>;
}

/** run(fn) with the function of `ref`: synchronously when it is at hand, else once it is loaded. */
export function withFn<R>(ref: FnRef, run: (fn: AnyFn) => R): R | Promise<R> {
  const fn = resolveFnSync(ref) as AnyFn | undefined;
  return fn ? run(fn) : resolveUser(ref).then(run);
}
