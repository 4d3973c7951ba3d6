/** Dataframe graph optimizations, run before the generic passes (column projection into readers). */
import { Task, TaskRef, dependenciesOf, type Graph } from "@dask-ts/core";
import type { CsvPartSpec } from "./io/csv/parse.js";
import { CSV_PARSE_KERNEL } from "./kernels/csv.js";

function kernelName(node: unknown): string | undefined {
  if (!(node instanceof Task)) return undefined;
  const spec = node.fn.spec;
  return spec.kind === "kernel" ? spec.name : undefined;
}

/** The columns of a `dataframe.select(ref(key), [names])` task, or undefined when the node is anything else. */
function selectedColumns(node: unknown, key: string): readonly string[] | undefined {
  if (kernelName(node) !== "dataframe.select") return undefined;
  const args = (node as Task).args;
  if (args.length !== 2 || !(args[0] instanceof TaskRef) || args[0].key !== key) return undefined;
  const cols = args[1];
  return Array.isArray(cols) && cols.every((c) => typeof c === "string") ? (cols as string[]) : undefined;
}

/**
 * Rewrites a flat graph: pushes column selections into the CSV reader tasks below them. A parse task
 * whose every dependent selects columns (and that is not itself an output) converts only the union of
 * those columns; the others are still scanned for field boundaries but never converted (Dask's
 * column projection into read_csv). Returns the input graph when nothing changes, else a new Map.
 */
export function optimizeFrameGraph(graph: Graph, keys: readonly string[]): Graph {
  // Needed columns per parse task; null: the whole table.
  const wanted = new Map<string, Set<string> | null>();
  const outputs = new Set(keys);
  for (const [k, node] of graph) if (kernelName(node) === CSV_PARSE_KERNEL) wanted.set(k, outputs.has(k) ? null : new Set());
  if (wanted.size === 0) return graph;
  for (const [k, node] of graph) {
    if (wanted.has(k)) continue;
    for (const d of dependenciesOf(node)) {
      const set = wanted.get(d);
      if (set === undefined || set === null) continue;
      const cols = selectedColumns(node, d);
      if (cols === undefined) wanted.set(d, null);
      else for (const c of cols) set.add(c);
    }
  }
  let out: Graph | undefined;
  for (const [k, set] of wanted) {
    if (set === null || set.size === 0) continue;
    const task = graph.get(k) as Task;
    const spec = task.args[0] as CsvPartSpec;
    const columns = spec.columns.filter((c) => set.has(c));
    if (columns.length === spec.columns.length) continue;
    out ??= new Map(graph);
    out.set(k, new Task(task.fn, [{ ...spec, columns }, ...task.args.slice(1)], task.key));
  }
  return out ?? graph;
}
