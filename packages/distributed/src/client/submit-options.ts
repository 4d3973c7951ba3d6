/** submitOptions(): per-task options passed as the last argument of submit (branded, so never taken for an argument). */
import { InvalidArgumentError } from "@dask-ts/core";

/** Options of one submitted task (Dask's submit keywords). */
export interface SubmitOptions {
  /** The task's key (default: `${fn.name}-${token}`). */
  key?: string;
  /** Same function and arguments give the same key (default true, as in Dask's Client.submit). */
  pure?: boolean;
  /** Re-run this many times when it raises. */
  retries?: number;
  /** Higher runs first. */
  priority?: number;
  /** Abstract resources the task holds while running, e.g. { GPU: 1 }. */
  resources?: Record<string, number>;
  /** Worker addresses or names allowed to run it. */
  workers?: string | string[];
  /** With `workers`: others may run it when none of those can. */
  allowOtherWorkers?: boolean;
  /** submit only: make an actor (an instance of the class `fn` that stays on its worker); submit returns its handle. */
  actor?: boolean;
}

const BRAND = Symbol.for("dask-ts.submitOptions");
const NAMES = new Set(["key", "pure", "retries", "priority", "resources", "workers", "allowOtherWorkers", "actor"]);

/** Marks `opts` as submit options: `client.submit(fn, a, b, submitOptions({ key: "x" }))`. */
export function submitOptions(opts: SubmitOptions): SubmitOptions {
  checkSubmitOptions(opts, "submitOptions");
  const out = { ...opts };
  Object.defineProperty(out, BRAND, { value: true, enumerable: false });
  return out;
}

/** True when `v` was made by submitOptions(). */
export function isSubmitOptions(v: unknown): v is SubmitOptions {
  return typeof v === "object" && v !== null && (v as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * True for a plain trailing `{ actor: true, ...submit options }` (the documented actor form): an object that
 * says actor: true and has nothing but submit option names is options, not an argument.
 */
export function isActorOptions(v: unknown): v is SubmitOptions & { actor: true } {
  if (typeof v !== "object" || v === null || Array.isArray(v) || Object.getPrototypeOf(v) !== Object.prototype) return false;
  const o = v as Record<string, unknown>;
  return o.actor === true && Object.keys(o).every((k) => NAMES.has(k));
}

/** Throws InvalidArgumentError for unknown names or values of the wrong type. */
export function checkSubmitOptions(opts: unknown, where: string, extra: readonly string[] = []): asserts opts is SubmitOptions {
  if (typeof opts !== "object" || opts === null || Array.isArray(opts)) {
    throw new InvalidArgumentError(`${where}: options must be an object like { key, pure, retries, priority, resources, workers }; got ${String(opts)}.`);
  }
  const o = opts as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!NAMES.has(k) && !extra.includes(k)) {
      throw new InvalidArgumentError(`${where}: unknown option '${k}'. Known: ${[...NAMES, ...extra].join(", ")}.`);
    }
  }
  const bad = (name: string, what: string): never => {
    throw new InvalidArgumentError(`${where}: option '${name}' must be ${what}; got ${JSON.stringify(o[name])}.`);
  };
  if (o.key !== undefined && !extra.includes("key") && (typeof o.key !== "string" || o.key === "")) bad("key", "a non-empty string");
  if (o.pure !== undefined && typeof o.pure !== "boolean") bad("pure", "a boolean");
  if (o.retries !== undefined && (!Number.isInteger(o.retries) || (o.retries as number) < 0)) bad("retries", "an integer >= 0");
  if (o.priority !== undefined && (typeof o.priority !== "number" || !Number.isFinite(o.priority))) bad("priority", "a finite number");
  if (o.allowOtherWorkers !== undefined && typeof o.allowOtherWorkers !== "boolean") bad("allowOtherWorkers", "a boolean");
  if (o.actor !== undefined && typeof o.actor !== "boolean") bad("actor", "a boolean");
  if (o.resources !== undefined) {
    const r = o.resources as Record<string, unknown>;
    if (typeof r !== "object" || r === null || Object.values(r).some((v) => typeof v !== "number" || !(v >= 0))) {
      bad("resources", "an object of non-negative numbers, e.g. { GPU: 1 }");
    }
  }
  if (o.workers !== undefined) {
    const w = o.workers;
    if (!(typeof w === "string" || (Array.isArray(w) && w.every((x) => typeof x === "string")))) bad("workers", "a worker address or name, or an array of them");
  }
}

/** The TaskSpec fields of submit options (only those set). */
export function specOptions(o: SubmitOptions): {
  retries?: number;
  priority?: number;
  resources?: Record<string, number>;
  workers?: string[];
  allowOtherWorkers?: boolean;
} {
  const out: ReturnType<typeof specOptions> = {};
  if (o.retries !== undefined) out.retries = o.retries;
  if (o.priority !== undefined) out.priority = o.priority;
  if (o.resources !== undefined) out.resources = { ...o.resources };
  if (o.workers !== undefined) out.workers = typeof o.workers === "string" ? [o.workers] : [...o.workers];
  if (o.allowOtherWorkers !== undefined) out.allowOtherWorkers = o.allowOtherWorkers;
  return out;
}
