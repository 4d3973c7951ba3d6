/**
 * The registry of type extensions: how a package teaches the serialization layer its classes.
 *
 * A class instance cannot cross a thread, process or machine boundary as itself: structured
 * clone drops its prototype and msgpack knows nothing of it. An extension turns the instance
 * into portable data (`encode`) and back (`decode`), under a name that both sides agree on.
 */
import { InvalidArgumentError } from "../errors.js";

/**
 * Teaches the serialization layer one class (or family of objects).
 *
 * - `name` travels with the data, so it must be the same in every process (use a package
 *   prefix, e.g. `"array.Chunk"`); names starting with `~` are reserved.
 * - `test` recognizes the values this extension handles; it runs on every non-plain object
 *   that is not handled natively, so keep it cheap (an `instanceof` is ideal).
 * - `encode` returns portable data: primitives, arrays, plain objects, typed arrays, Map,
 *   Set, Date, BigInt, or values another extension handles; it is converted recursively,
 *   so it may contain further class instances.
 * - `decode` receives that data already decoded (inner values first) and rebuilds the value.
 */
export interface TypeExtension<T = unknown, E = unknown> {
  name: string;
  test(v: unknown): v is T;
  encode(v: T): E;
  decode(e: E): T;
}

// Both views of the same set: by name for decoding, and an ordered list for `findExtension`.
// The list is newest first, so a package can override a built-in for a subclass (e.g. its own
// Error class) simply by registering later.
const byName = new Map<string, TypeExtension<any, any>>();
let ordered: TypeExtension<any, any>[] = [];

/**
 * Registers (or, when one of the same name exists, replaces) a type extension.
 * The newest registration is tried first by `findExtension`.
 */
export function registerTypeExtension<T, E>(ext: TypeExtension<T, E>): void {
  if (!ext || typeof ext.name !== "string" || ext.name === "") {
    throw new InvalidArgumentError("A type extension needs a non-empty string name.");
  }
  if (ext.name.startsWith("~")) {
    throw new InvalidArgumentError(
      `Type extension name '${ext.name}' is reserved: names starting with '~' are used by the serializer itself. Choose another name.`,
    );
  }
  if (typeof ext.test !== "function" || typeof ext.encode !== "function" || typeof ext.decode !== "function") {
    throw new InvalidArgumentError(`Type extension '${ext.name}' must have test, encode and decode functions.`);
  }
  // A new array rather than an in-place splice: a conversion running while a module registers
  // (re-entrantly, from inside an encode) keeps iterating a consistent list.
  ordered = [ext, ...ordered.filter((e) => e.name !== ext.name)];
  byName.set(ext.name, ext);
}

/** The extension that handles `v` (newest registration first), or undefined. */
export function findExtension(v: unknown): TypeExtension | undefined {
  const list = ordered;
  for (let i = 0; i < list.length; i++) {
    if (list[i]!.test(v)) return list[i];
  }
  return undefined;
}

/** The extension registered under `name`, or undefined. */
export function getExtension(name: string): TypeExtension | undefined {
  return byName.get(name);
}
