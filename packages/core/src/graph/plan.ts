/** An execution plan: the graph as index arrays plus a static, memory-friendly task order. */
import { GraphCycleError, MissingDependencyError } from "../errors.js";
import { Task, TaskRef, dependenciesOf, isPlainObject, type Graph, type GraphNode } from "./task.js";

/** A graph prepared for running: tasks by index, dependencies both ways, and priorities. */
export interface Plan {
  readonly keys: string[];
  readonly nodes: GraphNode[];
  readonly index: Map<string, number>;
  readonly deps: number[][];
  readonly dependents: number[][];
  /** Task indices in run order: a topological order that finishes one branch before starting the next. */
  readonly order: Int32Array;
  /** priority[i] = position of task i in `order` (lower runs first). */
  readonly priority: Int32Array;
}

/**
 * Builds a plan. The order is a depth-first post-order from the graph's sinks, like dask.order's
 * core idea: a reduction's inputs are finished and combined before the next group starts, so the
 * number of intermediate results held at once stays bounded on wide-then-reduce graphs.
 */
export function makePlan(graph: Graph): Plan {
  const keys = [...graph.keys()];
  const n = keys.length;
  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) index.set(keys[i]!, i);
  const nodes: GraphNode[] = new Array(n);
  const deps: number[][] = new Array(n);
  const dependents: number[][] = new Array(n);
  const none: number[] = [];
  const noDeps: readonly string[] = [];
  let i = 0;
  for (const node of graph.values()) {
    nodes[i] = node;
    dependents[i] = none; // shared empty list until a first dependent appears
    i++;
  }
  for (i = 0; i < n; i++) {
    const node = nodes[i];
    const ds = node instanceof Task || Array.isArray(node) || node instanceof TaskRef || isPlainObject(node) ? dependenciesOf(node) : noDeps;
    if (ds.length === 0) {
      deps[i] = none;
      continue;
    }
    const di = new Array<number>(ds.length);
    for (let j = 0; j < ds.length; j++) {
      const x = index.get(ds[j]!);
      if (x === undefined) throw new MissingDependencyError(keys[i]!, ds[j]!);
      di[j] = x;
      if (dependents[x] === none) dependents[x] = [i];
      else dependents[x]!.push(i);
    }
    deps[i] = di;
  }
  const order = new Int32Array(n);
  const priority = new Int32Array(n);
  let pos = 0;
  const state = new Uint8Array(n); // 0 new, 1 on stack, 2 done
  const stack: number[] = [];
  const next: number[] = [];
  const visitFrom = (root: number): void => {
    state[root] = 1;
    stack.push(root);
    next.push(0);
    while (stack.length) {
      const top = stack.length - 1;
      const v = stack[top]!;
      const dv = deps[v]!;
      const i = next[top]!;
      if (i < dv.length) {
        next[top] = i + 1;
        const w = dv[i]!;
        if (state[w] === 0) {
          state[w] = 1;
          stack.push(w);
          next.push(0);
        } else if (state[w] === 1) {
          const at = stack.indexOf(w);
          throw new GraphCycleError([...stack.slice(at), w].map((x) => keys[x]!));
        }
      } else {
        stack.pop();
        next.pop();
        state[v] = 2;
        priority[v] = pos;
        order[pos++] = v;
      }
    }
  };
  for (let i = 0; i < n; i++) if (dependents[i]!.length === 0) visitFrom(i);
  // Anything not reached from a sink lies on a cycle.
  for (let i = 0; i < n && pos < n; i++) if (state[i] === 0) visitFrom(i);
  return { keys, nodes, index, deps, dependents, order, priority };
}
