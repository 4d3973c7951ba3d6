/** compute / persist / visualize: merge collection graphs, optimize, run on a scheduler, finalize. */
import { config } from "../config/config.js";
import {
  flattenKeys,
  isDaskCollection,
  packValues,
  type DaskCollection,
} from "../collection/collection.js";
import { LayeredGraph } from "../graph/layered.js";
import type { Graph } from "../graph/task.js";
import { optimizeGraph } from "../optimize/optimize.js";
import { resolveFn } from "../fn/resolve.js";
import { getScheduler } from "../schedulers/get-scheduler.js";
import { computeOptionNames, type ComputeOptions } from "./options.js";
import { visualizeGraph } from "../visualize/render.js";

/** Options of visualize(). */
export interface VisualizeOptions {
  /** Write the picture to this file (.svg or .dot). */
  filename?: string;
  /** "svg" (default) or "dot". */
  format?: "svg" | "dot";
  /** Draw the optimized graph instead of the graph as built. */
  optimize?: boolean;
  /** Layout direction. */
  rankdir?: "TB" | "LR" | "BT";
}

function splitArgs(args: unknown[]): { items: unknown[]; opts: ComputeOptions } {
  const last = args[args.length - 1];
  if (
    args.length > 0 &&
    typeof last === "object" &&
    last !== null &&
    !isDaskCollection(last) &&
    Object.getPrototypeOf(last) === Object.prototype &&
    Object.keys(last).every((k) => computeOptionNames.has(k))
  ) {
    return { items: args.slice(0, -1), opts: last as ComputeOptions };
  }
  return { items: args, opts: {} };
}

interface Prepared {
  graph: Graph;
  keys: string[];
  collections: DaskCollection[];
}

/** Merges the graphs of several collections and optimizes the result for the requested keys. */
export function collectionsToGraph(collections: readonly DaskCollection[], optimize: boolean): Prepared {
  const keys: string[] = [];
  for (const c of collections) flattenKeys(c.daskKeys(), keys);
  let graph = LayeredGraph.merge(...collections.map((c) => c.daskGraph())).materialize();
  if (optimize) {
    const seen = new Set<unknown>();
    for (const c of collections) {
      if (!c.daskOptimize || seen.has(c.daskOptimize)) continue;
      seen.add(c.daskOptimize);
      graph = c.daskOptimize(graph, keys);
    }
    graph = optimizeGraph(graph, keys);
  }
  return { graph, keys, collections: [...collections] };
}

async function run(collections: DaskCollection[], opts: ComputeOptions): Promise<Map<string, unknown>> {
  const optimize = opts.optimize ?? config.get<boolean>("optimize", true);
  const { graph, keys } = collectionsToGraph(collections, optimize);
  const scheduler = getScheduler(opts.scheduler ?? config.get("scheduler") ?? collections[0]?.daskScheduler ?? "threads", opts);
  return scheduler.runGraph(graph, [...new Set(keys)], {
    numWorkers: opts.numWorkers,
    progress: opts.progress ?? config.get("progress"),
    stats: opts.stats,
    signal: opts.signal,
  });
}

async function finalize(c: DaskCollection, values: ReadonlyMap<string, unknown>): Promise<unknown> {
  const keys = c.daskKeys();
  const post = c.daskPostcompute();
  const packed = packValues(keys, values);
  if (!post) return packed;
  const fn = await resolveFn(post.fn);
  return await fn(packed, ...post.args);
}

/**
 * Computes several collections in one merged graph (shared work done once).
 * A trailing plain object is taken as ComputeOptions. Values that are not collections pass through.
 */
export async function compute(...args: unknown[]): Promise<unknown[]> {
  const { items, opts } = splitArgs(args);
  const collections = items.filter(isDaskCollection);
  const values = collections.length ? await run(collections, opts) : new Map<string, unknown>();
  return Promise.all(items.map((it) => (isDaskCollection(it) ? finalize(it, values) : it)));
}

/** Computes one collection. */
export async function computeOne(c: DaskCollection, opts: ComputeOptions = {}): Promise<unknown> {
  const values = await run([c], opts);
  return finalize(c, values);
}

/** Computes collections and returns equivalent collections whose graphs hold the results. */
export async function persist(...args: unknown[]): Promise<unknown[]> {
  const { items, opts } = splitArgs(args);
  const collections = items.filter(isDaskCollection);
  const values = collections.length ? await run(collections, opts) : new Map<string, unknown>();
  return items.map((it) => (isDaskCollection(it) ? it.daskPostpersist(values) : it));
}

/** Persists one collection. */
export async function persistOne(c: DaskCollection, opts: ComputeOptions = {}): Promise<DaskCollection> {
  const values = await run([c], opts);
  return c.daskPostpersist(values);
}

/** Draws the task graph of a collection (or of a flat graph) as SVG or DOT text. */
export async function visualize(target: DaskCollection | Graph, opts: VisualizeOptions = {}): Promise<string> {
  if (target instanceof Map) return visualizeGraph(target, { filename: opts.filename, format: opts.format, rankdir: opts.rankdir });
  return visualizeOne(target, opts);
}

/** visualize() for one collection. */
export async function visualizeOne(c: DaskCollection, opts: VisualizeOptions = {}): Promise<string> {
  const { graph, keys } = collectionsToGraph([c], opts.optimize ?? false);
  return visualizeGraph(graph, { filename: opts.filename, format: opts.format, rankdir: opts.rankdir, outputs: keys });
}
