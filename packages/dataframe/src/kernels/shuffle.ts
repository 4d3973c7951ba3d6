/** Kernels of hash shuffles: split a partition by key hash, and gather one output's pieces. */
import { registerKernel } from "@dask-ts/core";
import type * as A from "apache-arrow";
import { columnNames, concatTables, makeTable, readColumn, readColumns, takeColumn } from "../column.js";
import { hashRows } from "../hash.js";

/** Rows of `t` split into `nout` tables by the hash of columns `on` (rows with equal keys land together). */
export function hashSplit(t: A.Table, nout: number, on: readonly string[]): A.Table[] {
  const n = t.numRows;
  const names = columnNames(t);
  if (nout === 1) return [t];
  const h = hashRows(on.map((c) => readColumn(t, c)), n);
  const counts = new Int32Array(nout);
  const dest = new Int32Array(n);
  for (let i = 0; i < n; i++) { const d = h[i]! % nout; dest[i] = d; counts[d]!++; }
  // Counting sort of row indices by destination.
  const starts = new Int32Array(nout + 1);
  for (let d = 0; d < nout; d++) starts[d + 1] = starts[d]! + counts[d]!;
  const order = new Int32Array(n);
  const fill = starts.slice(0, nout);
  for (let i = 0; i < n; i++) order[fill[dest[i]!]!++] = i;
  const cols = readColumns(t, names);
  const out: A.Table[] = [];
  for (let d = 0; d < nout; d++) {
    const idx = order.subarray(starts[d]!, starts[d + 1]!);
    out.push(makeTable(names, cols.map((c) => takeColumn(c, idx))));
  }
  return out;
}

registerKernel("dataframe.hashSplit", hashSplit);
registerKernel("dataframe.concatPieces", (splits: readonly A.Table[][], j: number) => concatTables(splits.map((s) => s[j]!)));
