/** Fuse linear chains: a task whose only dependent uses it once, and only it, runs inside that dependent. */
import { makePlan } from "../graph/plan.js";
import { Task, forEachRef, mapRefs, type Graph } from "../graph/task.js";

/** Longest chain fused into one task (keeps nested tasks shallow for evaluation and serialization). */
export const MAX_FUSED_HEIGHT = 64;

/**
 * Fuses linear chains into nested tasks (Dask's linear `fuse`). The surviving key is the last one of
 * the chain, so outputs keep their names; outputs are never fused away.
 */
export function fuseLinear(graph: Graph, keys: readonly string[]): Graph {
  const plan = makePlan(graph);
  const n = plan.keys.length;
  const outputs = new Set(keys);
  const nodes = plan.nodes.slice();
  const removed = new Uint8Array(n);
  // Nesting depth of each node: bounded so fused tasks stay cheap to walk and serialize.
  const height = new Uint16Array(n).fill(1);
  let fused = 0;
  for (let p = 0; p < n; p++) {
    const t = plan.order[p]!;
    const dependents = plan.dependents[t]!;
    if (dependents.length !== 1 || outputs.has(plan.keys[t]!)) continue;
    const d = dependents[0]!;
    if (plan.deps[d]!.length !== 1 || height[t]! + height[d]! > MAX_FUSED_HEIGHT) continue;
    const tKey = plan.keys[t]!;
    let uses = 0;
    forEachRef(nodes[d], (k) => {
      if (k === tKey) uses++;
    });
    if (uses !== 1) continue; // inlining a task used twice would run it twice
    const inner = nodes[t];
    // The inner task keeps its key so that an error it raises still names it.
    const keyed = inner instanceof Task && inner.key === undefined ? new Task(inner.fn, inner.args, tKey) : inner;
    nodes[d] = mapRefs(nodes[d], (k, ref) => (k === tKey ? keyed : ref));
    height[d] = height[t]! + height[d]!;
    removed[t] = 1;
    fused++;
  }
  if (fused === 0) return graph;
  const out: Graph = new Map();
  for (let i = 0; i < n; i++) if (!removed[i]) out.set(plan.keys[i]!, nodes[i]);
  return out;
}
