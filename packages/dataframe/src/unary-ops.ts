/** Kernel-side unary operations of Series: not, neg, abs, isNull/notNull, isin, fillNull. */
import { allocTyped } from "@dask-ts/core";
import { columnLength, type BoolColumn, type Column, type NumColumn, type StrColumn } from "./column.js";
import type { ColType } from "./dtypes.js";
import { castColumn } from "./astype.js";
import { constNumber, type ConstValue } from "./binary-ops.js";

export type UnaryKernelOp = "not" | "neg" | "abs" | "isNull" | "notNull";

/** `op` applied to every value; missing stays missing (isNull/notNull give present booleans). */
export function unaryColumn(op: UnaryKernelOp, c: Column): Column {
  const n = columnLength(c);
  if (op === "isNull" || op === "notNull") {
    const miss = missingMask(c);
    if (op === "notNull") for (let i = 0; i < n; i++) miss[i] = 1 - miss[i]!;
    return { kind: "bool", dtype: "bool", values: miss, valid: null };
  }
  if (op === "not") {
    const b = c as BoolColumn;
    const out = allocTyped(Uint8Array, n, { uninitialized: true });
    for (let i = 0; i < n; i++) out[i] = b.values[i]! ^ 1;
    return { kind: "bool", dtype: "bool", values: out, valid: b.valid };
  }
  const a = c as NumColumn;
  if (a.values instanceof BigInt64Array) {
    const x = a.values;
    const out = allocTyped(BigInt64Array, n, { uninitialized: true });
    // Wraps on store: -(-2^63) is -2^63, as NumPy.
    if (op === "neg") for (let i = 0; i < n; i++) out[i] = -x[i]!;
    else for (let i = 0; i < n; i++) { const v = x[i]!; out[i] = v < 0n ? -v : v; }
    return { ...a, values: out };
  }
  if (a.values instanceof Int32Array) {
    const x = a.values;
    const out = allocTyped(Int32Array, n, { uninitialized: true });
    if (op === "neg") for (let i = 0; i < n; i++) out[i] = -x[i]! | 0;
    else for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]!) | 0;
    return { ...a, values: out };
  }
  const x = a.values as Float64Array;
  const out = allocTyped(Float64Array, n, { uninitialized: true });
  if (op === "neg") for (let i = 0; i < n; i++) out[i] = -x[i]!;
  else for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]!);
  return { ...a, values: out };
}

/** 1 where the row is missing (null, NaN in float64/date, code -1), else 0. */
export function missingMask(c: Column): Uint8Array {
  const n = columnLength(c);
  const out = allocTyped(Uint8Array, n);
  if (c.kind === "str") {
    for (let i = 0; i < n; i++) out[i] = c.codes[i]! < 0 ? 1 : 0;
  } else if (c.valid !== null) {
    for (let i = 0; i < n; i++) out[i] = c.valid[i]! ^ 1;
  } else if (c.values instanceof Float64Array) {
    const v = c.values;
    for (let i = 0; i < n; i++) out[i] = v[i]! !== v[i]! ? 1 : 0;
  }
  return out;
}

function isMissingValue(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === "number" && Number.isNaN(v));
}

/**
 * True where the value is one of `values`; a missing row matches when `values` holds null (or NaN).
 * Values of another type than the column's never match (as pandas).
 */
export function isinColumn(c: Column, values: readonly unknown[]): BoolColumn {
  const n = columnLength(c);
  const out = allocTyped(Uint8Array, n, { uninitialized: true });
  const hasNull = values.some(isMissingValue) ? 1 : 0;
  const res: BoolColumn = { kind: "bool", dtype: "bool", values: out, valid: null };
  if (c.kind === "str") {
    // Test the dictionary once, then look each row's code up.
    const set = new Set(values.filter((v): v is string => typeof v === "string"));
    const per = new Uint8Array(c.dict.length);
    for (let j = 0; j < per.length; j++) per[j] = set.has(c.dict[j]!) ? 1 : 0;
    for (let i = 0; i < n; i++) { const k = c.codes[i]!; out[i] = k < 0 ? hasNull : per[k]!; }
    return res;
  }
  const valid = c.valid;
  if (c.kind === "bool") {
    const t = values.includes(true) ? 1 : 0, f = values.includes(false) ? 1 : 0;
    for (let i = 0; i < n; i++) out[i] = valid !== null && valid[i] === 0 ? hasNull : c.values[i] ? t : f;
    return res;
  }
  if (c.values instanceof BigInt64Array) {
    const set = new Set<bigint>();
    for (const v of values) {
      if (typeof v === "bigint") set.add(v);
      else if (typeof v === "number" && Number.isInteger(v)) set.add(BigInt(v));
    }
    const x = c.values;
    for (let i = 0; i < n; i++) out[i] = valid !== null && valid[i] === 0 ? hasNull : set.has(x[i]!) ? 1 : 0;
    return res;
  }
  const set = new Set<number>();
  for (const v of values) {
    if (isMissingValue(v)) continue;
    if (c.dtype === "date") { if (v instanceof Date) set.add(v.getTime()); }
    else if (typeof v === "number") set.add(v);
    else if (typeof v === "bigint") set.add(Number(v));
  }
  const x = c.values as Float64Array | Int32Array;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    out[i] = (valid !== null && valid[i] === 0) || v !== v ? hasNull : set.has(v) ? 1 : 0;
  }
  return res;
}

/** Missing values replaced by `value`, in type `outDtype` (decided at graph-build time). */
export function fillNullColumn(c: Column, value: ConstValue, outDtype: ColType, name: string): Column {
  const col = castColumn(c, outDtype, name);
  if (value === null || (typeof value === "number" && Number.isNaN(value))) return col;
  const n = columnLength(col);
  switch (col.kind) {
    case "str": {
      const v = String(value);
      let at = col.dict.indexOf(v);
      const dict = at >= 0 ? col.dict : [...col.dict, v];
      if (at < 0) at = col.dict.length;
      const codes = allocTyped(Int32Array, n, { uninitialized: true });
      for (let i = 0; i < n; i++) { const k = col.codes[i]!; codes[i] = k < 0 ? at : k; }
      return { kind: "str", dtype: col.dtype, codes, dict } satisfies StrColumn;
    }
    case "bool": {
      const values = col.values.slice();
      if (col.valid !== null) for (let i = 0; i < n; i++) if (col.valid[i] === 0) values[i] = value ? 1 : 0;
      return { kind: "bool", dtype: "bool", values, valid: null };
    }
    case "num": {
      if (col.dtype === "float64" || col.dtype === "date") {
        const k = constNumber(value);
        const src = col.values as Float64Array;
        const values = allocTyped(Float64Array, n, { uninitialized: true });
        for (let i = 0; i < n; i++) { const x = src[i]!; values[i] = x !== x ? k : x; }
        return { ...col, values, valid: null };
      }
      if (col.valid === null) return col;
      const valid = col.valid;
      if (col.values instanceof BigInt64Array) {
        const k = typeof value === "bigint" ? value : BigInt(value as number);
        const values = col.values.slice();
        for (let i = 0; i < n; i++) if (valid[i] === 0) values[i] = k;
        return { ...col, values, valid: null };
      }
      const k = value as number;
      const values = (col.values as Int32Array).slice();
      for (let i = 0; i < n; i++) if (valid[i] === 0) values[i] = k;
      return { ...col, values, valid: null };
    }
  }
}
