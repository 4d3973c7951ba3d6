/** @dask-ts/bag: partitioned sequences of plain values (`db`). */
import { fromSequence, range } from "./creation.js";
import { readText } from "./io/text.js";

export { Bag, Item, type UserFn } from "./bag.js";
export { StringAccessor, type TakeOptions, type ToDataFrameOptions } from "./elementwise.js";
export { EmptyBagError, BagCombineError, type TreeOptions, type GroupOptions, type FrequenciesOptions } from "./reductions.js";
export type { ReadTextOptions, ToTextFilesOptions } from "./io/text.js";
export type { FromSequenceOptions } from "./creation.js";
export * from "./errors.js";
export { fromSequence, range, readText };

/** The bag namespace, as Dask's `dask.bag`. */
export const db = { fromSequence, range, readText } as const;
