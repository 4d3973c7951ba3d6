/** Planning a scatter: the shape of the data, a key per value, and which workers get which values. */
import { isPlainObject, randomToken, tokenize } from "@dask-ts/core";

/** How the scattered data was given, so the futures come back in the same shape. */
export type ScatterShape = { kind: "single" } | { kind: "list"; length: number } | { kind: "record"; names: string[] };

/** The values to scatter, their keys and the shape to rebuild. */
export interface ScatterItems {
  shape: ScatterShape;
  keys: string[];
  values: unknown[];
}

/** Splits `data` into values with keys `${typeof value}-${token}` (content hash when `hash`, random otherwise). */
export function scatterItems(data: unknown, hash: boolean): ScatterItems {
  const keyOf = (v: unknown): string => `${typeof v}-${hash ? tokenize(v) : randomToken()}`;
  if (Array.isArray(data)) return { shape: { kind: "list", length: data.length }, keys: data.map(keyOf), values: [...data] };
  if (isPlainObject(data)) {
    const names = Object.keys(data);
    const values = names.map((n) => data[n]);
    return { shape: { kind: "record", names }, keys: values.map(keyOf), values };
  }
  return { shape: { kind: "single" }, keys: [keyOf(data)], values: [data] };
}

/** worker address -> [key, value] pairs: round-robin over `workers`, or every value to every worker with `broadcast`. */
export function assignWorkers(keys: readonly string[], values: readonly unknown[], workers: readonly string[], broadcast: boolean): Map<string, Array<[string, unknown]>> {
  const out = new Map<string, Array<[string, unknown]>>();
  const push = (w: string, k: string, v: unknown): void => {
    let list = out.get(w);
    if (!list) out.set(w, (list = []));
    list.push([k, v]);
  };
  const seen = new Set<string>();
  let i = 0;
  for (let j = 0; j < keys.length; j++) {
    const k = keys[j]!;
    if (seen.has(k)) continue; // equal values share a key: send once
    seen.add(k);
    if (broadcast) for (const w of workers) push(w, k, values[j]);
    else push(workers[i++ % workers.length]!, k, values[j]);
  }
  return out;
}

/** Rebuilds the shape of the scattered data from one result per key. */
export function shapeResult<F>(shape: ScatterShape, keys: readonly string[], make: (key: string) => F): F | F[] | Record<string, F> {
  if (shape.kind === "single") return make(keys[0]!);
  if (shape.kind === "list") return keys.map(make);
  const out: Record<string, F> = {};
  shape.names.forEach((n, i) => (out[n] = make(keys[i]!)));
  return out;
}
