/**
 * The plan of a groupby as plain data (kernels receive it as an argument): key columns, the value
 * columns with the partial aggregates each needs, and the output columns.
 */
import { InvalidArgumentError } from "@dask-ts/core";
import { isNumeric, type ColType, type ColumnMeta } from "../dtypes.js";
import { ColumnTypeError } from "../errors.js";

/** Aggregations of groupby (pandas names). */
export type AggName = "sum" | "mean" | "count" | "size" | "min" | "max" | "std" | "var" | "first" | "last" | "nunique";

export const AGG_NAMES: readonly AggName[] = ["sum", "mean", "count", "size", "min", "max", "std", "var", "first", "last", "nunique"];

/**
 * A partial aggregate of one value column: n = count of present values, s = float64 sum, S = int64 sum,
 * m2 = sum of squared deviations from the group mean, min/max/first/last = a value of the column,
 * u = the distinct (key, value) pairs (a table of its own).
 */
export type PartialKind = "n" | "s" | "S" | "m2" | "min" | "max" | "first" | "last" | "u";

/** One value column and the partials kept of it. */
export interface ValueSpec {
  readonly name: string;
  readonly dtype: ColType;
  readonly kinds: readonly PartialKind[];
}

/** One output column. */
export interface OutSpec {
  readonly name: string;
  readonly op: AggName;
  /** Index into `values`; -1 for size. */
  readonly value: number;
  readonly ddof: number;
  readonly dtype: ColType;
}

/** Everything the kernels of one groupby need. */
export interface GroupSpec {
  readonly keys: readonly string[];
  readonly dropna: boolean;
  readonly values: readonly ValueSpec[];
  /** Whether group sizes are kept (size). */
  readonly size: boolean;
  readonly outs: readonly OutSpec[];
  /** Row order of the result: by key, or by count descending then key (valueCounts). */
  readonly order: "keys" | "count-desc";
}

/** One requested aggregation. */
export interface AggRequest {
  readonly column: string | null;
  readonly op: AggName;
  readonly out: string;
  readonly ddof?: number;
}

/** Names of partial columns in the partial tables (NUL keeps them apart from user column names). */
export const partialName = (value: number, kind: PartialKind): string => `\u0000${value}${kind}`;
export const SIZE_NAME = "\u0000size";
/** Name of the value column of a distinct-pairs table. */
export const PAIR_VALUE = "\u0000v";

/** Throws unless `op` is an aggregation name. */
export function checkAggName(op: unknown, where: string): asserts op is AggName {
  if (typeof op !== "string" || !(AGG_NAMES as readonly string[]).includes(op)) {
    throw new InvalidArgumentError(`${where}: unknown aggregation ${JSON.stringify(op)}. Valid aggregations: ${AGG_NAMES.join(", ")}.`);
  }
}

/** Whether `op` applies to a column of type `dtype` (the frame-wide methods skip the others). */
export function aggApplies(op: AggName, dtype: ColType): boolean {
  if (op === "sum" || op === "mean" || op === "std" || op === "var") return isNumeric(dtype);
  return true;
}

/** The output type of `op` on a column of type `dtype`. */
function outType(op: AggName, dtype: ColType): ColType {
  switch (op) {
    case "sum": return dtype === "float64" ? "float64" : "int64";
    case "mean":
    case "std":
    case "var":
      return "float64";
    case "count":
    case "size":
    case "nunique":
      return "int64";
    default:
      return dtype;
  }
}

/** Partials needed for `op` on a column of type `dtype`. */
function partialsOf(op: AggName, dtype: ColType): PartialKind[] {
  switch (op) {
    case "sum": return [dtype === "int64" ? "S" : "s"];
    case "mean": return ["s", "n"];
    case "count": return ["n"];
    case "std":
    case "var":
      return ["n", "s", "m2"];
    case "min":
    case "max":
    case "first":
    case "last":
      return [op];
    case "nunique": return ["u"];
    case "size": return [];
  }
}

/** The plan of aggregations `reqs` over a frame with columns `meta`, grouped by `keys`. */
export function planGroupBy(meta: readonly ColumnMeta[], keys: readonly string[], dropna: boolean, reqs: readonly AggRequest[], order: GroupSpec["order"] = "keys"): GroupSpec {
  const values: { name: string; dtype: ColType; kinds: PartialKind[] }[] = [];
  const outs: OutSpec[] = [];
  let size = false;
  const names = new Set(keys);
  for (const r of reqs) {
    if (names.has(r.out)) {
      throw new InvalidArgumentError(`groupby: two output columns would be named '${r.out}' (a key column or another aggregation); output names must be unique.`);
    }
    names.add(r.out);
    if (r.op === "size" || r.column === null) {
      size = true;
      outs.push({ name: r.out, op: "size", value: -1, ddof: 1, dtype: "int64" });
      continue;
    }
    const col = meta.find((m) => m.name === r.column)!;
    if (!aggApplies(r.op, col.dtype)) {
      throw new ColumnTypeError(`groupby: cannot take the ${r.op} of column '${col.name}' of type ${col.dtype}; ${r.op} needs a numeric or bool column.`);
    }
    let vi = values.findIndex((v) => v.name === col.name);
    if (vi < 0) {
      vi = values.length;
      values.push({ name: col.name, dtype: col.dtype, kinds: [] });
    }
    const v = values[vi]!;
    for (const k of partialsOf(r.op, col.dtype)) if (!v.kinds.includes(k)) v.kinds.push(k);
    outs.push({ name: r.out, op: r.op, value: vi, ddof: r.ddof ?? 1, dtype: outType(r.op, col.dtype) });
  }
  return { keys: [...keys], dropna, values, size, outs, order };
}
