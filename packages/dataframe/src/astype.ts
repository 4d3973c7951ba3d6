/**
 * Kernel-side type conversion (Series.astype, and the promotion fillNull needs). Between numeric types
 * as NumPy's astype (float -> int truncates toward zero, int64 -> int32 wraps), except that missing
 * values stay missing (our int and bool columns can hold them). To strings as pandas' `astype(str)`
 * formats values (floats as Python's repr). From strings by parsing each dictionary entry once; a value
 * that does not parse is a ColumnTypeError naming it.
 */
import { allocTyped } from "@dask-ts/core";
import { columnLength, type BoolColumn, type Column, type NumColumn, type StrColumn } from "./column.js";
import { isStringType, type ColType } from "./dtypes.js";
import { ColumnTypeError } from "./errors.js";
import { floatView } from "./binary-ops.js";

/** `c` as type `to`; `name` is the column's name for error messages. */
export function castColumn(c: Column, to: ColType, name: string): Column {
  if (c.dtype === to) return c;
  if (c.kind === "str") {
    if (isStringType(to)) return { ...c, dtype: to as "string" | "category" };
    return parseStrings(c, to, name);
  }
  if (isStringType(to)) return formatColumn(c, to as "string" | "category");
  if (c.dtype === "date" || to === "date") {
    throw new ColumnTypeError(`astype: cannot convert column '${name}' from ${c.dtype} to ${to}; dates convert only to and from strings.`);
  }
  return castNumeric(c, to, name);
}

// --- numeric <-> numeric -----------------------------------------------------------------------------

const INT64_MIN = -(2 ** 63);
const INT64_END = 2 ** 63;

function rangeError(name: string, v: number | bigint, to: ColType): never {
  throw new ColumnTypeError(`astype('${to}'): the value ${String(v)} of column '${name}' cannot be represented as ${to}.`);
}

function castNumeric(c: NumColumn | BoolColumn, to: ColType, name: string): Column {
  const n = columnLength(c);
  if (to === "float64") return { kind: "num", dtype: "float64", values: floatView(c), valid: null };
  if (to === "bool") {
    const out = allocTyped(Uint8Array, n, { uninitialized: true });
    let valid = c.valid === null ? null : c.valid.slice();
    const v = c.values;
    if (v instanceof Float64Array) {
      for (let i = 0; i < n; i++) {
        const x = v[i]!;
        if (x !== x) { (valid ??= new Uint8Array(n).fill(1))[i] = 0; out[i] = 0; } else out[i] = x !== 0 ? 1 : 0;
      }
    } else if (v instanceof BigInt64Array) for (let i = 0; i < n; i++) out[i] = v[i] !== 0n ? 1 : 0;
    else for (let i = 0; i < n; i++) out[i] = v[i] !== 0 ? 1 : 0;
    return { kind: "bool", dtype: "bool", values: out, valid };
  }
  const v = c.values;
  if (v instanceof Float64Array) {
    // Truncation toward zero; NaN becomes missing; infinities and out-of-range values are errors.
    let valid: Uint8Array | null = null;
    if (to === "int32") {
      const out = allocTyped(Int32Array, n, { uninitialized: true });
      for (let i = 0; i < n; i++) {
        const x = v[i]!;
        if (x !== x) { (valid ??= new Uint8Array(n).fill(1))[i] = 0; out[i] = 0; continue; }
        const t = Math.trunc(x);
        if (!(t >= -2147483648 && t <= 2147483647)) rangeError(name, x, to);
        out[i] = t;
      }
      return { kind: "num", dtype: "int32", values: out, valid };
    }
    const out = allocTyped(BigInt64Array, n, { uninitialized: true });
    for (let i = 0; i < n; i++) {
      const x = v[i]!;
      if (x !== x) { (valid ??= new Uint8Array(n).fill(1))[i] = 0; out[i] = 0n; continue; }
      const t = Math.trunc(x);
      if (!(t >= INT64_MIN && t < INT64_END)) rangeError(name, x, to);
      out[i] = BigInt(t);
    }
    return { kind: "num", dtype: "int64", values: out, valid };
  }
  if (to === "int64") {
    const out = allocTyped(BigInt64Array, n, { uninitialized: true });
    for (let i = 0; i < n; i++) out[i] = BigInt(v[i] as number);
    return { kind: "num", dtype: "int64", values: out, valid: c.valid };
  }
  // to int32: from int64 it wraps (NumPy's astype), from bool it is 0/1.
  const out = allocTyped(Int32Array, n, { uninitialized: true });
  if (v instanceof BigInt64Array) for (let i = 0; i < n; i++) out[i] = Number(BigInt.asIntN(32, v[i]!));
  else for (let i = 0; i < n; i++) out[i] = v[i] as number;
  return { kind: "num", dtype: "int32", values: out, valid: c.valid };
}

// --- to strings -------------------------------------------------------------------------------------

/** A float as Python's repr writes it: "1.0", "0.1", "1e+16", "1.5e-05", "inf", "nan". */
export function pythonFloatRepr(x: number): string {
  if (x !== x) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  // toExponential() without digits gives the shortest digits that round-trip, as repr does.
  const [mant, expText] = Math.abs(x).toExponential().split("e") as [string, string];
  const digits = mant.replace(".", "");
  const exp = Number(expText);
  const sign = x < 0 ? "-" : "";
  if (exp >= -4 && exp < 16) {
    if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
    if (digits.length <= exp + 1) return `${sign}${digits}${"0".repeat(exp + 1 - digits.length)}.0`;
    return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  }
  const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const e = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : `${Math.abs(exp)}`;
  return `${sign}${m}e${exp < 0 ? "-" : "+"}${e}`;
}

const pad = (v: number, w = 2): string => String(v).padStart(w, "0");

/** A date as pandas prints a Timestamp: "2020-01-31 12:00:00", with ".mmm000" when it has milliseconds. */
export function timestampString(ms: number): string {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const base = `${y < 0 ? "-" + pad(-y, 4) : pad(y, 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const frac = d.getUTCMilliseconds();
  return frac === 0 ? base : `${base}.${pad(frac, 3)}000`;
}

/** Values formatted as strings (missing stays missing), dictionary-encoded. */
function formatColumn(c: NumColumn | BoolColumn, dtype: "string" | "category"): StrColumn {
  const n = columnLength(c);
  const codes = allocTyped(Int32Array, n, { uninitialized: true });
  const index = new Map<string, number>();
  const dict: string[] = [];
  const put = (s: string): number => {
    let k = index.get(s);
    if (k === undefined) { k = dict.length; dict.push(s); index.set(s, k); }
    return k;
  };
  const valid = c.valid;
  const v = c.values;
  if (c.kind === "bool") {
    for (let i = 0; i < n; i++) codes[i] = valid !== null && valid[i] === 0 ? -1 : put(v[i] ? "True" : "False");
  } else if (c.dtype === "float64" || c.dtype === "date") {
    const x = v as Float64Array;
    const fmt = c.dtype === "date" ? timestampString : pythonFloatRepr;
    for (let i = 0; i < n; i++) codes[i] = x[i] !== x[i] ? -1 : put(fmt(x[i]!));
  } else {
    for (let i = 0; i < n; i++) codes[i] = valid !== null && valid[i] === 0 ? -1 : put(String(v[i]));
  }
  return { kind: "str", dtype, codes, dict };
}

// --- from strings ------------------------------------------------------------------------------------

const FLOAT_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INF_RE = /^([+-]?)(inf|infinity)$/i;
const NAN_RE = /^[+-]?nan$/i;
const INT_RE = /^[+-]?\d+$/;
const DATE_RE = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Python's float(): decimal or exponent notation, inf/infinity, nan (missing); surrounding spaces allowed. */
export function parseFloatStrict(s: string): number | undefined {
  const t = s.trim();
  if (FLOAT_RE.test(t)) return Number(t);
  const inf = INF_RE.exec(t);
  if (inf) return inf[1] === "-" ? -Infinity : Infinity;
  if (NAN_RE.test(t)) return NaN;
  return undefined;
}

/** An ISO 8601 date or date-time (UTC unless it names an offset) as epoch ms. */
export function parseIsoDate(s: string): number | undefined {
  const m = DATE_RE.exec(s.trim());
  if (!m) return undefined;
  const [, day, time, zone] = m;
  let text = time === undefined ? `${day}T00:00:00Z` : `${day}T${time}${zone ?? "Z"}`;
  // Date.parse keeps milliseconds only; cut longer fractions (it rejects some of them).
  text = text.replace(/(\.\d{3})\d+/, "$1");
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

function parseError(name: string, s: string, to: ColType, hint: string): never {
  throw new ColumnTypeError(`astype('${to}'): the value ${JSON.stringify(s)} of column '${name}' is not ${hint}.`);
}

/** Each used dictionary entry parsed once (unused entries are never looked at, so never an error). */
function parseStrings(c: StrColumn, to: ColType, name: string): Column {
  const n = c.codes.length;
  const done = new Uint8Array(c.dict.length);
  const codes = c.codes;
  switch (to) {
    case "float64":
    case "date": {
      const per = new Float64Array(c.dict.length);
      const out = allocTyped(Float64Array, n, { uninitialized: true });
      for (let i = 0; i < n; i++) {
        const k = codes[i]!;
        if (k < 0) { out[i] = NaN; continue; }
        if (!done[k]) {
          const s = c.dict[k]!;
          const v = to === "date" ? parseIsoDate(s) : parseFloatStrict(s);
          if (v === undefined) parseError(name, s, to, to === "date" ? "an ISO 8601 date (2020-01-31 or 2020-01-31T12:00:00)" : "a number");
          per[k] = v;
          done[k] = 1;
        }
        out[i] = per[k]!;
      }
      return { kind: "num", dtype: to, values: out, valid: null };
    }
    case "int32":
    case "int64": {
      const per: (number | bigint)[] = new Array(c.dict.length);
      const out = allocTyped(to === "int32" ? Int32Array : BigInt64Array, n, { uninitialized: true }) as Int32Array | BigInt64Array;
      let valid: Uint8Array | null = null;
      for (let i = 0; i < n; i++) {
        const k = codes[i]!;
        if (k < 0) { (valid ??= new Uint8Array(n).fill(1))[i] = 0; out[i] = (to === "int32" ? 0 : 0n) as never; continue; }
        if (!done[k]) {
          const s = c.dict[k]!.trim();
          if (!INT_RE.test(s)) parseError(name, c.dict[k]!, to, "an integer");
          const b = BigInt(s);
          if (b !== BigInt.asIntN(to === "int32" ? 32 : 64, b)) parseError(name, c.dict[k]!, to, `within the ${to} range`);
          per[k] = to === "int32" ? Number(b) : b;
          done[k] = 1;
        }
        out[i] = per[k] as never;
      }
      return { kind: "num", dtype: to, values: out, valid };
    }
    case "bool": {
      const per = new Uint8Array(c.dict.length);
      const out = allocTyped(Uint8Array, n, { uninitialized: true });
      let valid: Uint8Array | null = null;
      for (let i = 0; i < n; i++) {
        const k = codes[i]!;
        if (k < 0) { (valid ??= new Uint8Array(n).fill(1))[i] = 0; out[i] = 0; continue; }
        if (!done[k]) {
          const s = c.dict[k]!.trim().toLowerCase();
          if (s !== "true" && s !== "false") parseError(name, c.dict[k]!, to, "a boolean (true or false)");
          per[k] = s === "true" ? 1 : 0;
          done[k] = 1;
        }
        out[i] = per[k]!;
      }
      return { kind: "bool", dtype: "bool", values: out, valid };
    }
    default:
      throw new ColumnTypeError(`astype: cannot convert column '${name}' from ${c.dtype} to ${to}.`);
  }
}
