/** merge, sortValues, setIndex, dropDuplicates, repartition. STUB: to be built. */
import type { DataFrame } from "./frame.js";

const todo = (what: string): never => { throw new Error(`${what} is not built yet`); };

export interface MergeOptions {
  on?: string | readonly string[];
  leftOn?: string | readonly string[];
  rightOn?: string | readonly string[];
  how?: "inner" | "left" | "right" | "outer";
  /** Suffixes of overlapping non-key columns (default ["_x", "_y"], as pandas). */
  suffixes?: readonly [string, string];
}
export interface SortOptions {
  ascending?: boolean | readonly boolean[];
  npartitions?: number;
}
export interface SetIndexOptions {
  npartitions?: number;
}
export interface DropDuplicatesOptions {
  keep?: "first" | "last";
  splitOut?: number;
}
export interface RepartitionOptions {
  npartitions: number;
}

export function merge(left: DataFrame, right: DataFrame, opts: MergeOptions): DataFrame { return todo("merge"); }
export function sortValues(df: DataFrame, by: readonly string[], opts: SortOptions): DataFrame { return todo("sortValues"); }
export function setIndex(df: DataFrame, col: string, opts: SetIndexOptions): DataFrame { return todo("setIndex"); }
export function dropDuplicates(df: DataFrame, subset: readonly string[] | undefined, opts: DropDuplicatesOptions): DataFrame { return todo("dropDuplicates"); }
export function repartition(df: DataFrame, opts: RepartitionOptions): DataFrame { return todo("repartition"); }
