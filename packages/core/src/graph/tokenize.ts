/** Deterministic tokens: the same inputs give the same hash, so equal expressions share keys. */
import { createHash, randomUUID } from "node:crypto";
import { FnRef } from "../fn/fnref.js";
import { Literal, Task, TaskRef } from "./task.js";

/** Objects that know their own token (Delayed, collections) implement this. */
export interface Tokenizable {
  daskToken(): string;
}

function isTokenizable(v: unknown): v is Tokenizable {
  return typeof (v as Tokenizable | null)?.daskToken === "function";
}

/** A hex token (32 chars) of any number of values. Unknown class instances hash by identity-free structure. */
export function tokenize(...values: unknown[]): string {
  const h = createHash("sha1");
  const seen = new Set<object>();
  for (const v of values) feed(h, v, seen);
  return h.digest("hex").slice(0, 32);
}

/** A random token for impure tasks (Dask's pure=False). */
export function randomToken(): string {
  return randomUUID().replace(/-/g, "");
}

type Hash = ReturnType<typeof createHash>;

function feed(h: Hash, v: unknown, seen: Set<object>): void {
  switch (typeof v) {
    case "number":
      h.update(Object.is(v, -0) ? "n-0;" : `n${v};`);
      return;
    case "string":
      h.update(`s${v.length}:`);
      h.update(v);
      return;
    case "boolean":
      h.update(v ? "T" : "F");
      return;
    case "bigint":
      h.update(`b${v};`);
      return;
    case "undefined":
      h.update("u");
      return;
    case "symbol":
      h.update(`y${String(v.description)};`);
      return;
    case "function":
      h.update(`f${(v as { name?: string }).name ?? ""}:`);
      h.update(Function.prototype.toString.call(v));
      return;
  }
  if (v === null) {
    h.update("N");
    return;
  }
  if (isTokenizable(v)) {
    h.update(`D${v.daskToken()};`);
    return;
  }
  const obj = v as object;
  if (seen.has(obj)) {
    // A cycle: what it points back to is already in the hash.
    h.update("<cycle>");
    return;
  }
  seen.add(obj);
  try {
    feedObject(h, obj, seen);
  } finally {
    seen.delete(obj);
  }
}

function feedObject(h: Hash, v: object, seen: Set<object>): void {
  if (v instanceof FnRef) {
    h.update(`F${v.id};`);
    return;
  }
  if (v instanceof TaskRef) {
    h.update(`R${v.key};`);
    return;
  }
  if (v instanceof Task) {
    h.update(`K${v.fn.id}(`);
    for (const a of v.args) feed(h, a, seen);
    h.update(")");
    return;
  }
  if (v instanceof Literal) {
    h.update("L");
    feed(h, v.value, seen);
    return;
  }
  if (ArrayBuffer.isView(v)) {
    h.update(`V${v.constructor.name}${v.byteLength}:`);
    h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    return;
  }
  if (v instanceof ArrayBuffer || v instanceof SharedArrayBuffer) {
    h.update(`B${v.byteLength}:`);
    h.update(new Uint8Array(v));
    return;
  }
  if (Array.isArray(v)) {
    h.update(`A${v.length}[`);
    for (const a of v) feed(h, a, seen);
    h.update("]");
    return;
  }
  if (v instanceof Map) {
    h.update(`M${v.size}{`);
    for (const [k, x] of v) {
      feed(h, k, seen);
      feed(h, x, seen);
    }
    h.update("}");
    return;
  }
  if (v instanceof Set) {
    h.update(`S${v.size}{`);
    for (const x of v) feed(h, x, seen);
    h.update("}");
    return;
  }
  if (v instanceof Date) {
    h.update(`d${v.getTime()};`);
    return;
  }
  if (v instanceof RegExp) {
    h.update(`X${v.source}/${v.flags};`);
    return;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    // An instance we cannot see into (its state may live in private fields or closures): never equal
    // to another, as Dask falls back to a random token.
    h.update(`I${randomToken()};`);
    return;
  }
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  h.update("O{");
  for (const k of keys) {
    h.update(`${k.length}:${k}`);
    feed(h, obj[k], seen);
  }
  h.update("}");
}
