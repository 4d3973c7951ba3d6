/** Kernels of core itself (item access, method calls, identity), registered in every process. */
import { registerKernel } from "../fn/registry.js";

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
