/**
 * Graph -> TaskSpec[] for update-graph. Each node is encoded on its own; Futures anywhere in the graph become
 * references to their keys (the scheduler already knows them), and `key: Literal(future of key)` means "exists".
 */
import { Literal, Task, TaskRef, dependenciesOf, encode, isPlainObject, makePlan, type Graph, type GraphNode } from "@dask-ts/core";
import type { TaskSpec } from "../protocol.js";
import { Future } from "./future.js";
import { DESCEND, mapNested } from "./walk-futures.js";

/** What a graph becomes: the specs to send and the futures it refers to (keep them alive until it is sent). */
export interface SubmittedGraph {
  tasks: TaskSpec[];
  /** Futures the graph refers to (keys that already exist on the cluster). */
  futures: Future[];
}

/** True when a Future is somewhere inside `v` (through tasks, literals, arrays and plain objects). */
function hasFuture(v: unknown): boolean {
  if (v instanceof Future) return true;
  if (v instanceof Task) return v.args.some(hasFuture);
  if (v instanceof Literal) return hasFuture(v.value);
  if (Array.isArray(v)) return v.some(hasFuture);
  if (isPlainObject(v)) {
    for (const k in v) if (hasFuture(v[k])) return true;
  }
  return false;
}

/**
 * `node` with every Future (bare, or wrapped as Literal(future) by persist and inlining) replaced by a TaskRef to
 * its key. A Literal holding futures deeper inside is unwrapped so that the references are read by the worker.
 */
export function replaceFuturesInNode(node: GraphNode, found: (f: Future) => void): GraphNode {
  if (!hasFuture(node)) return node;
  const leaf = (v: unknown): unknown => {
    if (v instanceof Future) {
      found(v);
      return new TaskRef(v.key);
    }
    if (v instanceof Literal) return hasFuture(v.value) ? mapNested(v.value, leaf) : v;
    if (v instanceof Task) return new Task(v.fn, v.args.map((a) => mapNested(a, leaf)), v.key);
    return DESCEND;
  };
  return mapNested(node, leaf);
}

/** Encodes one node into bytes of its own (the codec reuses its buffer). */
export function encodeNode(node: GraphNode): Uint8Array {
  return copyBytes(encode(node));
}

/** A copy with its own memory. Not `.slice()`: the codec returns a Buffer, whose slice is a view. */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

/** Per-task options applied to every spec (compute/persist options). */
export type SpecOptions = Pick<TaskSpec, "retries" | "priority" | "resources" | "workers" | "allowOtherWorkers">;

/** Turns a graph into TaskSpecs ordered by core's makePlan; keys that are Literal(their own future) get no spec. */
export function graphToSpecs(graph: Graph, opts: SpecOptions = {}): SubmittedGraph {
  const futures: Future[] = [];
  const seen = new Set<Future>();
  const found = (f: Future): void => {
    if (!seen.has(f)) {
      seen.add(f);
      futures.push(f);
    }
  };
  const nodes = new Map<string, GraphNode>();
  const existing = new Set<string>();
  for (const [key, node] of graph) {
    if (node instanceof Literal && node.value instanceof Future && node.value.key === key) {
      found(node.value);
      existing.add(key);
      continue;
    }
    nodes.set(key, replaceFuturesInNode(node, found));
  }
  // makePlan needs every dependency in the graph: keys held on the cluster stand in as empty leaves.
  const planGraph: Graph = new Map();
  for (const k of existing) planGraph.set(k, null);
  for (const f of futures) if (!graph.has(f.key)) planGraph.set(f.key, null);
  for (const [k, n] of nodes) planGraph.set(k, n);
  const plan = makePlan(planGraph);
  const tasks: TaskSpec[] = [];
  for (const [key, node] of nodes) {
    tasks.push({ key, run: encodeNode(node), deps: dependenciesOf(node), order: plan.priority[plan.index.get(key)!]!, ...opts });
  }
  return { tasks, futures };
}
