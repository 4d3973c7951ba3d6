/** Duplicate rows within a partition: rows whose key tuple was seen before (or, keeping the last, is seen again later). */
import { allocTyped } from "@dask-ts/core";
import type * as A from "apache-arrow";
import { columnNames, concatTables, makeTable, readColumn, readColumns, takeColumn } from "../column.js";
import { keyIds } from "./keys.js";

/** The rows of `t` with distinct values of `subset` (all columns when null), first or last of each kept, in row order. */
export function dedupeTable(t: A.Table, subset: readonly string[] | null, keep: "first" | "last"): A.Table {
  const n = t.numRows;
  const names = columnNames(t);
  if (n < 2 || names.length === 0) return t;
  const keys = (subset ?? names).map((c) => readColumn(t, c));
  const { build: ids, count } = keyIds(keys, null);
  const seen = new Uint8Array(count);
  const idx = allocTyped(Int32Array, n, { uninitialized: true });
  let m = 0;
  if (keep === "first") {
    for (let i = 0; i < n; i++) { const id = ids[i]!; if (seen[id] === 0) { seen[id] = 1; idx[m++] = i; } }
  } else {
    // Scan backwards, then reverse: the last occurrence of each key, still in row order.
    for (let i = n - 1; i >= 0; i--) { const id = ids[i]!; if (seen[id] === 0) { seen[id] = 1; idx[m++] = i; } }
    idx.subarray(0, m).reverse();
  }
  if (m === n) return t;
  const take = idx.subarray(0, m);
  return makeTable(names, readColumns(t, names).map((c) => takeColumn(c, take)));
}

/** Concatenates partial results in order and removes the duplicates between them. */
export function dedupeTables(tables: readonly A.Table[], subset: readonly string[] | null, keep: "first" | "last"): A.Table {
  return dedupeTable(concatTables(tables), subset, keep);
}
