/**
 * Columns as kernels compute on them, and their conversion to and from Arrow.
 *
 * Partitions are Arrow tables, but Arrow's per-value accessors are far too slow for kernels and its
 * null bitmaps awkward in tight loops. A kernel reads each column it needs once into a `Column`
 * (zero-copy where Arrow's layout allows), works on typed arrays, and builds its output table with
 * `makeTable`. Missing values follow pandas: NaN in float64 and date columns (stored as Arrow nulls),
 * a validity byte per row for int and bool columns, code -1 for strings.
 */
import * as A from "apache-arrow";
import { allocTyped } from "@dask-ts/core";
import { CATEGORY_META, colTypeOfField, type ColType, type Meta } from "./dtypes.js";
import { UnknownColumnError } from "./errors.js";
import { concatStrByBytes, decodeDictionary, dictionaryVector } from "./dictionary.js";

export { decodeUtf8 } from "./utf8.js";
import { decodeUtf8 } from "./utf8.js";

/** Typed arrays of numeric columns. */
export type NumArray = Float64Array | Int32Array | BigInt64Array;

/** float64 (NaN = missing), date (epoch ms as float64, NaN = missing), int32, int64 (valid bytes, null = all valid). */
export interface NumColumn {
  readonly kind: "num";
  readonly dtype: "float64" | "int32" | "int64" | "date";
  readonly values: NumArray;
  /** One byte per row, 1 = present; null when every row is present. Always null for float64 and date. */
  readonly valid: Uint8Array | null;
}

/** Booleans as one byte per row (0/1). */
export interface BoolColumn {
  readonly kind: "bool";
  readonly dtype: "bool";
  readonly values: Uint8Array;
  readonly valid: Uint8Array | null;
}

/**
 * Strings as dictionary codes: code -1 is missing. The dictionary may hold unused entries but never the
 * same string twice, so equal codes are equal strings (kernels group and compare by code). Kernels keep
 * that so; tables from outside (fromArrow, fromPartitions, mapPartitions) pass through uniqueDictionaries.
 */
export interface StrColumn {
  readonly kind: "str";
  readonly dtype: "string" | "category";
  readonly codes: Int32Array;
  readonly dict: readonly string[];
}

/** One column of one partition. */
export type Column = NumColumn | BoolColumn | StrColumn;

/** Number of rows of a column. */
export function columnLength(c: Column): number {
  return c.kind === "str" ? c.codes.length : c.values.length;
}

/** True when row i is missing. */
export function isMissing(c: Column, i: number): boolean {
  if (c.kind === "str") return c.codes[i]! < 0;
  if (c.valid !== null) return c.valid[i] === 0;
  if (c.kind === "num" && (c.dtype === "float64" || c.dtype === "date")) return Number.isNaN((c.values as Float64Array)[i]!);
  return false;
}

/** Row i as a JS value: number, bigint (int64), boolean, string, Date, or null when missing. */
export function valueAt(c: Column, i: number): number | bigint | boolean | string | Date | null {
  if (isMissing(c, i)) return null;
  switch (c.kind) {
    case "str": return c.dict[c.codes[i]!]!;
    case "bool": return c.values[i] !== 0;
    case "num": return c.dtype === "date" ? new Date((c.values as Float64Array)[i]!) : c.values[i]!;
  }
}

// --- reading Arrow ---------------------------------------------------------------------------------

function validBytes(d: A.Data, n: number): Uint8Array | null {
  if (d.nullCount === 0 || !d.nullBitmap) return null;
  const bm = d.nullBitmap;
  const off = d.offset;
  const out = allocTyped(Uint8Array, n, { uninitialized: true });
  for (let i = 0; i < n; i++) {
    const b = off + i;
    out[i] = (bm[b >> 3]! >> (b & 7)) & 1;
  }
  return out;
}

/** One Arrow Data chunk as a Column. */
function dataToColumn(d: A.Data, dtype: ColType): Column {
  const n = d.length;
  const t = d.type as A.DataType;
  const valid = validBytes(d, n);
  switch (t.typeId) {
    case A.Type.Dictionary: {
      const dict = decodeDictionary(d.dictionary!);
      const idx = (d.values as ArrayLike<number>);
      let codes: Int32Array;
      if (idx instanceof Int32Array && valid === null) codes = idx.subarray(0, n);
      else {
        codes = allocTyped(Int32Array, n, { uninitialized: true });
        for (let i = 0; i < n; i++) codes[i] = valid !== null && valid[i] === 0 ? -1 : Number(idx[i]);
      }
      return { kind: "str", dtype: dtype === "category" ? "category" : "string", codes, dict };
    }
    case A.Type.Utf8:
    case A.Type.LargeUtf8: {
      // Dictionary-encode on read: kernels compare and hash codes, never strings.
      const offs = d.valueOffsets as Int32Array | BigInt64Array;
      const bytes = d.values as Uint8Array;
      const codes = allocTyped(Int32Array, n, { uninitialized: true });
      const index = new Map<string, number>();
      const dict: string[] = [];
      for (let i = 0; i < n; i++) {
        if (valid !== null && valid[i] === 0) { codes[i] = -1; continue; }
        const s = decodeUtf8(bytes, Number(offs[i]), Number(offs[i + 1]));
        let c = index.get(s);
        if (c === undefined) { c = dict.length; dict.push(s); index.set(s, c); }
        codes[i] = c;
      }
      return { kind: "str", dtype: dtype === "category" ? "category" : "string", codes, dict };
    }
    case A.Type.Bool: {
      const bits = d.values as Uint8Array;
      const values = allocTyped(Uint8Array, n, { uninitialized: true });
      const off = d.offset;
      for (let i = 0; i < n; i++) { const b = off + i; values[i] = (bits[b >> 3]! >> (b & 7)) & 1; }
      return { kind: "bool", dtype: "bool", values, valid };
    }
    case A.Type.Float: {
      const src = d.values as Float64Array | Float32Array | Uint16Array;
      if (src instanceof Float64Array && valid === null) return { kind: "num", dtype: "float64", values: src.subarray(0, n), valid: null };
      const values = allocTyped(Float64Array, n, { uninitialized: true });
      if (src instanceof Uint16Array) for (let i = 0; i < n; i++) values[i] = A.util.uint16ToFloat64(src[i]!);
      else for (let i = 0; i < n; i++) values[i] = src[i]!;
      if (valid !== null) for (let i = 0; i < n; i++) if (valid[i] === 0) values[i] = NaN;
      return { kind: "num", dtype: "float64", values, valid: null };
    }
    case A.Type.Int: {
      const src = d.values as NumArray | Int8Array | Int16Array | Uint8Array | Uint16Array | Uint32Array | BigUint64Array;
      if (dtype === "int32") {
        if (src instanceof Int32Array) return { kind: "num", dtype: "int32", values: src.subarray(0, n), valid };
        const values = allocTyped(Int32Array, n, { uninitialized: true });
        for (let i = 0; i < n; i++) values[i] = src[i] as number;
        return { kind: "num", dtype: "int32", values, valid };
      }
      if (src instanceof BigInt64Array) return { kind: "num", dtype: "int64", values: src.subarray(0, n), valid };
      const values = allocTyped(BigInt64Array, n, { uninitialized: true });
      for (let i = 0; i < n; i++) values[i] = BigInt(src[i]!);
      return { kind: "num", dtype: "int64", values, valid };
    }
    case A.Type.Date:
    case A.Type.Timestamp: {
      const values = allocTyped(Float64Array, n, { uninitialized: true });
      const src = d.values as Int32Array | BigInt64Array;
      // Days (DateDay), ms (DateMillisecond, Timestamp ms) or other timestamp units, to epoch ms.
      let scale = 1;
      if (t.typeId === A.Type.Date && (t as A.Date_).unit === A.DateUnit.DAY) scale = 86_400_000;
      if (t.typeId === A.Type.Timestamp) scale = [1000, 1, 1e-3, 1e-6][(t as A.Timestamp).unit]!;
      for (let i = 0; i < n; i++) values[i] = valid !== null && valid[i] === 0 ? NaN : Number(src[i]) * scale;
      return { kind: "num", dtype: "date", values, valid: null };
    }
    case A.Type.Null: {
      const values = allocTyped(Float64Array, n, { uninitialized: true });
      values.fill(NaN);
      return { kind: "num", dtype: "float64", values, valid: null };
    }
    default:
      throw new TypeError(`Arrow type ${String(t)} is not supported by dask-ts dataframes.`);
  }
}

/** Names of a table's columns. */
export function columnNames(t: A.Table): string[] {
  return t.schema.fields.map((f) => f.name);
}

/** Reads column `name` of a partition. Throws UnknownColumnError when absent. */
export function readColumn(t: A.Table, name: string): Column {
  const idx = t.schema.fields.findIndex((f) => f.name === name);
  if (idx < 0) throw new UnknownColumnError(name, columnNames(t));
  const field = t.schema.fields[idx]!;
  const dtype = colTypeOfField(field);
  const vec = t.getChildAt(idx)!;
  if (vec.data.length === 1) return dataToColumn(vec.data[0]!, dtype);
  if (vec.data.length === 0) return emptyColumn(dtype);
  return concatColumns(vec.data.map((d) => dataToColumn(d, dtype)));
}

/** Reads several columns (all when `names` is omitted), as parallel arrays. */
export function readColumns(t: A.Table, names: readonly string[] = columnNames(t)): Column[] {
  return names.map((n) => readColumn(t, n));
}

// --- building Arrow ---------------------------------------------------------------------------------

/** Arrow validity bitmap (null when nothing is missing) and null count, from a per-row test. */
function bitmapOf(n: number, missingAt: (i: number) => boolean, firstMissing: number): [Uint8Array | null, number] {
  if (firstMissing < 0) return [null, 0];
  const bm = new Uint8Array((n + 7) >> 3).fill(0xff);
  let nulls = 0;
  for (let i = firstMissing; i < n; i++) {
    if (missingAt(i)) {
      bm[i >> 3]! &= ~(1 << (i & 7));
      nulls++;
    }
  }
  return [bm, nulls];
}

// The scans below find the first missing row with a tight loop: most columns have none, and then
// no bitmap (nor closure call per row) is needed.
function firstZero(a: Uint8Array | null): number {
  if (a === null) return -1;
  const at = a.indexOf(0);
  return at;
}

function firstNaN(v: Float64Array): number {
  for (let i = 0; i < v.length; i++) if (v[i] !== v[i]) return i;
  return -1;
}

function firstNegative(v: Int32Array): number {
  for (let i = 0; i < v.length; i++) if (v[i]! < 0) return i;
  return -1;
}

function bitmapFromValid(valid: Uint8Array | null, n: number): [Uint8Array | null, number] {
  return bitmapOf(n, (i) => valid![i] === 0, firstZero(valid));
}

/** Arrow field and data of one column. */
export function columnToArrow(name: string, c: Column): { field: A.Field; data: A.Data } {
  const n = columnLength(c);
  switch (c.kind) {
    case "str": {
      const dict = dictionaryVector(c.dict);
      const codes = c.codes;
      const [bm, nulls] = bitmapOf(n, (i) => codes[i]! < 0, firstNegative(codes));
      let idx = codes;
      if (nulls > 0) {
        idx = allocTyped(Int32Array, n, { uninitialized: true });
        for (let i = 0; i < n; i++) idx[i] = codes[i]! < 0 ? 0 : codes[i]!;
      }
      const type = new A.Dictionary(new A.Utf8(), new A.Int32());
      const data = A.makeData({ type, length: n, nullCount: nulls, nullBitmap: bm, data: idx, dictionary: dict });
      const meta = c.dtype === "category" ? new Map([[CATEGORY_META, "category"]]) : undefined;
      return { field: new A.Field(name, type, true, meta), data };
    }
    case "bool": {
      const bits = new Uint8Array((n + 7) >> 3);
      const v = c.values;
      for (let i = 0; i < n; i++) if (v[i] !== 0) bits[i >> 3]! |= 1 << (i & 7);
      const [bm, nulls] = bitmapFromValid(c.valid, n);
      const type = new A.Bool();
      return { field: new A.Field(name, type, true), data: A.makeData({ type, length: n, nullCount: nulls, nullBitmap: bm, data: bits }) };
    }
    case "num": {
      if (c.dtype === "float64" || c.dtype === "date") {
        const v = c.values as Float64Array;
        const [bm, nulls] = bitmapOf(n, (i) => v[i] !== v[i], firstNaN(v));
        if (c.dtype === "float64") {
          const type = new A.Float64();
          return { field: new A.Field(name, type, true), data: A.makeData({ type, length: n, nullCount: nulls, nullBitmap: bm, data: v }) };
        }
        const ms = new BigInt64Array(n);
        for (let i = 0; i < n; i++) ms[i] = v[i] === v[i] ? BigInt(Math.round(v[i]!)) : 0n;
        const type = new A.DateMillisecond();
        return { field: new A.Field(name, type, true), data: A.makeData({ type, length: n, nullCount: nulls, nullBitmap: bm, data: ms as never }) };
      }
      const [bm, nulls] = bitmapFromValid(c.valid, n);
      const type = c.dtype === "int32" ? new A.Int32() : new A.Int64();
      return { field: new A.Field(name, type, true), data: A.makeData({ type: type as A.Int32, length: n, nullCount: nulls, nullBitmap: bm, data: c.values as Int32Array }) };
    }
  }
}

/** A single-batch Arrow table of named columns (all of the same length). */
export function makeTable(names: readonly string[], cols: readonly Column[]): A.Table {
  if (names.length !== cols.length) throw new Error(`makeTable: ${names.length} names for ${cols.length} columns`);
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new Error(`makeTable: duplicate column name '${n}'`);
    seen.add(n);
  }
  const parts = cols.map((c, i) => columnToArrow(names[i]!, c));
  const fields = parts.map((p) => p.field);
  const schema = new A.Schema(fields);
  const n = cols.length ? columnLength(cols[0]!) : 0;
  for (let i = 1; i < cols.length; i++) {
    if (columnLength(cols[i]!) !== n) throw new Error(`makeTable: column '${names[i]}' has ${columnLength(cols[i]!)} rows, expected ${n}`);
  }
  const data = A.makeData({ type: new A.Struct(fields), length: n, nullCount: 0, children: parts.map((p) => p.data) });
  return new A.Table(schema, [new A.RecordBatch(schema, data)]);
}

/** A column of `n` missing values (of the type's own missing marker). */
export function nullColumn(dtype: ColType, n: number): Column {
  switch (dtype) {
    case "string":
    case "category":
      return { kind: "str", dtype, codes: new Int32Array(n).fill(-1), dict: [] };
    case "bool":
      return { kind: "bool", dtype, values: new Uint8Array(n), valid: new Uint8Array(n) };
    case "float64":
    case "date":
      return { kind: "num", dtype, values: new Float64Array(n).fill(NaN), valid: null };
    case "int32":
      return { kind: "num", dtype, values: new Int32Array(n), valid: new Uint8Array(n) };
    case "int64":
      return { kind: "num", dtype, values: new BigInt64Array(n), valid: new Uint8Array(n) };
  }
}

/** A column of no rows. */
export function emptyColumn(dtype: ColType): Column {
  return nullColumn(dtype, 0);
}

/** An empty table with the given schema. */
export function emptyTable(meta: Meta): A.Table {
  return makeTable(meta.map((m) => m.name), meta.map((m) => emptyColumn(m.dtype)));
}

// --- row operations ----------------------------------------------------------------------------------

/** Rows `idx[0..n)` of a column, in that order (idx -1 gives a missing value: outer joins). */
export function takeColumn(c: Column, idx: Int32Array | Uint32Array, n: number = idx.length): Column {
  switch (c.kind) {
    case "str": {
      const codes = allocTyped(Int32Array, n, { uninitialized: true });
      const src = c.codes;
      for (let i = 0; i < n; i++) { const j = idx[i]!; codes[i] = j < 0 ? -1 : src[j]!; }
      return { kind: "str", dtype: c.dtype, codes, dict: c.dict };
    }
    case "bool":
    case "num": {
      const Ctor = c.values.constructor as typeof Float64Array;
      const values = allocTyped(Ctor, n, { uninitialized: true }) as NumArray | Uint8Array;
      const src = c.values;
      let anyNeg = false;
      if (src instanceof BigInt64Array) {
        const out = values as BigInt64Array;
        for (let i = 0; i < n; i++) { const j = idx[i]!; if (j < 0) { anyNeg = true; out[i] = 0n; } else out[i] = src[j]!; }
      } else {
        const out = values as Float64Array;
        const s = src as Float64Array;
        for (let i = 0; i < n; i++) { const j = idx[i]!; if (j < 0) anyNeg = true; out[i] = s[j]!; }
      }
      const isFloat = c.kind === "num" && (c.dtype === "float64" || c.dtype === "date");
      if (isFloat) {
        if (anyNeg) for (let i = 0; i < n; i++) if (idx[i]! < 0) (values as Float64Array)[i] = NaN;
        return { ...c, values: values as Float64Array, valid: null } as Column;
      }
      let valid: Uint8Array | null = null;
      if (c.valid !== null || anyNeg) {
        valid = allocTyped(Uint8Array, n, { uninitialized: true });
        const sv = c.valid;
        for (let i = 0; i < n; i++) { const j = idx[i]!; valid[i] = j < 0 ? 0 : sv === null ? 1 : sv[j]!; }
        if (anyNeg && !(values instanceof BigInt64Array)) for (let i = 0; i < n; i++) if (idx[i]! < 0) values[i] = 0;
      }
      return { ...c, values, valid } as Column;
    }
  }
}

/** Rows [start, end) of a column (views, no copy). */
export function sliceColumn(c: Column, start: number, end: number): Column {
  if (c.kind === "str") return { ...c, codes: c.codes.subarray(start, end) };
  return { ...c, values: c.values.subarray(start, end), valid: c.valid === null ? null : c.valid.subarray(start, end) } as Column;
}

/** Smallest and largest present value of an int32 column ([lo, hi] with lo > hi when none is present). */
export function int32Range(v: Int32Array, valid: Uint8Array | null): [number, number] {
  let lo = 2147483647, hi = -2147483648;
  for (let i = 0; i < v.length; i++) {
    if (valid !== null && valid[i] === 0) continue;
    const x = v[i]!;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return [lo, hi];
}

/** The table with every string dictionary free of repeated entries (the same table when none repeats). */
export function uniqueDictionaries(t: A.Table): A.Table {
  const names = columnNames(t);
  const cols = readColumns(t, names);
  let changed = false;
  const out = cols.map((c) => {
    if (c.kind !== "str") return c;
    const index = new Map<string, number>();
    for (const s of c.dict) if (!index.has(s)) index.set(s, index.size);
    if (index.size === c.dict.length) return c;
    changed = true;
    const codes = allocTyped(Int32Array, c.codes.length, { uninitialized: true });
    for (let i = 0; i < codes.length; i++) { const k = c.codes[i]!; codes[i] = k < 0 ? -1 : index.get(c.dict[k]!)!; }
    return { kind: "str", dtype: c.dtype, codes, dict: [...index.keys()] } satisfies StrColumn;
  });
  return changed ? makeTable(names, out) : t;
}

/** Indices of rows where mask is 1 (and present). */
export function maskToIndices(mask: BoolColumn): Int32Array {
  const v = mask.values;
  const valid = mask.valid;
  const n = v.length;
  let count = 0;
  for (let i = 0; i < n; i++) if (v[i] !== 0 && (valid === null || valid[i] !== 0)) count++;
  const idx = new Int32Array(count);
  let k = 0;
  for (let i = 0; i < n; i++) if (v[i] !== 0 && (valid === null || valid[i] !== 0)) idx[k++] = i;
  return idx;
}

/**
 * Concatenates columns of one dtype. String dictionaries are merged: codes of later columns are
 * remapped into the union, in order of first appearance (the first dictionary is kept as is).
 */
export function concatColumns(cols: readonly Column[]): Column {
  if (cols.length === 1) return cols[0]!;
  const first = cols[0]!;
  const n = cols.reduce((s, c) => s + columnLength(c), 0);
  if (first.kind === "str") {
    const strs = cols as readonly StrColumn[];
    // Equal dictionaries (e.g. partitions of one persisted frame after crossing threads) keep their codes.
    const sameDict = strs.every((c) => c.dict === first.dict || equalStrings(c.dict, first.dict));
    if (!sameDict) {
      // Merging the dictionaries' UTF-8 bytes avoids a JS string per entry (when their bytes are at hand).
      const byBytes = concatStrByBytes(strs);
      if (byBytes !== null) return byBytes;
    }
    const dict: string[] = sameDict ? (first.dict as string[]) : [...first.dict];
    const index = sameDict ? null : new Map<string, number>(dict.map((s, i) => [s, i]));
    const codes = allocTyped(Int32Array, n, { uninitialized: true });
    let o = 0;
    for (const c of strs) {
      if (index === null || c.dict === first.dict) codes.set(c.codes, o);
      else {
        const remap = new Int32Array(c.dict.length);
        for (let j = 0; j < c.dict.length; j++) {
          const s = c.dict[j]!;
          let k = index.get(s);
          if (k === undefined) { k = dict.length; dict.push(s); index.set(s, k); }
          remap[j] = k;
        }
        const src = c.codes;
        for (let i = 0; i < src.length; i++) codes[o + i] = src[i]! < 0 ? -1 : remap[src[i]!]!;
      }
      o += c.codes.length;
    }
    return { kind: "str", dtype: first.dtype, codes, dict };
  }
  const nums = cols as readonly (NumColumn | BoolColumn)[];
  for (const c of nums) {
    if (c.kind !== first.kind || c.dtype !== first.dtype) throw new TypeError(`concatColumns: cannot concatenate ${first.dtype} and ${c.dtype} columns`);
  }
  const Ctor = first.values.constructor as typeof Float64Array;
  const values = allocTyped(Ctor, n, { uninitialized: true }) as NumArray | Uint8Array;
  const anyValid = nums.some((c) => c.valid !== null);
  const valid = anyValid ? allocTyped(Uint8Array, n, { uninitialized: true }) : null;
  let o = 0;
  for (const c of nums) {
    (values as Float64Array).set(c.values as Float64Array, o);
    if (valid !== null) {
      if (c.valid !== null) valid.set(c.valid, o);
      else valid.fill(1, o, o + c.values.length);
    }
    o += c.values.length;
  }
  return { ...first, values, valid } as Column;
}

/** Two dictionaries with the same strings in the same order. */
function equalStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Concatenates partitions with the same columns (by name, in the first table's order; `meta` for none). */
export function concatTables(tables: readonly A.Table[], meta?: Meta): A.Table {
  const nonEmpty = tables.filter((t) => t.numRows > 0);
  if (nonEmpty.length === 1 && nonEmpty[0]!.batches.length === 1) return nonEmpty[0]!;
  if (tables.length === 0) {
    if (!meta) throw new Error("concatTables: no tables and no schema");
    return emptyTable(meta);
  }
  const names = columnNames(tables[0]!);
  const use = nonEmpty.length ? nonEmpty : [tables[0]!];
  return makeTable(names, names.map((n) => concatColumns(use.map((t) => readColumn(t, n)))));
}

// --- values from JS ------------------------------------------------------------------------------

/** The ColType JS values suggest: numbers -> float64 (int32 if all integers in range), strings, booleans, Dates, bigints. */
export function inferColType(values: readonly unknown[]): ColType {
  type Kind = "none" | "int" | "float" | "big" | "str" | "bool" | "date";
  let kind = "none" as Kind;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    let k: Kind;
    if (typeof v === "number") k = Number.isInteger(v) && v >= -2147483648 && v <= 2147483647 ? "int" : "float";
    else if (typeof v === "bigint") k = "big";
    else if (typeof v === "string") k = "str";
    else if (typeof v === "boolean") k = "bool";
    else if (v instanceof Date) k = "date";
    else throw new TypeError(`Cannot store a value of type ${typeof v === "object" ? (v as object).constructor?.name ?? "object" : typeof v} in a dataframe column; use numbers, bigints, strings, booleans, Dates or null.`);
    if (kind === "none") kind = k;
    else if (kind !== k) {
      if ((kind === "int" && k === "float") || (kind === "float" && k === "int")) kind = "float";
      else if ((kind === "int" || kind === "big") && (k === "big" || k === "int")) kind = "big";
      else throw new TypeError(`A column mixes ${kind === "str" ? "string" : kind} and ${k === "str" ? "string" : k} values; give it one type (or pass dtype).`);
    }
  }
  return ({ none: "float64", int: "int32", float: "float64", big: "int64", str: "string", bool: "bool", date: "date" } as const)[kind];
}

/** A column of JS values (null/undefined missing) converted to `dtype`. */
export function columnFromValues(values: readonly unknown[], dtype: ColType = inferColType(values)): Column {
  const n = values.length;
  const bad = (v: unknown): never => {
    throw new TypeError(`Value ${typeof v === "string" ? JSON.stringify(v) : String(v)} cannot be stored in a ${dtype} column.`);
  };
  switch (dtype) {
    case "string":
    case "category": {
      const codes = new Int32Array(n);
      const index = new Map<string, number>();
      const dict: string[] = [];
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (v === null || v === undefined) { codes[i] = -1; continue; }
        const s = typeof v === "string" ? v : String(v);
        let c = index.get(s);
        if (c === undefined) { c = dict.length; dict.push(s); index.set(s, c); }
        codes[i] = c;
      }
      return { kind: "str", dtype, codes, dict };
    }
    case "bool": {
      const out = new Uint8Array(n);
      let valid: Uint8Array | null = null;
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (v === null || v === undefined) { (valid ??= new Uint8Array(n).fill(1))[i] = 0; continue; }
        if (typeof v !== "boolean") bad(v);
        out[i] = v ? 1 : 0;
      }
      return { kind: "bool", dtype, values: out, valid };
    }
    case "float64":
    case "date": {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (v === null || v === undefined) out[i] = NaN;
        else if (dtype === "date" && v instanceof Date) out[i] = v.getTime();
        else if (typeof v === "number") out[i] = v;
        else if (typeof v === "bigint") out[i] = Number(v);
        else bad(v);
      }
      return { kind: "num", dtype, values: out, valid: null };
    }
    case "int32":
    case "int64": {
      const out = dtype === "int32" ? new Int32Array(n) : new BigInt64Array(n);
      let valid: Uint8Array | null = null;
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (v === null || v === undefined || (typeof v === "number" && Number.isNaN(v))) { (valid ??= new Uint8Array(n).fill(1))[i] = 0; continue; }
        if (typeof v === "number") {
          if (!Number.isInteger(v)) bad(v);
          if (dtype === "int32") {
            if (v < -2147483648 || v > 2147483647) bad(v);
            out[i] = v as never;
          } else out[i] = BigInt(v) as never;
        } else if (typeof v === "bigint") out[i] = (dtype === "int32" ? Number(v) : v) as never;
        else bad(v);
      }
      return { kind: "num", dtype, values: out, valid };
    }
  }
}

/** The values of a column as JS values (null for missing). */
export function columnToValues(c: Column): unknown[] {
  const n = columnLength(c);
  const out = new Array<unknown>(n);
  for (let i = 0; i < n; i++) out[i] = valueAt(c, i);
  return out;
}
