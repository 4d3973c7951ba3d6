/** `b.str`: Python string methods on every element, each one kernel over the partition (no user function). */
import { InvalidArgumentError } from "@dask-ts/core";
import type { Bag } from "../bag.js";
import { partitionwise } from "./layer.js";

/** How a bag was made by str.split, so that flatten can split straight into one flat array. */
interface SplitInfo {
  readonly input: Bag<unknown>;
  readonly sep: string | null;
  readonly maxsplit: number;
}
const splits = new WeakMap<Bag<unknown>, SplitInfo>();

/** The str.split that made `b`, if it was one. */
export function splitOf(b: Bag<unknown>): SplitInfo | undefined {
  return splits.get(b);
}

function optString(what: string, v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== "string") throw new InvalidArgumentError(`str.${what}: expected a string or nothing; got ${typeof v}.`);
  return v;
}

function intArg(what: string, v: unknown, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "number" || !Number.isInteger(v)) throw new InvalidArgumentError(`str.${what}: expected an integer; got ${String(v)}.`);
  return v;
}

/** String methods of a bag of strings (`b.str`), with Python's semantics. A non-string element is an error naming its partition. */
export class StringAccessor {
  constructor(readonly bag: Bag<unknown>) {}

  private method<R>(method: string, params: unknown[]): Bag<R> {
    return partitionwise(`str-${method}`, "bag.str", this.bag, () => [method, params], [method, params]);
  }

  /** Python's s.split(sep?, maxsplit?): no sep splits on runs of whitespace (no empty words); a sep splits exactly. */
  split(sep?: string | null, maxsplit = -1): Bag<string[]> {
    const s = optString("split", sep);
    if (s === "") throw new InvalidArgumentError(`str.split: empty separator (pass no separator to split on whitespace).`);
    const m = intArg("split", maxsplit, -1);
    const out = partitionwise<string[]>("str-split", "bag.str.split", this.bag, () => [s, m < 0 ? -1 : m], [s, m]);
    splits.set(out as Bag<unknown>, { input: this.bag, sep: s, maxsplit: m < 0 ? -1 : m });
    return out;
  }
  /** Lower case (JS toLowerCase). */
  lower(): Bag<string> {
    return this.method("lower", []);
  }
  /** Upper case (JS toUpperCase: "ß" becomes "SS", as in Python). */
  upper(): Bag<string> {
    return this.method("upper", []);
  }
  /** Python's s.strip(chars?): removes whitespace, or any of `chars`, from both ends. */
  strip(chars?: string | null): Bag<string> {
    return this.method("strip", [optString("strip", chars)]);
  }
  /** Python's s.lstrip(chars?): from the start only. */
  lstrip(chars?: string | null): Bag<string> {
    return this.method("lstrip", [optString("lstrip", chars)]);
  }
  /** Python's s.rstrip(chars?): from the end only. */
  rstrip(chars?: string | null): Bag<string> {
    return this.method("rstrip", [optString("rstrip", chars)]);
  }
  /** Python's s.startswith(prefix) (a list means any of them). */
  startswith(prefix: string | readonly string[]): Bag<boolean> {
    return this.method("startswith", [affixArg("startswith", prefix)]);
  }
  /** Python's s.endswith(suffix) (a list means any of them). */
  endswith(suffix: string | readonly string[]): Bag<boolean> {
    return this.method("endswith", [affixArg("endswith", suffix)]);
  }
  /** Python's s.replace(old, new, count?): the first `count` occurrences, or all. */
  replace(old: string, repl: string, count = -1): Bag<string> {
    if (typeof old !== "string" || typeof repl !== "string") throw new InvalidArgumentError(`str.replace: expected two strings (old, new).`);
    return this.method("replace", [old, repl, intArg("replace", count, -1)]);
  }
  /** Python's len(s): the number of code points. */
  len(): Bag<number> {
    return this.method("len", []);
  }
  /** The elements matching a wildcard pattern (`*`, `?`, `[seq]`, as Dask's str.match / fnmatch). */
  match(pattern: string): Bag<string> {
    if (typeof pattern !== "string") throw new InvalidArgumentError(`str.match: expected a pattern string; got ${typeof pattern}.`);
    return partitionwise("str-match", "bag.str.match", this.bag, () => [pattern], [pattern]);
  }
}

function affixArg(what: string, v: unknown): string | string[] {
  if (typeof v === "string") return v;
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return [...v];
  throw new InvalidArgumentError(`str.${what}: expected a string or a list of strings.`);
}
