/** Finding and replacing Futures inside nested user structures (arrays and plain objects), like Dask's futures_of. */
import { Future } from "./future.js";
import { isPlainObject } from "./plain-object.js";

/** The distinct Futures inside `value` (itself, or nested in arrays and plain objects), first-seen order. */
export function futuresOf(value: unknown): Future[] {
  const out: Future[] = [];
  const seen = new Set<Future>();
  const visit = (v: unknown): void => {
    if (v instanceof Future) {
      if (!seen.has(v)) {
        seen.add(v);
        out.push(v);
      }
    } else if (Array.isArray(v)) {
      for (const x of v) visit(x);
    } else if (isPlainObject(v)) {
      for (const k in v) visit(v[k]);
    }
  };
  visit(value);
  return out;
}

/** A copy of `value` with every Future replaced by `replace(future)`; parts without futures are kept as they are. */
export function replaceFutures(value: unknown, replace: (f: Future) => unknown): unknown {
  if (value instanceof Future) return replace(value);
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = replaceFutures(value[i], replace);
      if (v !== value[i]) (out ??= value.slice())[i] = v;
    }
    return out ?? value;
  }
  if (isPlainObject(value)) {
    let out: Record<string, unknown> | undefined;
    for (const k in value) {
      const v = replaceFutures(value[k], replace);
      if (v !== value[k]) (out ??= { ...value })[k] = v;
    }
    return out ?? value;
  }
  return value;
}

/** The type of `T` with every Future<R> replaced by R (what gather resolves to). */
export type Gathered<T> =
  T extends Future<infer R> ? R : T extends readonly unknown[] ? { [K in keyof T]: Gathered<T[K]> } : T extends Record<string, unknown> ? { [K in keyof T]: Gathered<T[K]> } : T;
