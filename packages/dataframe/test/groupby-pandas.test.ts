// groupby and valueCounts against pandas 1.5 (fixtures/groupby: generate.py, input.json, expected.json).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compute } from "@dask-ts/core";
import * as A from "apache-arrow";
import { dd, type ColType, type DataFrame } from "@dask-ts/dataframe";
import { SCHEDULERS, closePoolsAfterAll, rows } from "./helpers.js";

closePoolsAfterAll();

const dir = new URL("./fixtures/groupby/", import.meta.url);
const input = JSON.parse(readFileSync(new URL("input.json", dir), "utf8")) as { dtypes: Record<string, ColType>; columns: Record<string, unknown[]> };
interface Case {
  by: string[];
  dropna: boolean;
  agg: string | Record<string, string | string[]>;
  columns: string[];
  rows: unknown[][];
}
const expected = JSON.parse(readFileSync(new URL("expected.json", dir), "utf8")) as {
  cases: Case[];
  valueCounts: { columns_of_frame: string[]; dropna: boolean; columns: string[]; rows: unknown[][] }[];
};

/** Equal up to float rounding (pandas sums in another order). */
function close(a: unknown, b: unknown): boolean {
  if (typeof a === "number" && typeof b === "number") return a === b || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  return a === b;
}

function expectRows(t: A.Table, columns: string[], want: unknown[][], label: string): void {
  expect(t.schema.fields.map((f) => f.name), label).toEqual(columns);
  const got = rows(t).map((r) => columns.map((c) => r[c]));
  expect(got.length, label).toBe(want.length);
  got.forEach((row, i) => {
    row.forEach((v, j) => {
      if (!close(v, want[i]![j])) {
        throw new Error(`${label}: row ${i} column '${columns[j]}': got ${JSON.stringify(v)}, pandas ${JSON.stringify(want[i]![j])} (row ${JSON.stringify(row)} vs ${JSON.stringify(want[i])})`);
      }
    });
  });
}

function run(df: DataFrame, c: Case, splitOut: number): DataFrame {
  const g = df.groupby(c.by, { dropna: c.dropna, splitOut, splitEvery: 3 });
  if (typeof c.agg === "object") return g.agg(c.agg as never);
  return (g as unknown as Record<string, () => DataFrame>)[c.agg]!.call(g);
}

const label = (c: Case) => `groupby(${c.by.join(",")}, dropna=${c.dropna}).${typeof c.agg === "string" ? c.agg : "agg"}`;

describe("groupby agrees with pandas 1.5 on a generated frame (3,000 rows, nulls, NaN, unicode keys)", () => {
  for (const scheduler of SCHEDULERS) {
    for (const [npartitions, splitOut] of [[7, 1], [1, 1], [7, 3]] as const) {
      it(`every aggregation, ${npartitions} partition(s), splitOut ${splitOut}, on ${scheduler}`, async () => {
        const df = dd.fromColumns(input.columns, { npartitions, dtype: input.dtypes });
        const results = (await compute(...expected.cases.map((c) => run(df, c, splitOut)), { scheduler })) as A.Table[];
        expected.cases.forEach((c, i) => expectRows(results[i]!, c.columns, c.rows, label(c)));
      });
    }
    it(`valueCounts of a frame and a series on ${scheduler}`, async () => {
      const df = dd.fromColumns(input.columns, { npartitions: 5, dtype: input.dtypes });
      const vcs = expected.valueCounts.map((v) =>
        v.columns_of_frame.length === 1 ? df.col(v.columns_of_frame[0]!).valueCounts({ dropna: v.dropna, splitEvery: 2 }) : df.select(v.columns_of_frame).valueCounts({ dropna: v.dropna }),
      );
      const results = (await compute(...vcs, { scheduler })) as A.Table[];
      expected.valueCounts.forEach((v, i) => expectRows(results[i]!, v.columns, v.rows, `valueCounts(${v.columns_of_frame}, dropna=${v.dropna})`));
    });
  }
});
