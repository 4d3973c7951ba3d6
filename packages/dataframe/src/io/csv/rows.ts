/**
 * The fast row loop, compiled once per row layout (field kinds, separator): straight-line code per
 * field with the kind's parser inlined, so the loop spends nothing on dispatch per field (layouts of
 * more than 64 fields get a loop with a switch per field: V8 does not optimize very large functions).
 * Generated code holds only numbers from the layout (no user text). What it does per kind:
 *
 * - scanned past: a run of such fields (two or more, or the rest of the row) is skipped four bytes
 *   at a time, counting separators (skip.ts), while no quote lies ahead; a single one, or a run with a
 *   quote ahead, is scanned byte by byte with a lookup table of the bytes that end a field;
 * - string: scanned four bytes at a time to a byte that may end it, then byte by byte; the field's
 *   byte range is recorded and coded in batches (Ctx.flush, ByteDict.codes);
 * - int32 / int64: sign and digits accumulated in a double (exact below 2^53), range-checked;
 * - float64: up to 15 digits with one optional point: mantissa / 10^k, correctly rounded, so equal
 *   to Number() of the text;
 * - bool: the six spellings pandas reads, compared as words;
 * - anything else (a leading quote, '+', exponents, more digits, missing markers, bad values, dates)
 *   goes to fields.ts' slowField, which converts via a JS string.
 */
import { BATCH, BOOL, DATE, FLOAT, INT32, INT64, SKIP, STR, type Ctx } from "./context.js";
import { badRow, slowField } from "./fields.js";
import { scanField, skipFields, skipRest } from "./skip.js";

/**
 * A compiled row loop: parses the rows of the current chunk that start in [p, limit); returns the
 * offset after the last row parsed, or the start of a row the chunk's end cuts (parsed again later).
 */
export type RowParser = (ctx: Ctx, p: number, limit: number) => number;

const BOOL_WORDS = ["true", "True", "TRUE", "false", "False", "FALSE"];
const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));
const cache = new Map<string, RowParser>();

/** The row loop for a context's layout (compiled on first use, then cached). */
export function rowParser(ctx: Ctx): RowParser {
  const kinds = Array.from(ctx.kinds);
  const naNum = ctx.naNums.length > 0;
  // A bool spelling among the missing markers: bool fields take the slow path (generated as for dates),
  // which checks markers first.
  const naBool = BOOL_WORDS.some((w) => ctx.naSet.has(w));
  const key = `${kinds.join(",")}|${ctx.spec.sep}|${naNum}|${naBool}`;
  let fn = cache.get(key);
  if (fn === undefined) {
    const src = rowSource(naBool ? kinds.map((k) => (k === BOOL ? DATE : k)) : kinds, ctx.spec.sep, naNum);
    fn = new Function("H", src)({ slowField, badRow, POW10, BATCH, skipFields, skipRest, scanField }) as RowParser;
    cache.set(key, fn);
  }
  return fn;
}

/**
 * Source of the code converting a field of kind `kind` whose first byte `b` is not a quote: `c` names
 * its builder and `k` its field index (literals when unrolled, variables in the loop form).
 */
function fieldCode(c: string, k: string, kind: number, naNum: boolean): string {
  const slow = `p = H.slowField(ctx, fs, ${k});`;
  const notNa = (v: string) => (naNum ? ` && !ctx.isNaNum(${v})` : "");
  switch (kind) {
    case SKIP:
      return "while (stop[b] === 0) b = buf[++p];";
    case STR:
      // A word at a time to the first byte that may end the field, then byte by byte.
      return `p = scanField(dv, p, SEPS, vend); b = buf[p]; while (stop[b] === 0) b = buf[++p]; ${c}.pend[pi] = fs; ${c}.pend[pi + 1] = p;`;
    case INT32:
    case INT64: {
      const maxDigits = kind === INT32 ? 10 : 15;
      const store =
        kind === INT32
          ? `${c}.i32[row] = v;`
          : // Two's complement words of an exact integer below 2^53: no BigInt per value.
            `const hi = Math.floor(v / 4294967296); ${c}.i32[2 * row] = (v - hi * 4294967296) | 0; ${c}.i32[2 * row + 1] = hi;`;
      const range = kind === INT32 ? " && v >= -2147483648 && v <= 2147483647" : "";
      return `{
        let neg = false;
        if (b === 45) { neg = true; b = buf[++p]; }
        const ds = p;
        let v = 0;
        while (b >= 48 && b <= 57) { v = v * 10 + (b - 48); b = buf[++p]; }
        const nd = p - ds;
        if (neg) v = -v;
        if (nd > 0 && nd <= ${maxDigits} && stop[b] === 1${range}${notNa("v")}) { ${store} } else ${slow}
      }`;
    }
    case FLOAT:
      return `{
        let neg = false;
        if (b === 45) { neg = true; b = buf[++p]; }
        const ds = p;
        let m = 0;
        while (b >= 48 && b <= 57) { m = m * 10 + (b - 48); b = buf[++p]; }
        let nd = p - ds;
        let frac = 0;
        if (b === 46) {
          b = buf[++p];
          const fd = p;
          while (b >= 48 && b <= 57) { m = m * 10 + (b - 48); b = buf[++p]; }
          frac = p - fd;
          nd += frac;
        }
        let v = frac === 0 ? m : m / POW10[frac];
        if (neg) v = -v;
        if (nd > 0 && nd <= 15 && stop[b] === 1${notNa("v")}) ${c}.f64[row] = v; else ${slow}
      }`;
    case BOOL:
      // true/True/TRUE and false/False/FALSE as little-endian words of their first four bytes.
      return `{
        while (stop[b] === 0) b = buf[++p];
        const n = p - fs;
        const w = n === 4 || n === 5 ? dv.getInt32(fs, true) : 0;
        if (n === 4 && (w === 0x65757274 || w === 0x65757254 || w === 0x45555254)) ${c}.u8[row] = 1;
        else if (n === 5 && (((w === 0x736c6166 || w === 0x736c6146) && buf[fs + 4] === 101) || (w === 0x534c4146 && buf[fs + 4] === 69))) ${c}.u8[row] = 0;
        else ${slow}
      }`;
    case DATE:
    default:
      return slow;
  }
}

/** Runs of at least this many fields scanned past (or any run that ends the row) get the word scan. */
const MIN_RUN = 2;

/** Layouts wider than this get a loop over fields (a switch per field) instead of unrolled code, which V8 would not optimize. */
const UNROLL_MAX = 64;

/** Source of the row loop; returns the body of `function (H) { ... }`. */
function rowSource(kinds: readonly number[], sep: number, naNum: boolean): string {
  const nf = kinds.length;
  const fields: string[] = [];
  if (nf <= UNROLL_MAX) {
    const one = (kind: number, k: number): string =>
      `
      // field ${k}
      fs = p;
      if (b === 34) p = H.slowField(ctx, fs, ${k});
      else { ${fieldCode(`c${k}`, String(k), kind, naNum)} }
      b = buf[p];
      if (b === 13 && buf[p + 1] !== 10) { p = H.slowField(ctx, fs, ${k}); b = buf[p]; }` +
      (k < nf - 1
        ? `
      if (b !== ${sep}) { nseen = ${k + 1}; break body; }
      b = buf[++p];`
        : "");
    for (let k = 0; k < nf; ) {
      let e = k;
      while (e < nf && kinds[e] === SKIP) e++;
      if (e - k >= MIN_RUN || (e === nf && e > k)) {
        // A run of fields scanned past: a word at a time while no quote lies ahead (skip.ts).
        const fast =
          e < nf
            ? `const to = skipFields(dv, p, ${e - k}, SEPS, nq);
        if (to >= 0) { p = to; b = buf[p]; }`
            : `const to = skipRest(dv, p, ${e - k - 1}, SEPS, nq);
        if (to >= 0) { p = to > p && buf[to - 1] === 13 ? to - 1 : to; b = buf[p]; }`;
        fields.push(`
      // fields ${k} to ${e - 1}: scanned past
      if (nq < p && qok) {
        nq = buf.indexOf(34, p);
        if (nq < 0) nq = vend;
        // Quotes everywhere: the word scans would rarely run; stop looking for the next quote.
        if (++nqn > 64 && nqn * 16 > row - row1) qok = false;
      }
      {
        ${fast}
        else {${kinds.slice(k, e).map((kind, j) => one(kind, k + j)).join("")}
        }
      }`);
        k = e;
      } else {
        fields.push(one(kinds[k]!, k));
        k++;
      }
    }
  } else {
    const cases = [...new Set(kinds)].map((kind) => `case ${kind}: { ${fieldCode("cf", "f", kind, naNum)} } break;`);
    fields.push(`
      for (let f = 0; ; f++) {
        fs = p;
        const cf = bf[f];
        if (b === 34) p = H.slowField(ctx, fs, f);
        else switch (kinds[f]) { ${cases.join("\n")} }
        b = buf[p];
        if (b === 13 && buf[p + 1] !== 10) { p = H.slowField(ctx, fs, f); b = buf[p]; }
        if (f === ${nf - 1}) break;
        if (b !== ${sep}) { nseen = f + 1; break; }
        b = buf[++p];
      }`);
  }
  const builders = nf > UNROLL_MAX ? `const bf = ctx.byField, kinds = KINDS;` : kinds.map((kind, k) => (kind === SKIP ? "" : `const c${k} = ctx.byField[${k}];`)).join(" ");
  return `"use strict";
  const BATCH = H.BATCH, POW10 = H.POW10, skipFields = H.skipFields, skipRest = H.skipRest, scanField = H.scanField;
  const SEPS = ${Math.imul(sep, 0x01010101)};
  const KINDS = new Int32Array([${kinds.join(",")}]);
  return function parseRows(ctx, p, limit) {
    const buf = ctx.buf, dv = ctx.dv, len = ctx.len, final = ctx.final, stop = ctx.stop;
    ${builders}
    let row = ctx.row, row0 = ctx.row0, cap = ctx.cap;
    // Offset of the next quote at or after p (word scans stop there), refreshed when passed.
    const vend = dv.byteLength, row1 = row;
    let nq = -1, nqn = 0, qok = true;
    while (p < limit) {
      let b = buf[p];
      if (b === 10) { p++; continue; } // blank line
      if (b === 13 && buf[p + 1] === 10 && (p + 1 < len || final)) { p += 2; continue; }
      if (row === cap) { ctx.growTo(Math.max(16, Math.ceil(cap * 1.5)), row); cap = ctx.cap; }
      if (row - row0 === BATCH) { ctx.flush(row); row0 = row; }
      const pi = 2 * (row - row0);
      const lineStart = p;
      ctx.lineStart = p;
      ctx.row = row;
      let fs = p, nseen = ${nf};
      body: {${fields.join("")}
      }
      if (b === ${sep}) {
        // More fields than the header: the row is an error, or dropped (-1: the chunk cuts it).
        p = H.badRow(ctx, lineStart, p + 1, "many");
        if (p < 0) return lineStart;
        continue;
      }
      // The end of the line: LF, CR LF, or the sentinel LF at len (then the row may go on in the file).
      p += b === 13 ? 2 : 1;
      if (p > len && !final) { ctx.resetRow(); return lineStart; }
      if (nseen !== ${nf}) { H.badRow(ctx, lineStart, p, "few", nseen); continue; }
      row++;
    }
    ctx.row = row;
    return p > len ? len : p;
  };`;
}
