/** Kernels every bag computation ends with. */
import { registerKernel } from "@dask-ts/core";

/**
 * Arrays joined by a copy loop into a preallocated array. Not `concat` or `flat`: apache-arrow (loaded
 * with dataframes) sets Symbol.isConcatSpreadable on its prototypes, which turns V8's fast concat off
 * for the whole process (1M elements: ~10 ms becomes ~300 ms).
 */
export function joinArrays<T>(parts: readonly (readonly T[])[]): T[] {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Array<T>(n);
  let k = 0;
  for (const p of parts) for (let i = 0; i < p.length; i++) out[k++] = p[i]!;
  return out;
}

registerKernel("bag.concat", (parts: readonly unknown[][]) => joinArrays(parts));
registerKernel("bag.first", (values: readonly unknown[]) => values[0]);
// A shuffle's output partition: piece j of every split (see core's shuffleLayer).
registerKernel("bag.concatPieces", (splits: readonly unknown[][][], j: number) => joinArrays(splits.map((s) => s[j]!)));
registerKernel("bag.range", (start: number, stop: number) => Array.from({ length: stop - start }, (_, i) => start + i));
