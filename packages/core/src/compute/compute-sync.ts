/**
 * Synchronous computation of a few keys of a graph in this thread, for the values Dask computes eagerly
 * while a collection builds a graph (e.g. a dataframe's setIndex divisions). Graph building is
 * synchronous, so this succeeds only when every task needed runs synchronously; otherwise it returns
 * undefined and the caller builds a lazy form instead.
 */
import { evaluate } from "../graph/evaluate.js";
import type { LayeredGraph } from "../graph/layered.js";
import { dependenciesOf, type Graph } from "../graph/task.js";
import { cull } from "../optimize/cull.js";

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof (v as PromiseLike<unknown> | null)?.then === "function";
}

/** Values of `keys`, or undefined when some task needed is asynchronous (an async kernel or user function). */
export function computeSync(dask: LayeredGraph, keys: readonly string[]): unknown[] | undefined {
  const graph: Graph = cull(dask.materialize(), keys);
  const values = new Map<string, unknown>();
  // Each value is dropped once its last dependent has run (partitions are big; outputs are kept).
  const dependents = new Map<string, number>();
  const deps = new Map<string, string[]>();
  for (const [k, node] of graph) {
    const ds = dependenciesOf(node);
    deps.set(k, ds);
    for (const d of ds) dependents.set(d, (dependents.get(d) ?? 0) + 1);
  }
  const outputs = new Set(keys);
  const get = (k: string): unknown => values.get(k);
  // Depth-first, dependencies before dependents, without recursion (graphs can be deep).
  const stack: [string, boolean][] = keys.map((k) => [k, false]);
  const pending = new Set<string>();
  while (stack.length) {
    const [k, ready] = stack.pop()!;
    if (values.has(k)) continue;
    if (!ready) {
      if (pending.has(k)) continue;
      pending.add(k);
      stack.push([k, true]);
      for (const d of deps.get(k)!) if (!values.has(d)) stack.push([d, false]);
      continue;
    }
    const v = evaluate(graph.get(k), get);
    if (isThenable(v)) {
      // Not ours to wait for: drop it quietly and let the caller fall back.
      Promise.resolve(v).catch(() => undefined);
      return undefined;
    }
    values.set(k, v);
    for (const d of deps.get(k)!) {
      const left = dependents.get(d)! - 1;
      dependents.set(d, left);
      if (left === 0 && !outputs.has(d)) values.delete(d);
    }
  }
  return keys.map((k) => values.get(k));
}
