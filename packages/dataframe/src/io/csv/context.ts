/** State of a partition parse: the output columns being filled and the chunk being read. */
import { allocTyped } from "@dask-ts/core";
import * as A from "apache-arrow";
import { columnToArrow, type Column } from "../../column.js";
import { CATEGORY_META, type ColType } from "../../dtypes.js";
import { ByteDict, viewOf } from "./dict.js";
import { lineOfOffset } from "./ranges.js";
import { parseFloatText } from "./values.js";

/** What a parse task needs: plain data (tasks carry no file contents). */
export interface CsvPartSpec {
  readonly path: string;
  /** The byte range [start, end) of the file whose rows this partition holds. */
  readonly start: number;
  readonly end: number;
  readonly fileSize: number;
  /** The files have a header row. */
  readonly header: boolean;
  /** The range starts the file and the file has a header row (skipped). */
  readonly skipHeader: boolean;
  /**
   * On the ranges of a file after the first (with header): the first file, whose header (`names`)
   * this file's header must equal. Every range checks it (one small read), so a file with other
   * columns fails with that, not with whatever error its rows would give first.
   */
  readonly headerOf?: string;
  /** Separator byte. */
  readonly sep: number;
  /** Every field of a row, in file order, and its type (types of fields not converted are unused). */
  readonly names: readonly string[];
  readonly dtypes: readonly ColType[];
  /** The fields to convert into the output, in file order (others are scanned past). */
  readonly columns: readonly string[];
  readonly naValues: readonly string[];
  readonly onBadLines: "error" | "skip";
  /** Average bytes per row in the sample (sizes the output arrays). */
  readonly rowBytes: number;
}

/** How the parser treats a field: scanned past, or converted to one of the column kinds. */
export const SKIP = 0, INT32 = 1, INT64 = 2, FLOAT = 3, BOOL = 4, STR = 5, DATE = 6;
export const KIND: Record<ColType, number> = { int32: INT32, int64: INT64, float64: FLOAT, bool: BOOL, string: STR, category: STR, date: DATE };

const EMPTY_I32 = new Int32Array(0);
const EMPTY_F64 = new Float64Array(0);
const EMPTY_U8 = new Uint8Array(0);

/** Rows whose string values are looked up together (see ByteDict.codes). */
export const BATCH = 512;

/** One output column being filled. Every field is always present, so accesses stay monomorphic. */
export class Builder {
  i32: Int32Array = EMPTY_I32; // int32 values, string codes, or int64 values as (lo, hi) pairs
  f64: Float64Array = EMPTY_F64; // float64 and date
  u8: Uint8Array = EMPTY_U8; // bool
  big: BigInt64Array | null = null; // int64 (i32 is a view of it)
  valid: Uint8Array | null = null;
  readonly dict: ByteDict | null;
  /** String columns: byte ranges [start, end) of this batch's values, coded together (start -1: coded already). */
  pend: Int32Array = EMPTY_I32;
  constructor(readonly name: string, readonly dtype: ColType, readonly kind: number, cap: number, naValues: readonly string[]) {
    this.dict = kind === STR ? new ByteDict(naValues) : null;
    if (kind === STR) this.pend = new Int32Array(2 * BATCH);
    this.alloc(cap, 0);
  }

  /** (Re)allocates the arrays for `cap` rows, keeping the first `keep`. */
  alloc(cap: number, keep: number): void {
    const k = this.kind;
    if (k === INT32 || k === STR) this.i32 = grow(Int32Array, this.i32, cap, keep);
    else if (k === INT64) {
      const big = allocTyped(BigInt64Array, cap, { uninitialized: true });
      if (this.big !== null) big.set(this.big.subarray(0, keep));
      this.big = big;
      this.i32 = new Int32Array(big.buffer, big.byteOffset, cap * 2);
    } else if (k === FLOAT || k === DATE) this.f64 = grow(Float64Array, this.f64, cap, keep);
    else if (k === BOOL) this.u8 = grow(Uint8Array, this.u8, cap, keep);
    if (this.valid !== null) {
      const v = allocTyped(Uint8Array, cap, { uninitialized: true });
      v.set(this.valid.subarray(0, keep));
      v.fill(1, keep);
      this.valid = v;
    }
  }

  /** Marks row r missing. */
  setMissing(r: number, cap: number): void {
    switch (this.kind) {
      case FLOAT: case DATE: this.f64[r] = NaN; return;
      case STR: this.i32[r] = -1; return;
      case INT64: this.i32[2 * r] = 0; this.i32[2 * r + 1] = 0; break;
      case INT32: this.i32[r] = 0; break;
      case BOOL: this.u8[r] = 0; break;
    }
    if (this.valid === null) {
      this.valid = allocTyped(Uint8Array, cap, { uninitialized: true });
      this.valid.fill(1);
    }
    this.valid[r] = 0;
  }

  /** Arrow field and data of the first n rows. */
  finish(n: number, cap: number): { field: A.Field; data: A.Data } {
    // Views when little is wasted; a copy of the rows otherwise.
    const exact = n >= cap - (cap >> 3);
    const cut = <T extends Int32Array | Float64Array | Uint8Array | BigInt64Array>(a: T): T => {
      if (exact) return a.subarray(0, n) as T;
      const out = allocTyped(a.constructor as never, n, { uninitialized: true }) as unknown as T;
      (out as Int32Array).set((a as Int32Array).subarray(0, n));
      return out;
    };
    const valid = this.valid === null ? null : cut(this.valid);
    let c: Column;
    switch (this.kind) {
      case INT32: c = { kind: "num", dtype: "int32", values: cut(this.i32), valid }; break;
      case INT64: c = { kind: "num", dtype: "int64", values: cut(this.big!), valid }; break;
      case FLOAT: c = { kind: "num", dtype: "float64", values: cut(this.f64), valid: null }; break;
      case DATE: c = { kind: "num", dtype: "date", values: cut(this.f64), valid: null }; break;
      case BOOL: c = { kind: "bool", dtype: "bool", values: cut(this.u8), valid }; break;
      default: return this.dictionaryArrow(cut(this.i32), n);
    }
    return columnToArrow(this.name, c);
  }

  /** A dictionary column straight from the dictionary's bytes (no JS strings on the way). */
  private dictionaryArrow(codes: Int32Array, n: number): { field: A.Field; data: A.Data } {
    const { offsets, data } = this.dict!.utf8();
    const dictionary = new A.Vector([A.makeData({ type: new A.Utf8(), length: offsets.length - 1, valueOffsets: offsets, data })]);
    let nulls = 0;
    for (let i = 0; i < n; i++) if (codes[i]! < 0) nulls++;
    let bitmap: Uint8Array | null = null;
    let idx = codes;
    if (nulls > 0) {
      bitmap = new Uint8Array((n + 7) >> 3);
      idx = allocTyped(Int32Array, n, { uninitialized: true });
      for (let i = 0; i < n; i++) {
        const k = codes[i]!;
        if (k >= 0) bitmap[i >> 3]! |= 1 << (i & 7);
        idx[i] = k < 0 ? 0 : k;
      }
    }
    const type = new A.Dictionary(new A.Utf8(), new A.Int32());
    const meta = this.dtype === "category" ? new Map([[CATEGORY_META, "category"]]) : undefined;
    return {
      field: new A.Field(this.name, type, true, meta),
      data: A.makeData({ type, length: n, nullCount: nulls, nullBitmap: bitmap, data: idx, dictionary }),
    };
  }
}

function grow<T extends Int32Array | Float64Array | Uint8Array>(C: { new (n: number): T }, old: T, cap: number, keep: number): T {
  const a = allocTyped(C as never, cap, { uninitialized: true }) as unknown as T;
  if (keep > 0) (a as Int32Array).set((old as Int32Array).subarray(0, keep));
  return a;
}

/** Parser state shared by the fast loop and the slow paths. */
export class Ctx {
  /** Output builder of each field of a row (null: scanned past). */
  readonly byField: (Builder | null)[];
  readonly kinds: Int32Array;
  readonly builders: Builder[];
  readonly strs: Builder[];
  readonly naSet: Set<string>;
  /** Missing-value markers that read as numbers (pandas' na_fvalues): parsed numbers equal to one are missing. */
  readonly naNums: number[];
  cap: number;
  /** Rows filled so far. */
  row = 0;
  /** First row of the current batch of string lookups. */
  row0 = 0;
  /** The current chunk: file bytes [base, base + len), then a LF sentinel at buf[len]. */
  buf: Buffer = Buffer.alloc(1);
  dv: DataView = viewOf(this.buf);
  base = 0;
  len = 0;
  /** The chunk ends the file (else a row that reaches its end is incomplete and parsed again with more bytes). */
  final = false;
  /** Offset in buf of the row being parsed. */
  lineStart = 0;
  /** Unescaped content of the last quoted field. */
  scratch: Uint8Array = new Uint8Array(256);
  scratchDv: DataView = viewOf(this.scratch);
  /** 1 for the bytes that end an unquoted field (separator, LF, CR): one load per byte in scan loops. */
  readonly stop = new Uint8Array(256);

  constructor(readonly spec: CsvPartSpec, cap: number) {
    this.cap = cap;
    const conv = new Set(spec.columns);
    this.kinds = new Int32Array(spec.names.length);
    this.byField = spec.names.map((n, i) => {
      if (!conv.has(n)) return null;
      const dt = spec.dtypes[i]!;
      this.kinds[i] = KIND[dt];
      return new Builder(n, dt, KIND[dt], cap, spec.naValues);
    });
    this.builders = this.byField.filter((b): b is Builder => b !== null);
    this.strs = this.builders.filter((b) => b.kind === STR);
    this.naSet = new Set(spec.naValues);
    this.naNums = spec.naValues.map((s) => parseFloatText(s)).filter((v): v is number => v !== undefined);
    this.stop[spec.sep] = this.stop[10] = this.stop[13] = 1;
  }

  /** Makes bytes [0, len) of buf, file bytes from `base`, the current chunk (buf[len] must be a LF). */
  setChunk(buf: Buffer, base: number, len: number, final: boolean): void {
    if (this.buf !== buf) {
      this.buf = buf;
      this.dv = viewOf(buf);
    }
    this.base = base;
    this.len = len;
    this.final = final;
  }

  /** Codes the pending string values of rows [row0, end) (their bytes are in the current chunk). */
  flush(end: number): void {
    const n = end - this.row0;
    if (n > 0) for (const b of this.strs) b.dict!.codes(this.buf, this.dv, b.pend, n, b.i32, this.row0);
    this.row0 = end;
  }

  growTo(cap: number, keep: number): void {
    for (const b of this.builders) b.alloc(cap, keep);
    this.cap = cap;
  }

  isNaNum(v: number): boolean {
    return this.naNums.includes(v);
  }

  /** Undoes the missing marks of the current row (a row dropped or parsed again). */
  resetRow(): void {
    for (const b of this.builders) if (b.valid !== null) b.valid[this.row] = 1;
  }

  /** Where buffer offset p is, for messages: "file.csv, line 12" (the line is counted only now). */
  where(p: number): string {
    return `${this.spec.path}, line ${lineOfOffset(this.spec.path, this.base + p)}`;
  }
}

/** A single-batch table of Arrow columns (as makeTable builds it). */
export function tableOf(parts: readonly { field: A.Field; data: A.Data }[], n: number): A.Table {
  const fields = parts.map((p) => p.field);
  const schema = new A.Schema(fields);
  const data = A.makeData({ type: new A.Struct(fields), length: n, nullCount: 0, children: parts.map((p) => p.data) });
  return new A.Table(schema, [new A.RecordBatch(schema, data)]);
}

