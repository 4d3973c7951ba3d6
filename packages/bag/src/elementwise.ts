/** Element-wise bag operations: map, filter, flatten, pluck, mapPartitions, take, str, toDataFrame. STUB. */
import type { ComputeOptions, FnRef } from "@dask-ts/core";
import type { DataFrame } from "@dask-ts/dataframe";
import type { Bag } from "./bag.js";

const todo = (what: string): never => { throw new Error(`${what} is not built yet`); };
type AnyFn = ((...args: any[]) => unknown) | FnRef;

export interface TakeOptions extends ComputeOptions {
  /** Partitions to take from (default 1, as Dask; -1 for all). */
  npartitions?: number;
}

export function map(b: Bag<any>, fn: AnyFn, args: readonly unknown[]): Bag<any> { return todo("map"); }
export function filter(b: Bag<any>, fn: AnyFn, args: readonly unknown[]): Bag<any> { return todo("filter"); }
export function flatten(b: Bag<any>): Bag<any> { return todo("flatten"); }
export function pluck(b: Bag<any>, key: PropertyKey | readonly PropertyKey[], opts?: { default?: unknown }): Bag<any> { return todo("pluck"); }
export function mapPartitions(b: Bag<any>, fn: AnyFn, args: readonly unknown[]): Bag<any> { return todo("mapPartitions"); }
export function take(b: Bag<any>, n: number, opts?: TakeOptions): Promise<any[]> { return todo("take"); }
export function toDataFrame(b: Bag<any>, columns?: readonly string[]): DataFrame { return todo("toDataFrame"); }

/** String methods of a bag of strings (`b.str`). */
export class StringAccessor {
  constructor(readonly bag: Bag<unknown>) {}
}
