// Shared by the bag tests.
import { afterAll } from "vitest";
import { LayeredGraph, Literal, closeSchedulers, partitionKey, tokenize, type Graph } from "@dask-ts/core";
import { Bag } from "@dask-ts/bag";

/** Every local scheduler: each test runs its computation on all of them. */
export const SCHEDULERS = ["sync", "threads", "processes"] as const;

/** Closes the pools this test file started. */
export function closePoolsAfterAll(): void {
  afterAll(async () => {
    await closeSchedulers();
  });
}

/** The message of the error computing `c` raises (it must raise). */
export async function computeFailure(c: { compute(o: object): Promise<unknown> }, opts: object): Promise<string> {
  try {
    await c.compute(opts);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected a failure");
}

/** A bag with exactly these partitions (empty ones included). */
export function fromPartitions<T>(parts: T[][]): Bag<T> {
  const name = `parts-${tokenize(parts, Math.random())}`;
  const tasks: Graph = new Map();
  parts.forEach((p, i) => tasks.set(partitionKey(name, i), new Literal(p)));
  return new Bag<T>(LayeredGraph.fromLayer(name, tasks), name, parts.length);
}

/** A seeded generator of integers in [0, n). */
export function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return Math.floor((s / 2 ** 32) * n);
  };
}

/** Splits items into `n` partitions of random sizes, some of them empty. */
export function randomParts<T>(items: T[], n: number, seed: number): T[][] {
  const r = rng(seed);
  const cuts = Array.from({ length: n - 1 }, () => r(items.length + 1)).sort((a, b) => a - b);
  const bounds = [0, ...cuts, items.length];
  return Array.from({ length: n }, (_, i) => items.slice(bounds[i], bounds[i + 1]));
}
