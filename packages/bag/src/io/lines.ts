/**
 * Reading the lines of one byte block of a text file (the work of a readText task). A block
 * [start, end) owns the lines that START inside it: it skips the tail of a line begun before `start`
 * and reads past `end` to finish its last line. Blocks are cut only just after "\n" bytes, which in
 * the ASCII-compatible encodings readText accepts never occur inside a multi-byte character.
 */
import { readFully } from "@dask-ts/core";
import { closeSync, fstatSync, openSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

const LF = 10;
/** Bytes read at a time when looking past a block's end for its last line's end. */
const LOOKAHEAD = 1 << 16;

/**
 * The bytes of the lines starting in [start, end) of an open file of `size` bytes: from just after
 * the first "\n" at or after start-1 (0 when start is 0) to just after the first "\n" at or after
 * end-1 (or the end of the file).
 */
export function readAlignedBlock(fd: number, start: number, end: number, size: number): Buffer {
  end = Math.min(end, size);
  if (start >= end) return Buffer.alloc(0);
  const from = start === 0 ? 0 : start - 1;
  // Read a little past the end at once: the last line usually ends there, and then no copy is needed.
  const want = Math.min(size, end + LOOKAHEAD) - from;
  const main = Buffer.allocUnsafe(want);
  const got = readFully(fd, main, 0, want, from);
  let first = 0;
  if (start > 0) {
    const j = main.indexOf(LF, 0);
    // No line starts in this block: the line begun before it runs past its end.
    if (j < 0 || j + 1 >= end - from) return Buffer.alloc(0);
    first = j + 1;
  }
  const last = main.indexOf(LF, end - 1 - from);
  if (last >= 0 && last < got) return main.subarray(first, last + 1);
  if (from + got >= size) return main.subarray(first, got);
  // A last line longer than the look-ahead: read on to its "\n" (or the end of the file).
  const tail: Buffer[] = [main.subarray(first, got)];
  let pos = from + got;
  const chunk = Buffer.allocUnsafe(LOOKAHEAD);
  while (pos < size) {
    const n = readFully(fd, chunk, 0, LOOKAHEAD, pos);
    if (n === 0) break;
    const j = chunk.indexOf(LF, 0);
    if (j >= 0 && j < n) {
      tail.push(Buffer.from(chunk.subarray(0, j + 1)));
      break;
    }
    tail.push(Buffer.from(chunk.subarray(0, n)));
    pos += n;
  }
  return Buffer.concat(tail);
}

/**
 * The lines of a text, each with its line ending, as Python's universal newlines (Dask's read_text):
 * "\n", "\r\n" and a lone "\r" end a line and become "\n"; a last line without one is kept as is.
 */
export function splitLines(text: string): string[] {
  const out: string[] = [];
  let s = 0;
  if (text.indexOf("\r") < 0) {
    // The common case: slices of the text (V8 shares the text's memory), found with indexOf.
    for (;;) {
      const j = text.indexOf("\n", s);
      if (j < 0) break;
      out.push(text.slice(s, j + 1));
      s = j + 1;
    }
  } else {
    const n = text.length;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === LF) {
        out.push(text.slice(s, i + 1));
        s = i + 1;
      } else if (c === 13) {
        out.push(text.slice(s, i) + "\n");
        if (i + 1 < n && text.charCodeAt(i + 1) === LF) i++;
        s = i + 1;
      }
    }
  }
  if (s < text.length) out.push(s === 0 ? text : text.slice(s));
  return out;
}

/**
 * The lines of one partition of readText: the whole file (start null), a gzip file (decompressed here,
 * in the task), or the lines starting in bytes [start, end).
 */
export function readTextLines(path: string, start: number | null, end: number | null, encoding: BufferEncoding, gzip: boolean): string[] {
  return splitLines(readBlockBytes(path, start, end, gzip).toString(encoding));
}

/** The bytes of one readText partition: a whole file (start null), a gzip file (decompressed), or the lines starting in [start, end). */
export function readBlockBytes(path: string, start: number | null, end: number | null, gzip: boolean): Buffer {
  if (gzip) return gunzipSync(readFileSync(path));
  if (start === null || end === null) return readFileSync(path);
  const fd = openSync(path, "r");
  try {
    return readAlignedBlock(fd, start, end, fstatSync(fd).size);
  } finally {
    closeSync(fd);
  }
}
