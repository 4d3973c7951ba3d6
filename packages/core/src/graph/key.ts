/** Keys name results: a string, or a name plus block indices, with one canonical string form. */
import { InvalidArgumentError } from "../errors.js";

/** A key as collections build it: `"x-1a2b"` or `["sum-3f2a", 0, 1]`. */
export type Key = string | readonly [string, ...number[]];

/** The canonical string form of a key, used in graphs, maps and on the wire. */
export function keyStr(key: Key): string {
  if (typeof key === "string") return key;
  if (!Array.isArray(key) || typeof key[0] !== "string") {
    throw new InvalidArgumentError(`A key must be a string or [name, ...indices]; got ${String(key)}`);
  }
  return JSON.stringify(key);
}

/** Parses a canonical key string back into a key. */
export function parseKey(s: string): Key {
  if (s.startsWith('["')) {
    try {
      const v = JSON.parse(s) as unknown;
      if (Array.isArray(v) && typeof v[0] === "string") return v as unknown as Key;
    } catch {
      /* a plain string key that happens to start with [" */
    }
  }
  return s;
}

/** The name part of a key: `"sum-3f2a"` for `["sum-3f2a",0,1]`. */
export function keyName(key: Key | string): string {
  const k = typeof key === "string" ? parseKey(key) : key;
  return typeof k === "string" ? k : k[0];
}

/** The prefix of a key name before its token: `"sum"` for `"sum-3f2a..."`. Groups tasks of one kind. */
export function keyPrefix(key: Key | string): string {
  const name = keyName(key);
  const m = /^(.*)-[0-9a-f]{8,}$/.exec(name);
  return m ? m[1]! : name;
}
