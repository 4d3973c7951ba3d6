/**
 * DataFrame.toCsv: one CSV file per partition, written by the worker tasks. Nothing partial is left on
 * failure: each task writes a hidden temporary file next to its target, and one final task renames them
 * all only once every write has succeeded; when the computation fails, the temporary files are removed.
 */
import { InvalidArgumentError, Task, TaskRef, compute as coreCompute, kernel, randomToken, type ComputeOptions, type Graph } from "@dask-ts/core";
import { rm } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { Scalar, type DataFrame } from "../frame.js";
import { addLayer, opName, partitionKey } from "../graph.js";

/** Options of toCsv (plus the compute options it runs with). */
export interface ToCsvOptions extends ComputeOptions {
  /** Field separator, one character (default ","). */
  sep?: string;
  /** Write a header line of column names (default true). */
  header?: boolean;
}

/** The file names of a pattern: `*` replaced by the partition number (Dask's default name_function). */
export function csvPaths(pathPattern: string, npartitions: number): string[] {
  if (typeof pathPattern !== "string" || pathPattern === "") throw new InvalidArgumentError(`toCsv: expected a path pattern such as "out/part-*.csv"; got ${JSON.stringify(pathPattern)}.`);
  const stars = pathPattern.split("*").length - 1;
  if (stars > 1) throw new InvalidArgumentError(`toCsv: the path pattern "${pathPattern}" has ${stars} '*'; use one, which becomes the partition number.`);
  if (stars === 0) {
    if (npartitions > 1) {
      throw new InvalidArgumentError(
        `toCsv: the frame has ${npartitions} partitions but the path "${pathPattern}" has no '*' to number the files; ` +
          `use a pattern such as "out/part-*.csv" (or repartition({ npartitions: 1 }) first).`,
      );
    }
    return [pathPattern];
  }
  return Array.from({ length: npartitions }, (_, i) => pathPattern.replace("*", String(i)));
}

/** Writes every partition to its own file; resolves to the paths written, in partition order. */
export async function toCsv(df: DataFrame, pathPattern: string, opts: ToCsvOptions = {}): Promise<string[]> {
  const { sep = ",", header = true, ...computeOpts } = opts;
  if (typeof sep !== "string" || sep.length !== 1 || sep === '"' || sep === "\n" || sep === "\r") {
    throw new InvalidArgumentError(`toCsv: sep must be one character other than a quote or a line break; got ${JSON.stringify(sep)}.`);
  }
  if (typeof header !== "boolean") throw new InvalidArgumentError(`toCsv: header must be true or false; got ${JSON.stringify(header)}.`);
  const paths = csvPaths(pathPattern, df.npartitions);
  const finals = paths.map((p) => resolve(p));
  const token = randomToken();
  const temps = finals.map((f) => join(dirname(f), `.${basename(f)}.${token}.tmp`));

  const name = opName("to-csv", df._name, finals, sep, header, token);
  const tasks: Graph = new Map();
  const writes: TaskRef[] = [];
  for (let i = 0; i < df.npartitions; i++) {
    const k = partitionKey(`${name}-write`, i);
    tasks.set(k, new Task(kernel("dataframe.writeCsvPartition"), [new TaskRef(df.partitionKey(i)), temps[i]!, sep, header]));
    writes.push(new TaskRef(k));
  }
  tasks.set(partitionKey(name, 0), new Task(kernel("dataframe.commitFiles"), [writes, finals]));
  const done = new Scalar(addLayer(name, tasks, [df]), name, "string");
  try {
    await coreCompute(done, computeOpts);
  } catch (e) {
    await removeAll(temps);
    // Writes still running when the computation failed are stopped with their worker; one may have
    // created its file after the first sweep, so sweep once more after a moment.
    await new Promise((r) => setTimeout(r, 100));
    await removeAll(temps);
    throw e;
  }
  return paths;
}

async function removeAll(paths: readonly string[]): Promise<void> {
  await Promise.all(paths.map((p) => rm(p, { force: true })));
}
