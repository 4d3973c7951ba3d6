/** Series arithmetic, comparisons, logic, isin, isNull, fillNull, astype. STUB: to be built. */
import type * as A from "apache-arrow";
import * as Arrow from "apache-arrow";
import type { ColType } from "./dtypes.js";
import type { Scalar, Series, SeriesOperand } from "./frame.js";
import { columnToValues, readColumn } from "./column.js";

const todo = (what: string): never => { throw new Error(`${what} is not built yet`); };

export type BinaryOp = "add" | "sub" | "mul" | "div" | "mod" | "pow" | "eq" | "ne" | "lt" | "le" | "gt" | "ge" | "and" | "or";
export type UnaryOp = "not" | "neg" | "abs" | "isNull" | "notNull";

export function binary(op: BinaryOp, a: Series, b: SeriesOperand): Series { return todo(op); }
export function unary(op: UnaryOp, a: Series): Series { return todo(op); }
export function isin(a: Series, values: readonly unknown[]): Series { return todo("isin"); }
export function fillNull(a: Series, value: unknown): Series { return todo("fillNull"); }
export function astype(a: Series, dtype: ColType): Series { return todo("astype"); }

/** An Arrow vector's values as JS values (null for missing; Dates for dates, bigints for int64). */
export function vectorToValues(v: A.Vector): unknown[] {
  return columnToValues(readColumn(new Arrow.Table({ v }), "v"));
}
