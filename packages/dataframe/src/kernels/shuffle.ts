/** Kernels of hash shuffles: split a partition by key hash, and gather one output's pieces. */
import { registerKernel } from "@dask-ts/core";
import type * as A from "apache-arrow";
import { concatTables, readColumn } from "../column.js";
import { splitByDest } from "../split-rows.js";
import { hashRows } from "../hash.js";

/** Rows of `t` split into `nout` tables by the hash of columns `on` (rows with equal keys land together). */
export function hashSplit(t: A.Table, nout: number, on: readonly string[]): A.Table[] {
  if (nout === 1) return [t];
  const n = t.numRows;
  const h = hashRows(on.map((c) => readColumn(t, c)), n);
  const dest = new Int32Array(n);
  for (let i = 0; i < n; i++) dest[i] = h[i]! % nout;
  return splitByDest(t, dest, nout);
}

registerKernel("dataframe.hashSplit", hashSplit);
registerKernel("dataframe.concatPieces", (splits: readonly A.Table[][], j: number) => concatTables(splits.map((s) => s[j]!)));
