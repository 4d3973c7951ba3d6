/** Finding and replacing Futures inside nested user structures (arrays and plain objects), like Dask's futures_of. */
import { isPlainObject } from "@dask-ts/core";
import { Future } from "./future.js";

/** Returned by a `mapNested` leaf function: not a leaf of mine, walk into it (arrays and plain objects). */
export const DESCEND = Symbol("descend");

/**
 * A copy of `value` in which `leaf(v)` replaces what it recognizes (anything but DESCEND), walking arrays and
 * plain objects for the rest. Parts where nothing was replaced are kept as they are (copy-on-write).
 */
export function mapNested(value: unknown, leaf: (v: unknown) => unknown): unknown {
  const r = leaf(value);
  if (r !== DESCEND) return r;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = mapNested(value[i], leaf);
      if (v !== value[i]) (out ??= value.slice())[i] = v;
    }
    return out ?? value;
  }
  if (isPlainObject(value)) {
    let out: Record<string, unknown> | undefined;
    for (const k in value) {
      const v = mapNested(value[k], leaf);
      if (v !== value[k]) (out ??= { ...value })[k] = v;
    }
    return out ?? value;
  }
  return value;
}

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
  return mapNested(value, (v) => (v instanceof Future ? replace(v) : DESCEND));
}

/** The type of `T` with every Future<R> replaced by R (what gather resolves to). */
export type Gathered<T> =
  T extends Future<infer R> ? R : T extends readonly unknown[] ? { [K in keyof T]: Gathered<T[K]> } : T extends Record<string, unknown> ? { [K in keyof T]: Gathered<T[K]> } : T;
