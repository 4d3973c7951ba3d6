/**
 * merge: pandas' column rules, then one of two layouts. A side with one partition (or any side with
 * `broadcast: true`) is joined whole with every partition of the other side, when the join kind allows
 * it (the broadcast side must be the one whose unmatched rows are dropped); otherwise both sides are
 * hash-shuffled on their keys into the same number of partitions and partition i joins partition i.
 */
import { InvalidArgumentError, Task, TaskRef, kernel, type Graph } from "@dask-ts/core";
import { ColumnTypeError } from "../errors.js";
import { isStringType, promote, type ColType, type ColumnMeta } from "../dtypes.js";
import { DataFrame } from "../frame.js";
import { addLayer, mapPartitionsLayer, opName, partitionKey, shuffleLayer, type PartitionedInput } from "../graph.js";
import { checkColumns } from "../select.js";
import type { JoinColumn, JoinPlan } from "./join-kernel.js";
import { asInput } from "./layer.js";

/** Options of merge. */
export interface MergeOptions {
  /** Key columns of both sides (default: the columns both frames have, as pandas). */
  on?: string | readonly string[];
  /** Key columns of the left frame (with rightOn; both kept in the output unless named alike). */
  leftOn?: string | readonly string[];
  /** Key columns of the right frame. */
  rightOn?: string | readonly string[];
  /** Which unmatched rows to keep (default "inner"). */
  how?: "inner" | "left" | "right" | "outer";
  /** Suffixes of overlapping non-key columns (default ["_x", "_y"], as pandas). */
  suffixes?: readonly [string, string];
  /**
   * true: join every partition of one side with the whole other side (gathered into one partition) instead
   * of shuffling both; false: always shuffle. Default: broadcast a side that has a single partition.
   */
  broadcast?: boolean;
  /** Output partitions of the shuffle (default: the larger of the two npartitions). */
  npartitions?: number;
}

const HOWS = ["inner", "left", "right", "outer"] as const;

function names(v: string | readonly string[] | undefined, what: string): string[] | undefined {
  if (v === undefined) return undefined;
  const list = typeof v === "string" ? [v] : v;
  if (!Array.isArray(list) || list.length === 0) throw new InvalidArgumentError(`merge: ${what} must be a column name or a non-empty list of names.`);
  return [...list];
}

/** Key columns of both sides, as pandas resolves on / left_on / right_on. */
function resolveKeys(left: DataFrame, right: DataFrame, opts: MergeOptions): [string[], string[]] {
  const on = names(opts.on, "on");
  const lo = names(opts.leftOn, "leftOn");
  const ro = names(opts.rightOn, "rightOn");
  if (on !== undefined) {
    if (lo !== undefined || ro !== undefined) throw new InvalidArgumentError(`merge: pass either on, or leftOn and rightOn, not both.`);
    checkColumns(left, on, "merge (left frame)");
    checkColumns(right, on, "merge (right frame)");
    return [on, on];
  }
  if (lo !== undefined || ro !== undefined) {
    if (lo === undefined || ro === undefined) throw new InvalidArgumentError(`merge: leftOn and rightOn go together; got only ${lo === undefined ? "rightOn" : "leftOn"}.`);
    if (lo.length !== ro.length) throw new InvalidArgumentError(`merge: leftOn has ${lo.length} columns and rightOn ${ro.length}; they must pair up.`);
    checkColumns(left, lo, "merge (left frame)");
    checkColumns(right, ro, "merge (right frame)");
    return [lo, ro];
  }
  const common = left.columns.filter((c) => right.columns.includes(c));
  if (common.length === 0) {
    throw new InvalidArgumentError(`merge: the frames have no column in common; name the keys with on, or leftOn and rightOn.`);
  }
  return [common, common];
}

/** The group of types whose keys can meet: numbers by value, strings by text; bool and date only with their own kind. */
function keyClass(t: ColType): string {
  if (t === "int32" || t === "int64" || t === "float64") return "number";
  if (isStringType(t)) return "string";
  return t;
}

/** The dtype of a key column both sides share, as pandas: the left's (inner, left), the right's (right), the common one (outer). */
function sharedKeyType(l: ColType, r: ColType, how: JoinPlan["how"]): ColType {
  if (how === "inner" || how === "left") return l;
  if (how === "right") return r;
  if (l === r) return l;
  if (isStringType(l)) return "string";
  return promote(l, r);
}

/** The output columns and the join plan. */
function planJoin(left: DataFrame, right: DataFrame, lk: string[], rk: string[], how: JoinPlan["how"], suffixes: readonly [string, string]): JoinPlan {
  const ltype = left.dtypes, rtype = right.dtypes;
  lk.forEach((l, i) => {
    const r = rk[i]!;
    if (keyClass(ltype[l]!) !== keyClass(rtype[r]!)) {
      throw new ColumnTypeError(
        `merge: key column '${l}' of the left frame is ${ltype[l]} and key column '${r}' of the right frame is ${rtype[r]}; ` +
          `keys must both be numeric, both strings, both bool or both dates. Convert one with .astype().`,
      );
    }
  });
  // A key named alike on both sides (pairwise) is one output column, as pandas.
  const shared = new Map<string, string>();
  lk.forEach((l, i) => { if (rk[i] === l) shared.set(l, l); });
  const rightCols = right.columns.filter((c) => !shared.has(c));
  const overlap = new Set(left.columns.filter((c) => rightCols.includes(c)));
  if (overlap.size > 0 && suffixes[0] === suffixes[1]) {
    throw new InvalidArgumentError(`merge: columns ${[...overlap].map((c) => `'${c}'`).join(", ")} are on both sides; give two different suffixes.`);
  }
  const columns: JoinColumn[] = [];
  for (const c of left.columns) {
    if (shared.has(c)) columns.push({ name: c, from: "both", left: c, right: c, dtype: sharedKeyType(ltype[c]!, rtype[c]!, how) });
    else columns.push({ name: overlap.has(c) ? c + suffixes[0] : c, from: "left", left: c, dtype: ltype[c]! });
  }
  for (const c of rightCols) columns.push({ name: overlap.has(c) ? c + suffixes[1] : c, from: "right", right: c, dtype: rtype[c]! });
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c.name)) throw new InvalidArgumentError(`merge: the result would have two columns named '${c.name}'; choose other suffixes or rename a column first.`);
    seen.add(c.name);
  }
  return { how, leftOn: lk, rightOn: rk, columns };
}

/** All partitions of a frame gathered into one (the broadcast side). */
function gather(df: DataFrame): PartitionedInput {
  if (df.npartitions === 1) return df;
  const name = opName("merge-gather", df._name);
  const refs = Array.from({ length: df.npartitions }, (_, i) => new TaskRef(df.partitionKey(i)));
  const tasks: Graph = new Map([[partitionKey(name, 0), new Task(kernel("dataframe.concatPartitions"), [refs])]]);
  return { dask: addLayer(name, tasks, [df]), _name: name, npartitions: 1 };
}

/** Database-style join of two frames. */
export function merge(left: DataFrame, right: DataFrame, opts: MergeOptions): DataFrame {
  if (!(right instanceof DataFrame)) throw new InvalidArgumentError(`merge: expected a DataFrame to join with; got ${Object.prototype.toString.call(right)}.`);
  const how = opts.how ?? "inner";
  if (!HOWS.includes(how)) throw new InvalidArgumentError(`merge: how must be one of ${HOWS.map((h) => `"${h}"`).join(", ")}; got ${JSON.stringify(how)}.`);
  const suffixes = opts.suffixes ?? ["_x", "_y"];
  if (!Array.isArray(suffixes) || suffixes.length !== 2 || suffixes.some((s) => typeof s !== "string")) {
    throw new InvalidArgumentError(`merge: suffixes must be two strings, e.g. ["_x", "_y"].`);
  }
  if (opts.npartitions !== undefined && (!Number.isInteger(opts.npartitions) || opts.npartitions < 1)) {
    throw new InvalidArgumentError(`merge: npartitions must be a positive integer; got ${opts.npartitions}.`);
  }
  const [lk, rk] = resolveKeys(left, right, opts);
  const plan = planJoin(left, right, lk, rk, how, suffixes);
  const meta: ColumnMeta[] = plan.columns.map((c) => ({ name: c.name, dtype: c.dtype }));
  const join = (l: PartitionedInput, r: PartitionedInput, n: number, how2: string): DataFrame => {
    const { name, dask } = mapPartitionsLayer(`merge-${how2}`, "dataframe.mergePartitions", [l, r, plan], n);
    return new DataFrame(dask, name, meta, n);
  };
  // Broadcast: the whole small side meets every partition of the other. Only the side whose unmatched
  // rows are dropped can be broadcast (its unmatched rows would otherwise repeat once per partition).
  const rightOk = how === "inner" || how === "left";
  const leftOk = how === "inner" || how === "right";
  const nl = left.npartitions, nr = right.npartitions;
  if (opts.broadcast !== false) {
    if (rightOk && nr === 1) return join(left, right, nl, "broadcast");
    if (leftOk && nl === 1) return join(left, right, nr, "broadcast");
    if (opts.broadcast === true) {
      if (rightOk && (!leftOk || nr <= nl)) return join(left, gather(right), nl, "broadcast");
      if (leftOk) return join(gather(left), right, nr, "broadcast");
      // An outer join keeps unmatched rows of both sides: only a shuffle gives each row one home.
    }
  }
  const n = opts.npartitions ?? Math.max(nl, nr);
  const ls = shuffleLayer("merge-shuffle", left, n, { kernel: "dataframe.hashSplit", args: [lk] });
  const rs = shuffleLayer("merge-shuffle", right, n, { kernel: "dataframe.hashSplit", args: [rk] });
  return join(asInput(ls, n), asInput(rs, n), n, "shuffle");
}
