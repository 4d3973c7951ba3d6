/**
 * The parser's slow paths: quoted fields, values the fast loop does not take (missing markers,
 * exponents, long numbers, bad values: decoded to a JS string and read with values.ts), and rows with
 * the wrong number of fields.
 */
import type { ColType } from "../../dtypes.js";
import { decodeUtf8 } from "../../column.js";
import { CsvParseError } from "../../errors.js";
import { STR, INT32, INT64, FLOAT, DATE, BOOL, type Builder, type Ctx } from "./context.js";
import { fitsInt32, fitsInt64, parseBoolText, parseDateText, parseFloatText, parseIntText } from "./values.js";
import { viewOf } from "./dict.js";

const LF = 10, CR = 13, QUOTE = 34;

/** Thrown by the slow path when a quoted field runs past the end of a chunk that is not the file's last. */
export const INCOMPLETE = Symbol("incomplete row");

/** True when the row at offset p ends (with a line break) inside the current chunk. */
export function rowComplete(ctx: Ctx, p: number): boolean {
  try {
    for (;;) {
      p = slowField(ctx, p, -1);
      const b = ctx.buf[p]!;
      if (b === ctx.spec.sep) { p++; continue; }
      return (b === CR ? p + 1 : p) < ctx.len;
    }
  } catch (e) {
    if (e === INCOMPLETE) return false;
    throw e;
  }
}

/**
 * A row with the wrong number of fields (p: after its last field when too few; at its first extra
 * field when too many). Throws CsvParseError unless onBadLines is "skip": then the row is dropped (its
 * slot is reused by the next row) and the offset after it returned, or -1 when the chunk cuts it.
 */
export function badRow(ctx: Ctx, lineStart: number, p: number, what: "many" | "few", seen = 0): number {
  const nf = ctx.kinds.length;
  let after = p;
  let count = seen;
  if (what === "many") {
    count = nf;
    // Count the remaining fields and find the end of the row.
    for (;;) {
      after = slowField(ctx, after, -1);
      count++;
      const b = ctx.buf[after]!;
      if (b === ctx.spec.sep) { after++; continue; }
      after += b === CR ? 2 : 1;
      break;
    }
    if (after > ctx.len && !ctx.final) { ctx.resetRow(); return -1; }
  }
  if (ctx.spec.onBadLines === "skip") {
    ctx.resetRow();
    return after;
  }
  throw new CsvParseError(
    `Bad row in ${ctx.where(lineStart)}: expected ${nf} fields (as many as the ${ctx.spec.header ? "header has" : "first row has"}), saw ${count}. ` +
      `Fix the row, quote fields that contain the separator, or pass onBadLines: "skip" to drop such rows.`,
  );
}

/**
 * The field starting at fs, on the slow path: quoted fields, lone CRs, and values the fast loop did
 * not take. Converts it into field f's column (f = -1 or a skipped field: only scans) and returns the
 * offset of its terminator (separator, LF or the CR of a CR LF).
 */
export function slowField(ctx: Ctx, fs: number, f: number): number {
  const buf = ctx.buf;
  const end = ctx.len;
  const sep = ctx.spec.sep;
  let p = fs;
  let bytes: Uint8Array = buf;
  let vs = fs;
  let ve: number;
  let q = p + 1;
  if (buf[p] === QUOTE) while (q < end && buf[q] !== QUOTE) q++;
  const t = buf[q + 1];
  if (buf[p] === QUOTE && q < end && (t === sep || t === LF || (t === CR && buf[q + 2] === LF))) {
    // Quoted, with no "" inside and nothing after the closing quote: the bytes between the quotes.
    vs = p + 1;
    ve = q;
    p = q + 1;
  } else if (buf[p] === QUOTE) {
    // Quoted: copy the content ("" is one quote) into scratch, then any text after the closing quote.
    let sc = ctx.scratch;
    let n = 0;
    p++;
    for (;;) {
      if (p >= end) {
        if (!ctx.final) throw INCOMPLETE;
        throw new CsvParseError(
          `Unterminated quoted field in ${ctx.where(fs)}: the quote is never closed before the end of the file. ` +
            `Close the quote, or double quotes inside quoted fields ("").`,
        );
      }
      const b = buf[p]!;
      if (b === QUOTE) {
        if (buf[p + 1] === QUOTE && p + 1 < end) { p += 2; if (n === sc.length) sc = growScratch(ctx); sc[n++] = QUOTE; continue; }
        p++;
        break;
      }
      if (n === sc.length) sc = growScratch(ctx);
      sc[n++] = b;
      p++;
    }
    for (;;) {
      const b = buf[p]!;
      if (b === sep || b === LF || (b === CR && buf[p + 1] === LF)) break;
      if (n === sc.length) sc = growScratch(ctx);
      sc[n++] = b;
      p++;
    }
    bytes = sc;
    vs = 0;
    ve = n;
  } else {
    for (;;) {
      const b = buf[p]!;
      if (b === sep || b === LF || (b === CR && buf[p + 1] === LF)) break;
      p++;
    }
    ve = p;
  }
  const col = f >= 0 ? ctx.byField[f] : null;
  if (col) convertSlow(ctx, col, ctx.row, bytes, vs, ve, fs);
  return p;
}

function growScratch(ctx: Ctx): Uint8Array {
  const x = new Uint8Array(ctx.scratch.length * 2);
  x.set(ctx.scratch);
  ctx.scratch = x;
  ctx.scratchDv = viewOf(x);
  return x;
}

/** Converts one value on the slow path (via a JS string) into row `row` of `col`. */
function convertSlow(ctx: Ctx, col: Builder, row: number, bytes: Uint8Array, vs: number, ve: number, fieldStart: number): void {
  if (col.kind === STR) {
    col.i32[row] = col.dict!.code(bytes, bytes === ctx.buf ? ctx.dv : ctx.scratchDv, vs, ve);
    col.pend[2 * (row - ctx.row0)] = -1;
    return;
  }
  const s = decodeUtf8(bytes, vs, ve);
  if (ctx.naSet.has(s)) { col.setMissing(row, ctx.cap); return; }
  const fail = (hint: ColType | "int64 or float64", why = ""): never => {
    throw new CsvParseError(
      `Cannot read ${JSON.stringify(s)} as ${col.dtype} in column '${col.name}' (${ctx.where(fieldStart)})${why}. ` +
        `Pass dtype: { ${JSON.stringify(col.name)}: "${hint}" } to readCsv${hint === "string" ? "" : ` (or "string")`}, or fix the value.`,
    );
  };
  switch (col.kind) {
    case INT32:
    case INT64: {
      const v = parseIntText(s);
      if (v === undefined) {
        const x = parseFloatText(s);
        if (x !== undefined && ctx.isNaNum(x)) { col.setMissing(row, ctx.cap); return; }
        return x !== undefined ? fail("float64", ": it is not an integer") : fail("string");
      }
      if (ctx.naNums.length > 0 && ctx.isNaNum(Number(v))) { col.setMissing(row, ctx.cap); return; }
      if (col.kind === INT32) {
        if (!fitsInt32(v)) fail("int64", ": it is outside the int32 range");
        col.i32[row] = Number(v);
      } else {
        if (!fitsInt64(v)) fail("float64", ": it is outside the int64 range");
        col.big![row] = v;
      }
      if (col.valid !== null) col.valid[row] = 1;
      return;
    }
    case FLOAT: {
      const v = parseFloatText(s);
      if (v === undefined) return fail("string");
      col.f64[row] = ctx.naNums.length > 0 && ctx.isNaNum(v) ? NaN : v;
      return;
    }
    case DATE: {
      const v = parseDateText(s);
      if (v === undefined) return fail("string", ": dates must be ISO 8601 (2024-01-31, 2024-01-31 12:30:00, 2024-01-31T12:30:00Z)");
      col.f64[row] = v;
      return;
    }
    case BOOL: {
      const v = parseBoolText(s);
      if (v === undefined) return fail("string");
      col.u8[row] = v ? 1 : 0;
      if (col.valid !== null) col.valid[row] = 1;
      return;
    }
  }
}

