/**
 * Kernels of fold, reduction and the built-in scalar reductions (count, sum, mean, min, max).
 * Partials of empty partitions are `[]` and a value is `[v]` (Dask's no_result), so that an empty
 * partition contributes nothing and a fold without an initial value never sees a placeholder.
 */
import type { FnRef } from "@dask-ts/core";
import { BagFunctionError } from "../errors.js";
import { resolveUser } from "../user-fn.js";
import { BagCombineError, EmptyBagError, partitionRange } from "./errors.js";
import { asArray, freshInitial } from "./keys.js";

/** A partial result: nothing (empty partitions) or one value. */
export type Opt<T = unknown> = [] | [T];

function present<T>(partials: readonly Opt<T>[]): T[] {
  const out: T[] = [];
  for (const p of partials) if (p.length) out.push(p[0]);
  return out;
}

// --- fold ------------------------------------------------------------------------------------------

/** binop(acc, x) over one partition, from `initial` (when given) or its first element. */
export async function foldChunk(part: readonly unknown[], i: number, binop: FnRef, hasInitial: boolean, initial: unknown): Promise<Opt> {
  const xs = asArray(part);
  if (xs.length === 0) return [];
  const f = await resolveUser(binop);
  let acc = hasInitial ? freshInitial(initial) : xs[0];
  for (let j = hasInitial ? 0 : 1; j < xs.length; j++) {
    try {
      acc = f(acc, xs[j]);
    } catch (e) {
      throw new BagFunctionError("fold", i, j, e);
    }
  }
  return [acc];
}

async function combineAll(op: string, values: unknown[], combine: FnRef, where: string): Promise<unknown> {
  const f = await resolveUser(combine);
  let acc = values[0];
  for (let j = 1; j < values.length; j++) {
    try {
      acc = f(acc, values[j]);
    } catch (e) {
      throw new BagCombineError(op, where, e);
    }
  }
  return acc;
}

/** combine(acc, partial) over the partials of partitions first..last. */
export async function foldCombine(partials: readonly Opt[], first: number, last: number, combine: FnRef): Promise<Opt> {
  const values = present(partials);
  return values.length ? [await combineAll("fold", values, combine, partitionRange(first, last))] : [];
}

/** The fold's result; an empty bag gives `initial`, or fails without one (as Python's reduce). */
export async function foldFinish(partials: readonly Opt[], first: number, last: number, combine: FnRef, hasInitial: boolean, initial: unknown): Promise<unknown> {
  const values = present(partials);
  if (values.length) return combineAll("fold", values, combine, partitionRange(first, last));
  if (hasInitial) return freshInitial(initial);
  throw new EmptyBagError("fold", "reduce() of empty sequence with no initial value", "Pass an initial value: fold(binop, combine, initial).");
}

// --- reduction -------------------------------------------------------------------------------------

/** perPartition(partition); nothing for an empty partition (as Dask's empty_safe_apply). */
export async function reductionChunk(part: readonly unknown[], i: number, perPartition: FnRef): Promise<Opt> {
  const xs = asArray(part);
  if (xs.length === 0) return [];
  const f = await resolveUser(perPartition);
  try {
    return [await f(xs)];
  } catch (e) {
    throw new BagFunctionError("reduction", i, undefined, e);
  }
}

async function aggregate(values: unknown[], agg: FnRef, first: number, last: number): Promise<unknown> {
  const f = await resolveUser(agg);
  try {
    return await f(values);
  } catch (e) {
    throw new BagCombineError("reduction", partitionRange(first, last), e);
  }
}

/** aggregate(partials) over the non-empty partitions first..last. */
export async function reductionCombine(partials: readonly Opt[], first: number, last: number, agg: FnRef): Promise<Opt> {
  const values = present(partials);
  return values.length ? [await aggregate(values, agg, first, last)] : [];
}

/** The result: aggregate(partials); when every partition is empty, aggregate([perPartition([])]) (as Dask on one partition). */
export async function reductionFinish(partials: readonly Opt[], first: number, last: number, agg: FnRef, perPartition: FnRef): Promise<unknown> {
  const values = present(partials);
  if (values.length === 0) {
    const f = await resolveUser(perPartition);
    try {
      values.push(await f([]));
    } catch (e) {
      throw new BagFunctionError("reduction", 0, undefined, e);
    }
  }
  return aggregate(values, agg, first, last);
}

// --- count, sum, mean --------------------------------------------------------------------------------

export function countChunk(part: readonly unknown[]): number {
  return asArray(part).length;
}

/** Sum of numbers (partials of count and sum). */
export function addAll(values: readonly number[]): number {
  let s = 0;
  for (let j = 0; j < values.length; j++) s += values[j]!;
  return s;
}

export function sumChunk(part: readonly unknown[]): number {
  const xs = asArray(part) as readonly number[];
  let s = 0;
  for (let j = 0; j < xs.length; j++) s += xs[j]!;
  return s;
}

/** [total, count] of a partition. */
export function meanChunk(part: readonly unknown[]): [number, number] {
  return [sumChunk(part), asArray(part).length];
}

export function meanCombine(partials: readonly [number, number][]): [number, number] {
  let t = 0;
  let n = 0;
  for (const [a, b] of partials) {
    t += a;
    n += b;
  }
  return [t, n];
}

/** total / count: NaN for an empty bag (Dask warns and gives nan). */
export function meanFinish(partials: readonly [number, number][]): number {
  const [t, n] = meanCombine(partials);
  return t / n;
}

// --- min, max ------------------------------------------------------------------------------------------

function best(xs: readonly unknown[], largest: boolean): Opt {
  if (xs.length === 0) return [];
  let b = xs[0] as number;
  if (largest) {
    for (let j = 1; j < xs.length; j++) if ((xs[j] as number) > b) b = xs[j] as number;
  } else {
    for (let j = 1; j < xs.length; j++) if ((xs[j] as number) < b) b = xs[j] as number;
  }
  return [b];
}

export function extremeChunk(part: readonly unknown[], _i: number, largest: boolean): Opt {
  return best(asArray(part), largest);
}

export function extremeCombine(partials: readonly Opt[], _first: number, _last: number, largest: boolean): Opt {
  return best(present(partials), largest);
}

export function extremeFinish(partials: readonly Opt[], _first: number, _last: number, largest: boolean): unknown {
  const r = best(present(partials), largest);
  if (r.length) return r[0];
  const op = largest ? "max" : "min";
  throw new EmptyBagError(op, `${op}() arg is an empty sequence`, `Check that the bag has elements (count()) before taking its ${op}.`);
}
