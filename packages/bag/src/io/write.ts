/**
 * Writing one partition as a text file (the work of a toTextFiles task): one element per line,
 * String(x), with "\n" between elements unless the element already ends with one (so readText's
 * lines, which keep their "\n", are written back unchanged); gzip when asked.
 */
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { gzipSync } from "node:zlib";

/** Text is flushed to the file in pieces of about this many characters. */
const FLUSH_CHARS = 1 << 20;

/** The text pieces of a partition, about FLUSH_CHARS each. */
function* textPieces(items: Iterable<unknown>): Generator<string> {
  let buf = "";
  let needSep = false;
  for (const x of items) {
    const s = String(x);
    if (needSep) buf += "\n";
    buf += s;
    needSep = !s.endsWith("\n");
    if (buf.length >= FLUSH_CHARS) {
      yield buf;
      buf = "";
    }
  }
  if (buf.length > 0) yield buf;
}

/** Writes `items` to `path` (creating its directory); on failure removes the partial file and rethrows. */
export function writeTextFile(items: Iterable<unknown>, path: string, encoding: BufferEncoding, gzip: boolean): void {
  mkdirSync(dirname(path), { recursive: true });
  if (gzip) {
    // gzip compresses the whole partition at once (it is in memory already).
    const data = gzipSync(Buffer.concat(Array.from(textPieces(items), (p) => Buffer.from(p, encoding))));
    try {
      writeFileSync(path, data);
    } catch (e) {
      rmSync(path, { force: true });
      throw e;
    }
    return;
  }
  const fd = openSync(path, "w");
  try {
    for (const p of textPieces(items)) writeSync(fd, p, null, encoding);
    closeSync(fd);
  } catch (e) {
    try { closeSync(fd); } catch { /* already closed */ }
    rmSync(path, { force: true });
    throw e;
  }
}
