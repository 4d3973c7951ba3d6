/** Typed errors of the dataframe collection: what was wrong, where, and what to do. */
import { DaskError } from "@dask-ts/core";

export { FileNotFoundError } from "@dask-ts/core";

/** A column name that the frame does not have. */
export class UnknownColumnError extends DaskError {
  override name = "UnknownColumnError";
  constructor(readonly column: string, readonly available: readonly string[]) {
    super(`Unknown column '${column}'. The frame has columns: ${available.map((c) => `'${c}'`).join(", ") || "(none)"}.`);
  }
}

/** A CSV file or row that cannot be read: the message names the file and line. */
export class CsvParseError extends DaskError {
  override name = "CsvParseError";
}

/** Column types that an operation cannot combine (e.g. merge keys of different types, adding strings). */
export class ColumnTypeError extends DaskError {
  override name = "ColumnTypeError";
}

/** Frames whose partitions do not line up (e.g. a mask from another frame with other partitions). */
export class AlignmentError extends DaskError {
  override name = "AlignmentError";
}
