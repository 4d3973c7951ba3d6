/**
 * Writing one file per partition, all or nothing: every task writes a hidden temporary file next to its
 * target, and one final task renames them all only once every write has succeeded. When the
 * computation fails, the temporary files are removed, so a failed call leaves no file behind.
 * Used by collections' writers (a dataframe's toCsv, a bag's toTextFiles).
 */
import { rm } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { compute } from "../compute/compute.js";
import type { ComputeOptions } from "../compute/options.js";
import { InvalidArgumentError } from "../errors.js";
import { kernel } from "../fn/registry.js";
import { Task, TaskRef, type Graph } from "../graph/task.js";
import { randomToken } from "../graph/tokenize.js";
import { addLayer, opName, partitionKey, type PartitionedInput } from "../collection/partitioned.js";

/** The file names of a pattern: `*` becomes the partition number (Dask's default name_function). */
export function partitionPaths(pattern: string, npartitions: number, caller: string, example: string): string[] {
  if (typeof pattern !== "string" || pattern === "") throw new InvalidArgumentError(`${caller}: expected a path pattern such as "${example}"; got ${JSON.stringify(pattern)}.`);
  const stars = pattern.split("*").length - 1;
  if (stars > 1) throw new InvalidArgumentError(`${caller}: the path pattern "${pattern}" has ${stars} '*'; use one, which becomes the partition number.`);
  if (stars === 0) {
    if (npartitions > 1) {
      throw new InvalidArgumentError(
        `${caller}: there are ${npartitions} partitions but the path "${pattern}" has no '*' to number the files; ` +
          `use a pattern such as "${example}" (or repartition to one partition first).`,
      );
    }
    return [pattern];
  }
  return Array.from({ length: npartitions }, (_, i) => pattern.replace("*", String(i)));
}

/** How to write one partition: kernel(partition, tmpPath, ...args(i)) writes the file and returns tmpPath. */
export interface PartitionWriter {
  readonly kernel: string;
  readonly args: (partition: number, finalPath: string) => readonly unknown[];
}

/** Writes every partition of `input` to the files of `pattern`; resolves to the paths, in partition order. */
export async function writePartitionFiles(
  input: PartitionedInput,
  pattern: string,
  writer: PartitionWriter,
  opts: ComputeOptions & { caller: string; example: string; daskScheduler?: string },
): Promise<string[]> {
  const { caller, example, daskScheduler = "threads", ...computeOpts } = opts;
  const paths = partitionPaths(pattern, input.npartitions, caller, example);
  const finals = paths.map((p) => resolve(p));
  const token = randomToken();
  const temps = finals.map((f) => join(dirname(f), `.${basename(f)}.${token}.tmp`));
  const name = opName(`write-${caller}`, input._name, finals, token);
  const tasks: Graph = new Map();
  const writes: TaskRef[] = [];
  for (let i = 0; i < input.npartitions; i++) {
    const k = partitionKey(`${name}-write`, i);
    tasks.set(k, new Task(kernel(writer.kernel), [new TaskRef(partitionKey(input._name, i)), temps[i]!, ...writer.args(i, finals[i]!)]));
    writes.push(new TaskRef(k));
  }
  const key = partitionKey(name, 0);
  tasks.set(key, new Task(kernel("core.commitFiles"), [writes, finals]));
  const dask = addLayer(name, tasks, [input]);
  const done = { daskGraph: () => dask, daskKeys: () => key, daskPostcompute: () => undefined, daskPostpersist: () => done, daskScheduler, daskToken: () => name };
  try {
    await compute(done, computeOpts);
  } catch (e) {
    await removeAll(temps);
    // A write still running when the computation failed is stopped with its worker; it may have created
    // its file after the first sweep, so sweep once more after a moment.
    await new Promise((r) => setTimeout(r, 100));
    await removeAll(temps);
    throw e;
  }
  return paths;
}

/** Removes the files that exist; a path that cannot exist (its directory is a file) is no error, so the write's error is the one reported. */
async function removeAll(paths: readonly string[]): Promise<void> {
  await Promise.allSettled(paths.map((p) => rm(p, { force: true })));
}
