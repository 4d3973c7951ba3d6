/** Splitting a partition into pieces by a destination per row (shuffles: hash, range). */
import type * as A from "apache-arrow";
import { columnNames, makeTable, readColumns, takeColumn, type Column } from "./column.js";

/** Rows of `t` split into `nout` tables by destination, keeping row order within each (`piece` maps each piece's columns). */
export function splitByDest(t: A.Table, dest: Int32Array, nout: number, piece: (c: Column) => Column = (c) => c): A.Table[] {
  const n = t.numRows;
  const names = columnNames(t);
  const starts = new Int32Array(nout + 1);
  for (let i = 0; i < n; i++) starts[dest[i]! + 1]!++;
  for (let d = 0; d < nout; d++) starts[d + 1]! += starts[d]!;
  const order = new Int32Array(n);
  const fill = starts.slice(0, nout);
  for (let i = 0; i < n; i++) order[fill[dest[i]!]!++] = i;
  const cols = readColumns(t, names);
  const out: A.Table[] = [];
  for (let d = 0; d < nout; d++) {
    const s = starts[d]!, e = starts[d + 1]!;
    if (e - s === n) out.push(t);
    else out.push(makeTable(names, cols.map((c) => piece(takeColumn(c, order.subarray(s, e))))));
  }
  return out;
}
