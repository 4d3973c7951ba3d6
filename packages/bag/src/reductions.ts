/**
 * Bag reductions and grouping, as Dask's dask/bag/core.py: fold, reduction, foldby, groupby,
 * frequencies, distinct, topk, count, sum, mean, min, max.
 *
 * Reductions are tree reductions (reductions/graph.ts): one task per partition, then combine tasks of at
 * most `splitEvery` inputs, so no task receives every partition. Results that are bags (frequencies,
 * distinct, topk, foldby) have one partition, unless `npartitions` > 1 asks for a hash shuffle (core's
 * shuffleLayer) into that many. groupby always shuffles. Elements and keys are identified by value
 * (reductions/keys.ts): primitives as a Map compares them, objects and arrays by content.
 */
import { FnRef, InvalidArgumentError, Literal, shuffleLayer } from "@dask-ts/core";
import { Bag, Item } from "./bag.js";
import { userFn } from "./user-fn.js";
import { treeReduce, type Step } from "./reductions/graph.js";
import { partitionLayer } from "./elementwise/layer.js";
import type { Counts } from "./reductions/count-kernels.js";
import type { KeyArg } from "./reductions/keys.js";

export { EmptyBagError, BagCombineError } from "./reductions/errors.js";
export type { Counts };

type AnyFn = ((...args: any[]) => unknown) | FnRef;

/** Options of tree reductions. */
export interface TreeOptions {
  /** Partials one combine task takes in (default 8). */
  splitEvery?: number;
}
/** Options of grouping operations. */
export interface GroupOptions extends TreeOptions {
  /** Output partitions (shuffle); default: the input's npartitions for groupby, 1 for foldby/frequencies. */
  npartitions?: number;
}
/** Options of frequencies. */
export interface FrequenciesOptions extends GroupOptions {
  /** Sort by count, largest first (Dask's sort=True); with npartitions > 1 each partition on its own. */
  sort?: boolean;
}

function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (v === null || typeof v !== "object") return String(v);
  return Array.isArray(v) ? "an array" : "an object";
}

function checkOptions(opts: unknown, op: string): void {
  if (opts !== undefined && (typeof opts !== "object" || opts === null)) throw new InvalidArgumentError(`${op}: options must be an object; got ${describe(opts)}.`);
}

function splitEvery(opts: TreeOptions | undefined, op: string): number {
  checkOptions(opts, op);
  const s = opts?.splitEvery ?? 8;
  if (!Number.isInteger(s) || s < 2) throw new InvalidArgumentError(`${op}: splitEvery must be an integer of at least 2; got ${describe(opts?.splitEvery)}.`);
  return s;
}

function outputs(opts: GroupOptions | undefined, fallback: number, op: string): number {
  checkOptions(opts, op);
  const n = opts?.npartitions ?? fallback;
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${op}: npartitions must be a positive integer; got ${describe(opts?.npartitions)}.`);
  return n;
}

/** A key argument: a function (checked for captured variables now) or a property name or index (Dask's key name). */
function keyArg(key: unknown, op: string): KeyArg {
  if (typeof key === "function" || key instanceof FnRef) return userFn(key as Function, `${op}: key`);
  if (typeof key === "string" || (typeof key === "number" && Number.isInteger(key) && key >= 0)) return key;
  throw new InvalidArgumentError(`${op}: the key must be a function, a property name or an array index; got ${describe(key)}.`);
}

/** A tree reduction of `b` whose result is an Item. */
function toItem<T>(prefix: string, b: Bag<any>, chunk: Step, combine: Step, finish: Step, opts: TreeOptions | undefined): Item<T> {
  const { name, dask } = treeReduce(prefix, b, chunk, combine, finish, splitEvery(opts, prefix));
  return new Item<T>(dask, name);
}

/** A tree reduction of `b` whose result is a one-partition Bag. */
function toBag<T>(prefix: string, b: Bag<any>, chunk: Step, combine: Step, finish: Step, opts: TreeOptions | undefined): Bag<T> {
  const { name, dask } = treeReduce(prefix, b, chunk, combine, finish, splitEvery(opts, prefix));
  return new Bag<T>(dask, name, 1);
}

/**
 * A hash shuffle: `chunk` on every partition (with its number) gives groups; core's shuffleLayer cuts
 * them by key hash (`split`) and gathers piece j of every split ("bag.concatPieces"); `merge` combines
 * output partition j (with its number). chunk + split, and gather + merge, are chains the optimizer fuses.
 */
function shuffled<T>(prefix: string, b: Bag<any>, nout: number, chunk: Step, split: string, merge: Step): Bag<T> {
  const args = (s: Step) => () => s.args ?? [];
  const pre = partitionLayer(`${prefix}-chunk`, chunk.kernel, b, args(chunk), [chunk]);
  const sh = shuffleLayer(`${prefix}-shuffle`, { dask: pre.dask, _name: pre.name, npartitions: b.npartitions }, nout, { kernel: split }, "bag.concatPieces");
  const post = partitionLayer(prefix, merge.kernel, { dask: sh.dask, _name: sh.name, npartitions: nout }, args(merge), [merge]);
  return new Bag<T>(post.dask, post.name, nout);
}

/** Folds each partition with binop(acc, x) from `initial` (or its first element), then the partition results with combine (default binop) in a tree. */
export function fold(b: Bag<any>, binop: AnyFn, combine: AnyFn | null | undefined, initial: unknown, opts?: TreeOptions): Item<any> {
  const bin = userFn(binop, "fold: binop");
  const comb = combine == null ? bin : userFn(combine, "fold: combine");
  const has = initial !== undefined;
  const init = new Literal(initial);
  return toItem("fold", b, { kernel: "bag.fold.chunk", args: [bin, has, init] }, { kernel: "bag.fold.combine", args: [comb] }, { kernel: "bag.fold.finish", args: [comb, has, init] }, opts);
}

/**
 * perPartition(partition) on every non-empty partition, then aggregate(list of partials) at every level
 * of the tree (as Dask's split_every). A bag whose partitions are all empty gives aggregate([perPartition([])]).
 */
export function reduction(b: Bag<any>, perPartition: AnyFn, aggregate: AnyFn, opts?: TreeOptions): Item<any> {
  const per = userFn(perPartition, "reduction: perPartition");
  const agg = userFn(aggregate, "reduction: aggregate");
  return toItem("reduction", b, { kernel: "bag.reduction.chunk", args: [per] }, { kernel: "bag.reduction.combine", args: [agg] }, { kernel: "bag.reduction.finish", args: [agg, per] }, opts);
}

/**
 * Dask's foldby: per partition, groups by key(x) and folds each group with binop(acc, x) from `initial`
 * (or the group's first element); then combines the groups' accumulators across partitions with
 * combine(acc, acc2) (default binop) from `combineInitial` (or the first accumulator, as Dask's code).
 * Default: a tree reduction into one partition; npartitions > 1: a hash shuffle into that many.
 * Object initial values are copied for each group, so binop may mutate its accumulator.
 */
export function foldby(b: Bag<any>, key: AnyFn | PropertyKey, binop: AnyFn, initial: unknown, combine: AnyFn | undefined, combineInitial: unknown, opts?: GroupOptions): Bag<any> {
  const k = keyArg(key, "foldby");
  const bin = userFn(binop, "foldby: binop");
  const comb = combine == null ? bin : userFn(combine, "foldby: combine");
  const nout = outputs(opts, 1, "foldby");
  const chunk: Step = { kernel: "bag.foldby.chunk", args: [k, bin, initial !== undefined, new Literal(initial)] };
  const combineArgs = [comb, combineInitial !== undefined, new Literal(combineInitial)];
  if (nout > 1) return shuffled("foldby", b, nout, chunk, "bag.groups.split", { kernel: "bag.foldby.merge", args: combineArgs });
  return toBag("foldby", b, chunk, { kernel: "bag.foldby.combine", args: combineArgs }, { kernel: "bag.foldby.finish", args: combineArgs }, opts);
}

/** Groups elements by key(x) through a hash shuffle (npartitions outputs, default the input's): a bag of [key, elements in input order]. */
export function groupby(b: Bag<any>, key: AnyFn | PropertyKey, opts?: GroupOptions): Bag<any> {
  const k = keyArg(key, "groupby");
  const nout = outputs(opts, b.npartitions, "groupby");
  return shuffled("groupby", b, nout, { kernel: "bag.groupby.chunk", args: [k] }, "bag.groups.split", { kernel: "bag.groupby.merge" });
}

const countSources = new WeakMap<Bag<any>, () => Bag<Counts> | undefined>();

/**
 * Lets a bag whose element counts are cheaper to compute than its elements hand them to frequencies():
 * `counts()` gives a bag with the same partitions, each already counted as the frequencies chunk kernel
 * would ([distinct elements first seen first, Float64Array of their counts]); undefined declines.
 * For readText(...).str.split().flatten(), whose words io/text.ts counts straight from the bytes.
 */
export function offerCounts(b: Bag<any>, counts: () => Bag<Counts> | undefined): void {
  countSources.set(b, counts);
}

/** Counts of each distinct element (first-seen order): a bag of [element, count], one partition unless npartitions > 1. */
export function frequencies(b: Bag<any>, opts?: FrequenciesOptions): Bag<any> {
  const nout = outputs(opts, 1, "frequencies");
  const sort = opts?.sort ?? false;
  if (typeof sort !== "boolean") throw new InvalidArgumentError(`frequencies: sort must be true or false; got ${describe(sort)}.`);
  const counted = countSources.get(b)?.();
  const input = counted ?? b;
  const chunk: Step = { kernel: counted ? "bag.frequencies.counted" : "bag.frequencies.chunk" };
  if (nout > 1) return shuffled("frequencies", input, nout, chunk, "bag.frequencies.split", { kernel: "bag.frequencies.merge", args: [sort] });
  return toBag("frequencies", input, chunk, { kernel: "bag.frequencies.combine" }, { kernel: "bag.frequencies.finish", args: [sort] }, opts);
}

/** Distinct elements (by key(x) when given) in first-seen order, in one partition. */
export function distinct(b: Bag<any>, key?: AnyFn | PropertyKey, opts?: TreeOptions): Bag<any> {
  const k = key === undefined || key === null ? null : keyArg(key, "distinct");
  return toBag("distinct", b, { kernel: "bag.distinct.chunk", args: [k] }, { kernel: "bag.distinct.combine" }, { kernel: "bag.distinct.finish" }, opts);
}

/** The k largest elements (by key(x) when given; a key of several parameters gets the element's items), largest first, in one partition. */
export function topk(b: Bag<any>, k: number, key?: AnyFn | PropertyKey, opts?: TreeOptions): Bag<any> {
  if (!Number.isInteger(k) || k < 0) throw new InvalidArgumentError(`topk: k must be a non-negative integer; got ${describe(k)}.`);
  const kf = key === undefined || key === null ? null : keyArg(key, "topk");
  return toBag("topk", b, { kernel: "bag.topk.chunk", args: [k, kf] }, { kernel: "bag.topk.combine", args: [k] }, { kernel: "bag.topk.finish", args: [k] }, opts);
}

/** Number of elements. */
export function count(b: Bag<any>, opts?: TreeOptions): Item<number> {
  return toItem("count", b, { kernel: "bag.count.chunk" }, { kernel: "bag.addAll" }, { kernel: "bag.addAll" }, opts);
}

/** Sum of the elements with JS + (0 for an empty bag). */
export function sum(b: Bag<any>, opts?: TreeOptions): Item<number> {
  return toItem("sum", b, { kernel: "bag.sum.chunk" }, { kernel: "bag.addAll" }, { kernel: "bag.addAll" }, opts);
}

/** Arithmetic mean (NaN for an empty bag, where Dask warns and gives nan). */
export function mean(b: Bag<any>, opts?: TreeOptions): Item<number> {
  return toItem("mean", b, { kernel: "bag.mean.chunk" }, { kernel: "bag.mean.combine" }, { kernel: "bag.mean.finish" }, opts);
}

/** Smallest element by JS `<`; an empty bag fails with EmptyBagError. */
export function min(b: Bag<any>, opts?: TreeOptions): Item<any> {
  return toItem("min", b, { kernel: "bag.extreme.chunk", args: [false] }, { kernel: "bag.extreme.combine", args: [false] }, { kernel: "bag.extreme.finish", args: [false] }, opts);
}

/** Largest element by JS `>`; an empty bag fails with EmptyBagError. */
export function max(b: Bag<any>, opts?: TreeOptions): Item<any> {
  return toItem("max", b, { kernel: "bag.extreme.chunk", args: [true] }, { kernel: "bag.extreme.combine", args: [true] }, { kernel: "bag.extreme.finish", args: [true] }, opts);
}
