/**
 * dd.readCsv: every file is split into byte ranges of `blocksize`, one partition each, parsed in
 * parallel. Names come from the header and types from a sample of the first file, at the call (the
 * schema must be known without computing); the tasks of each later file check its header against
 * the first file's (header.ts). Each parse task reads its own bytes from the file; the
 * ranges after the first of a file also wait for small tasks that count the quotes before them, so a
 * range knows whether it starts inside a quoted field (see ranges.ts).
 */
import { statSync } from "node:fs";
import { InvalidArgumentError, LayeredGraph, expandPaths, Task, TaskRef, kernel, keyStr, tokenize, type Graph } from "@dask-ts/core";
import { COL_TYPES, type ColType, type Meta } from "../../dtypes.js";
import { UnknownColumnError } from "../../errors.js";
import { DataFrame } from "../../frame.js";
import { partitionKey } from "../../graph.js";
import { CSV_PARSE_KERNEL, CSV_QUOTES_KERNEL } from "../../kernels/csv.js";
import { inferSchema } from "./infer.js";
import { naValueList, parseBlocksize, parseSep } from "./options.js";
import type { CsvPartSpec } from "./parse.js";

/** Options of readCsv (API.md). */
export interface ReadCsvOptions {
  /** Bytes per partition: a number or a string like "64MB", "1 MiB" (default 64 MB). */
  blocksize?: number | string;
  /** Field separator, one ASCII character (default ","). */
  sep?: string;
  /** The first row of each file names the columns (default true); else columns are "0", "1", ... */
  header?: boolean;
  /** Column types that replace the inferred ones. */
  dtype?: Record<string, ColType>;
  /** Read only these columns (kept in file order, as pandas). */
  usecols?: readonly string[];
  /** More markers of missing values, in addition to pandas' defaults ("", "NA", "NaN", "null", ...). */
  naValues?: readonly string[];
  /**
   * A row with too many or too few fields: "error" (default) raises CsvParseError naming the file and
   * line; "skip" drops the row (pandas' on_bad_lines).
   */
  onBadLines?: "error" | "skip";
}

const OPTION_NAMES = new Set(["blocksize", "sep", "header", "dtype", "usecols", "naValues", "onBadLines"]);

/** A frame over CSV files: a path, a glob ("data/*.csv") or a list of them. */
export function readCsv(path: string | readonly string[], opts: ReadCsvOptions = {}): DataFrame {
  if (typeof opts !== "object" || opts === null) throw new InvalidArgumentError(`readCsv: options must be an object; got ${String(opts)}.`);
  for (const k of Object.keys(opts)) {
    if (!OPTION_NAMES.has(k)) throw new InvalidArgumentError(`readCsv: unknown option '${k}'. Options are: ${[...OPTION_NAMES].join(", ")}.`);
  }
  const files = expandPaths(path, "readCsv", "csv");
  const blocksize = parseBlocksize(opts.blocksize);
  const sep = parseSep(opts.sep);
  const header = opts.header ?? true;
  if (typeof header !== "boolean") throw new InvalidArgumentError(`readCsv: header must be true or false; got ${String(header)}.`);
  const onBadLines = opts.onBadLines ?? "error";
  if (onBadLines !== "error" && onBadLines !== "skip") throw new InvalidArgumentError(`readCsv: onBadLines must be "error" or "skip"; got ${JSON.stringify(onBadLines)}.`);
  const naValues = naValueList(opts.naValues);

  const stats = files.map((f) => statSync(f));
  const schema = inferSchema(files[0]!, stats[0]!.size, sep, header, naValues);
  const names = schema.names;
  const dtypes = [...schema.dtypes];
  if (opts.dtype !== undefined) {
    if (typeof opts.dtype !== "object" || opts.dtype === null) throw new InvalidArgumentError(`readCsv: dtype must be an object { column: type }.`);
    for (const [col, t] of Object.entries(opts.dtype)) {
      const at = names.indexOf(col);
      if (at < 0) throw new UnknownColumnError(col, names);
      if (!COL_TYPES.includes(t)) throw new InvalidArgumentError(`readCsv: dtype of '${col}' must be one of ${COL_TYPES.join(", ")}; got ${JSON.stringify(t)}.`);
      dtypes[at] = t;
    }
  }
  let columns = names;
  if (opts.usecols !== undefined) {
    if (!Array.isArray(opts.usecols) || opts.usecols.some((c) => typeof c !== "string")) {
      throw new InvalidArgumentError(`readCsv: usecols must be a list of column names; got ${JSON.stringify(opts.usecols)}.`);
    }
    for (const c of opts.usecols) if (!names.includes(c)) throw new UnknownColumnError(c, names);
    columns = names.filter((n) => opts.usecols!.includes(n));
  }
  const meta: Meta = columns.map((n) => ({ name: n, dtype: dtypes[names.indexOf(n)]! }));

  const token = tokenize(
    "read-csv", files, stats.map((s) => [s.size, s.mtimeMs]), blocksize, sep, header, names, dtypes, columns, naValues, onBadLines,
  );
  const name = `read-csv-${token}`;
  const quotesName = `read-csv-quotes-${token}`;
  const prefixName = `read-csv-quote-prefix-${token}`;
  const parseFn = kernel(CSV_PARSE_KERNEL);
  const quotesFn = kernel(CSV_QUOTES_KERNEL);
  const sumFn = kernel("core.sum");
  const tasks: Graph = new Map();
  let part = 0;
  let q = 0;
  files.forEach((file, fi) => {
    const size = stats[fi]!.size;
    const nranges = Math.max(1, Math.ceil(size / blocksize));
    // Range i needs the quotes before it: the sum of the counts of ranges 0..i-1. In blocks of about
    // sqrt(n) ranges, a chain of block prefix sums plus the counts within the block keep every task's
    // dependencies near sqrt(n) (all n counts per task would make n^2 / 2 references).
    const blockLen = Math.max(1, Math.ceil(Math.sqrt(nranges)));
    const counts: TaskRef[] = [];
    let prefix: TaskRef | undefined; // quotes before the current block
    for (let r = 0; r < nranges; r++) {
      const start = r * blocksize;
      const end = Math.min(size, start + blocksize);
      if (r > 0 && r % blockLen === 0) {
        const k = keyStr([prefixName, q, r]);
        tasks.set(k, new Task(sumFn, [prefix ? [prefix, ...counts.slice(-blockLen)] : counts.slice(-blockLen)]));
        prefix = new TaskRef(k);
      }
      const spec: CsvPartSpec = {
        path: file, start, end, fileSize: size, header, skipHeader: header && r === 0, sep,
        ...(header && fi > 0 ? { headerOf: files[0]! } : {}), names, dtypes, columns, naValues, onBadLines, rowBytes: schema.rowBytes,
      };
      const inBlock = counts.slice(r - (r % blockLen), r);
      tasks.set(partitionKey(name, part++), new Task(parseFn, [spec, prefix ? [prefix, ...inBlock] : inBlock]));
      if (r < nranges - 1) {
        const k = keyStr([quotesName, q, r]);
        tasks.set(k, new Task(quotesFn, [file, start, end]));
        counts.push(new TaskRef(k));
      }
    }
    q++;
  });
  return new DataFrame(LayeredGraph.fromLayer(name, tasks), name, meta, part);
}
