/** Delayed: lazy function calls and values that build task graphs (dask.delayed). */
import { config } from "../config/config.js";
import { FnRef } from "../fn/fnref.js";
import { toFnRef } from "../fn/ship.js";
import { kernel } from "../fn/registry.js";
import { LayeredGraph, MaterializedLayer } from "../graph/layered.js";
import { Literal, Task, TaskRef, isPlainObject, type Graph, type GraphNode } from "../graph/task.js";
import { randomToken, tokenize } from "../graph/tokenize.js";
import {
  isDaskCollection,
  type DaskCollection,
  type NestedKeys,
} from "../collection/collection.js";
import { InvalidArgumentError } from "../errors.js";
import type { ComputeOptions } from "../compute/options.js";
import { computeOne, persistOne, visualizeOne, type VisualizeOptions } from "../compute/compute.js";

/** Options of `delayed(fn, opts)`. */
export interface DelayedOptions {
  /** Key name prefix (default: the function's name). */
  name?: string;
  /** Same inputs give the same key (default from config "delayedPure", false as in Dask). */
  pure?: boolean;
}

/** A lazy value: the result of a graph of tasks, computed by `compute()`. */
export class Delayed<T = unknown> implements DaskCollection<T> {
  /** @internal */
  constructor(
    readonly key: string,
    /** @internal the node computing `key` (undefined when the key lives in `extra`). */
    readonly node: GraphNode | undefined,
    /** @internal Delayed values this node refers to. */
    readonly deps: readonly Delayed[],
    /** @internal graphs of other collections this node refers to. */
    readonly extra: readonly LayeredGraph[] = [],
  ) {}

  readonly daskScheduler = "threads";

  daskToken(): string {
    return this.key;
  }

  daskKeys(): NestedKeys {
    return this.key;
  }

  daskPostcompute(): undefined {
    return undefined;
  }

  daskPostpersist(values: ReadonlyMap<string, unknown>): Delayed<T> {
    return new Delayed<T>(this.key, new Literal(values.get(this.key)), []);
  }

  /** The layered graph of everything this value depends on (one layer of delayed tasks plus other collections' layers). */
  daskGraph(): LayeredGraph {
    const tasks: Graph = new Map();
    const extras: LayeredGraph[] = [];
    const seen = new Set<Delayed>();
    const stack: Delayed[] = [this];
    while (stack.length) {
      const d = stack.pop()!;
      if (seen.has(d)) continue;
      seen.add(d);
      if (d.node !== undefined && !tasks.has(d.key)) tasks.set(d.key, d.node);
      for (const g of d.extra) extras.push(g);
      for (const dep of d.deps) if (!seen.has(dep)) stack.push(dep);
    }
    const layer = new MaterializedLayer(new Map([...tasks].reverse()));
    return LayeredGraph.fromLayer(`delayed-${this.key}`, layer, extras);
  }

  /** The materialized task graph. */
  graph(): Graph {
    return this.daskGraph().materialize();
  }

  /** The output keys. */
  keys(): string[] {
    return [this.key];
  }

  /** Computes the value. */
  compute(opts?: ComputeOptions): Promise<T> {
    return computeOne(this, opts) as Promise<T>;
  }

  /** Computes the value and returns a Delayed that holds it. */
  persist(opts?: ComputeOptions): Promise<Delayed<T>> {
    return persistOne(this, opts) as Promise<Delayed<T>>;
  }

  /** Draws the graph (SVG or DOT text). */
  visualize(opts?: VisualizeOptions): Promise<string> {
    return visualizeOne(this, opts);
  }

  /** A Delayed of `value[key]` (item or attribute access, like Dask's `d[i]` / `d.attr`). */
  get<K extends PropertyKey>(key: K): Delayed<unknown> {
    return callDelayed(kernel("core.getitem"), [this, key], {}, "getitem");
  }

  /** A Delayed of `value[method](...args)`. */
  method(name: string, ...args: unknown[]): Delayed<unknown> {
    return callDelayed(kernel("core.callMethod"), [this, name, ...args], {}, name);
  }

  toString(): string {
    return `Delayed('${this.key}')`;
  }
}

/** Turns a Delayed/collection-bearing argument into a graph node plus the Delayed values it needs. */
function unpack(arg: unknown, deps: Delayed[], path: unknown[] = []): GraphNode {
  if (path.includes(arg)) {
    throw new InvalidArgumentError("delayed: an argument contains itself (a cyclic array or object); pass acyclic data.");
  }
  if (arg instanceof Delayed) {
    deps.push(arg);
    return new TaskRef(arg.key);
  }
  if (isDaskCollection(arg)) {
    const d = fromCollection(arg);
    deps.push(d);
    return new TaskRef(d.key);
  }
  if (Array.isArray(arg)) {
    const before = deps.length;
    path.push(arg);
    const out = arg.map((a) => unpack(a, deps, path));
    path.pop();
    return deps.length === before ? arg : out;
  }
  if (isPlainObject(arg)) {
    const before = deps.length;
    path.push(arg);
    const out: Record<string, unknown> = {};
    for (const k in arg) out[k] = unpack(arg[k], deps, path);
    path.pop();
    return deps.length === before ? arg : out;
  }
  return arg;
}

/** A Delayed standing for a whole collection's computed result (its postcompute applied to its keys). */
function fromCollection(c: DaskCollection): Delayed {
  const keys = c.daskKeys();
  const refs = mapNested(keys, (k) => new TaskRef(k));
  const post = c.daskPostcompute();
  const key = `finalize-${tokenize(c.daskToken())}`;
  const node = post ? new Task(post.fn, [refs, ...post.args]) : refs;
  return new Delayed(key, node, [], [c.daskGraph()]);
}

function mapNested(keys: NestedKeys, f: (k: string) => unknown): unknown {
  return typeof keys === "string" ? f(keys) : keys.map((k) => mapNested(k, f));
}

function callDelayed(fn: FnRef, args: readonly unknown[], opts: DelayedOptions, label?: string): Delayed {
  const deps: Delayed[] = [];
  const nodeArgs = args.map((a) => unpack(a, deps));
  const pure = opts.pure ?? config.get<boolean>("delayedPure", false);
  const token = pure ? tokenize(fn, ...args) : randomToken();
  const key = `${opts.name ?? label ?? fn.label}-${token}`;
  return new Delayed(key, new Task(fn, nodeArgs), deps);
}

/** An argument of a delayed call: the value, a Delayed of it, or arrays/objects holding Delayed parts. */
export type DelayedArg<T> =
  | T
  | Delayed<T>
  | (T extends readonly (infer U)[] ? DelayedArg<U>[] : T extends Record<string, unknown> ? { [K in keyof T]: DelayedArg<T[K]> } : never);

/** A function whose calls build Delayed values instead of running. */
export type DelayedFunction<A extends unknown[], R> = (...args: { [I in keyof A]: DelayedArg<A[I]> }) => Delayed<Awaited<R>>;

/**
 * `delayed(fn)` wraps a function so that calls build tasks; `delayed(value)` wraps a value.
 * Functions are shipped to workers as FnRefs: they must not capture local variables (pass them as arguments).
 */
export function delayed<A extends unknown[], R>(fn: (...args: A) => R, opts?: DelayedOptions): DelayedFunction<A, R>;
export function delayed<A extends unknown[] = unknown[], R = unknown>(fn: FnRef, opts?: DelayedOptions): DelayedFunction<A, R>;
export function delayed<T>(value: T, opts?: DelayedOptions): Delayed<T extends Delayed<infer U> ? U : T>;
export function delayed(target: unknown, opts: DelayedOptions = {}): unknown {
  if (opts !== undefined && (typeof opts !== "object" || opts === null)) {
    throw new InvalidArgumentError(`delayed(target, opts): opts must be an object like { name, pure }; got ${String(opts)}`);
  }
  if (typeof target === "function" || target instanceof FnRef) {
    const ref = toFnRef(target as (...a: unknown[]) => unknown);
    return (...args: unknown[]) => callDelayed(ref, args, opts);
  }
  return delayedValue(target, opts);
}

function delayedValue(value: unknown, opts: DelayedOptions): Delayed {
  if (value instanceof Delayed) return value;
  if (isDaskCollection(value)) return fromCollection(value);
  const deps: Delayed[] = [];
  const node = unpack(value, deps);
  const typeName = value === null ? "null" : Array.isArray(value) ? "array" : typeof value === "object" ? (value.constructor?.name ?? "object").toLowerCase() : typeof value;
  const token = deps.length ? tokenize(node) : tokenize(value);
  const key = `${opts.name ?? typeName}-${token}`;
  return new Delayed(key, deps.length ? node : new Literal(value), deps);
}
