/** The plain-object test used when walking user structures (core keeps its own copy internal). */

/** True for `{...}` objects (not class instances, arrays or null). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}
