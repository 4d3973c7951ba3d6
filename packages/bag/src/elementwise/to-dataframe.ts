/**
 * toDataFrame: a dataframe with one Arrow table per bag partition. A frame needs its schema when the graph
 * is built; as Dask (which computes the first element for it), the schema comes from the first non-empty
 * partition, computed here synchronously, unless `columns` and `dtype` give it. When that partition cannot
 * be computed synchronously (async functions, file reads), `dtype` is required. Numbers become float64
 * columns unless `dtype` says int32/int64: integers in one partition say nothing of the next.
 */
import { InvalidArgumentError, computeSync } from "@dask-ts/core";
import { DataFrame, type ColType, type Meta } from "@dask-ts/dataframe";
import { inferColType } from "@dask-ts/dataframe/column";
import { COL_TYPES } from "@dask-ts/dataframe/dtypes";
import type { Bag } from "../bag.js";
import { rowsToColumns } from "../kernels/to-dataframe.js";
import { partitionLayer } from "./layer.js";

/** Options of toDataFrame. */
export interface ToDataFrameOptions {
  /** Column types by name; the others are inferred from the first non-empty partition (numbers: float64). */
  dtype?: Record<string, ColType>;
}

function checkOptions(columns: readonly string[] | undefined, dtype: Record<string, ColType> | undefined): void {
  if (columns !== undefined) {
    if (!Array.isArray(columns) || columns.some((c) => typeof c !== "string")) throw new InvalidArgumentError(`toDataFrame: columns must be a list of column names (strings).`);
    if (new Set(columns).size !== columns.length) throw new InvalidArgumentError(`toDataFrame: column names must be unique; got ${columns.join(", ")}.`);
  }
  if (dtype !== undefined) {
    if (typeof dtype !== "object" || dtype === null) throw new InvalidArgumentError(`toDataFrame: dtype must be an object { column: type }.`);
    for (const [k, t] of Object.entries(dtype)) {
      if (!COL_TYPES.includes(t)) throw new InvalidArgumentError(`toDataFrame: dtype of column '${k}' must be one of ${COL_TYPES.join(", ")}; got ${String(t)}.`);
      if (columns && !columns.includes(k)) throw new InvalidArgumentError(`toDataFrame: dtype names column '${k}', which is not among the columns (${columns.join(", ")}).`);
    }
  }
}

/** Column names an element suggests: object keys, array positions, or a single column for a scalar. */
function namesOf(x: unknown): string[] {
  if (Array.isArray(x)) return x.map((_, i) => String(i));
  if (x instanceof Map) return [...x.keys()].map(String);
  if (x !== null && typeof x === "object" && !(x instanceof Date)) return Object.keys(x);
  return ["0"];
}

/** The first non-empty partition and its index, computed in this thread; "async" when that is not possible. */
function firstRows(b: Bag<unknown>): { rows: unknown[]; p: number } | "async" | "empty" {
  for (let p = 0; p < b.npartitions; p++) {
    const got = computeSync(b.dask, [b.partitionKey(p)]);
    if (got === undefined) return "async";
    const rows = got[0] as unknown[];
    if (rows.length > 0) return { rows, p };
  }
  return "empty";
}

/** A dataframe of the bag's elements: objects give columns by key, arrays by position, scalars one column. */
export function toDataFrame(b: Bag<any>, columns?: readonly string[], opts: ToDataFrameOptions = {}): DataFrame {
  const dtype = opts.dtype;
  checkOptions(columns, dtype);
  let names = columns ? [...columns] : undefined;
  let meta: Meta;
  if (names && names.every((n) => dtype?.[n] !== undefined)) {
    meta = names.map((n) => ({ name: n, dtype: dtype![n]! }));
  } else {
    const sample = firstRows(b);
    if (sample === "async" || sample === "empty") {
      names ??= dtype ? Object.keys(dtype) : undefined;
      const complete = names !== undefined && names.length > 0 && (sample === "empty" || names.every((n) => dtype?.[n] !== undefined));
      if (!complete) {
        throw new InvalidArgumentError(
          `toDataFrame: the column types are unknown: ` +
            (sample === "empty"
              ? `the bag has no elements to infer them from`
              : `the first partition cannot be computed while the graph is built (it needs an async function or file reads)`) +
            `; pass them, e.g. b.toDataFrame(["name", "age"], { dtype: { name: "string", age: "float64" } }).`,
        );
      }
      // An empty bag: columns without a given type are float64 (as pandas' empty frames of no data).
      meta = names!.map((n) => ({ name: n, dtype: dtype?.[n] ?? "float64" }));
    } else {
      names ??= namesOf(sample.rows[0]);
      if (names.length === 0) throw new InvalidArgumentError(`toDataFrame: the first element has no fields to make columns of; pass columns.`);
      for (const k of Object.keys(dtype ?? {})) {
        if (!names.includes(k)) throw new InvalidArgumentError(`toDataFrame: dtype names column '${k}', which is not among the columns (${names.join(", ")}).`);
      }
      const values = rowsToColumns(sample.rows, sample.p, names);
      meta = names.map((n, c) => {
        const given = dtype?.[n];
        if (given) return { name: n, dtype: given };
        try {
          const t = inferColType(values[c]!);
          // JS has one number type: integers in the sample promise nothing about later partitions, so numbers are float64.
          return { name: n, dtype: t === "int32" ? "float64" : t };
        } catch (e) {
          throw new InvalidArgumentError(`toDataFrame: column '${n}': ${(e as Error).message} (pass { dtype: { ${JSON.stringify(n)}: ... } }).`, { cause: e });
        }
      });
    }
  }
  const finalNames = meta.map((m) => m.name);
  const types = meta.map((m) => m.dtype);
  const { name, dask } = partitionLayer("to-dataframe", "bag.toDataFrame", b, () => [finalNames, types], [finalNames, types]);
  return new DataFrame(dask, name, meta, b.npartitions);
}
