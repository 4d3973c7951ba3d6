/**
 * Kernels of topk: the k largest of each partition (a bounded heap, O(n log k)), then the k largest of
 * the concatenated partials. Order: largest first; equal keys keep first-seen order (heapq.nlargest).
 * Keys are compared with JS `<` and `>` (numbers, strings).
 */
import { BagFunctionError } from "../errors.js";
import { asArray, withKey, type KeyArg } from "./keys.js";

/** The k largest elements, largest first, and their keys when a key is given. */
export type Top = [keys: unknown[] | null, elems: unknown[]];

/** Indices of the k largest keys, largest first; on equal keys the earlier index wins. */
export function largest(keys: readonly unknown[], k: number): number[] {
  const n = keys.length;
  // a ranks above b: larger key, or an equal (or incomparable) key seen earlier.
  const above = (a: number, b: number): boolean => (keys[a]! > keys[b]! ? true : keys[a]! < keys[b]! ? false : a < b);
  if (k <= 0) return [];
  if (n <= k) return Array.from({ length: n }, (_, i) => i).sort((a, b) => (above(a, b) ? -1 : 1));
  // Min-heap (by rank) of the best k so far: the root is the one to drop first.
  const heap = Array.from({ length: k }, (_, i) => i);
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < k && above(heap[m]!, heap[l]!)) m = l;
      if (r < k && above(heap[m]!, heap[r]!)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  for (let i = (k >> 1) - 1; i >= 0; i--) down(i);
  for (let j = k; j < n; j++) {
    // A later element enters only with a strictly larger key than the weakest kept.
    if (keys[j]! > keys[heap[0]!]!) {
      heap[0] = j;
      down(0);
    }
  }
  return heap.sort((a, b) => (above(a, b) ? -1 : 1));
}

function pick(keys: readonly unknown[] | null, elems: readonly unknown[], k: number): Top {
  const idx = largest(keys ?? elems, k);
  return [keys ? idx.map((i) => keys[i]) : null, idx.map((i) => elems[i])];
}

/** The k largest of one partition (by key(x) when given; a key taking several arguments gets the element's items). */
export function topkChunk(part: readonly unknown[], i: number, k: number, key: KeyArg | null): Top | Promise<Top> {
  const xs = asArray(part);
  if (key === null) return pick(null, xs, k);
  return withKey(
    key,
    (get) => {
      const keys = new Array<unknown>(xs.length);
      for (let j = 0; j < xs.length; j++) {
        try {
          keys[j] = get(xs[j]);
        } catch (e) {
          throw new BagFunctionError("topk", i, j, e);
        }
      }
      return pick(keys, xs, k);
    },
    true,
  );
}

/** The k largest of several partials (concatenated in partition order, so ties keep first-seen order). */
export function topkCombine(partials: readonly Top[], _first: number, _last: number, k: number): Top {
  if (partials.length === 1) return partials[0]!;
  const withKeys = partials[0]![0] !== null;
  const keys = withKeys ? partials.flatMap((p) => p[0]!) : null;
  return pick(keys, partials.flatMap((p) => p[1]), k);
}

export function topkFinish(partials: readonly Top[], first: number, last: number, k: number): unknown[] {
  return topkCombine(partials, first, last, k)[1];
}
