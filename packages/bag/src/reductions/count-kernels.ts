/**
 * Kernels of frequencies and distinct. A partition's counts travel as two columns, the distinct
 * elements (first seen first) and a Float64Array of their counts: a typed array crosses processes as
 * raw bytes, and two flat arrays encode faster than a Map or [element, count] pairs.
 */
import { BagFunctionError } from "../errors.js";
import { asArray, bucketOf, mapKey, withKey, valueKey, type KeyArg } from "./keys.js";

/** Distinct elements (first seen first) and how often each occurs. */
export type Counts = [elems: unknown[], counts: Float64Array];

/** The word-count loop: strings (the common case) go straight into the Map, anything else through valueKey. */
export function countChunk(part: readonly unknown[]): Counts {
  const xs = asArray(part);
  const index = new Map<unknown, number>();
  const elems: unknown[] = [];
  const counts: number[] = [];
  for (let j = 0; j < xs.length; j++) {
    const x = xs[j];
    const k = mapKey(x);
    const s = index.get(k);
    if (s === undefined) {
      index.set(k, elems.length);
      elems.push(x);
      counts.push(1);
    } else counts[s]++;
  }
  return [elems, Float64Array.from(counts)];
}

/** Sums the counts of several partials (each without repeats), keeping first-seen order. */
export function mergeCounts(partials: readonly Counts[]): Counts {
  return partials.length === 1 ? partials[0]! : sumCounts(partials);
}

/** Sums counts by element over any columns (repeats allowed). */
function sumCounts(partials: readonly Counts[]): Counts {
  const index = new Map<unknown, number>();
  const elems: unknown[] = [];
  const counts: number[] = [];
  for (const [es, cs] of partials) {
    for (let j = 0; j < es.length; j++) {
      const x = es[j];
      const k = mapKey(x);
      const s = index.get(k);
      if (s === undefined) {
        index.set(k, elems.length);
        elems.push(x);
        counts.push(cs[j]!);
      } else counts[s] += cs[j]!;
    }
  }
  return [elems, Float64Array.from(counts)];
}

/** [element, count] pairs; sorted by count, largest first (ties in first-seen order) when `sort`. */
function toPairs([elems, counts]: Counts, sort: boolean): Array<[unknown, number]> {
  const out = elems.map((e, j): [unknown, number] => [e, counts[j]!]);
  if (sort) out.sort((a, b) => b[1] - a[1]);
  return out;
}

export function countFinish(partials: readonly Counts[], _first: number, _last: number, sort: boolean): Array<[unknown, number]> {
  return toPairs(partials.length ? mergeCounts(partials) : [[], new Float64Array(0)], sort);
}

/** Splits a partition's counts into `nout` pieces of [element, count] pairs by the element's hash. */
export function countSplit(c: Counts, nout: number): Array<Array<[unknown, number]>> {
  const pieces = Array.from({ length: nout }, () => [] as Array<[unknown, number]>);
  const [elems, counts] = c;
  for (let j = 0; j < elems.length; j++) pieces[nout === 1 ? 0 : bucketOf(valueKey(elems[j]), nout)]!.push([elems[j], counts[j]!]);
  return pieces;
}

/** An output partition of the frequencies shuffle: sums the [element, count] pairs of every split. */
export function countMergePairs(pairs: readonly [unknown, number][], _j: number, sort: boolean): Array<[unknown, number]> {
  return toPairs(sumCounts([[pairs.map((e) => e[0]), Float64Array.from(pairs, (e) => e[1])]]), sort);
}

// --- distinct ----------------------------------------------------------------------------------------

/** Distinct elements and, with a key function, their keys (so combines need not call it again). */
export type Distinct = [keys: unknown[] | null, elems: unknown[]];

function addDistinct(seen: Set<unknown>, keys: unknown[] | null, elems: unknown[], k: unknown, x: unknown): void {
  const mk = mapKey(k);
  if (seen.has(mk)) return;
  seen.add(mk);
  keys?.push(k);
  elems.push(x);
}

/** First occurrences in one partition (by key(x) when a key is given). */
export function distinctChunk(part: readonly unknown[], i: number, key: KeyArg | null): Distinct | Promise<Distinct> {
  const xs = asArray(part);
  const seen = new Set<unknown>();
  const elems: unknown[] = [];
  if (key === null) {
    for (let j = 0; j < xs.length; j++) addDistinct(seen, null, elems, xs[j], xs[j]);
    return [null, elems];
  }
  return withKey(key, (get): Distinct => {
    const keys: unknown[] = [];
    for (let j = 0; j < xs.length; j++) {
      let k: unknown;
      try {
        k = get(xs[j]);
      } catch (e) {
        throw new BagFunctionError("distinct", i, j, e);
      }
      addDistinct(seen, keys, elems, k, xs[j]);
    }
    return [keys, elems];
  });
}

/** First occurrences over several partials, in order. */
export function distinctCombine(partials: readonly Distinct[]): Distinct {
  if (partials.length === 1) return partials[0]!;
  const seen = new Set<unknown>();
  const withKeys = partials.some((p) => p[0] !== null);
  const keys: unknown[] | null = withKeys ? [] : null;
  const elems: unknown[] = [];
  for (const [ks, es] of partials) for (let j = 0; j < es.length; j++) addDistinct(seen, keys, elems, ks ? ks[j] : es[j], es[j]);
  return [keys, elems];
}

export function distinctFinish(partials: readonly Distinct[]): unknown[] {
  return partials.length ? distinctCombine(partials)[1] : [];
}
