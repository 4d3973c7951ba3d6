/** groupby: tree reduction for few groups, hash shuffle with splitOut for many. STUB: to be built. */
import type { DataFrame, Series } from "./frame.js";

const todo = (what: string): never => { throw new Error(`${what} is not built yet`); };

/** Options of groupby. */
export interface GroupByOptions {
  /** Number of output partitions; above 1 the groups are hash-shuffled instead of tree-reduced. */
  splitOut?: number;
  /** Drop groups whose key is missing (default true, as pandas). */
  dropna?: boolean;
  /** Fan-in of combine tasks (default 8). */
  splitEvery?: number;
}

/** Options of valueCounts. */
export interface ValueCountsOptions {
  /** Keep missing values as a group (default false). */
  dropna?: boolean;
  /** Output partitions (default 1). */
  splitOut?: number;
}

/** A grouped frame. */
export class GroupBy {
  constructor(readonly frame: DataFrame, readonly by: string[], readonly opts: GroupByOptions) {}
}

export function frameValueCounts(df: DataFrame, opts?: ValueCountsOptions): DataFrame { return todo("valueCounts"); }
export function seriesValueCounts(s: Series, opts?: ValueCountsOptions): DataFrame { return todo("valueCounts"); }
