/** @dask-ts/dataframe: partitioned dataframes of Arrow tables (`dd`). */
import { fromArrow, fromColumns, fromPartitions, fromRecords } from "./creation.js";
import { readCsv } from "./io/csv/read-csv.js";

export { DataFrame, Series, Scalar, FrameBase, type Divisions, type FrameState, type SeriesOperand, type ReduceOptions } from "./frame.js";
export { GroupBy, SeriesGroupBy, type GroupByOptions, type ValueCountsOptions, type AggName, type AggSpec, type DdofOptions } from "./groupby.js";
export type { MergeOptions, SortOptions, SetIndexOptions, DropDuplicatesOptions, RepartitionOptions } from "./relational.js";
export type { ReadCsvOptions } from "./io/csv/read-csv.js";
export type { ToCsvOptions } from "./io/to-csv.js";
export type { FromOptions } from "./creation.js";
export type { ColType, ColumnMeta, Meta } from "./dtypes.js";
export * from "./errors.js";
export { fromArrow, fromColumns, fromRecords, fromPartitions, readCsv };

/** The dataframe namespace, as Dask's `dask.dataframe`. */
export const dd = { readCsv, fromArrow, fromRecords, fromColumns, fromPartitions } as const;
