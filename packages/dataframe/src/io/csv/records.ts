/**
 * A plain RFC 4180 record splitter to JS strings, for the header and the type-inference sample (small
 * inputs; the partition parser in parse.ts works on bytes). Same rules as the parser: a field that
 * starts with a quote is quoted ("" is a quote; text after the closing quote is kept, as pandas does),
 * a quote elsewhere is a plain character, lines end with LF or CRLF, blank lines are skipped.
 */
import { decodeUtf8 } from "../../column.js";

const QUOTE = 34;
const LF = 10;
const CR = 13;

/** Records found in bytes [start, end) and the offset after the last complete one. */
export interface Records {
  readonly records: string[][];
  /** Offsets of each record's first byte. */
  readonly offsets: number[];
  readonly next: number;
}

/**
 * Splits bytes [start, end) into records. A record not terminated by a line break before `end` is
 * included only when `atEof` (the end of the file).
 */
export function splitRecords(bytes: Uint8Array, start: number, end: number, sep: number, atEof: boolean, maxRecords = Infinity): Records {
  const records: string[][] = [];
  const offsets: number[] = [];
  let p = start;
  let next = start;
  const scratch: number[] = [];
  while (p < end && records.length < maxRecords) {
    const b0 = bytes[p]!;
    if (b0 === LF) { p++; next = p; continue; }
    if (b0 === CR && p + 1 < end && bytes[p + 1] === LF) { p += 2; next = p; continue; }
    if (b0 === CR && p + 1 === end && atEof) { p++; next = p; continue; }
    const rec: string[] = [];
    const recStart = p;
    let complete = false;
    for (;;) {
      // One field from p.
      let value: string;
      if (p < end && bytes[p] === QUOTE) {
        scratch.length = 0;
        p++;
        let closed = false;
        while (p < end) {
          const b = bytes[p]!;
          if (b === QUOTE) {
            if (p + 1 < end && bytes[p + 1] === QUOTE) { scratch.push(QUOTE); p += 2; continue; }
            if (p + 1 === end && !atEof) break; // the next byte decides: unknown
            p++;
            closed = true;
            break;
          }
          scratch.push(b);
          p++;
        }
        if (!closed) {
          if (!atEof || p < end) { complete = false; break; }
          // An unterminated quote at the end of the file: the rest is the field (the parser reports it).
        }
        while (p < end) {
          const b = bytes[p]!;
          if (b === sep || b === LF || (b === CR && p + 1 < end && bytes[p + 1] === LF)) break;
          if (b === CR && p + 1 === end && atEof) break;
          scratch.push(b);
          p++;
        }
        value = decodeUtf8(Uint8Array.from(scratch), 0, scratch.length);
      } else {
        const fs = p;
        while (p < end) {
          const b = bytes[p]!;
          if (b === sep || b === LF || (b === CR && p + 1 < end && bytes[p + 1] === LF)) break;
          if (b === CR && p + 1 === end && atEof) break;
          p++;
        }
        value = decodeUtf8(bytes, fs, p);
      }
      rec.push(value);
      if (p >= end) { complete = atEof; break; }
      const t = bytes[p]!;
      if (t === sep) { p++; continue; }
      p += t === CR ? 2 : 1;
      if (p > end) p = end;
      complete = true;
      break;
    }
    if (!complete) break;
    records.push(rec);
    offsets.push(recStart);
    next = p;
  }
  return { records, offsets, next };
}
