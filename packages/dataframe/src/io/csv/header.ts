/**
 * The header of every file: names and types come from the first file's header at the call; the parse
 * tasks of each later file read that file's header and check it is the same (as Dask's read_csv
 * raises "Columns do not match"), so a file with other columns is an error, not misaligned data.
 */
import { closeSync, openSync } from "node:fs";
import { CsvParseError } from "../../errors.js";
import { mangleNames } from "./infer.js";
import { readFully } from "@dask-ts/core";
import { splitRecords } from "./records.js";

const FIRST_READ = 4096;

/** The first record of a file (its header), or null when the file has none (empty or blank lines only). */
export function readHeaderRecord(path: string, fileSize: number, sep: number): string[] | null {
  const fd = openSync(path, "r");
  try {
    let want = Math.min(fileSize, FIRST_READ);
    let buf = Buffer.allocUnsafe(Math.max(1, want));
    let len = readFully(fd, buf, 0, want, 0);
    for (;;) {
      const start = len >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
      const atEof = len >= fileSize;
      const { records } = splitRecords(buf, start, len, sep, atEof, 1);
      if (records.length > 0) return records[0]!;
      if (atEof) return null;
      // A header longer than what was read: read on.
      want = Math.min(fileSize, want * 2);
      const bigger = Buffer.allocUnsafe(want);
      buf.copy(bigger, 0, 0, len);
      buf = bigger;
      const got = readFully(fd, buf, len, want - len, len);
      if (got === 0) return null; // the file is shorter than its size said
      len += got;
    }
  } finally {
    closeSync(fd);
  }
}

/** A header for messages: the names quoted, at most 20 of them. */
function show(names: readonly string[]): string {
  const q = names.slice(0, 20).map((n) => JSON.stringify(n));
  return `[${q.join(", ")}${names.length > 20 ? `, ... (${names.length} names)` : ""}]`;
}

/**
 * Checks that the header of file `path` names the same columns as `names` (the first file's header,
 * after pandas' renaming of empty and repeated names); throws CsvParseError naming both files otherwise.
 * A file with no header line at all (empty) has no rows either, and passes.
 */
export function checkHeader(path: string, fileSize: number, sep: number, names: readonly string[], firstFile: string): void {
  const raw = readHeaderRecord(path, fileSize, sep);
  if (raw === null) return;
  const got = mangleNames(raw);
  if (got.length === names.length && got.every((n, i) => n === names[i])) return;
  let diff: string;
  if (got.length !== names.length) diff = `${got.length} columns instead of ${names.length}`;
  else {
    const i = got.findIndex((n, j) => n !== names[j]);
    diff = `column ${i + 1} is ${JSON.stringify(got[i])} instead of ${JSON.stringify(names[i])}`;
  }
  throw new CsvParseError(
    `The header of ${path} differs from the header of ${firstFile} (${diff}): ${show(got)} vs ${show(names)}. ` +
      `All files read together must share one header (same names, same order); read files with other columns separately and combine the frames.`,
  );
}
