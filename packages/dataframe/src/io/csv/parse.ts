/**
 * The partition parser: one pass over the bytes of a range that writes fields straight into typed
 * columns. Unquoted numbers are parsed from bytes (integers exactly; decimals of up to 15 digits as
 * mantissa / 10^k, which is correctly rounded and so equal to Number()); strings are looked up in a
 * byte-keyed dictionary. Anything else (a field starting with a quote, an exponent, a long number, a
 * missing-value marker, a bad value) takes the slow path (fields.ts): unquoted common data stays on
 * the fast loop (rows.ts). The file is read in chunks of 1 MiB; a row cut by a chunk's end is parsed
 * again from the next chunk.
 */
import * as A from "apache-arrow";
import { closeSync, openSync } from "node:fs";
import { makeTable } from "../../column.js";
import { CsvParseError } from "../../errors.js";
import { Ctx, tableOf, type CsvPartSpec } from "./context.js";
import { INCOMPLETE, rowComplete } from "./fields.js";
import { checkHeader } from "./header.js";
import { readFully } from "@dask-ts/core";
import { firstRowStart } from "./ranges.js";
import { rowParser } from "./rows.js";

export type { CsvPartSpec } from "./context.js";

const LF = 10;

/** Bytes read per step; a row longer than this grows the buffer. */
let CHUNK = 1 << 20;

/** Sets the bytes read per step in this thread (tests use tiny chunks to cut rows everywhere); returns the old value. */
export function setChunkBytes(n: number): number {
  const old = CHUNK;
  CHUNK = Math.max(1, Math.floor(n));
  return old;
}

/** Parses the rows of one byte range of a file into an Arrow table of the requested columns. */
export function parsePart(spec: CsvPartSpec, quoteCounts: readonly number[]): A.Table {
  if (spec.headerOf !== undefined) checkHeader(spec.path, spec.fileSize, spec.sep, spec.names, spec.headerOf);
  if (spec.names.length === 0) return makeTable([], []); // a file with no header and no rows
  let before = 0;
  for (const c of quoteCounts) before += c;
  const fd = openSync(spec.path, "r");
  try {
    const rowStart = firstRowStart(fd, spec.start, spec.end, before, spec.skipHeader);
    const owned = rowStart >= 0 ? spec.end - rowStart : 0;
    const ctx = new Ctx(spec, owned > 0 ? Math.ceil((owned / Math.max(1, spec.rowBytes)) * 1.1) + 16 : 0);
    if (owned > 0) parseFrom(ctx, fd, rowStart);
    return tableOf(ctx.builders.map((b) => b.finish(ctx.row, ctx.cap)), ctx.row);
  } finally {
    closeSync(fd);
  }
}

/** Reads and parses chunk after chunk from file offset `pos` until the rows that start before spec.end are done. */
function parseFrom(ctx: Ctx, fd: number, pos: number): void {
  const { end, fileSize } = ctx.spec;
  let size = Math.max(1, Math.min(CHUNK, fileSize - pos));
  let buf = Buffer.allocUnsafe(size + 1);
  let len = 0;
  const parse = rowParser(ctx);
  for (;;) {
    const got = readFully(fd, buf, len, size - len, pos + len);
    len += got;
    // (got 0: the file ended early, e.g. it shrank since the graph was built.)
    const final = pos + len >= fileSize || got === 0;
    buf[len] = LF;
    ctx.setChunk(buf, pos, len, final);
    const limit = Math.min(len, end - pos);
    let next: number;
    try {
      next = parse(ctx, 0, limit);
    } catch (e) {
      // A value error or bad row in a row cut by the chunk's end is no error yet: parse it again with more bytes.
      if (final || (e !== INCOMPLETE && !(e instanceof CsvParseError && !rowComplete(ctx, ctx.lineStart)))) throw e;
      next = ctx.lineStart;
      ctx.resetRow();
    }
    ctx.flush(ctx.row);
    if (pos + next >= end || final) return;
    if (next === 0) {
      // One row fills the buffer: a bigger one.
      size *= 2;
      const bigger = Buffer.allocUnsafe(size + 1);
      buf.copy(bigger, 0, 0, len);
      buf = bigger;
    } else {
      buf.copy(buf, 0, next, len);
      len -= next;
      pos += next;
    }
  }
}

