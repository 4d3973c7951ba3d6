/** Bag reductions: fold, reduction, foldby, groupby, frequencies, distinct, topk, count, sum, mean, min, max. STUB. */
import type { FnRef } from "@dask-ts/core";
import type { Bag, Item } from "./bag.js";

const todo = (what: string): never => { throw new Error(`${what} is not built yet`); };
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

export function fold(b: Bag<any>, binop: AnyFn, combine: AnyFn | null | undefined, initial: unknown): Item<any> { return todo("fold"); }
export function reduction(b: Bag<any>, perPartition: AnyFn, aggregate: AnyFn, opts?: TreeOptions): Item<any> { return todo("reduction"); }
export function foldby(b: Bag<any>, key: AnyFn | PropertyKey, binop: AnyFn, initial: unknown, combine: AnyFn | undefined, combineInitial: unknown, opts?: GroupOptions): Bag<any> { return todo("foldby"); }
export function groupby(b: Bag<any>, key: AnyFn | PropertyKey, opts?: GroupOptions): Bag<any> { return todo("groupby"); }
export function frequencies(b: Bag<any>, opts?: GroupOptions): Bag<any> { return todo("frequencies"); }
export function distinct(b: Bag<any>, key?: AnyFn | PropertyKey): Bag<any> { return todo("distinct"); }
export function topk(b: Bag<any>, k: number, key?: AnyFn | PropertyKey): Bag<any> { return todo("topk"); }
export function count(b: Bag<any>): Item<number> { return todo("count"); }
export function sum(b: Bag<any>): Item<number> { return todo("sum"); }
export function mean(b: Bag<any>): Item<number> { return todo("mean"); }
export function min(b: Bag<any>): Item<any> { return todo("min"); }
export function max(b: Bag<any>): Item<any> { return todo("max"); }
