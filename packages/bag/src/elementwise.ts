/** Element-wise bag operations: map, filter, flatten, pluck, mapPartitions, take, str, toDataFrame. */
import { InvalidArgumentError, Literal, type FnRef } from "@dask-ts/core";
import type { Bag } from "./bag.js";
import { userFn } from "./user-fn.js";
import { argNodes, partitionwise } from "./elementwise/layer.js";
import { splitOf } from "./elementwise/strings.js";
import { wordCountsOf } from "./io/text.js";
import { offerCounts } from "./reductions.js";

export { take, type TakeOptions } from "./elementwise/take.js";
export { StringAccessor } from "./elementwise/strings.js";
export { toDataFrame, type ToDataFrameOptions } from "./elementwise/to-dataframe.js";

type AnyFn = ((...args: any[]) => unknown) | FnRef;

/** A bag of fn(x, ...args) for every element x (a Bag argument contributes its element at the same position). */
export function map(b: Bag<any>, fn: AnyFn, args: readonly unknown[]): Bag<any> {
  const ref = userFn(fn, "map");
  const a = argNodes("map", b.npartitions, args);
  return partitionwise("map", "bag.map", b, (i) => [ref, a.nodes(i), a.zip], [ref, ...a.token], a.inputs);
}

/** The elements x for which fn(x, ...args) is truthy. */
export function filter(b: Bag<any>, fn: AnyFn, args: readonly unknown[]): Bag<any> {
  const ref = userFn(fn, "filter");
  const a = argNodes("filter", b.npartitions, args);
  return partitionwise("filter", "bag.filter", b, (i) => [ref, a.nodes(i), a.zip], [ref, ...a.token], a.inputs);
}

/** The elements of every element, concatenated (strings give their characters, as in Python). */
export function flatten(b: Bag<any>): Bag<any> {
  // b.str.split().flatten() is the word-count hot path: split straight into one flat array.
  const split = splitOf(b);
  if (split) {
    const words = partitionwise("flatten", "bag.str.splitFlatten", split.input, () => [split.sep, split.maxsplit], [split.sep, split.maxsplit]);
    // Words of text files split on whitespace can be counted straight from the file bytes: frequencies()
    // then takes those counts (same words, same first-seen order) instead of making a string per word.
    if (split.sep === null && split.maxsplit < 0) offerCounts(words, () => wordCountsOf(split.input));
    return words;
  }
  return partitionwise("flatten", "bag.flatten", b, () => [], []);
}

/** x[key] of every element; a list of keys gives a list of values; `default` stands in for missing keys. */
export function pluck(b: Bag<any>, key: PropertyKey | readonly PropertyKey[], opts?: { default?: unknown }): Bag<any> {
  const many = Array.isArray(key);
  const keys = (many ? key : [key]) as readonly unknown[];
  for (const k of keys) {
    if (typeof k !== "string" && typeof k !== "number" && typeof k !== "symbol") {
      throw new InvalidArgumentError(`pluck: a key must be a string, number or symbol; got ${k === null ? "null" : typeof k}.`);
    }
    if (typeof k === "symbol") throw new InvalidArgumentError(`pluck: symbol keys cannot be sent to workers; use a string or number key.`);
  }
  const hasDefault = opts !== undefined && opts !== null && Object.hasOwn(opts, "default");
  const dflt = hasDefault ? opts.default : undefined;
  const k = many ? [...(key as PropertyKey[])] : key;
  // The default travels as a Literal: tasks do not look inside it for references.
  const d = new Literal(dflt);
  return partitionwise("pluck", "bag.pluck", b, () => [k, many, hasDefault, d], [k, many, hasDefault, dflt]);
}

/** A bag whose partition i is fn(partition i, ...args) (an iterable; a Bag argument gives its partition i). */
export function mapPartitions(b: Bag<any>, fn: AnyFn, args: readonly unknown[]): Bag<any> {
  const ref = userFn(fn, "mapPartitions");
  const a = argNodes("mapPartitions", b.npartitions, args);
  return partitionwise("map-partitions", "bag.mapPartitions", b, (i) => [ref, a.nodes(i)], [ref, ...a.token], a.inputs);
}
