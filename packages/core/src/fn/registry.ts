/** The kernel registry (named functions every worker has) and the modules every worker imports at start. */
import { InvalidArgumentError, UnknownKernelError } from "../errors.js";
import { FnRef } from "./fnref.js";
import { describeValue, toModuleUrl } from "./module-url.js";

type AnyFn = (...args: any[]) => unknown;

/** A registered kernel. */
export interface KernelInfo {
  readonly name: string;
  readonly fn: AnyFn;
  /** Cheap enough that optimizations may inline it into the tasks that use its result. */
  readonly inline: boolean;
  /** Keeps no reference to its arguments or result once it returns (see RegisterKernelOptions.stateless). */
  readonly stateless?: true;
}

/** Options of `registerKernel`. */
export interface RegisterKernelOptions {
  /** Cheap enough that optimizations may inline it into the tasks that use its result (default false). */
  inline?: boolean;
  /** Allow replacing a kernel registered under the same name with a different function. */
  replace?: boolean;
  /**
   * The kernel keeps no reference to its arguments or its result once it returns (no caches, no globals,
   * no callbacks into user code), and its result exposes every ArrayBuffer it refers to through own
   * enumerable properties, array or Map/Set entries, or typed array views. Lanes may then reuse the
   * memory of chunks allocated with allocTyped once the engine has released them (default false).
   */
  stateless?: boolean;
}

const kernels = new Map<string, KernelInfo>();
// Functions registered as stateless kernels (checked on every call while a lane tracks memory).
const statelessFns = new WeakSet<Function>();
// One FnRef per kernel name, so graphs share it and `local` follows (re-)registration.
const refs = new Map<string, FnRef>();

/** Registers `fn` as the kernel `name`; returns its reference. Same name, other function: throws unless `replace`. */
export function registerKernel(name: string, fn: Function, opts: RegisterKernelOptions = {}): FnRef {
  if (typeof name !== "string" || name === "") {
    throw new InvalidArgumentError(`registerKernel: the name must be a non-empty string, got ${describeValue(name)}.`);
  }
  if (typeof fn !== "function") {
    throw new InvalidArgumentError(`registerKernel("${name}"): expected a function, got ${describeValue(fn)}.`);
  }
  const old = kernels.get(name);
  if (old && old.fn !== fn && !opts.replace) {
    // Two different functions under one name would make results depend on which worker ran a task.
    throw new InvalidArgumentError(
      `A different kernel is already registered as '${name}'. Kernel names must be unique; ` +
        `choose another name, or pass { replace: true } to registerKernel to replace it.`,
    );
  }
  const info: KernelInfo = { name, fn: fn as AnyFn, inline: opts.inline ?? false, ...(opts.stateless ? { stateless: true as const } : {}) };
  kernels.set(name, info);
  if (old && old.fn !== fn) statelessFns.delete(old.fn);
  if (info.stateless) statelessFns.add(info.fn);
  else statelessFns.delete(info.fn);
  const ref = refs.get(name);
  if (ref) ref.local = info.fn;
  else refs.set(name, new FnRef({ kind: "kernel", name }, info.fn));
  return refs.get(name)!;
}

/** The kernel registered as `name`; throws UnknownKernelError when there is none. */
export function getKernel(name: string): AnyFn {
  const info = kernels.get(name);
  if (!info) throw new UnknownKernelError(name);
  return info.fn;
}

/** True when a kernel is registered as `name`. */
export function hasKernel(name: string): boolean {
  return kernels.has(name);
}

/** The registration of kernel `name`, or undefined. */
export function kernelInfo(name: string): KernelInfo | undefined {
  return kernels.get(name);
}

/** True when `fn` is registered as a stateless kernel. */
export function isStatelessKernel(fn: Function): boolean {
  return statelessFns.has(fn);
}

/** The names of all registered kernels, in registration order. */
export function kernelNames(): string[] {
  return [...kernels.keys()];
}

/** A reference to kernel `name` (registered now or later, e.g. only on workers); `local` is set once registered here. */
export function kernel(name: string): FnRef {
  if (typeof name !== "string" || name === "") {
    throw new InvalidArgumentError(`kernel: the name must be a non-empty string, got ${describeValue(name)}.`);
  }
  let ref = refs.get(name);
  if (!ref) {
    ref = new FnRef({ kind: "kernel", name }, kernels.get(name)?.fn);
    refs.set(name, ref);
  }
  return ref;
}

const moduleList: string[] = [];
const moduleSet = new Set<string>();
let moduleSnapshot: readonly string[] = Object.freeze([]);

/** Adds a module (URL or absolute path) that every worker thread/process imports at start, e.g. one that registers kernels. */
export function registerWorkerModule(url: string | URL): void {
  const href = toModuleUrl(url, "registerWorkerModule");
  if (moduleSet.has(href)) return;
  moduleSet.add(href);
  moduleList.push(href);
  moduleSnapshot = Object.freeze([...moduleList]);
}

/** The modules every worker imports at start, in registration order, without duplicates. */
export function workerModules(): readonly string[] {
  return moduleSnapshot;
}
