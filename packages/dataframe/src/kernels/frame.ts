/** Kernels of column and row selection, assignment and the final concatenation of results. */
import { registerKernel, resolveFn, type FnRef } from "@dask-ts/core";
import * as A from "apache-arrow";
import {
  columnFromValues,
  columnLength,
  columnNames,
  concatTables,
  makeTable,
  maskToIndices,
  readColumn,
  readColumns,
  takeColumn,
  uniqueDictionaries,
  type BoolColumn,
  type Column,
} from "../column.js";
import type { ColType, Meta } from "../dtypes.js";
import { mergeSortedRuns } from "../sort-rows.js";
import { AlignmentError, UnknownColumnError } from "../errors.js";

// Frames have no index to align on: rows pair up by position, partition by partition.
const ALIGN_HINT =
  "Rows pair up by position (there is no index to align on), so build it from the same frame after the same " +
  "filters, e.g. `const f = df.filter(m); f.assign({ w: f.col(\"v\").mul(2) })`.";

/** A table with some columns (no copy). */
export function selectColumns(t: A.Table, names: readonly string[]): A.Table {
  const have = columnNames(t);
  for (const n of names) if (!have.includes(n)) throw new UnknownColumnError(n, have);
  return t.select(names as string[]);
}

function renameColumns(t: A.Table, mapping: Record<string, string>): A.Table {
  const names = columnNames(t).map((n) => mapping[n] ?? n);
  return makeTable(names, readColumns(t));
}

function filterRows(t: A.Table, mask: A.Table): A.Table {
  const m = readColumn(mask, columnNames(mask)[0]!) as BoolColumn;
  if (columnLength(m) !== t.numRows) {
    throw new AlignmentError(`filter: the mask has ${columnLength(m)} rows in a partition of ${t.numRows}; ${ALIGN_HINT}`);
  }
  const idx = maskToIndices(m);
  if (idx.length === t.numRows) return t;
  const names = columnNames(t);
  return makeTable(names, readColumns(t, names).map((c) => takeColumn(c, idx)));
}

function isTable(v: unknown): v is A.Table {
  return v instanceof A.Table;
}

/** A column of a constant value repeated n times. */
function constantColumn(v: unknown, dtype: ColType, n: number): Column {
  return columnFromValues(new Array(n).fill(v), dtype);
}

function assignColumns(t: A.Table, names: readonly string[], dtypes: readonly ColType[], ...values: unknown[]): A.Table {
  const outNames = columnNames(t);
  const cols = readColumns(t, outNames);
  const n = t.numRows;
  names.forEach((name, k) => {
    const v = values[k];
    let c: Column;
    if (isTable(v)) {
      c = readColumn(v, columnNames(v)[0]!);
      if (columnLength(c) !== n) throw new AlignmentError(`assign('${name}'): the Series has ${columnLength(c)} rows in a partition of ${n}; ${ALIGN_HINT}`);
    } else c = constantColumn(v, dtypes[k]!, n);
    const at = outNames.indexOf(name);
    if (at >= 0) cols[at] = c;
    else {
      outNames.push(name);
      cols.push(c);
    }
  });
  return makeTable(outNames, cols);
}

function headRows(t: A.Table, n: number): A.Table {
  return t.numRows > n ? t.slice(0, n) : t;
}

async function applyPartition(t: A.Table, fn: FnRef, args: readonly unknown[]): Promise<A.Table> {
  const f = await resolveFn(fn);
  const out = await f(t, ...args);
  if (!(out instanceof A.Table)) throw new TypeError(`mapPartitions: the function must return an Arrow Table; it returned ${Object.prototype.toString.call(out)}.`);
  return uniqueDictionaries(out);
}

/**
 * The computed result of a frame: its partitions concatenated; when `sortBy` is given, the partitions
 * (each already sorted) are merged into one order.
 */
function finalizeFrame(parts: readonly A.Table[], meta: Meta, sortBy: readonly string[] | null, ascending: readonly boolean[]): A.Table {
  const t = concatTables(parts, meta);
  if (sortBy === null || parts.length < 2) return t;
  const names = columnNames(t);
  const starts: number[] = [];
  let at = 0;
  for (const p of parts) { starts.push(at); at += p.numRows; }
  const order = mergeSortedRuns(sortBy.map((k) => readColumn(t, k)), ascending, starts);
  return makeTable(names, readColumns(t, names).map((c) => takeColumn(c, order)));
}

function finalizeSeries(parts: readonly A.Table[], meta: Meta): A.Vector {
  return concatTables(parts, meta).getChildAt(0)!;
}

registerKernel("dataframe.select", selectColumns);
registerKernel("dataframe.rename", renameColumns);
registerKernel("dataframe.filter", filterRows);
registerKernel("dataframe.assign", assignColumns);
registerKernel("dataframe.head", headRows);
registerKernel("dataframe.applyPartition", applyPartition);
registerKernel("dataframe.finalizeFrame", finalizeFrame);
registerKernel("dataframe.finalizeSeries", finalizeSeries);
registerKernel("dataframe.finalizeScalar", (values: readonly unknown[]) => values[0]);
