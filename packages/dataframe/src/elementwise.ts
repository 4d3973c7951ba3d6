/**
 * Series arithmetic, comparisons, logic, isin, isNull, fillNull, astype: graph building and type rules.
 * The result type of every operation is decided here, from the operands' types, before anything is
 * computed (a column's schema must be known at graph-build time); kernels/series.ts computes in it.
 */
import { InvalidArgumentError } from "@dask-ts/core";
import type * as A from "apache-arrow";
import * as Arrow from "apache-arrow";
import { COL_TYPES, isStringType, promote, type ColType } from "./dtypes.js";
import { AlignmentError, ColumnTypeError } from "./errors.js";
import { Scalar, Series, type SeriesOperand } from "./frame.js";
import { mapPartitionsLayer } from "./graph.js";
import { columnToValues, readColumn } from "./column.js";

export type BinaryOp = "add" | "sub" | "mul" | "div" | "mod" | "pow" | "eq" | "ne" | "lt" | "le" | "gt" | "ge" | "and" | "or";
export type UnaryOp = "not" | "neg" | "abs" | "isNull" | "notNull";

const ARITH = new Set<string>(["add", "sub", "mul", "div", "mod", "pow"]);
const COMPARE = new Set<string>(["eq", "ne", "lt", "le", "gt", "ge"]);
const LOGIC = new Set<string>(["and", "or"]);
const VERB: Record<BinaryOp, string> = {
  add: "add", sub: "subtract", mul: "multiply", div: "divide", mod: "take the modulo of", pow: "raise",
  eq: "compare", ne: "compare", lt: "compare", le: "compare", gt: "compare", ge: "compare", and: "combine with and", or: "combine with or",
};

/** The type of an operand: a ColType, or "null" for a missing JS value (null, NaN is float64). */
type OperandType = ColType | "null";

/** An operand classified at the call: what the kernel receives and how to name it in errors. */
interface Operand {
  readonly arg: unknown;
  readonly dtype: OperandType;
  readonly series: boolean;
  readonly label: string;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** The ColType of a JS number: int32 in range, int64 for larger integers, else float64 (as NumPy's value-based casting). */
function numberType(v: number): ColType {
  if (!Number.isInteger(v)) return "float64";
  if (v >= INT32_MIN && v <= INT32_MAX) return "int32";
  return v >= -(2 ** 63) && v < 2 ** 63 ? "int64" : "float64";
}

function valueOperand(v: unknown, what: string): Operand {
  if (v === null || v === undefined) return { arg: null, dtype: "null", series: false, label: "null" };
  switch (typeof v) {
    case "number": return { arg: v, dtype: numberType(v), series: false, label: `the number ${v}` };
    case "bigint":
      if (v < INT64_MIN || v > INT64_MAX) throw new InvalidArgumentError(`${what}: the bigint ${v} is outside the int64 range.`);
      return { arg: v, dtype: "int64", series: false, label: `the bigint ${v}n` };
    case "string": return { arg: v, dtype: "string", series: false, label: `the string ${JSON.stringify(v)}` };
    case "boolean": return { arg: v, dtype: "bool", series: false, label: `the boolean ${v}` };
  }
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return { arg: null, dtype: "null", series: false, label: "an invalid Date" };
    return { arg: v, dtype: "date", series: false, label: `the date ${v.toISOString()}` };
  }
  const kind = typeof v === "object" ? (v as object).constructor?.name ?? "object" : typeof v;
  throw new InvalidArgumentError(`${what}: expected a Series, a Scalar, a number, bigint, string, boolean, Date or null; got ${kind === "DataFrame" ? "a DataFrame (pick a column with .col(name))" : kind}.`);
}

function operand(a: Series, v: unknown, what: string): Operand {
  if (v instanceof Series) {
    if (v.npartitions !== a.npartitions) {
      throw new AlignmentError(
        `${what}: '${a.name}' has ${a.npartitions} partitions and '${v.name}' has ${v.npartitions}; ` +
          `combine Series derived from the same frame (or repartition one to match).`,
      );
    }
    return { arg: v, dtype: v.dtype, series: true, label: `column '${v.name}' (${v.dtype})` };
  }
  if (v instanceof Scalar) return { arg: v, dtype: v.dtype, series: false, label: `a ${v.dtype} Scalar` };
  return valueOperand(v, what);
}

const NUMERIC = new Set<OperandType>(["int32", "int64", "float64"]);

/** The result type of `l op r`, or undefined when the types cannot be combined. */
export function binaryResultType(op: BinaryOp, l: ColType, r: OperandType): ColType | undefined {
  if (ARITH.has(op)) {
    if (isStringType(l)) return op === "add" && (isStringType(r as ColType) || r === "null") ? "string" : undefined;
    if (!NUMERIC.has(l) || !(NUMERIC.has(r) || r === "null")) return undefined;
    if (op === "div" || op === "pow") return "float64";
    return promote(l, r === "null" ? l : r);
  }
  if (COMPARE.has(op)) {
    if (r === "null") return "bool";
    const ok = (NUMERIC.has(l) && NUMERIC.has(r)) || (isStringType(l) && isStringType(r)) || (l === "date" && r === "date") || (l === "bool" && r === "bool");
    return ok ? "bool" : undefined;
  }
  if (LOGIC.has(op)) return l === "bool" && (r === "bool" || r === "null") ? "bool" : undefined;
  return undefined;
}

/** `a op b`: another Series (same partitions), a Scalar or a JS value. Named after `a`. */
export function binary(op: BinaryOp, a: Series, b: SeriesOperand): Series {
  const what = `Series.${op}`;
  if (!ARITH.has(op) && !COMPARE.has(op) && !LOGIC.has(op)) throw new InvalidArgumentError(`Unknown binary operation '${op}'.`);
  const o = operand(a, b, what);
  const out = binaryResultType(op, a.dtype, o.dtype);
  if (out === undefined) {
    const hint = LOGIC.has(op) ? " and/or need bool operands (compare first, e.g. .gt(0))." : a.dtype === "bool" && ARITH.has(op) ? " Convert bools first with .astype(\"int32\")." : "";
    throw new ColumnTypeError(`${what}: cannot ${VERB[op]} column '${a.name}' (${a.dtype}) and ${o.label}.${hint}`);
  }
  const { name, dask } = mapPartitionsLayer(`series-${op}`, "dataframe.seriesBinary", [a, o.arg, op, o.series, out, a.name], a.npartitions);
  return new Series(dask, name, [{ name: a.name, dtype: out }], a.npartitions);
}

/** not (bool), neg and abs (numbers), isNull/notNull (any type). */
export function unary(op: UnaryOp, a: Series): Series {
  let out: ColType;
  if (op === "isNull" || op === "notNull") out = "bool";
  else if (op === "not") {
    if (a.dtype !== "bool") throw new ColumnTypeError(`Series.not: column '${a.name}' is ${a.dtype}; not needs a bool Series.`);
    out = "bool";
  } else if (op === "neg" || op === "abs") {
    if (!NUMERIC.has(a.dtype)) throw new ColumnTypeError(`Series.${op}: column '${a.name}' is ${a.dtype}; ${op} needs an int32, int64 or float64 Series.`);
    out = a.dtype;
  } else throw new InvalidArgumentError(`Unknown unary operation '${op as string}'.`);
  const { name, dask } = mapPartitionsLayer(`series-${op}`, "dataframe.seriesUnary", [a, op, a.name], a.npartitions);
  return new Series(dask, name, [{ name: a.name, dtype: out }], a.npartitions);
}

/** A bool Series: true where the value is one of `values` (null in `values` matches missing values). */
export function isin(a: Series, values: readonly unknown[]): Series {
  if (!Array.isArray(values)) throw new InvalidArgumentError(`Series.isin: expected an array of values; got ${values === null ? "null" : typeof values}.`);
  for (const v of values) {
    const t = typeof v;
    if (!(v === null || v === undefined || t === "number" || t === "bigint" || t === "string" || t === "boolean" || v instanceof Date)) {
      throw new InvalidArgumentError(`Series.isin: values must be numbers, bigints, strings, booleans, Dates or null; got ${t === "object" ? (v as object).constructor?.name ?? "object" : t}.`);
    }
  }
  const vals = values.map((v) => (v === undefined ? null : v));
  const { name, dask } = mapPartitionsLayer("series-isin", "dataframe.seriesIsin", [a, vals, a.name], a.npartitions);
  return new Series(dask, name, [{ name: a.name, dtype: "bool" }], a.npartitions);
}

/** The type of `a` filled with a value of type `v`: the same, or float64 when an int column gets a float. */
function fillType(a: Series, v: OperandType, label: string): ColType {
  if (v === "null") return a.dtype;
  if (NUMERIC.has(a.dtype) && NUMERIC.has(v)) return a.dtype === "float64" || v === "float64" ? "float64" : promote(a.dtype, v);
  if (isStringType(a.dtype) && isStringType(v as ColType)) return a.dtype;
  if (a.dtype === v) return a.dtype;
  throw new ColumnTypeError(`Series.fillNull: cannot fill column '${a.name}' (${a.dtype}) with ${label}; use a value of the column's type.`);
}

/** Missing values replaced by a value (or a Scalar); the type is kept unless the value needs a wider one. */
export function fillNull(a: Series, value: unknown): Series {
  let arg: unknown, dtype: OperandType, label: string;
  if (value instanceof Scalar) {
    arg = value;
    dtype = value.dtype;
    label = `a ${value.dtype} Scalar`;
  } else if (value instanceof Series) {
    throw new InvalidArgumentError(`Series.fillNull: expected a value or a Scalar; got a Series.`);
  } else ({ arg, dtype, label } = valueOperand(value, "Series.fillNull"));
  const out = fillType(a, dtype, label);
  const { name, dask } = mapPartitionsLayer("series-fillnull", "dataframe.seriesFillNull", [a, arg, out, a.name], a.npartitions);
  return new Series(dask, name, [{ name: a.name, dtype: out }], a.npartitions);
}

/** Values converted to `dtype`: between numeric types and bool, to and from strings, dates to and from strings. */
export function astype(a: Series, dtype: ColType): Series {
  if (!COL_TYPES.includes(dtype)) throw new InvalidArgumentError(`Series.astype: unknown type '${String(dtype)}'; use one of ${COL_TYPES.join(", ")}.`);
  if (dtype === a.dtype) return a;
  const from = a.dtype;
  const ok = isStringType(from) || isStringType(dtype) || (from !== "date" && dtype !== "date");
  if (!ok) throw new ColumnTypeError(`Series.astype: cannot convert column '${a.name}' from ${from} to ${dtype}; dates convert only to and from strings.`);
  const { name, dask } = mapPartitionsLayer("series-astype", "dataframe.seriesAstype", [a, dtype, a.name], a.npartitions);
  return new Series(dask, name, [{ name: a.name, dtype }], a.npartitions);
}

/** An Arrow vector's values as JS values (null for missing; Dates for dates, bigints for int64). */
export function vectorToValues(v: A.Vector): unknown[] {
  return columnToValues(readColumn(new Arrow.Table({ v }), "v"));
}
