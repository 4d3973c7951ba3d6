// Raw task graphs shared by the scheduler benchmarks (local and distributed).
import { LayeredGraph, Task, TaskRef, fromModule } from "dask-ts";

const tasksUrl = new URL("../bench-tasks.mjs", import.meta.url).href;
/** fromModule references to the benchmark task functions in bench-tasks.mjs. */
export const tasks = {
  inc: fromModule(tasksUrl, "inc"),
  addAll: fromModule(tasksUrl, "addAll"),
  makeArray: fromModule(tasksUrl, "makeArray"),
  lengthOf: fromModule(tasksUrl, "lengthOf"),
};

/** A collection over a raw graph, so compute() runs exactly these tasks. */
export function rawCollection(graph, keys) {
  return {
    daskGraph: () => LayeredGraph.fromLayer("bench", graph),
    daskKeys: () => keys,
    daskPostcompute: () => undefined,
    daskPostpersist: () => undefined,
    daskScheduler: "threads",
    daskToken: () => "bench",
  };
}

/**
 * A tree reduction: `leaves` inc(i + offset) tasks summed `fanIn` at a time up to one root. Keys carry `tag`
 * (so separate runs never share keys). Returns the graph and the root key.
 */
export function treeGraph(leaves, { fanIn = 8, offset = 0, tag = [] } = {}) {
  const g = new Map();
  let level = [];
  for (let i = 0; i < leaves; i++) {
    const k = JSON.stringify(["leaf", ...tag, i]);
    g.set(k, new Task(tasks.inc, [i + offset]));
    level.push(k);
  }
  for (let depth = 1; level.length > 1; depth++) {
    const next = [];
    for (let j = 0; j < level.length; j += fanIn) {
      const k = JSON.stringify(["sum", ...tag, depth, j / fanIn]);
      g.set(k, new Task(tasks.addAll, [level.slice(j, j + fanIn).map((x) => new TaskRef(x))]));
      next.push(k);
    }
    level = next;
  }
  return { graph: g, root: level[0] };
}
