// Shared by the dataframe groupby benchmark and its DuckDB reference: the workloads, the
// issue's targets, machine load, and checks of query results against the answers that
// benchmarks/dataframe-gen.mjs stored beside the CSV (<name>.json), so a wrong answer fails the run.
import { readFileSync } from "node:fs";

/** Workloads, in run order: CSV to memory, queries end to end from CSV, queries on a persisted frame. */
export const WORKLOADS = ["read-all", "q1", "q3", "q5", "q1-mem", "q3-mem", "q5-mem"];

/** What each workload is, for the table. */
export const DESCRIPTIONS = {
  "read-all": "readCsv, all columns, to memory (persist) + row count",
  q1: 'readCsv + groupby("id1").col("v1").sum()',
  q3: 'readCsv + groupby("id3").agg({ v1: "sum", v3: "mean" })',
  q5: 'readCsv + groupby("id6") sum of v1, v2, v3',
  "q1-mem": "q1 on a persisted frame (query only)",
  "q3-mem": "q3 on a persisted frame (query only)",
  "q5-mem": "q5 on a persisted frame (query only)",
};

/** The targets for dask-ts at 1e7 rows on the threads scheduler, in seconds (Dask threads in brackets there). */
export const TARGETS_1E7 = { "read-all": 2.4, q1: 1.26, q3: 2.9, q5: 1.29, "q1-mem": 0.19, "q3-mem": 0.6 };

/** The 1-, 5- and 15-minute load averages (Linux), or null. */
export function loadavg() {
  try {
    return readFileSync("/proc/loadavg", "utf8").trim().split(/\s+/).slice(0, 3).map(Number);
  } catch {
    return null;
  }
}

const num = (v) => (typeof v === "bigint" ? Number(v) : v);
const close = (a, b, rel = 1e-9) => Math.abs(a - b) <= Math.max(1e-6, rel * Math.max(Math.abs(a), Math.abs(b)));
const sum = (xs) => {
  let s = 0;
  for (const v of xs) s += num(v);
  return s;
};

/**
 * Checks a query result given as columns; throws on a wrong answer, returns a small summary.
 * `keys` (string[] or null when the tool returned values only, sorted by key) and `cols`
 * (values by output name: q1 { v1 }, q3 { v1, v3 }, q5 { v1, v2, v3 }; arrays of number or bigint).
 * @param {"q1"|"q3"|"q5"} query
 * @param {{ groups: number, keys?: ArrayLike<string> | null, cols: Record<string, ArrayLike<number|bigint>> }} r
 * @param {object} meta the generator's sidecar
 */
export function checkQuery(query, r, meta) {
  const fail = (why) => {
    throw new Error(`${query}: wrong result: ${why}`);
  };
  const want = meta[query];
  if (r.groups !== want.groups) fail(`${r.groups} groups, want ${want.groups}`);
  for (const [name, col] of Object.entries(r.cols)) if (!col || col.length !== r.groups) fail(`column ${name} has ${col?.length} values for ${r.groups} groups`);
  if (query === "q1") {
    const byKey = want.v1_by_id1;
    const keys = r.keys ?? Object.keys(byKey).sort(); // values only: sorted by key
    for (let i = 0; i < r.groups; i++) {
      if (num(r.cols.v1[i]) !== byKey[keys[i]]) fail(`sum of v1 for ${keys[i]} is ${r.cols.v1[i]}, want ${byKey[keys[i]]}`);
    }
    return { groups: r.groups, sum_v1: sum(r.cols.v1) };
  }
  if (query === "q3") {
    const got = { groups: r.groups, sum_v1: sum(r.cols.v1), sum_of_v3_means: sum(r.cols.v3) };
    if (got.sum_v1 !== want.sum_v1 || !close(got.sum_of_v3_means, want.sum_of_v3_means)) fail(`${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    return got;
  }
  const got = { groups: r.groups, sum_v1: sum(r.cols.v1), sum_v2: sum(r.cols.v2), sum_v3: sum(r.cols.v3) };
  if (got.sum_v1 !== want.sum_v1 || got.sum_v2 !== want.sum_v2 || !close(got.sum_v3, want.sum_v3)) fail(`${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  return got;
}

/** The output value columns of each query, in order. */
export const QUERY_COLUMNS = { q1: ["v1"], q3: ["v1", "v3"], q5: ["v1", "v2", "v3"] };
