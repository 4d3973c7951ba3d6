/** Inline cheap constants: small literal values are written into the tasks that use them. */
import { Literal, mapRefs, type Graph, type GraphNode } from "../graph/task.js";

const MAX_INLINE_STRING = 256;

function isCheapConstant(node: GraphNode): boolean {
  const v = node instanceof Literal ? node.value : node;
  switch (typeof v) {
    case "number":
    case "boolean":
    case "bigint":
    case "undefined":
      return true;
    case "string":
      return v.length <= MAX_INLINE_STRING;
    default:
      return v === null;
  }
}

/** Replaces references to cheap constant keys by the constants and drops those keys (outputs are kept). */
export function inlineConstants(graph: Graph, keys: readonly string[]): Graph {
  const outputs = new Set(keys);
  const constants = new Map<string, Literal>();
  for (const [k, v] of graph) {
    if (!outputs.has(k) && isCheapConstant(v)) constants.set(k, v instanceof Literal ? v : new Literal(v));
  }
  if (constants.size === 0) return graph;
  const out: Graph = new Map();
  for (const [k, v] of graph) {
    if (!constants.has(k)) out.set(k, mapRefs(v, (key, ref) => constants.get(key) ?? ref));
  }
  return out;
}
