/** Cull: keep only the tasks the requested keys need. */
import { MissingDependencyError } from "../errors.js";
import { dependenciesOf, type Graph } from "../graph/task.js";

/** The subgraph needed to compute `keys`, in the original insertion order. */
export function cull(graph: Graph, keys: readonly string[]): Graph {
  const needed = new Set<string>();
  const stack: string[] = [];
  for (const k of keys) {
    if (!graph.has(k)) throw new MissingDependencyError("<output>", k);
    if (!needed.has(k)) {
      needed.add(k);
      stack.push(k);
    }
  }
  while (stack.length) {
    const k = stack.pop()!;
    for (const d of dependenciesOf(graph.get(k))) {
      if (needed.has(d)) continue;
      if (!graph.has(d)) throw new MissingDependencyError(k, d);
      needed.add(d);
      stack.push(d);
    }
  }
  if (needed.size === graph.size) return graph;
  const out: Graph = new Map();
  for (const [k, v] of graph) if (needed.has(k)) out.set(k, v);
  return out;
}
