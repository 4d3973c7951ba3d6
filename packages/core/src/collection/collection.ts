/** The collection protocol (Dask's __dask_graph__ & co.): what compute/persist need from a collection. */
import type { FnRef } from "../fn/fnref.js";
import type { LayeredGraph } from "../graph/layered.js";
import type { Graph } from "../graph/task.js";

/** Output keys: a key or nested lists of keys (arrays nest one level per axis). */
export type NestedKeys = string | readonly NestedKeys[];

/** A collection: a lazy graph plus how to turn its computed keys into a result. */
export interface DaskCollection<T = unknown> {
  /** The collection's graph, layered per operation. */
  daskGraph(): LayeredGraph;
  /** The keys whose values make up the result. */
  daskKeys(): NestedKeys;
  /** How the nested key values become the result: `fn(nestedValues, ...args)`; undefined = the value of the single key. */
  daskPostcompute(): { fn: FnRef; args: readonly unknown[] } | undefined;
  /** A new collection of the same kind whose keys hold the computed values. */
  daskPostpersist(values: ReadonlyMap<string, unknown>): DaskCollection<T>;
  /** The scheduler used when none is given: "threads", "processes" or "sync". */
  readonly daskScheduler: string;
  /** A deterministic token of the whole expression. */
  daskToken(): string;
  /** Collection-specific optimization of the flat graph, run before the generic passes. */
  daskOptimize?(graph: Graph, keys: readonly string[]): Graph;
}

/** True when `v` implements the collection protocol. */
export function isDaskCollection(v: unknown): v is DaskCollection {
  return (
    typeof v === "object" &&
    v !== null &&
    typeof (v as DaskCollection).daskGraph === "function" &&
    typeof (v as DaskCollection).daskKeys === "function"
  );
}

/** The keys of a nested key structure, flattened in order. */
export function flattenKeys(keys: NestedKeys, out: string[] = []): string[] {
  if (typeof keys === "string") out.push(keys);
  else for (const k of keys) flattenKeys(k, out);
  return out;
}

/** Replaces every key of a nested structure by its value. */
export function packValues(keys: NestedKeys, values: ReadonlyMap<string, unknown>): unknown {
  if (typeof keys === "string") return values.get(keys);
  return keys.map((k) => packValues(k, values));
}
