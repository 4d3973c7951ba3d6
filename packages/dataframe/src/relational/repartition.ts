/**
 * repartition: fewer partitions concatenate runs of neighbours; more split each partition by position
 * into pieces (row counts are not known at graph time, so each partition gets the same share of new
 * partitions, as Dask does). Rows keep their order either way.
 */
import { InvalidArgumentError, Task, TaskRef, kernel, type Graph } from "@dask-ts/core";
import { DataFrame, type FrameState } from "../frame.js";
import { addLayer, opName, partitionKey } from "../graph.js";

/** Options of repartition. */
export interface RepartitionOptions {
  /** Number of output partitions. */
  npartitions: number;
}

/** The same rows in `npartitions` partitions. */
export function repartition(df: DataFrame, opts: RepartitionOptions): DataFrame {
  const n = opts?.npartitions;
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`repartition: npartitions must be a positive integer; got ${n}.`);
  const nin = df.npartitions;
  if (n === nin) return df;
  const name = opName("repartition", df._name, n);
  const tasks: Graph = new Map();
  let state: FrameState;
  if (n < nin) {
    // Output j: inputs [floor(j*nin/n), floor((j+1)*nin/n)), as Dask.
    const bounds = Array.from({ length: n + 1 }, (_, j) => Math.floor((j * nin) / n));
    for (let j = 0; j < n; j++) {
      const refs = [];
      for (let i = bounds[j]!; i < bounds[j + 1]!; i++) refs.push(new TaskRef(df.partitionKey(i)));
      tasks.set(partitionKey(name, j), new Task(kernel("dataframe.concatPartitions"), [refs]));
    }
    const d = df.state.divisions;
    state = d !== undefined ? { ...df.state, divisions: bounds.map((b) => d[b]!) } : df.state;
  } else {
    // Input i becomes k_i pieces; the extra partitions go one each to the first inputs.
    const base = Math.floor(n / nin), extra = n % nin;
    let j = 0;
    for (let i = 0; i < nin; i++) {
      const k = base + (i < extra ? 1 : 0);
      for (let r = 0; r < k; r++) tasks.set(partitionKey(name, j++), new Task(kernel("dataframe.slicePiece"), [new TaskRef(df.partitionKey(i)), r, k]));
    }
    // Where the pieces start on the index is unknown until computed: the index stays, divisions do not.
    const { divisions: _dropped, ...rest } = df.state;
    state = rest;
  }
  return new DataFrame(addLayer(name, tasks, [df]), name, df.meta, n, state);
}
