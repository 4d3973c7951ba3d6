/** Kernels of core itself (item access, method calls, identity), registered in every process. */
import { renameSync, rmSync } from "node:fs";
import { registerKernel } from "../fn/registry.js";
import { FnRef } from "../fn/fnref.js";
import { resolveFn, resolveFnSync } from "../fn/resolve.js";

// identity and list keep nothing and hide nothing: lanes may reuse the memory they pass on (memory/recycle.ts).
registerKernel("core.identity", (x: unknown) => x, { stateless: true });
registerKernel("core.getitem", (obj: unknown, key: PropertyKey) => (obj as Record<PropertyKey, unknown>)[key]);
registerKernel("core.callMethod", (obj: unknown, name: string, ...args: unknown[]) => {
  const m = (obj as Record<string, unknown>)[name];
  if (typeof m !== "function") {
    throw new TypeError(`${Object.prototype.toString.call(obj)} has no method '${name}'`);
  }
  return (m as (...a: unknown[]) => unknown).apply(obj, args);
});
registerKernel("core.list", (...items: unknown[]) => items, { stateless: true });
/** `new C(...args)` for a class given by reference (distributed actors are made with it). */
registerKernel("core.construct", (ref: FnRef, ...args: unknown[]) => {
  if (!(ref instanceof FnRef)) throw new TypeError(`core.construct needs a class reference (FnRef), got ${typeof ref}`);
  const make = (C: Function): unknown => new (C as new (...a: unknown[]) => unknown)(...args);
  const C = resolveFnSync(ref);
  return C ? make(C) : resolveFn(ref).then(make);
});
/** Calls `obj[name](...args)`, or reads `obj[name]` when it is not a function and no arguments are given (actor members). */
registerKernel("core.invokeMember", (obj: unknown, name: string, ...args: unknown[]) => {
  if (obj === null || (typeof obj !== "object" && typeof obj !== "function")) throw new TypeError(`Cannot read member '${name}' of ${String(obj)}`);
  const m = (obj as Record<string, unknown>)[name];
  if (typeof m === "function") return (m as (...a: unknown[]) => unknown).apply(obj, args);
  if (args.length > 0) throw new TypeError(`'${name}' of ${obj.constructor?.name ?? "the object"} is not a method (it is ${m === undefined ? "undefined" : typeof m}), so it takes no arguments`);
  return m;
});
/** The sum of a list of numbers (tree reductions of counts). */
registerKernel("core.sum", (xs: readonly number[]) => {
  let s = 0;
  for (const x of xs) s += x;
  return s;
});

/**
 * Renames every temporary file to its final name (io/write-files.ts). Runs only after all writes
 * succeeded, so a failed computation leaves no final file; if a rename fails, the files renamed so far
 * are removed again.
 */
registerKernel("core.commitFiles", (tmpPaths: readonly string[], finalPaths: readonly string[]): string[] => {
  let done = 0;
  try {
    for (; done < tmpPaths.length; done++) renameSync(tmpPaths[done]!, finalPaths[done]!);
  } catch (e) {
    for (let i = 0; i < done; i++) rmSync(finalPaths[i]!, { force: true });
    for (let i = done; i < tmpPaths.length; i++) rmSync(tmpPaths[i]!, { force: true });
    throw e;
  }
  return [...finalPaths];
});
