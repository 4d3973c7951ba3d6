/**
 * Value identity of bag elements and group keys (frequencies, distinct, foldby, groupby), key
 * arguments (a function or a property name/index), and hashing of keys to shuffle outputs.
 *
 * Identity, as Python's hash/equality of hashable values:
 * - primitives by value, as a JS Map compares them (1 and "1" differ; NaN equals NaN; 0 equals -0);
 * - objects, arrays, Dates, Maps, Sets and typed arrays by content: a canonical JSON-like text
 *   (arrays in order, object keys sorted, Map entries and Set members sorted, the class name for
 *   non-plain objects), so [1, 2] matches another [1, 2] and {a, b} matches {b, a}. The first element
 *   seen stands for its equals in results.
 * Map keys are the primitive itself or a string starting with \u0001 (objects, undefined, and the rare
 * user string that starts with \u0001 itself, escaped so that it cannot collide).
 */
import { FnRef, InvalidArgumentError } from "@dask-ts/core";
import { withFn } from "../user-fn.js";

const TAG = 1; // char code of \u0001

/** The Map key standing for a value's identity (see the module comment). */
export function valueKey(x: unknown): unknown {
  switch (typeof x) {
    case "string":
      return x.length !== 0 && x.charCodeAt(0) === TAG ? `\u0001s${x}` : x;
    case "number":
    case "boolean":
    case "bigint":
      return x;
    case "undefined":
      return "\u0001u";
    case "object":
      return x === null ? null : `\u0001o${canonical(x, 0)}`;
    default:
      return `\u0001${typeof x}:${String(x)}`;
  }
}

const MAX_DEPTH = 200;

/** Canonical text of a value: equal text, equal content. */
function canonical(v: unknown, depth: number): string {
  switch (typeof v) {
    case "string":
      return JSON.stringify(v);
    case "number":
      return Object.is(v, -0) ? "0" : String(v);
    case "bigint":
      return `${v}n`;
    case "boolean":
    case "undefined":
      return String(v);
    case "object":
      break;
    default:
      return `<${typeof v}:${String(v)}>`;
  }
  if (v === null) return "null";
  if (depth > MAX_DEPTH) throw new InvalidArgumentError(`Cannot use a value nested more than ${MAX_DEPTH} levels deep (or one that contains itself) as a key.`);
  const d = depth + 1;
  if (Array.isArray(v)) return `[${v.map((x) => canonical(x, d)).join(",")}]`;
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}[${Array.from(v as unknown as ArrayLike<number>).join(",")}]`;
  if (v instanceof Date) return `Date(${v.getTime()})`;
  if (v instanceof Map) return `Map{${[...v].map(([k, x]) => `${canonical(k, d)}:${canonical(x, d)}`).sort().join(",")}}`;
  if (v instanceof Set) return `Set[${[...v].map((x) => canonical(x, d)).sort().join(",")}]`;
  const proto = Object.getPrototypeOf(v) as unknown;
  const cls = proto === Object.prototype || proto === null ? "" : ((v as object).constructor?.name ?? "?");
  const keys = Object.keys(v).sort();
  return `${cls}{${keys.map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k], d)}`).join(",")}}`;
}

/**
 * The shuffle output (0..nout-1) of a Map key: FNV-1a of its text, so every process places a key alike.
 * (Keys that print alike, e.g. 1 and "1", share an output; they stay distinct groups there.)
 */
export function bucketOf(mapKey: unknown, nout: number): number {
  const s = typeof mapKey === "string" ? mapKey : String(mapKey);
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % nout;
}

/** A key argument as it travels in a task: a function reference, or a property name or index. */
export type KeyArg = FnRef | string | number;

/** Raised by a property key on an element that lacks the property (Dask: KeyError/IndexError). */
export class KeyNotFoundError extends Error {
  override name = "KeyError";
}

/** A key function of one element. */
export type KeyFn = (x: unknown) => unknown;

/**
 * run(get) with the key function of a key argument: a function reference (resolved once per process;
 * synchronously when at hand) or a property name/index.
 */
export function withKey<R>(key: KeyArg, run: (get: KeyFn) => R, spread = false): R | Promise<R> {
  if (key instanceof FnRef) {
    return withFn(key, (fn) => {
      // Dask's topk: a key taking several arguments is applied to the element's items.
      const get: KeyFn = spread && fn.length > 1 ? (x) => fn(...(x as unknown[])) : (fn as KeyFn);
      return run(get);
    });
  }
  return run((x) => {
    if (x === null || x === undefined || !(key in Object(x))) {
      throw new KeyNotFoundError(`the element ${describe(x)} has no ${typeof key === "number" ? "index" : "property"} ${JSON.stringify(key)}`);
    }
    return (x as Record<string | number, unknown>)[key];
  });
}

function describe(x: unknown): string {
  try {
    const s = JSON.stringify(x) ?? String(x);
    return s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    return String(x);
  }
}

/**
 * A fresh copy of an initial value for each group or partition: binops that mutate their accumulator
 * (acc.push(x); return acc) then behave alike on every scheduler. Primitives and class instances pass as is.
 */
export function freshInitial<T>(initial: T): T {
  if (typeof initial !== "object" || initial === null) return initial;
  // The common empty accumulators without structuredClone (which costs a microsecond or two per group).
  if (Array.isArray(initial) && initial.length === 0) return [] as T;
  const proto = Object.getPrototypeOf(initial) as unknown;
  const plain = Array.isArray(initial) || proto === Object.prototype || proto === null || initial instanceof Map || initial instanceof Set;
  if (!plain) return initial;
  try {
    return structuredClone(initial);
  } catch {
    return initial; // holds something that cannot be copied (a function): shared, as in Python
  }
}

/** A partition as an array (partitions are arrays; any other iterable is read once). */
export function asArray<T>(part: Iterable<T> | readonly T[]): readonly T[] {
  return Array.isArray(part) ? part : Array.from(part as Iterable<T>);
}

/** The Map key of a value: strings as themselves (unless they could clash with valueKey's texts), else valueKey. */
export function mapKey(k: unknown): unknown {
  return typeof k === "string" && (k.length === 0 || k.charCodeAt(0) !== 1) ? k : valueKey(k);
}
