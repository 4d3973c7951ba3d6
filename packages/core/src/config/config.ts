/** Global and scoped configuration (Dask's dask.config), scoped per async context. */
import { AsyncLocalStorage } from "node:async_hooks";
import { cpus } from "node:os";
import { ConfigError } from "../errors.js";

/** Known settings; any other key is allowed too (collections add their own, e.g. "array.chunkSize"). */
export interface ConfigValues {
  scheduler?: unknown;
  numWorkers?: number;
  optimize?: boolean;
  progress?: unknown;
  delayedPure?: boolean;
  [key: string]: unknown;
}

const defaults: ConfigValues = {
  scheduler: undefined, // each collection's default (threads for delayed, arrays, dataframes)
  numWorkers: Math.max(1, cpus().length),
  optimize: true,
  progress: false,
  delayedPure: false,
};

let globalValues: ConfigValues = { ...defaults };
const scoped = new AsyncLocalStorage<ConfigValues>();

function current(): ConfigValues {
  return scoped.getStore() ?? globalValues;
}

function validate(values: ConfigValues): void {
  const n = values.numWorkers;
  if (n !== undefined && (!Number.isInteger(n) || n < 1)) {
    throw new ConfigError(`numWorkers must be a positive integer; got ${String(n)}`);
  }
}

/** dask-ts configuration: `config.set`, `config.get`, `config.with`. */
export const config = {
  /** Sets values globally (or inside the current `config.with` scope). */
  set(values: ConfigValues): void {
    validate(values);
    const store = scoped.getStore();
    if (store) Object.assign(store, values);
    else globalValues = { ...globalValues, ...values };
  },
  /** Reads a value; `fallback` when unset. */
  get<T = unknown>(key: string, fallback?: T): T {
    const v = current()[key];
    return (v === undefined ? fallback : v) as T;
  },
  /** Runs `fn` with `values` in force for it and everything it awaits, then restores the outer values. */
  with<R>(values: ConfigValues, fn: () => R): R {
    validate(values);
    return scoped.run({ ...current(), ...values }, fn);
  },
  /** Restores the defaults (for tests). */
  reset(): void {
    globalValues = { ...defaults };
  },
  /** A copy of all values in force. */
  all(): ConfigValues {
    return { ...current() };
  },
};
