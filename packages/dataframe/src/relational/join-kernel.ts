/**
 * The join of two partitions: a hash join on factorized keys (ints), then every output column is a
 * take of its source column by row-index arrays (-1 = no row on that side: a missing value).
 */
import { allocTyped } from "@dask-ts/core";
import type * as A from "apache-arrow";
import { makeTable, readColumn, type Column } from "../column.js";
import type { ColType } from "../dtypes.js";
import { castColumn, coalesceColumns, takeRows } from "./join-columns.js";
import { keyIds } from "./keys.js";

/** One output column of a join: from the left, the right, or a key both sides share (coalesced). */
export interface JoinColumn {
  readonly name: string;
  readonly from: "left" | "right" | "both";
  /** Source column on the left (left, both). */
  readonly left?: string;
  /** Source column on the right (right, both). */
  readonly right?: string;
  readonly dtype: ColType;
}

/** Everything a join task needs, decided at graph-build time. */
export interface JoinPlan {
  readonly how: "inner" | "left" | "right" | "outer";
  readonly leftOn: readonly string[];
  readonly rightOn: readonly string[];
  readonly columns: readonly JoinColumn[];
}

/**
 * Row pairs of the join: `outer` rows in order, each with its matching `inner` rows in their order
 * (pandas' order for inner/left joins, and for right joins with the sides swapped). `keepOuter` adds
 * outer rows without a match (inner index -1); `keepInner` appends inner rows never matched (outer -1).
 */
function pairRows(outerIds: Int32Array, innerIds: Int32Array, count: number, keepOuter: boolean, keepInner: boolean): { outer: Int32Array; inner: Int32Array } {
  // Inner rows grouped by id (CSR): bucket of id k is rows[starts[k] .. starts[k+1]).
  const starts = new Int32Array(count + 1);
  const ni = innerIds.length;
  for (let j = 0; j < ni; j++) { const id = innerIds[j]!; if (id >= 0) starts[id + 1]!++; }
  for (let k = 0; k < count; k++) starts[k + 1]! += starts[k]!;
  const rows = allocTyped(Int32Array, starts[count]!, { uninitialized: true });
  const fill = starts.slice(0, count);
  for (let j = 0; j < ni; j++) { const id = innerIds[j]!; if (id >= 0) rows[fill[id]!++] = j; }
  // Output size first, then fill.
  const no = outerIds.length;
  let total = 0;
  for (let i = 0; i < no; i++) {
    const id = outerIds[i]!;
    const m = id >= 0 ? starts[id + 1]! - starts[id]! : 0;
    total += m > 0 ? m : keepOuter ? 1 : 0;
  }
  let hit: Uint8Array | null = null;
  let unmatched = 0;
  if (keepInner) {
    hit = new Uint8Array(count);
    for (let i = 0; i < no; i++) { const id = outerIds[i]!; if (id >= 0) hit[id] = 1; }
    for (let j = 0; j < ni; j++) { const id = innerIds[j]!; if (id < 0 || hit[id] === 0) unmatched++; }
  }
  const outer = allocTyped(Int32Array, total + unmatched, { uninitialized: true });
  const inner = allocTyped(Int32Array, total + unmatched, { uninitialized: true });
  let o = 0;
  for (let i = 0; i < no; i++) {
    const id = outerIds[i]!;
    const s = id >= 0 ? starts[id]! : 0, e = id >= 0 ? starts[id + 1]! : 0;
    if (s === e) {
      if (keepOuter) { outer[o] = i; inner[o++] = -1; }
      continue;
    }
    for (let r = s; r < e; r++) { outer[o] = i; inner[o++] = rows[r]!; }
  }
  if (hit !== null) {
    for (let j = 0; j < ni; j++) {
      const id = innerIds[j]!;
      if (id < 0 || hit[id] === 0) { outer[o] = -1; inner[o++] = j; }
    }
  }
  return { outer, inner };
}

/** Joins two partitions as `plan` says. */
export function joinTables(left: A.Table, right: A.Table, plan: JoinPlan): A.Table {
  const lk = plan.leftOn.map((c) => readColumn(left, c));
  const rk = plan.rightOn.map((c) => readColumn(right, c));
  // The hash side is the smaller one; the ids are then shared by both sides.
  const buildLeft = left.numRows <= right.numRows;
  const ids = buildLeft ? keyIds(lk, rk) : keyIds(rk, lk);
  const lids = buildLeft ? ids.build : ids.probe!;
  const rids = buildLeft ? ids.probe! : ids.build;
  // Ids of probe rows without a partner are -1 on one side only; the other side's unmatched ids simply find an empty bucket.
  let li: Int32Array, ri: Int32Array;
  if (plan.how === "right") {
    const p = pairRows(rids, lids, ids.count, true, false);
    li = p.inner; ri = p.outer;
  } else {
    const p = pairRows(lids, rids, ids.count, plan.how === "left" || plan.how === "outer", plan.how === "outer");
    li = p.outer; ri = p.inner;
  }
  const cache = new Map<string, Column>();
  const read = (t: A.Table, side: string, name: string): Column => {
    const k = `${side}\u0000${name}`;
    let c = cache.get(k);
    if (c === undefined) { c = readColumn(t, name); cache.set(k, c); }
    return c;
  };
  const cols = plan.columns.map((col): Column => {
    if (col.from === "left") return castColumn(takeRows(read(left, "l", col.left!), li), col.dtype);
    if (col.from === "right") return castColumn(takeRows(read(right, "r", col.right!), ri), col.dtype);
    const a = castColumn(takeRows(read(left, "l", col.left!), li), col.dtype);
    if (plan.how === "inner" || plan.how === "left") return a;
    const b = castColumn(takeRows(read(right, "r", col.right!), ri), col.dtype);
    return coalesceColumns(a, b, li);
  });
  return makeTable(plan.columns.map((c) => c.name), cols);
}
