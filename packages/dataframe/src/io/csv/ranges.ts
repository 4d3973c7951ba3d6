/**
 * Byte ranges of a CSV file and the rows they own. A range [start, end) owns the rows that start
 * inside it. Whether `start` lies inside a quoted field (where a line break is data, not a row end)
 * follows from the parity of the quote bytes before it: the counts of the earlier ranges, computed by
 * cheap tasks of their own (quoteCount). The parse task skips to the first line break outside quotes
 * (firstRowStart), then parses rows while they start before `end`, reading past `end` to complete
 * the last one.
 *
 * Parity tracks quotes correctly for RFC 4180 files (quotes only open and close fields or come in ""
 * pairs). A stray quote inside an unquoted field (`ab"c`, which pandas keeps as text) shifts parity;
 * files with such fields should be read with one range per file (a blocksize larger than the file).
 */
import { readFully } from "@dask-ts/core";
import { closeSync, openSync } from "node:fs";


const QUOTE = 34;
const LF = 10;
const CHUNK = 1 << 20;
const LOOKAHEAD = 1 << 16;

/**
 * Occurrences of byte `b` in buf[from, to). memchr (indexOf) while hits are sparse, a plain loop once
 * they are dense (every field quoted), where a call per hit would cost more than a look per byte.
 */
export function countByte(buf: Buffer, from: number, to: number, b: number): number {
  let n = 0;
  let i = from;
  while (i < to) {
    const j = buf.indexOf(b, i);
    if (j < 0 || j >= to) return n;
    n++;
    i = j + 1;
    if (n >= 256 && i - from < n * 128) {
      for (; i < to; i++) if (buf[i] === b) n++;
      return n;
    }
  }
  return n;
}

/** Number of quote bytes in a file's bytes [start, end) (the task that lets later ranges find their rows). */
export function quoteCount(path: string, start: number, end: number): number {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(1, end - start)));
    let n = 0;
    for (let pos = start; pos < end; ) {
      const got = readFully(fd, buf, 0, Math.min(buf.length, end - pos), pos);
      if (got === 0) break;
      n += countByte(buf, 0, got, QUOTE);
      pos += got;
    }
    return n;
  } finally {
    closeSync(fd);
  }
}

/** The 1-based line of a byte offset of a file: line breaks before it, plus one (only on error paths). */
export function lineOfOffset(path: string, offset: number): number {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let lines = 1;
    for (let pos = 0; pos < offset; ) {
      const got = readFully(fd, buf, 0, Math.min(CHUNK, offset - pos), pos);
      if (got === 0) break;
      lines += countByte(buf, 0, got, LF);
      pos += got;
    }
    return lines;
  } finally {
    closeSync(fd);
  }
}

/**
 * Index of the first LF outside quotes in buf[from, to), given whether `from` lies inside quotes;
 * -1 when there is none. `state.inQuote` is left at the state at the returned index (or at `to`).
 */
function unquotedLf(buf: Uint8Array, from: number, to: number, state: { inQuote: boolean }): number {
  let q = state.inQuote;
  for (let i = from; i < to; i++) {
    const b = buf[i]!;
    if (b === QUOTE) q = !q;
    else if (b === LF && !q) {
      state.inQuote = q;
      return i;
    }
  }
  state.inQuote = q;
  return -1;
}

/**
 * The file offset of the first row a range [start, end) owns, or -1 when it owns none. `quotesBefore`
 * is the number of quote bytes in the file before `start`; `skipHeader` drops the file's first row
 * (for the range at offset 0 of a file with a header). A UTF-8 byte order mark at offset 0 is skipped.
 */
export function firstRowStart(fd: number, start: number, end: number, quotesBefore: number, skipHeader: boolean): number {
  const buf = Buffer.allocUnsafe(Math.min(LOOKAHEAD, Math.max(3, end - start + 1)));
  let from: number;
  const state = { inQuote: false };
  if (start === 0) {
    const got = readFully(fd, buf, 0, 3, 0);
    from = got === 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
    if (!skipHeader) return from < end ? from : -1;
  } else {
    // Byte start-1: a LF outside quotes there means a row starts exactly at `start`.
    state.inQuote = (quotesBefore & 1) === 1;
    if (readFully(fd, buf, 0, 1, start - 1) === 1 && buf[0] === LF && !state.inQuote) return start;
    from = start;
  }
  // Skip to just after the first LF outside quotes (which must lie before `end`).
  for (let pos = from; pos < end; ) {
    const got = readFully(fd, buf, 0, Math.min(buf.length, end - pos), pos);
    if (got === 0) return -1;
    const lf = unquotedLf(buf, 0, got, state);
    if (lf >= 0) return pos + lf + 1 < end ? pos + lf + 1 : -1;
    pos += got;
  }
  return -1;
}
