/** Kernels every bag computation ends with. */
import { registerKernel } from "@dask-ts/core";

registerKernel("bag.concat", (parts: readonly unknown[][]) => ([] as unknown[]).concat(...parts));
registerKernel("bag.first", (values: readonly unknown[]) => values[0]);
// A shuffle's output partition: piece j of every split (see core's shuffleLayer).
registerKernel("bag.concatPieces", (splits: readonly unknown[][][], j: number) => ([] as unknown[]).concat(...splits.map((s) => s[j]!)));
registerKernel("bag.range", (start: number, stop: number) => Array.from({ length: stop - start }, (_, i) => start + i));
