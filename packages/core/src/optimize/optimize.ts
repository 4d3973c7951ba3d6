/** The generic optimization pipeline run before scheduling: cull, inline constants, fuse linear chains. */
import type { Graph } from "../graph/task.js";
import { cull } from "./cull.js";
import { fuseLinear } from "./fuse.js";
import { inlineConstants } from "./inline.js";

/** Options to switch single passes off. */
export interface OptimizeOptions {
  cull?: boolean;
  inline?: boolean;
  fuse?: boolean;
}

/** Runs the generic passes for the requested output keys. */
export function optimizeGraph(graph: Graph, keys: readonly string[], opts: OptimizeOptions = {}): Graph {
  let g = graph;
  if (opts.cull !== false) g = cull(g, keys);
  if (opts.inline !== false) g = inlineConstants(g, keys);
  if (opts.fuse !== false) g = fuseLinear(g, keys);
  return g;
}
