/**
 * Text files: readText (one partition per file, or line-aligned byte blocks; gzip by extension) and
 * toTextFiles (one file per partition, published only when every write succeeded). Lines keep their
 * line ending, as Dask's read_text: "a\n", "b\n", and a last line without one as is ("c"); "\r\n"
 * and a lone "\r" end lines too and become "\n" (Python's universal newlines, which Dask uses).
 */
import {
  InvalidArgumentError,
  LayeredGraph,
  Literal,
  Task,
  kernel,
  opName,
  partitionKey,
  parseBytes,
  writePartitionFiles,
  type ComputeOptions,
  type Graph,
} from "@dask-ts/core";
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { Bag } from "../bag.js";
import { textBlocks, textFiles, type TextBlock } from "./blocks.js";
import { textEncoding } from "./encoding.js";
import type { WordCounts } from "./words.js";

/** Options of readText. */
export interface ReadTextOptions {
  /** Bytes per partition (number or "64MB"); default: one partition per file. Gzip files are never split. */
  blocksize?: number | string;
  /** Text encoding: "utf-8" (default), "latin1" or "ascii". */
  encoding?: string;
}
/** Options of toTextFiles (plus the compute options it runs with). */
export interface ToTextFilesOptions extends ComputeOptions {
  /** Text encoding: "utf-8" (default), "latin1" or "ascii". */
  encoding?: string;
}

const READ_OPTIONS = new Set(["blocksize", "encoding"]);

/** A bag of the lines of text files (a path, a glob such as "logs/*.txt", or a list of them), each line with its "\n". */
export function readText(path: string | readonly string[], options?: ReadTextOptions): Bag<string> {
  const opts = options ?? {};
  for (const k of Object.keys(opts)) {
    if (!READ_OPTIONS.has(k)) throw new InvalidArgumentError(`readText: unknown option '${k}'; the options are blocksize and encoding.`);
  }
  const encoding = textEncoding(opts.encoding, "readText");
  const blocksize = opts.blocksize === undefined || opts.blocksize === null ? null : parseBytes(opts.blocksize, "blocksize");
  const files = textFiles(path).map((p) => resolve(p));
  // The files' sizes and times make a changed file a new collection (Dask tokenizes fs.ukey).
  const stamps = files.map((f) => { const s = statSync(f); return [f, s.size, s.mtimeMs] as const; });
  const blocks = textBlocks(files, stamps.map(([, size]) => size), blocksize);
  const name = opName("read-text", stamps, blocksize, encoding);
  const bag = new Bag<string>(blockLayer(name, "bag.readText", blocks, encoding, []), name, Math.max(1, blocks.length));
  sources.set(bag, { name, blocks, encoding });
  return bag;
}

/** What a readText bag reads (kept so that later operations can read the same blocks differently). */
interface TextSource {
  readonly name: string;
  readonly blocks: readonly TextBlock[];
  readonly encoding: BufferEncoding;
}
const sources = new WeakMap<Bag<unknown>, TextSource>();

/** One task per block: kernel(path, start, end, encoding, gzip); `empty` stands for no block at all. */
function blockLayer(name: string, kernelName: string, blocks: readonly TextBlock[], encoding: BufferEncoding, empty: unknown): LayeredGraph {
  const tasks: Graph = new Map();
  const fn = kernel(kernelName);
  blocks.forEach((b, i) => tasks.set(partitionKey(name, i), new Task(fn, [b.path, b.start, b.end, encoding, b.gzip])));
  // Every file empty with a blocksize: one empty partition rather than none.
  if (blocks.length === 0) tasks.set(partitionKey(name, 0), new Literal(empty));
  return LayeredGraph.fromLayer(name, tasks);
}

/**
 * For `readText(...).str.split().flatten().frequencies()`: a bag whose partition i is the word counts
 * of readText partition i, counted from the bytes (io/words.ts), in the shape of the frequencies chunk
 * kernel's output ([distinct words first seen first, Float64Array of counts]). Undefined when `b` is
 * not a bag made by readText.
 */
export function wordCountsOf(b: Bag<unknown>): Bag<WordCounts> | undefined {
  const src = sources.get(b);
  if (src === undefined) return undefined;
  const name = `read-text-words-${src.name.slice("read-text-".length)}`;
  const dask = blockLayer(name, "bag.readText.wordCounts", src.blocks, src.encoding, [[], new Float64Array(0)]);
  return new Bag<WordCounts>(dask, name, b.npartitions);
}

/**
 * Writes one file per partition (gzip when the pattern ends with .gz) in worker tasks; resolves to the
 * paths, in partition order. Each task writes a hidden temporary file next to its target; one final
 * task renames them all once every write succeeded; on failure the temporary files are removed.
 */
export async function toTextFiles(b: Bag<any>, pattern: string, opts: ToTextFilesOptions = {}): Promise<string[]> {
  const { encoding: label, ...computeOpts } = opts ?? {};
  const encoding = textEncoding(label, "toTextFiles");
  const writer = { kernel: "bag.writeText", args: (_: number, finalPath: string) => [encoding, finalPath.toLowerCase().endsWith(".gz")] };
  return writePartitionFiles(b, pattern, writer, { ...computeOpts, caller: "toTextFiles", example: "out/part-*.txt", daskScheduler: b.daskScheduler });
}
