/**
 * Kernel-side binary operations of Series: arithmetic, comparisons, Kleene logic and string
 * concatenation, on typed arrays. The result type is decided at graph-build time (elementwise.ts) and
 * passed in; these functions compute in that type's domain: int32 (wrapping), int64 (BigInt64Array,
 * wrapping on store), float64 (NaN = missing), or string dictionaries.
 */
import { allocTyped } from "@dask-ts/core";
import { columnLength, nullColumn, type BoolColumn, type Column, type NumColumn, type StrColumn } from "./column.js";
import type { ColType } from "./dtypes.js";
import { compareCodePoints, unionRanks } from "./string-order.js";

export type ArithOp = "add" | "sub" | "mul" | "div" | "mod" | "pow";
export type CompareOp = "eq" | "ne" | "lt" | "le" | "gt" | "ge";
export type LogicOp = "and" | "or";

/** A constant operand (a JS value or a computed Scalar); null is missing. */
export type ConstValue = number | bigint | string | boolean | Date | null;

/** The right operand: a column of the same length, or a constant. */
export type Right = { readonly col: Column; readonly value?: undefined } | { readonly col?: undefined; readonly value: ConstValue };

export const ARITH_OPS: readonly string[] = ["add", "sub", "mul", "div", "mod", "pow"];
export const COMPARE_OPS: readonly string[] = ["eq", "ne", "lt", "le", "gt", "ge"];

/** `left op right`, of type `outDtype` (string, float64, int32 or int64 for arithmetic; bool otherwise). */
export function binaryColumn(op: ArithOp | CompareOp | LogicOp, left: Column, right: Right, outDtype: ColType): Column {
  const n = columnLength(left);
  if (op === "and" || op === "or") return logic(op, left as BoolColumn, right, n);
  if (COMPARE_OPS.includes(op)) return compare(op as CompareOp, left, right, n);
  return arith(op as ArithOp, left, right, outDtype, n);
}

// --- views ---------------------------------------------------------------------------------------------

/** A numeric or bool column as float64 with NaN for missing (no copy for float64 and date columns). */
export function floatView(c: NumColumn | BoolColumn): Float64Array {
  if (c.kind === "num" && (c.dtype === "float64" || c.dtype === "date")) return c.values as Float64Array;
  const v = c.values;
  const n = v.length;
  const valid = c.valid;
  const out = allocTyped(Float64Array, n, { uninitialized: true });
  if (v instanceof BigInt64Array) for (let i = 0; i < n; i++) out[i] = valid !== null && valid[i] === 0 ? NaN : Number(v[i]!);
  else {
    const s = v as Int32Array;
    for (let i = 0; i < n; i++) out[i] = valid !== null && valid[i] === 0 ? NaN : s[i]!;
  }
  return out;
}

/** An int32 or int64 column's values as BigInt64Array (no copy for int64). */
export function bigView(c: NumColumn): BigInt64Array {
  if (c.values instanceof BigInt64Array) return c.values;
  const v = c.values;
  const out = allocTyped(BigInt64Array, v.length, { uninitialized: true });
  for (let i = 0; i < v.length; i++) out[i] = BigInt(v[i]! as number);
  return out;
}

/** A constant as a number: NaN when missing, epoch ms for Dates, 0/1 for booleans. */
export function constNumber(v: ConstValue): number {
  if (v === null) return NaN;
  if (v instanceof Date) return v.getTime();
  if (typeof v === "boolean") return v ? 1 : 0;
  return Number(v);
}

/** Validity of rows present in both columns (null when every row is). */
function bothValid(a: Uint8Array | null, b: Uint8Array | null, n: number): Uint8Array | null {
  if (a === null && b === null) return null;
  const out = allocTyped(Uint8Array, n, { uninitialized: true });
  if (a === null) out.set(b!);
  else if (b === null) out.set(a);
  else for (let i = 0; i < n; i++) out[i] = a[i]! & b[i]!;
  return out;
}

function isFloatLike(c: Column): boolean {
  return c.kind === "bool" || (c.kind === "num" && (c.dtype === "float64" || c.dtype === "date"));
}

// --- arithmetic ----------------------------------------------------------------------------------------

/** Python/NumPy float remainder: the result takes the sign of the divisor. */
export function floatMod(x: number, y: number): number {
  const r = x % y;
  if (r === 0) return y < 0 ? -0 : 0;
  return r < 0 !== y < 0 ? r + y : r;
}

function arith(op: ArithOp, left: Column, right: Right, outDtype: ColType, n: number): Column {
  if (right.col === undefined && right.value === null) return nullColumn(outDtype, n);
  if (outDtype === "string") return concatStrings(left as StrColumn, right, n);
  const a = left as NumColumn;
  const b = right.col as NumColumn | undefined;
  if (outDtype === "float64") {
    const out = allocTyped(Float64Array, n, { uninitialized: true });
    arithFloat(op, floatView(a), b === undefined ? null : floatView(b), constNumber(right.value ?? null), out);
    return { kind: "num", dtype: "float64", values: out, valid: null };
  }
  if (outDtype === "int32") return arithInt32(op, a, b, right.value as number, n);
  return arithInt64(op, a, b, right.value ?? null, n);
}

function arithFloat(op: ArithOp, a: Float64Array, b: Float64Array | null, k: number, out: Float64Array): void {
  const n = out.length;
  switch (op) {
    case "add":
      if (b) for (let i = 0; i < n; i++) out[i] = a[i]! + b[i]!;
      else for (let i = 0; i < n; i++) out[i] = a[i]! + k;
      return;
    case "sub":
      if (b) for (let i = 0; i < n; i++) out[i] = a[i]! - b[i]!;
      else for (let i = 0; i < n; i++) out[i] = a[i]! - k;
      return;
    case "mul":
      if (b) for (let i = 0; i < n; i++) out[i] = a[i]! * b[i]!;
      else for (let i = 0; i < n; i++) out[i] = a[i]! * k;
      return;
    case "div":
      if (b) for (let i = 0; i < n; i++) out[i] = a[i]! / b[i]!;
      else for (let i = 0; i < n; i++) out[i] = a[i]! / k;
      return;
    case "mod":
      if (b) for (let i = 0; i < n; i++) out[i] = floatMod(a[i]!, b[i]!);
      else for (let i = 0; i < n; i++) out[i] = floatMod(a[i]!, k);
      return;
    case "pow":
      // A missing operand gives a missing result (JS and C give 1 for NaN ** 0 and 1 ** NaN).
      if (b) for (let i = 0; i < n; i++) { const x = a[i]!, y = b[i]!; out[i] = x !== x || y !== y ? NaN : x ** y; }
      else if (k !== k) out.fill(NaN);
      else for (let i = 0; i < n; i++) { const x = a[i]!; out[i] = x !== x ? NaN : x ** k; }
      return;
  }
}

function arithInt32(op: ArithOp, a: NumColumn, b: NumColumn | undefined, k: number, n: number): NumColumn {
  const x = a.values as Int32Array;
  const y = b === undefined ? null : (b.values as Int32Array);
  const out = allocTyped(Int32Array, n, { uninitialized: true });
  let valid = bothValid(a.valid, b === undefined ? null : b.valid, n);
  switch (op) {
    case "add":
      if (y) for (let i = 0; i < n; i++) out[i] = (x[i]! + y[i]!) | 0;
      else for (let i = 0; i < n; i++) out[i] = (x[i]! + k) | 0;
      break;
    case "sub":
      if (y) for (let i = 0; i < n; i++) out[i] = (x[i]! - y[i]!) | 0;
      else for (let i = 0; i < n; i++) out[i] = (x[i]! - k) | 0;
      break;
    case "mul":
      if (y) for (let i = 0; i < n; i++) out[i] = Math.imul(x[i]!, y[i]!);
      else for (let i = 0; i < n; i++) out[i] = Math.imul(x[i]!, k);
      break;
    case "mod":
      for (let i = 0; i < n; i++) {
        const d = y ? y[i]! : k;
        if (d === 0) {
          // Integer modulo by zero is missing (the column stays int32).
          (valid ??= new Uint8Array(n).fill(1))[i] = 0;
          out[i] = 0;
          continue;
        }
        let r = x[i]! % d;
        if (r !== 0 && (r ^ d) < 0) r += d;
        out[i] = r;
      }
      break;
    default:
      throw new Error(`int32 ${op} is computed as float64`);
  }
  return { kind: "num", dtype: "int32", values: out, valid };
}

function toBig(v: ConstValue): bigint {
  return typeof v === "bigint" ? v : BigInt(v as number);
}

function arithInt64(op: ArithOp, a: NumColumn, b: NumColumn | undefined, kv: ConstValue, n: number): NumColumn {
  const x = bigView(a);
  const y = b === undefined ? null : bigView(b);
  const k = b === undefined ? toBig(kv) : 0n;
  const out = allocTyped(BigInt64Array, n, { uninitialized: true });
  let valid = bothValid(a.valid, b === undefined ? null : b.valid, n);
  // Storing into a BigInt64Array wraps modulo 2^64, as NumPy's int64 arithmetic.
  switch (op) {
    case "add":
      if (y) for (let i = 0; i < n; i++) out[i] = x[i]! + y[i]!;
      else for (let i = 0; i < n; i++) out[i] = x[i]! + k;
      break;
    case "sub":
      if (y) for (let i = 0; i < n; i++) out[i] = x[i]! - y[i]!;
      else for (let i = 0; i < n; i++) out[i] = x[i]! - k;
      break;
    case "mul":
      if (y) for (let i = 0; i < n; i++) out[i] = x[i]! * y[i]!;
      else for (let i = 0; i < n; i++) out[i] = x[i]! * k;
      break;
    case "mod":
      for (let i = 0; i < n; i++) {
        const d = y ? y[i]! : k;
        if (d === 0n) {
          (valid ??= new Uint8Array(n).fill(1))[i] = 0;
          out[i] = 0n;
          continue;
        }
        let r = x[i]! % d;
        if (r !== 0n && r < 0n !== d < 0n) r += d;
        out[i] = r;
      }
      break;
    default:
      throw new Error(`int64 ${op} is computed as float64`);
  }
  return { kind: "num", dtype: "int64", values: out, valid };
}

/** String concatenation: per dictionary entry with a constant, per distinct pair with a column. */
function concatStrings(a: StrColumn, right: Right, n: number): StrColumn {
  if (right.col === undefined) {
    // Appending one suffix keeps distinct entries distinct.
    const v = String(right.value);
    return { kind: "str", dtype: "string", codes: a.codes.slice(), dict: a.dict.map((s) => s + v) };
  }
  const b = right.col as StrColumn;
  const codes = allocTyped(Int32Array, n, { uninitialized: true });
  const pairs = new Map<number, number>();
  // Entries by text: "a" + "bc" and "ab" + "c" are one entry (dictionaries never repeat a string).
  const index = new Map<string, number>();
  const dict: string[] = [];
  const width = b.dict.length;
  for (let i = 0; i < n; i++) {
    const ca = a.codes[i]!;
    const cb = b.codes[i]!;
    if (ca < 0 || cb < 0) { codes[i] = -1; continue; }
    const key = ca * width + cb;
    let c = pairs.get(key);
    if (c === undefined) {
      const s = a.dict[ca]! + b.dict[cb]!;
      c = index.get(s);
      if (c === undefined) { c = dict.length; dict.push(s); index.set(s, c); }
      pairs.set(key, c);
    }
    codes[i] = c;
  }
  return { kind: "str", dtype: "string", codes, dict };
}

// --- comparisons ---------------------------------------------------------------------------------------

/** Result of a comparison for "less", "equal", "greater", and when an operand is missing (NumPy: false, ne true). */
function outcomes(op: CompareOp): [lt: number, eq: number, gt: number, missing: number] {
  switch (op) {
    case "eq": return [0, 1, 0, 0];
    case "ne": return [1, 0, 1, 1];
    case "lt": return [1, 0, 0, 0];
    case "le": return [1, 1, 0, 0];
    case "gt": return [0, 0, 1, 0];
    case "ge": return [0, 1, 1, 0];
  }
}

function compare(op: CompareOp, left: Column, right: Right, n: number): BoolColumn {
  const out = allocTyped(Uint8Array, n, { uninitialized: true });
  const [tl, te, tg, tm] = outcomes(op);
  const result: BoolColumn = { kind: "bool", dtype: "bool", values: out, valid: null };
  if (right.col === undefined && (right.value === null || (typeof right.value === "number" && Number.isNaN(right.value)))) {
    out.fill(tm);
    return result;
  }
  if (left.kind === "str") {
    const codes = left.codes;
    if (right.col === undefined) {
      // Each dictionary entry is compared once; rows look their code up.
      const v = String(right.value);
      const per = new Uint8Array(left.dict.length);
      for (let j = 0; j < per.length; j++) {
        const d = compareCodePoints(left.dict[j]!, v);
        per[j] = d < 0 ? tl : d > 0 ? tg : te;
      }
      for (let i = 0; i < n; i++) { const c = codes[i]!; out[i] = c < 0 ? tm : per[c]!; }
      return result;
    }
    const b = right.col as StrColumn;
    const [ra, rb] = unionRanks([left.dict, b.dict], op !== "eq" && op !== "ne");
    const bc = b.codes;
    for (let i = 0; i < n; i++) {
      const ca = codes[i]!, cb = bc[i]!;
      if (ca < 0 || cb < 0) { out[i] = tm; continue; }
      const d = ra![ca]! - rb![cb]!;
      out[i] = d < 0 ? tl : d > 0 ? tg : te;
    }
    return result;
  }
  const a = left as NumColumn | BoolColumn;
  const bcol = right.col as NumColumn | BoolColumn | undefined;
  const rightFloat = bcol !== undefined ? isFloatLike(bcol) : typeof right.value !== "bigint" && !(typeof right.value === "number" && Number.isInteger(right.value));
  const useBig = !isFloatLike(a) && !rightFloat && (a.values instanceof BigInt64Array || (bcol !== undefined ? bcol.values instanceof BigInt64Array : typeof right.value === "bigint"));
  if (useBig) {
    // int64 against integers: exact BigInt comparisons.
    const x = bigView(a as NumColumn);
    const av = a.valid;
    const y = bcol === undefined ? null : bigView(bcol as NumColumn);
    const bv = bcol === undefined ? null : bcol.valid;
    const k = bcol === undefined ? toBig(right.value!) : 0n;
    for (let i = 0; i < n; i++) {
      if ((av !== null && av[i] === 0) || (bv !== null && bv[i] === 0)) { out[i] = tm; continue; }
      const p = x[i]!, q = y ? y[i]! : k;
      out[i] = p < q ? tl : p > q ? tg : te;
    }
    return result;
  }
  const x = floatView(a);
  if (bcol !== undefined) {
    const y = floatView(bcol);
    for (let i = 0; i < n; i++) {
      const p = x[i]!, q = y[i]!;
      out[i] = p < q ? tl : p > q ? tg : p === q ? te : tm;
    }
  } else {
    const q = constNumber(right.value!);
    for (let i = 0; i < n; i++) {
      const p = x[i]!;
      out[i] = p < q ? tl : p > q ? tg : p === q ? te : tm;
    }
  }
  return result;
}

// --- Kleene logic --------------------------------------------------------------------------------------

/** and/or with missing values as "unknown": false and anything is false, true or anything is true. */
function logic(op: "and" | "or", a: BoolColumn, right: Right, n: number): BoolColumn {
  const out = allocTyped(Uint8Array, n, { uninitialized: true });
  let valid: Uint8Array | null = null;
  const av = a.values, avalid = a.valid;
  const b = right.col as BoolColumn | undefined;
  const bvals = b?.values, bvalid = b?.valid ?? null;
  const k = right.value === null || right.value === undefined ? 2 : right.value ? 1 : 0;
  // 0 false, 1 true, 2 unknown; `dominant` decides the result whatever the other side is.
  const dominant = op === "and" ? 0 : 1;
  for (let i = 0; i < n; i++) {
    const x = avalid !== null && avalid[i] === 0 ? 2 : av[i]!;
    const y = b === undefined ? k : bvalid !== null && bvalid[i] === 0 ? 2 : bvals![i]!;
    if (x === dominant || y === dominant) out[i] = dominant;
    else if (x === 2 || y === 2) { (valid ??= new Uint8Array(n).fill(1))[i] = 0; out[i] = 0; }
    else out[i] = 1 - dominant;
  }
  return { kind: "bool", dtype: "bool", values: out, valid };
}
