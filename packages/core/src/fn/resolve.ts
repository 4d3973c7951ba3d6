/** Worker side of function references: from an FnRef back to a callable function, cached. */
import { InvalidArgumentError, UnknownKernelError, UnshippableFunctionError } from "../errors.js";
import type { FnRef, FnSpec } from "./fnref.js";
import { kernelInfo } from "./registry.js";

type AnyFn = (...args: any[]) => unknown;

// Compiled sources by content hash: equal hashes are equal source, so one compile serves every task.
const compiled = new Map<string, AnyFn>();
// Module exports by "url#name", and the module namespaces being (or already) imported.
const moduleExports = new Map<string, AnyFn>();
const modules = new Map<string, Promise<Record<string, unknown>>>();
const stats = { sourceCompiles: 0, sourceHits: 0, moduleImports: 0 };

// Indirect eval: compiles in the global scope, so shipped code sees globals and nothing of this module.
const globalEval = eval;

/** Counters of the resolve caches (for tests and diagnostics). */
export interface ResolveCacheStats {
  /** Sources compiled (cache misses). */
  readonly sourceCompiles: number;
  /** Source lookups answered by the compile cache. */
  readonly sourceHits: number;
  /** Modules imported by `resolveFn` (cache misses). */
  readonly moduleImports: number;
}

/**
 * The function an FnRef names, loading it if needed: `local` when set, a registered kernel,
 * a module export (imported once per URL), or source text (compiled once per hash).
 */
export async function resolveFn(ref: FnRef): Promise<AnyFn> {
  const fn = resolveFnSync(ref);
  if (fn) return fn;
  const spec = ref.spec;
  if (spec.kind === "kernel") throw new UnknownKernelError(spec.name);
  if (spec.kind === "module") return loadExport(spec.url, spec.name);
  throw new InvalidArgumentError(`resolveFn: cannot resolve a function reference of kind ${describeKind(spec)}.`);
}

/**
 * The function an FnRef names if it is available without waiting: `local`, a registered kernel,
 * an already imported module export, or source text (compiled now if new). Undefined otherwise.
 */
export function resolveFnSync(ref: FnRef): AnyFn | undefined {
  if (ref?.local) return ref.local;
  const spec = ref?.spec as FnSpec | undefined;
  switch (spec?.kind) {
    case "source": {
      const fn = compiled.get(spec.hash);
      if (fn !== undefined) {
        stats.sourceHits++;
        return fn;
      }
      return compile(spec);
    }
    case "kernel":
      return kernelInfo(spec.name)?.fn;
    case "module": {
      // Remember the export on the reference itself: graphs share one FnRef across many tasks.
      const fn = moduleExports.get(`${spec.url}#${spec.name}`);
      if (fn) ref.local = fn;
      return fn;
    }
    default:
      throw new InvalidArgumentError(`resolveFn: expected an FnRef, got ${describeKind(spec)}.`);
  }
}

/** Current counters of the resolve caches. */
export function resolveCacheStats(): ResolveCacheStats {
  return { ...stats };
}

function compile(spec: Extract<FnSpec, { kind: "source" }>): AnyFn {
  // Name the code so worker stack traces say which shipped function failed: "at fact (dask-fn/fact-1a2b3c4d.js:1:20)".
  const sourceUrl = `\n//# sourceURL=dask-fn/${spec.name.replace(/[^\w$.-]/g, "_")}-${spec.hash.slice(0, 8)}.js`;
  const body = `(${spec.source}\n)${sourceUrl}`;
  let value: unknown;
  try {
    // Functions from ES modules and TypeScript output are strict; compile them that way.
    value = globalEval(`"use strict";${body}`);
  } catch (strictError) {
    try {
      // Sloppy-mode-only code (with, octal literals) from a CommonJS script.
      value = globalEval(body);
    } catch {
      throw new UnshippableFunctionError(
        `Function '${spec.name}' (source hash ${spec.hash.slice(0, 12)}) could not be compiled: ` +
          `${(strictError as Error)?.message ?? String(strictError)}`,
        { cause: strictError },
      );
    }
  }
  if (typeof value !== "function") {
    throw new UnshippableFunctionError(
      `The shipped source of '${spec.name}' (hash ${spec.hash.slice(0, 12)}) evaluated to ${typeof value}, not a function.`,
    );
  }
  stats.sourceCompiles++;
  compiled.set(spec.hash, value as AnyFn);
  return value as AnyFn;
}

async function loadExport(url: string, name: string): Promise<AnyFn> {
  const key = `${url}#${name}`;
  let pending = modules.get(url);
  if (!pending) {
    stats.moduleImports++;
    pending = import(url) as Promise<Record<string, unknown>>;
    modules.set(url, pending);
  }
  let ns: Record<string, unknown>;
  try {
    ns = await pending;
  } catch (e) {
    // Do not remember the failure: the file may be written or fixed before the next attempt.
    if (modules.get(url) === pending) modules.delete(url);
    const err = e as { code?: string; message?: string };
    const why =
      err?.code === "ERR_MODULE_NOT_FOUND"
        ? `the module was not found. Check that the file exists at that path on this machine ` +
          `(fromModule takes import.meta.url, a file: URL or an absolute path)`
        : `importing it failed: ${err?.message ?? String(e)}`;
    throw new UnshippableFunctionError(`Cannot load function '${name}' from ${url}: ${why}.`, { cause: e });
  }
  if (!(name in ns)) {
    const names = Object.keys(ns);
    throw new UnshippableFunctionError(
      `Module ${url} has no export '${name}'. ` +
        (names.length ? `Its exports are: ${names.join(", ")}.` : `It has no exports.`),
    );
  }
  const fn = ns[name];
  if (typeof fn !== "function") {
    throw new UnshippableFunctionError(
      `Export '${name}' of module ${url} is ${fn === null ? "null" : `a ${typeof fn}`}, not a function.`,
    );
  }
  moduleExports.set(key, fn as AnyFn);
  return fn as AnyFn;
}

function describeKind(spec: unknown): string {
  if (spec === null || typeof spec !== "object") return String(spec);
  return JSON.stringify((spec as { kind?: unknown }).kind ?? "(no kind)");
}
