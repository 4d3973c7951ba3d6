/** Frames from data in memory: fromArrow, fromRecords, fromColumns. */
import { InvalidArgumentError, LayeredGraph, Literal, tokenize, type Graph } from "@dask-ts/core";
import * as A from "apache-arrow";
import { columnFromValues, concatTables, makeTable, readColumns, sliceColumn, columnNames, uniqueDictionaries } from "./column.js";
import { metaOfTable, type ColType } from "./dtypes.js";
import { DataFrame } from "./frame.js";
import { partitionKey } from "./graph.js";

/** Options of the fromX constructors. */
export interface FromOptions {
  /** Number of partitions (default 1); rows are split as evenly as possible. */
  npartitions?: number;
  /** Rows per partition (instead of npartitions). */
  chunksize?: number;
  /** Column types (fromRecords/fromColumns); inferred from the values when omitted. */
  dtype?: Record<string, ColType>;
}

function partitionBounds(n: number, opts: FromOptions): number[] {
  if (opts.chunksize !== undefined) {
    if (!Number.isInteger(opts.chunksize) || opts.chunksize < 1) throw new InvalidArgumentError(`chunksize must be a positive integer; got ${opts.chunksize}.`);
    const b = [0];
    for (let s = opts.chunksize; s < n; s += opts.chunksize) b.push(s);
    b.push(n);
    return b;
  }
  const p = opts.npartitions ?? 1;
  if (!Number.isInteger(p) || p < 1) throw new InvalidArgumentError(`npartitions must be a positive integer; got ${p}.`);
  return Array.from({ length: p + 1 }, (_, i) => Math.round((i * n) / p));
}

/** A frame over an Arrow table, split into row ranges. */
export function fromArrow(table: A.Table, opts: FromOptions = {}): DataFrame {
  if (!(table instanceof A.Table)) throw new InvalidArgumentError(`fromArrow: expected an apache-arrow Table; got ${Object.prototype.toString.call(table)}.`);
  const meta = metaOfTable(table);
  const names = columnNames(table);
  // One contiguous batch first: kernels expect single-batch partitions.
  const whole = table.batches.length === 1 ? table : concatTables([table], meta);
  const cols = readColumns(whole, names);
  const bounds = partitionBounds(table.numRows, opts);
  const parts: A.Table[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) parts.push(makeTable(names, cols.map((c) => sliceColumn(c, bounds[i]!, bounds[i + 1]!))));
  return fromPartitions(parts, "from-arrow");
}

/** A frame of Arrow tables, one partition each (all with the same columns). */
export function fromPartitions(parts: readonly A.Table[], prefix = "from-partitions"): DataFrame {
  if (parts.length === 0) throw new InvalidArgumentError(`A frame needs at least one partition.`);
  const meta = metaOfTable(parts[0]!);
  const name = `${prefix}-${tokenize(prefix, ...parts.map((p) => [columnNames(p), p.numRows]), Math.random())}`;
  const tasks: Graph = new Map();
  parts.forEach((p, i) => tasks.set(partitionKey(name, i), new Literal(uniqueDictionaries(p))));
  return new DataFrame(LayeredGraph.fromLayer(name, tasks), name, meta, parts.length);
}

/** A frame of plain objects, one row each (columns: the union of keys, in order of first appearance). */
export function fromRecords(rows: readonly Record<string, unknown>[], opts: FromOptions = {}): DataFrame {
  if (!Array.isArray(rows)) throw new InvalidArgumentError(`fromRecords: expected an array of objects; got ${typeof rows}.`);
  const names: string[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    if (typeof r !== "object" || r === null) throw new InvalidArgumentError(`fromRecords: every row must be an object; got ${r === null ? "null" : typeof r}.`);
    for (const k of Object.keys(r)) if (!seen.has(k)) { seen.add(k); names.push(k); }
  }
  const columns: Record<string, unknown[]> = {};
  for (const n of names) columns[n] = rows.map((r) => r[n]);
  return fromColumns(columns, opts);
}

/** A frame of named columns given as JS arrays or typed arrays (all of one length). */
export function fromColumns(columns: Record<string, ArrayLike<unknown>>, opts: FromOptions = {}): DataFrame {
  if (typeof columns !== "object" || columns === null) throw new InvalidArgumentError(`fromColumns: expected an object { name: values[] }.`);
  const names = Object.keys(columns);
  let n = -1;
  const cols = names.map((name) => {
    const vals = columns[name]!;
    if (vals === null || typeof vals !== "object" || typeof (vals as ArrayLike<unknown>).length !== "number") {
      throw new InvalidArgumentError(`fromColumns: column '${name}' must be an array; got ${typeof vals}.`);
    }
    if (n >= 0 && vals.length !== n) throw new InvalidArgumentError(`fromColumns: column '${name}' has ${vals.length} values, others have ${n}; all columns need the same length.`);
    n = vals.length;
    const dtype = opts.dtype?.[name] ?? typedDtype(vals);
    try {
      return columnFromValues(Array.from(vals), dtype);
    } catch (e) {
      throw new InvalidArgumentError(`fromColumns: column '${name}': ${(e as Error).message}`, { cause: e });
    }
  });
  for (const k of Object.keys(opts.dtype ?? {})) if (!names.includes(k)) throw new InvalidArgumentError(`dtype names column '${k}', which is not among the columns (${names.join(", ")}).`);
  const whole = makeTable(names, cols);
  return fromArrow(whole, opts);
}

function typedDtype(v: ArrayLike<unknown>): ColType | undefined {
  if (v instanceof Float64Array || v instanceof Float32Array) return "float64";
  if (v instanceof Int32Array || v instanceof Int16Array || v instanceof Int8Array || v instanceof Uint8Array || v instanceof Uint16Array) return "int32";
  if (v instanceof BigInt64Array || v instanceof Uint32Array) return "int64";
  return undefined;
}
