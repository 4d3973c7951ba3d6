/** Tasks are data: a function reference plus arguments that nest literals, references and inner tasks. */
import type { FnRef } from "../fn/fnref.js";

/** A reference to the result of another key in the graph. */
export class TaskRef {
  constructor(readonly key: string) {}
}

/** A call: `fn(...args)`, where args may nest TaskRefs, inner Tasks, arrays and plain objects. */
export class Task {
  constructor(
    readonly fn: FnRef,
    readonly args: readonly unknown[],
    /** The key this task had before it was fused into another (errors name it). */
    readonly key?: string,
  ) {}
}

/** A value that is passed through untouched: nothing inside it is read as a reference or a task. */
export class Literal<T = unknown> {
  constructor(readonly value: T) {}
}

/** What a graph maps a key to: a Task, a TaskRef (alias), a Literal, or a container/primitive. */
export type GraphNode = unknown;

/** A flat task graph: canonical key string -> node. */
export type Graph = Map<string, GraphNode>;

/** True for `{...}` objects (not class instances, arrays or null). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Calls `visit` for every TaskRef key inside a node (through arrays, plain objects and inner tasks). */
export function forEachRef(node: GraphNode, visit: (key: string) => void): void {
  if (node instanceof TaskRef) visit(node.key);
  else if (node instanceof Task) {
    for (const a of node.args) forEachRef(a, visit);
  } else if (Array.isArray(node)) {
    for (const a of node) forEachRef(a, visit);
  } else if (isPlainObject(node)) {
    for (const k in node) forEachRef(node[k], visit);
  }
}

/** The distinct keys a node depends on, in first-seen order. */
export function dependenciesOf(node: GraphNode): string[] {
  if (node instanceof Task && node.args.length === 1 && (node.args[0] === null || typeof node.args[0] !== "object")) return []; // f(literal): common leaf
  const out: string[] = [];
  let seen: Set<string> | undefined;
  forEachRef(node, (k) => {
    if (out.length < 8) {
      if (!out.includes(k)) out.push(k);
      return;
    }
    seen ??= new Set(out);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(k);
    }
  });
  return out;
}

/** True when a node needs evaluation (it is or contains a Task or TaskRef). */
export function isComputable(node: GraphNode): boolean {
  if (node instanceof Task || node instanceof TaskRef) return true;
  if (Array.isArray(node)) return node.some(isComputable);
  if (isPlainObject(node)) {
    for (const k in node) if (isComputable(node[k])) return true;
  }
  return false;
}

/** Returns the node with every TaskRef replaced by `replace(key, ref)`; returning `ref` keeps it (copy-on-write). */
export function mapRefs(node: GraphNode, replace: (key: string, ref: TaskRef) => GraphNode): GraphNode {
  if (node instanceof TaskRef) return replace(node.key, node);
  if (node instanceof Task) {
    const args = mapArray(node.args, replace);
    return args === node.args ? node : new Task(node.fn, args, node.key);
  }
  if (Array.isArray(node)) return mapArray(node, replace);
  if (isPlainObject(node)) {
    let out: Record<string, unknown> | undefined;
    for (const k in node) {
      const v = mapRefs(node[k], replace);
      if (v !== node[k]) {
        out ??= { ...node };
        out[k] = v;
      }
    }
    return out ?? node;
  }
  return node;
}

function mapArray(arr: readonly unknown[], replace: (key: string, ref: TaskRef) => GraphNode): readonly unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < arr.length; i++) {
    const v = mapRefs(arr[i], replace);
    if (v !== arr[i]) {
      out ??= arr.slice();
      out[i] = v;
    }
  }
  return out ?? arr;
}
