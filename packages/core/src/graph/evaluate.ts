/** Evaluating a graph node: call its tasks with their arguments, resolving references. */
import { resolveFn, resolveFnSync } from "../fn/resolve.js";
import { isStatelessKernel } from "../fn/registry.js";
import { currentTaskFrame } from "../memory/alloc.js";
import { Literal, Task, TaskRef, isPlainObject, type GraphNode } from "./task.js";

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof (v as PromiseLike<unknown> | null)?.then === "function" && (typeof v === "object" || typeof v === "function");
}

/**
 * Evaluates a node. Synchronous unless a function is async or not yet loaded (then a Promise),
 * so the common case costs no microtask.
 */
export function evaluate(node: GraphNode, get: (key: string) => unknown): unknown {
  if (node instanceof Task) return callTask(node, get);
  if (node instanceof TaskRef) return get(node.key);
  if (node instanceof Literal) return node.value;
  if (Array.isArray(node)) return evaluateList(node, get);
  if (isPlainObject(node)) {
    const out: Record<string, unknown> = {};
    let pending: Promise<unknown>[] | undefined;
    for (const k in node) {
      const v = evaluate(node[k], get);
      if (isThenable(v)) (pending ??= []).push(Promise.resolve(v).then((x) => (out[k] = x)));
      else out[k] = v;
    }
    return pending ? Promise.all(pending).then(() => out) : out;
  }
  return node;
}

function evaluateList(nodes: readonly unknown[], get: (key: string) => unknown): unknown[] | Promise<unknown[]> {
  const out = new Array<unknown>(nodes.length);
  let async = false;
  for (let i = 0; i < nodes.length; i++) {
    const v = evaluate(nodes[i], get);
    if (isThenable(v)) async = true;
    out[i] = v;
  }
  return async ? Promise.all(out) : out;
}

/** Errors raised inside fused tasks, mapped to the key of the inner task that raised them. */
const errorKeys = new WeakMap<object, string>();

/** The key of the fused inner task that raised `error`, if any. */
export function failedKey(error: unknown): string | undefined {
  return typeof error === "object" && error !== null ? errorKeys.get(error) : undefined;
}

function tagError(error: unknown, key: string): never {
  if (typeof error === "object" && error !== null && !errorKeys.has(error)) errorKeys.set(error, key);
  throw error;
}

function callTask(task: Task, get: (key: string) => unknown): unknown {
  if (task.key === undefined) return invoke(task, get);
  const key = task.key;
  try {
    const out = invoke(task, get);
    return isThenable(out) ? Promise.resolve(out).catch((e: unknown) => tagError(e, key)) : out;
  } catch (e) {
    return tagError(e, key);
  }
}

function invoke(task: Task, get: (key: string) => unknown): unknown {
  const fn = task.fn.local ?? resolveFnSync(task.fn);
  const args = evaluateList(task.args, get);
  // While a lane tracks this task's memory (memory/recycle.ts), any call but a stateless kernel may keep references.
  const frame = currentTaskFrame();
  if (frame && !frame.unsafe && !(fn && isStatelessKernel(fn))) frame.unsafe = true;
  if (fn && !isThenable(args)) return fn(...args);
  return Promise.all([fn ?? resolveFn(task.fn), args]).then(([f, a]) => f(...a));
}

export { isThenable };
