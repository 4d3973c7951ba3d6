/** What readText reads: the files of a path, glob or list, and the byte blocks of each (one partition each). */
import { expandPaths } from "@dask-ts/core";

/** One partition of readText: a whole file (start null) or the lines starting in bytes [start, end). */
export interface TextBlock {
  readonly path: string;
  readonly start: number | null;
  readonly end: number | null;
  readonly gzip: boolean;
}

/** The files of a path, glob or list (globs sorted, lists in order); a missing one is a FileNotFoundError. */
export function textFiles(path: string | readonly string[]): string[] {
  return expandPaths(path, "readText", "txt");
}

/**
 * Dask's read_bytes offsets: size // blocksize blocks (at least one), the spare bytes spread over them;
 * an empty file has none.
 */
export function blockOffsets(size: number, blocksize: number): [number, number][] {
  if (size === 0) return [];
  const step = size % blocksize !== 0 && size > blocksize ? size / Math.floor(size / blocksize) : blocksize;
  const off = [0];
  let place = 0;
  while (size - place > step * 2 - 1) {
    place += step;
    off.push(Math.floor(place));
  }
  return off.map((o, i) => [o, i + 1 < off.length ? off[i + 1]! : size]);
}

/**
 * The partitions of readText: one per file without a blocksize (and for every gzip file, which cannot
 * be split); else one per block of each file, empty files contributing none (as Dask).
 */
export function textBlocks(files: readonly string[], sizes: readonly number[], blocksize: number | null): TextBlock[] {
  const out: TextBlock[] = [];
  for (let f = 0; f < files.length; f++) {
    const path = files[f]!;
    const gzip = path.toLowerCase().endsWith(".gz");
    if (blocksize === null || gzip) {
      out.push({ path, start: null, end: null, gzip });
      continue;
    }
    for (const [start, end] of blockOffsets(sizes[f]!, blocksize)) out.push({ path, start, end, gzip });
  }
  return out;
}
