/**
 * sortValues and setIndex: range partitioning by sampled quantiles of the first key, then a stable
 * sort of each output partition, so the partitions in order hold the rows in sorted order.
 *
 * Where the boundaries are computed: sortValues keeps them lazy, inside the graph (a sample task per
 * partition and one boundaries task that every split reads), because our graph building is synchronous
 * and a lazy graph reads the input once, on the chosen scheduler. setIndex needs them at the call (the
 * frame's divisions are part of its state), so it computes the samples eagerly as Dask does, in this
 * thread; if the input needs an asynchronous task (a user function, async I/O) that cannot finish
 * synchronously, setIndex falls back to the lazy graph and the divisions stay unknown.
 */
import { InvalidArgumentError, Task, TaskRef, computeSync, kernel, keyStr, type Graph } from "@dask-ts/core";
import { DataFrame, type Divisions } from "../frame.js";
import { addLayer, mapPartitionsLayer, opName, partitionKey, shuffleLayer, type PartitionedInput } from "../graph.js";
import { checkColumns } from "../select.js";
import { asInput } from "./layer.js";
import { SAMPLE_SIZE, chooseBoundaries, compareKeys, sampleRange, type Boundaries, type KeySample } from "./range-kernel.js";

/** Options of sortValues. */
export interface SortOptions {
  /** Ascending (default true), or one flag per `by` column. */
  ascending?: boolean | readonly boolean[];
  /** Output partitions (default: as the input). */
  npartitions?: number;
}

/** Options of setIndex. */
export interface SetIndexOptions {
  /** Output partitions (default: as the input; fewer when the key has fewer distinct values). */
  npartitions?: number;
}

function outPartitions(df: DataFrame, n: number | undefined, what: string): number {
  if (n === undefined) return df.npartitions;
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${what}: npartitions must be a positive integer; got ${n}.`);
  return n;
}

/** Sample tasks of every partition and, under key `[name, 0]`, the boundaries task over them. */
function boundariesLayer(df: DataFrame, col: string, nout: number): PartitionedInput {
  const name = opName("sort-boundaries", df._name, col, nout);
  const tasks: Graph = new Map();
  const refs: TaskRef[] = [];
  for (let i = 0; i < df.npartitions; i++) {
    const k = keyStr([`${name}-sample`, i]);
    tasks.set(k, new Task(kernel("dataframe.sortSample"), [new TaskRef(df.partitionKey(i)), col, SAMPLE_SIZE]));
    refs.push(new TaskRef(k));
  }
  tasks.set(partitionKey(name, 0), new Task(kernel("dataframe.sortBoundaries"), [refs, nout]));
  return { dask: addLayer(name, tasks, [df]), _name: name, npartitions: 1 };
}

/**
 * Range-partitions `df` on `by[0]` into `nout` partitions (boundaries: a constant, or the boundaries
 * task of `bounds`) and sorts each partition by all of `by`.
 */
function rangeSort(df: DataFrame, by: readonly string[], ascending: readonly boolean[], nout: number, boundaries: Boundaries | PartitionedInput): { name: string; dask: DataFrame["dask"] } {
  if (df.npartitions === 1 && nout === 1) return mapPartitionsLayer("sort-values", "dataframe.sortPartition", [df, [...by], [...ascending]], 1);
  let input: PartitionedInput = df;
  let b: unknown = boundaries;
  if (!Array.isArray(boundaries)) {
    // The splits read the boundaries task: their input graph is the boundaries layer (which holds df's).
    const bl = boundaries as PartitionedInput;
    input = { dask: bl.dask, _name: df._name, npartitions: df.npartitions };
    b = new TaskRef(partitionKey(bl._name, 0));
  }
  const shuffled = shuffleLayer("sort-shuffle", input, nout, { kernel: "dataframe.rangeSplit", args: [by[0]!, b, ascending[0]!] }, [Array.isArray(boundaries) ? boundaries : (boundaries as PartitionedInput)._name]);
  return mapPartitionsLayer("sort-values", "dataframe.sortPartition", [asInput(shuffled, nout), [...by], [...ascending]], nout);
}

/** Rows sorted by `by` (stable, missing last), globally across partitions. */
export function sortValues(df: DataFrame, by: readonly string[], opts: SortOptions): DataFrame {
  if (!Array.isArray(by) || by.length === 0) throw new InvalidArgumentError(`sortValues: give at least one column to sort by.`);
  checkColumns(df, by, "sortValues");
  const asc = opts.ascending ?? true;
  let ascending: boolean[];
  if (typeof asc === "boolean") ascending = by.map(() => asc);
  else if (Array.isArray(asc) && asc.length === by.length && asc.every((a) => typeof a === "boolean")) ascending = [...asc];
  else throw new InvalidArgumentError(`sortValues: ascending must be a boolean or one boolean per sort column (${by.length}); got ${JSON.stringify(asc)}.`);
  const nout = outPartitions(df, opts.npartitions, "sortValues");
  const bounds = nout === 1 ? [] : boundariesLayer(df, by[0]!, nout);
  const { name, dask } = rangeSort(df, by, ascending, nout, bounds);
  return new DataFrame(dask, name, df.meta, nout);
}

/** Sorts by `col`, makes it the index and records the divisions (computed eagerly when possible). */
export function setIndex(df: DataFrame, col: string, opts: SetIndexOptions): DataFrame {
  if (typeof col !== "string") throw new InvalidArgumentError(`setIndex: expected a column name; got ${typeof col}.`);
  checkColumns(df, [col], "setIndex");
  const requested = outPartitions(df, opts.npartitions, "setIndex");
  const sampleName = opName("set-index-sample", df._name, col);
  const sampleTasks: Graph = new Map();
  for (let i = 0; i < df.npartitions; i++) {
    sampleTasks.set(partitionKey(sampleName, i), new Task(kernel("dataframe.sortSample"), [new TaskRef(df.partitionKey(i)), col, SAMPLE_SIZE]));
  }
  const sampleKeys = [...sampleTasks.keys()];
  const samples = computeSync(addLayer(sampleName, sampleTasks, [df]), sampleKeys) as KeySample[] | undefined;
  if (samples === undefined) {
    const { name, dask } = rangeSort(df, [col], [true], requested, requested === 1 ? [] : boundariesLayer(df, col, requested));
    return new DataFrame(dask, name, df.meta, requested, { index: col });
  }
  const [lo, hi] = sampleRange(samples);
  // Distinct boundaries above the minimum: partition i holds divisions[i] <= v < divisions[i+1] (the last closed).
  const raw = chooseBoundaries(samples, requested) as (number | string)[];
  const inner: (number | string)[] = [];
  for (const b of raw) if (lo !== null && compareKeys(b, lo) > 0 && (inner.length === 0 || compareKeys(b, inner[inner.length - 1]!) > 0)) inner.push(b);
  const nout = inner.length + 1;
  const divisions: Divisions = [lo, ...inner, hi];
  const { name, dask } = rangeSort(df, [col], [true], nout, inner as Boundaries);
  return new DataFrame(dask, name, df.meta, nout, { index: col, divisions });
}
