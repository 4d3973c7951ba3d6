/**
 * Kernels of foldby and groupby. A partition's groups travel as two columns: the keys (first seen
 * first) and one value per key (foldby: the folded accumulator; groupby: the elements in order).
 * Shuffles split them by the hash of the key into pieces of [key, value] pairs.
 */
import type { FnRef } from "@dask-ts/core";
import { BagFunctionError } from "../errors.js";
import { withFn } from "../user-fn.js";
import { BagCombineError, partitionRange } from "./errors.js";
import { asArray, bucketOf, freshInitial, mapKey, withKey, type KeyArg } from "./keys.js";

/** Keys (first seen first) and one value per key. */
export type Groups = [keys: unknown[], values: unknown[]];

// --- foldby ------------------------------------------------------------------------------------------

/** Groups one partition by key(x) and folds each group with binop(acc, x) from `initial` (or its first element). */
export function foldbyChunk(part: readonly unknown[], i: number, key: KeyArg, binop: FnRef, hasInitial: boolean, initial: unknown): Groups | Promise<Groups> {
  const xs = asArray(part);
  // A Promise resolving to a Promise is flattened by `await`: the task's value is the Groups either way.
  return withKey(key, (get) =>
    withFn(binop, (f): Groups => {
      const index = new Map<unknown, number>();
      const keys: unknown[] = [];
      const accs: unknown[] = [];
      for (let j = 0; j < xs.length; j++) {
        const x = xs[j];
        let k: unknown;
        try {
          k = get(x);
        } catch (e) {
          throw new BagFunctionError("foldby (key)", i, j, e);
        }
        const mk = mapKey(k);
        const s = index.get(mk);
        if (s === undefined && !hasInitial) {
          index.set(mk, keys.length);
          keys.push(k);
          accs.push(x);
          continue;
        }
        const slot = s ?? keys.length;
        try {
          const acc = f(s === undefined ? freshInitial(initial) : accs[slot], x);
          if (s === undefined) {
            index.set(mk, slot);
            keys.push(k);
            accs.push(acc);
          } else accs[slot] = acc;
        } catch (e) {
          throw new BagFunctionError("foldby", i, j, e);
        }
      }
      return [keys, accs];
    }),
  ) as Groups | Promise<Groups>;
}

/**
 * Combines accumulators by key, in order: combine(acc, value) from `combineInitial` when given, else
 * from the first value (Dask: reduceby with combine_initial, or merge_with(reduce(combine))).
 */
function combineGroups(parts: ReadonlyArray<readonly [readonly unknown[], readonly unknown[]]>, combine: FnRef, hasCI: boolean, ci: unknown, where: string): Groups | Promise<Groups> {
  return withFn(combine, (f): Groups => {
    const index = new Map<unknown, number>();
    const keys: unknown[] = [];
    const accs: unknown[] = [];
    for (const [ks, vs] of parts) {
      for (let j = 0; j < ks.length; j++) {
        const k = ks[j];
        const mk = mapKey(k);
        const s = index.get(mk);
        if (s === undefined && !hasCI) {
          index.set(mk, keys.length);
          keys.push(k);
          accs.push(vs[j]);
          continue;
        }
        let acc: unknown;
        try {
          acc = f(s === undefined ? freshInitial(ci) : accs[s], vs[j]);
        } catch (e) {
          throw new BagCombineError("foldby", where, e);
        }
        if (s === undefined) {
          index.set(mk, keys.length);
          keys.push(k);
          accs.push(acc);
        } else accs[s] = acc;
      }
    }
    return [keys, accs];
  });
}

export function foldbyCombine(partials: readonly Groups[], first: number, last: number, combine: FnRef, hasCI: boolean, ci: unknown): Groups | Promise<Groups> {
  return combineGroups(partials, combine, hasCI, ci, partitionRange(first, last));
}

export function foldbyFinish(partials: readonly Groups[], first: number, last: number, combine: FnRef, hasCI: boolean, ci: unknown): Pairs | Promise<Pairs> {
  return then(foldbyCombine(partials, first, last, combine, hasCI, ci), toPairs);
}

/** An output partition of the foldby shuffle: combines the [key, accumulator] pairs of every split, in partition order. */
export function foldbyMergePairs(pairs: readonly [unknown, unknown][], j: number, combine: FnRef, hasCI: boolean, ci: unknown): Pairs | Promise<Pairs> {
  const cols: Groups = [pairs.map((e) => e[0]), pairs.map((e) => e[1])];
  return then(combineGroups([cols], combine, hasCI, ci, `output partition ${j}`), toPairs);
}

type Pairs = Array<[unknown, unknown]>;

/** k(v), synchronously unless v is a Promise. */
function then<T, R>(v: T | Promise<T>, k: (v: T) => R): R | Promise<R> {
  return v instanceof Promise ? v.then(k) : k(v);
}

function toPairs([keys, values]: Groups): Array<[unknown, unknown]> {
  return keys.map((k, j): [unknown, unknown] => [k, values[j]]);
}

/** Splits a partition's groups into `nout` pieces of [key, value] pairs by the key's hash. */
export function groupSplit([keys, values]: Groups, nout: number): Array<Array<[unknown, unknown]>> {
  const pieces = Array.from({ length: nout }, () => [] as Array<[unknown, unknown]>);
  for (let j = 0; j < keys.length; j++) pieces[nout === 1 ? 0 : bucketOf(mapKey(keys[j]), nout)]!.push([keys[j], values[j]]);
  return pieces;
}

// --- groupby -----------------------------------------------------------------------------------------

/** Groups one partition by key(x): the keys first seen first, each with its elements in order. */
export function groupChunk(part: readonly unknown[], i: number, key: KeyArg): Groups | Promise<Groups> {
  const xs = asArray(part);
  return withKey(key, (get): Groups => {
    const index = new Map<unknown, number>();
    const keys: unknown[] = [];
    const lists: unknown[][] = [];
    for (let j = 0; j < xs.length; j++) {
      let k: unknown;
      try {
        k = get(xs[j]);
      } catch (e) {
        throw new BagFunctionError("groupby (key)", i, j, e);
      }
      const mk = mapKey(k);
      const s = index.get(mk);
      if (s === undefined) {
        index.set(mk, keys.length);
        keys.push(k);
        lists.push([xs[j]]);
      } else lists[s]!.push(xs[j]);
    }
    return [keys, lists];
  });
}

/** An output partition of the groupby shuffle: [key, elements] with each key's lists joined in partition order. */
export function groupMergePairs(pairs: readonly [unknown, unknown[]][]): Array<[unknown, unknown[]]> {
  const index = new Map<unknown, number>();
  const out: Array<[unknown, unknown[]]> = [];
  for (const [k, xs] of pairs) {
    const mk = mapKey(k);
    const s = index.get(mk);
    if (s === undefined) {
      index.set(mk, out.length);
      out.push([k, xs.slice()]);
    } else {
      const acc = out[s]![1];
      for (let j = 0; j < xs.length; j++) acc.push(xs[j]);
    }
  }
  return out;
}
