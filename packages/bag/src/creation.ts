/** Bags from values in memory: fromSequence and range. */
import { InvalidArgumentError, LayeredGraph, Literal, Task, kernel, partitionKey, tokenize, type Graph } from "@dask-ts/core";
import { Bag } from "./bag.js";

/** Options of fromSequence. */
export interface FromSequenceOptions {
  /** Number of partitions (default as Dask: one element each up to 100 elements, else about 100 partitions). */
  npartitions?: number;
  /** Elements per partition (instead of npartitions). */
  partitionSize?: number;
}

/** A bag of the given elements, split into consecutive partitions. */
export function fromSequence<T>(items: Iterable<T>, opts: FromSequenceOptions = {}): Bag<T> {
  if (items === null || typeof (items as Iterable<T>)[Symbol.iterator] !== "function") {
    throw new InvalidArgumentError(`fromSequence: expected an array or iterable of elements; got ${items === null ? "null" : typeof items}.`);
  }
  const all = Array.from(items);
  let size: number;
  if (opts.partitionSize !== undefined) {
    if (!Number.isInteger(opts.partitionSize) || opts.partitionSize < 1) throw new InvalidArgumentError(`fromSequence: partitionSize must be a positive integer; got ${opts.partitionSize}.`);
    size = opts.partitionSize;
  } else if (opts.npartitions !== undefined) {
    if (!Number.isInteger(opts.npartitions) || opts.npartitions < 1) throw new InvalidArgumentError(`fromSequence: npartitions must be a positive integer; got ${opts.npartitions}.`);
    size = Math.max(1, Math.ceil(all.length / opts.npartitions));
  } else {
    // As Dask: one element per partition up to 100 elements, else about 100 partitions.
    size = all.length <= 100 ? 1 : Math.floor(all.length / 100);
  }
  const parts: T[][] = [];
  for (let s = 0; s < all.length; s += size) parts.push(all.slice(s, s + size));
  if (parts.length === 0) parts.push([]);
  const name = `from-sequence-${tokenize("from-sequence", all.length, size, Math.random())}`;
  const tasks: Graph = new Map();
  parts.forEach((p, i) => tasks.set(partitionKey(name, i), new Literal(p)));
  return new Bag<T>(LayeredGraph.fromLayer(name, tasks), name, parts.length);
}

/** The integers 0..n-1, in `npartitions` consecutive ranges (made by the tasks, not sent). */
export function range(n: number, opts: { npartitions: number }): Bag<number> {
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`range: n must be a non-negative integer; got ${n}.`);
  const p = opts?.npartitions;
  if (!Number.isInteger(p) || p < 1) throw new InvalidArgumentError(`range: npartitions must be a positive integer; got ${p}.`);
  const name = `range-${tokenize("range", n, p)}`;
  const size = Math.ceil(n / p) || 1;
  const tasks: Graph = new Map();
  const fn = kernel("bag.range");
  const nparts = Math.max(1, Math.min(p, Math.ceil(n / size)));
  for (let i = 0; i < nparts; i++) tasks.set(partitionKey(name, i), new Task(fn, [i * size, Math.min(n, (i + 1) * size)]));
  return new Bag<number>(LayeredGraph.fromLayer(name, tasks), name, nparts);
}
