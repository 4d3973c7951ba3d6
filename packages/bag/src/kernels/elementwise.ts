/**
 * Kernels of the element-wise operations. Each takes its partition and the partition's index, so a
 * failure names where it happened. User functions arrive as FnRefs: called directly when the reference
 * carries its function (sync scheduler, build-time sampling), else resolved once per task.
 */
import { InvalidArgumentError, registerKernel, type FnRef } from "@dask-ts/core";
import { BagFunctionError } from "../errors.js";
import { withFn, type AnyFn } from "../user-fn.js";
import { fnmatchRegExp, pyAffix, pyLen, pyReplace, pyStrip, splitSepInto, splitWhitespaceInto } from "../elementwise/pystr.js";



/** A short description of a value for error messages. */
export function describeValue(x: unknown): string {
  if (x === null) return "null";
  if (typeof x === "string") return `string ${JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}...` : x)}`;
  if (typeof x === "object") return Array.isArray(x) ? "an array" : `a ${(x as object).constructor?.name ?? "object"}`;
  if (typeof x === "function") return "a function";
  return `${typeof x} ${String(x)}`;
}

/** Throws unless every bag argument's partition (arguments `zip`) has `n` elements, as Dask's map requires. */
function checkZip(op: string, p: number, n: number, args: readonly unknown[], zip: readonly number[]): void {
  for (const j of zip) {
    const m = (args[j] as unknown[]).length;
    if (m !== n) {
      throw new InvalidArgumentError(
        `${op}: partition ${p} has ${n} elements but partition ${p} of the bag passed as extra argument ${j + 1} has ${m}; ` +
          `bags passed as arguments must be partitioned identically (same partition lengths).`,
      );
    }
  }
}

/** fn(x, ...args) of each element; a bag argument (index in `zip`) contributes its element at the same position. */
function mapPart(op: string, part: readonly unknown[], p: number, fn: AnyFn, args: readonly unknown[], zip: readonly number[], keep: boolean): unknown[] {
  const n = part.length;
  const out: unknown[] = keep ? [] : new Array(n);
  let i = 0;
  if (zip.length > 0) checkZip(op, p, n, args, zip);
  try {
    if (zip.length === 0 && args.length === 0) {
      if (keep) for (; i < n; i++) { if (fn(part[i])) out.push(part[i]); }
      else for (; i < n; i++) out[i] = fn(part[i]);
    } else if (zip.length === 0 && args.length === 1) {
      const a = args[0];
      if (keep) for (; i < n; i++) { if (fn(part[i], a)) out.push(part[i]); }
      else for (; i < n; i++) out[i] = fn(part[i], a);
    } else {
      const call = args.slice();
      for (; i < n; i++) {
        for (const j of zip) call[j] = (args[j] as unknown[])[i];
        const r = fn(part[i], ...call);
        if (!keep) out[i] = r;
        else if (r) out.push(part[i]);
      }
    }
  } catch (e) {
    throw new BagFunctionError(op, p, i, e);
  }
  return out;
}

registerKernel("bag.map", (part: unknown[], p: number, ref: FnRef, args: unknown[], zip: number[]) =>
  withFn(ref, (fn) => mapPart("map", part, p, fn, args, zip, false)));

registerKernel("bag.filter", (part: unknown[], p: number, ref: FnRef, args: unknown[], zip: number[]) =>
  withFn(ref, (fn) => mapPart("filter", part, p, fn, args, zip, true)));

/** The elements of a mapPartitions result (any iterable) as an array. */
function toArray(p: number, r: unknown): unknown[] {
  if (Array.isArray(r)) return r;
  if (r !== null && r !== undefined && typeof (r as Iterable<unknown>)[Symbol.iterator] === "function" && typeof r !== "string") {
    return Array.from(r as Iterable<unknown>);
  }
  throw new BagFunctionError("mapPartitions", p, undefined, new TypeError(`the function must return an array or another iterable of elements; it returned ${describeValue(r)}.`));
}

registerKernel("bag.mapPartitions", (part: unknown[], p: number, ref: FnRef, args: unknown[]) =>
  withFn(ref, (fn) => {
    let r: unknown;
    try {
      r = fn(part, ...args);
    } catch (e) {
      throw new BagFunctionError("mapPartitions", p, undefined, e);
    }
    // An async function's partition is awaited here, so its elements (not a Promise) form the partition.
    if (typeof (r as PromiseLike<unknown> | null)?.then === "function") {
      return Promise.resolve(r).then((v) => toArray(p, v), (e: unknown) => { throw new BagFunctionError("mapPartitions", p, undefined, e); });
    }
    return toArray(p, r);
  }));

/** Appends the elements of each element to `out`: arrays, strings (as characters, as Python) and other iterables. */
export function flattenInto(part: readonly unknown[], p: number, out: unknown[]): void {
  for (let i = 0; i < part.length; i++) {
    const x = part[i];
    if (Array.isArray(x)) {
      for (let j = 0; j < x.length; j++) out.push(x[j]);
    } else if (typeof x === "string") {
      for (const ch of x) out.push(ch);
    } else if (x !== null && x !== undefined && typeof (x as Iterable<unknown>)[Symbol.iterator] === "function") {
      try {
        for (const y of x as Iterable<unknown>) out.push(y);
      } catch (e) {
        throw new BagFunctionError("flatten", p, i, e);
      }
    } else {
      throw new BagFunctionError("flatten", p, i, new TypeError(`the element is ${describeValue(x)}, which is not iterable (flatten needs arrays, strings or other iterables).`));
    }
  }
}

registerKernel("bag.flatten", (part: unknown[], p: number) => {
  // All arrays (the common case): size the output once and copy; else append element by element.
  let total = 0;
  for (let i = 0; i < part.length; i++) {
    const x = part[i];
    if (!Array.isArray(x)) {
      const out: unknown[] = [];
      flattenInto(part, p, out);
      return out;
    }
    total += x.length;
  }
  const out = new Array<unknown>(total);
  let k = 0;
  for (let i = 0; i < part.length; i++) {
    const x = part[i] as unknown[];
    for (let j = 0; j < x.length; j++) out[k++] = x[j];
  }
  return out;
});

// --- pluck -----------------------------------------------------------------------------------------

const MISSING = Symbol("missing");

/** x[key], Python style: negative indexes count from the end of arrays and strings; Maps by get. */
function getKey(x: unknown, key: PropertyKey): unknown {
  if (x === null || x === undefined) return MISSING;
  if (typeof key === "number" && (Array.isArray(x) || typeof x === "string")) {
    const n = (x as ArrayLike<unknown>).length;
    const k = key < 0 ? n + key : key;
    return Number.isInteger(k) && k >= 0 && k < n ? (x as ArrayLike<unknown>)[k] : MISSING;
  }
  if (x instanceof Map) return x.has(key) ? x.get(key) : MISSING;
  const v = (x as Record<PropertyKey, unknown>)[key];
  return v !== undefined || (typeof x === "object" && Object.hasOwn(x, key)) ? v : MISSING;
}

function keyName(k: PropertyKey): string {
  return typeof k === "string" ? `'${k}'` : String(k);
}

registerKernel("bag.pluck", (part: unknown[], p: number, key: PropertyKey | PropertyKey[], many: boolean, hasDefault: boolean, dflt: unknown) => {
  const n = part.length;
  const out = new Array<unknown>(n);
  const pick = (x: unknown, k: PropertyKey, i: number): unknown => {
    const v = getKey(x, k);
    if (v !== MISSING) return v;
    if (hasDefault) return dflt;
    const err = new Error(`${keyName(k)} is not a key of the element (${describeValue(x)}); pass { default } to pluck to use a value for missing keys.`);
    err.name = "KeyError";
    throw new BagFunctionError("pluck", p, i, err);
  };
  if (many) {
    const keys = key as PropertyKey[];
    for (let i = 0; i < n; i++) out[i] = keys.map((k) => pick(part[i], k, i));
  } else {
    for (let i = 0; i < n; i++) out[i] = pick(part[i], key as PropertyKey, i);
  }
  return out;
});

// --- take --------------------------------------------------------------------------------------

registerKernel("bag.head", (part: unknown[], n: number) => (part.length <= n ? part : part.slice(0, n)));

// --- strings -----------------------------------------------------------------------------------

function notString(op: string, p: number, i: number, x: unknown): never {
  throw new BagFunctionError(`str.${op}`, p, i, new TypeError(`expected a string, got ${describeValue(x)}.`));
}

/** s.split(sep, maxsplit) of each element: one scanner over the partition, no per-element function call. */
export function splitPart(part: readonly unknown[], p: number, sep: string | null, maxsplit: number): string[][] {
  const n = part.length;
  const out = new Array<string[]>(n);
  for (let i = 0; i < n; i++) {
    const s = part[i];
    if (typeof s !== "string") notString("split", p, i, s);
    const words: string[] = [];
    if (sep === null) splitWhitespaceInto(s, maxsplit, words);
    else splitSepInto(s, sep, maxsplit, words);
    out[i] = words;
  }
  return out;
}

/** The words of every element in one flat array: split then flatten without the per-element arrays. */
export function splitFlatPart(part: readonly unknown[], p: number, sep: string | null, maxsplit: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < part.length; i++) {
    const s = part[i];
    if (typeof s !== "string") notString("split", p, i, s);
    if (sep === null) splitWhitespaceInto(s, maxsplit, out);
    else splitSepInto(s, sep, maxsplit, out);
  }
  return out;
}

registerKernel("bag.str.split", splitPart);
registerKernel("bag.str.splitFlatten", splitFlatPart);

type StrFn = (s: string) => unknown;

/** The per-string function of a str method and its parameters (a fixed set: names are checked when the graph is built). */
function strMethod(method: string, params: readonly unknown[]): StrFn {
  switch (method) {
    case "lower": return (s) => s.toLowerCase();
    case "upper": return (s) => s.toUpperCase();
    case "strip": return (s) => pyStrip(s, params[0] as string | null, true, true);
    case "lstrip": return (s) => pyStrip(s, params[0] as string | null, true, false);
    case "rstrip": return (s) => pyStrip(s, params[0] as string | null, false, true);
    case "startswith": return (s) => pyAffix(s, params[0] as string | string[], false);
    case "endswith": return (s) => pyAffix(s, params[0] as string | string[], true);
    case "replace": return (s) => pyReplace(s, params[0] as string, params[1] as string, params[2] as number);
    case "len": return pyLen;
    default: throw new InvalidArgumentError(`str: unknown method '${method}'.`);
  }
}

registerKernel("bag.str", (part: unknown[], p: number, method: string, params: unknown[]) => {
  const f = strMethod(method, params);
  const n = part.length;
  const out = new Array<unknown>(n);
  for (let i = 0; i < n; i++) {
    const s = part[i];
    if (typeof s !== "string") notString(method, p, i, s);
    out[i] = f(s);
  }
  return out;
});

registerKernel("bag.str.match", (part: unknown[], p: number, pattern: string) => {
  const re = fnmatchRegExp(pattern);
  const out: string[] = [];
  for (let i = 0; i < part.length; i++) {
    const s = part[i];
    if (typeof s !== "string") notString("match", p, i, s);
    if (re.test(s)) out.push(s);
  }
  return out;
});
