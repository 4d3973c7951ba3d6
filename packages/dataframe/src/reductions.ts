/**
 * Series reductions (sum, mean, min, max, count, std, var, nunique), unique, len and describe. Each is a
 * tree reduction (graph.ts treeReduceLayer): a partial per partition, combined in groups of `splitEvery`,
 * then aggregated into one value: a Scalar, or a one-partition Series/DataFrame.
 */
import { InvalidArgumentError, compute as coreCompute, type ComputeOptions } from "@dask-ts/core";
import { isNumeric, type ColType } from "./dtypes.js";
import { ColumnTypeError } from "./errors.js";
import { DataFrame, Scalar, Series, type FrameBase, type ReduceOptions } from "./frame.js";
import { treeReduceLayer } from "./graph.js";
import { select } from "./select.js";

export type ReduceOp = "sum" | "mean" | "min" | "max" | "count" | "std" | "var";

const OPS: readonly ReduceOp[] = ["sum", "mean", "min", "max", "count", "std", "var"];

function splitEveryOf(opts: ReduceOptions): number {
  const s = opts.splitEvery ?? 8;
  if (!Number.isInteger(s) || s < 2) throw new InvalidArgumentError(`splitEvery must be an integer of at least 2; got ${s}.`);
  return s;
}

/** The type of a reduction's result (a Scalar's dtype, for arithmetic with it). */
function resultType(op: ReduceOp, dtype: ColType): ColType {
  switch (op) {
    case "sum": return dtype === "float64" ? "float64" : "int64";
    case "count": return "int64";
    case "min":
    case "max": return dtype;
    default: return "float64";
  }
}

/** sum, mean, std and var need numbers (or bools, counted as 0/1); min, max and count take any type. */
export function reduce(op: ReduceOp, s: Series, opts: ReduceOptions = {}): Scalar {
  if (!OPS.includes(op)) throw new InvalidArgumentError(`Unknown reduction '${op}'.`);
  if (typeof opts !== "object" || opts === null) throw new InvalidArgumentError(`Series.${op}: options must be an object.`);
  const numeric = op === "sum" || op === "mean" || op === "std" || op === "var";
  if (numeric && !isNumeric(s.dtype)) {
    throw new ColumnTypeError(`Series.${op}: column '${s.name}' is ${s.dtype}; ${op} needs a numeric (int32, int64, float64) or bool column.`);
  }
  const ddof = opts.ddof ?? 1;
  if (!Number.isInteger(ddof) || ddof < 0) throw new InvalidArgumentError(`Series.${op}: ddof must be a non-negative integer; got ${ddof}.`);
  const skipna = opts.skipna ?? true;
  const { name, dask } = treeReduceLayer(
    `series-${op}`,
    s,
    { kernel: "dataframe.reduceChunk", args: [op] },
    { kernel: "dataframe.reduceCombine", args: [op] },
    { kernel: "dataframe.reduceAggregate", args: [op, s.dtype, skipna, ddof] },
    splitEveryOf(opts),
  );
  return new Scalar(dask, name, resultType(op, s.dtype));
}

/** Number of distinct present values (with skipna false, missing counts as one more value). */
export function nunique(s: Series, opts: ReduceOptions = {}): Scalar {
  const { name, dask } = treeReduceLayer(
    "series-nunique",
    s,
    { kernel: "dataframe.nuniqueChunk" },
    { kernel: "dataframe.nuniqueCombine" },
    { kernel: "dataframe.nuniqueAggregate", args: [opts.skipna ?? true] },
    splitEveryOf(opts),
  );
  return new Scalar(dask, name, "int64");
}

/** Distinct values in order of first appearance (missing once, if present): a one-partition Series. */
export function unique(s: Series, opts: ReduceOptions = {}): Series {
  const { name, dask } = treeReduceLayer(
    "series-unique",
    s,
    { kernel: "dataframe.uniqueChunk" },
    { kernel: "dataframe.uniqueCombine" },
    { kernel: "core.identity" },
    splitEveryOf(opts),
  );
  return new Series(dask, name, s.meta, 1);
}

/** Number of rows: per-partition counts summed in a tree, computed with `opts`. */
export async function len(f: FrameBase, opts?: ComputeOptions): Promise<number> {
  const { name, dask } = treeReduceLayer("len", f, { kernel: "dataframe.countRows" }, { kernel: "core.sum" }, { kernel: "core.identity" });
  const [n] = await coreCompute(new Scalar(dask, name, "int64"), opts ?? {});
  return n as number;
}

/**
 * count, mean, std, min, 25%, 50%, 75%, max of every numeric column (int32, int64, float64; bools are
 * left out as pandas does): a one-partition frame with a string column `statistic` and one float64
 * column per numeric column. Quartiles are exact (pandas' linear interpolation), not approximate.
 */
export function describe(df: DataFrame): DataFrame {
  const names = df.meta.filter((m) => isNumeric(m.dtype) && m.dtype !== "bool").map((m) => m.name);
  if (names.length === 0) {
    const kinds = df.meta.map((m) => `${m.name}: ${m.dtype}`).join(", ") || "no columns";
    throw new ColumnTypeError(`describe: the frame has no numeric columns (${kinds}); describe summarizes int32, int64 and float64 columns.`);
  }
  if (names.includes("statistic")) {
    throw new InvalidArgumentError(`describe: a numeric column is named 'statistic', the name of describe's label column; rename it first.`);
  }
  // Through the ordinary select, so that CSV readers below convert only these columns.
  const { name, dask } = treeReduceLayer(
    "describe",
    select(df, names),
    { kernel: "dataframe.describeChunk", args: [names] },
    { kernel: "dataframe.describeCombine" },
    { kernel: "dataframe.describeAggregate", args: [names] },
  );
  const meta = [{ name: "statistic", dtype: "string" as ColType }, ...names.map((n) => ({ name: n, dtype: "float64" as ColType }))];
  return new DataFrame(dask, name, meta, 1);
}

