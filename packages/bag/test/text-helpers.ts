// Shared by the text IO tests: temporary directories and the plain JS reference of readText's lines.
import { afterAll } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A fresh temporary directory, removed after the file's tests. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `dask-ts-bag-${prefix}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * The lines of a text as Dask's read_text yields them (Python universal newlines): "\n", "\r\n" and a
 * lone "\r" end a line and become "\n"; a last line without one is kept as is.
 */
export function referenceLines(text: string): string[] {
  const out: string[] = [];
  const re = /\r\n|\r|\n/g;
  let last = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    out.push(text.slice(last, m.index) + "\n");
    last = re.lastIndex;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** The reference lines of a file read whole (fs.readFileSync). */
export function fileLines(path: string): string[] {
  return referenceLines(readFileSync(path, "utf8"));
}
