// High-cardinality groupby: 5,000 groups hash-split into splitOut partitions, against pandas
// (fixtures/groupby/generate_many.py, many.json) and against the tree reduction (splitOut 1).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Literal, compute } from "@dask-ts/core";
import type * as A from "apache-arrow";
import { dd } from "@dask-ts/dataframe";
import { SCHEDULERS, closePoolsAfterAll, columnsOf } from "./helpers.js";

closePoolsAfterAll();

const many = JSON.parse(readFileSync(new URL("./fixtures/groupby/many.json", import.meta.url), "utf8")) as {
  rows: number;
  byKey: Record<string, unknown[]>;
  byIkey: Record<string, unknown[]>;
};

// The frame of generate_many.py, by the same formulas.
const N = many.rows;
const idx = Array.from({ length: N }, (_, i) => i);
const frame = (npartitions: number) =>
  dd.fromColumns(
    {
      key: idx.map((i) => (i % 97 === 0 ? null : `g${String((i * 7919) % 5000).padStart(4, "0")}`)),
      ikey: Int32Array.from(idx, (i) => ((i * 7919) % 5000) * 1000 - 2_000_000),
      v: Int32Array.from(idx, (i) => ((i * 31) % 1009) - 500),
      w: Int32Array.from(idx, (i) => (i * 13) % 50),
    },
    { npartitions },
  );

describe("groupby with many groups", () => {
  for (const scheduler of SCHEDULERS) {
    it(`splitOut 4 equals splitOut 1 and pandas (string and int keys), on ${scheduler}`, async () => {
      const df = frame(13);
      const aggs = { v: ["sum", "max", "count"], w: "nunique" } as const;
      const split = df.groupby("key", { splitOut: 4 }).agg(aggs);
      const [tree, splitT, ints, multi1, multi3] = (await compute(
        df.groupby("key").agg(aggs),
        split,
        df.groupby("ikey", { splitOut: 4 }).agg({ v: ["sum", "min"] }),
        df.groupby(["w", "key"]).col("v").sum(),
        df.groupby(["w", "key"], { splitOut: 3, dropna: false }).col("v").sum(),
        { scheduler },
      )) as A.Table[];
      expect(columnsOf(tree!)).toEqual(many.byKey);
      expect(columnsOf(splitT!)).toEqual(many.byKey);
      expect(columnsOf(ints!)).toEqual(many.byIkey);
      // dropna false adds the rows with a missing key as groups (w, null), sorted last within each w.
      const withMissing = columnsOf(multi3!);
      const dropped = columnsOf(multi1!);
      const keep = withMissing.key!.map((k) => k !== null);
      expect(withMissing.w!.filter((_, i) => keep[i])).toEqual(dropped.w);
      expect(withMissing.key!.filter((_, i) => keep[i])).toEqual(dropped.key);
      expect(withMissing.v!.filter((_, i) => keep[i])).toEqual(dropped.v);
      const missingRows = idx.filter((i) => i % 97 === 0);
      expect(withMissing.key!.filter((k) => k === null).length).toBe(new Set(missingRows.map((i) => (i * 13) % 50)).size);
      expect(withMissing.v!.filter((_, i) => !keep[i]).reduce((a, b) => (a as number) + (b as number), 0)).toBe(missingRows.reduce((a, i) => a + (((i * 31) % 1009) - 500), 0));
    });
  }

  it("hash-splits the groups: each output partition holds some of them, sorted, none twice", async () => {
    const q = frame(6).groupby("key", { splitOut: 4 }).col("v").sum();
    const persisted = await q.persist({ scheduler: "threads" });
    const graph = persisted.graph();
    const parts = persisted.keys().map((k) => (graph.get(k) as Literal<A.Table>).value);
    expect(parts.length).toBe(4);
    const seen = new Set<string>();
    for (const p of parts) {
      const keys = columnsOf(p).key as string[];
      expect(keys.length).toBeGreaterThan(500);
      expect(keys.length).toBeLessThan(2500);
      expect([...keys].sort()).toEqual(keys);
      for (const k of keys) {
        expect(seen.has(k)).toBe(false);
        seen.add(k);
      }
    }
    expect(seen.size).toBe(5000);
  });
});

describe("valueCounts with splitOut", () => {
  for (const scheduler of SCHEDULERS) {
    it(`merges the split partitions into one order: count descending, then value (${scheduler})`, async () => {
      // Value v appears (v % 7) + 1 times: counts 1..7, many ties broken by value.
      const vals: number[] = [];
      for (let v = 0; v < 300; v++) for (let k = 0; k <= v % 7; k++) vals.push(v);
      const s = dd.fromColumns({ v: vals.reverse() }, { npartitions: 5 }).col("v");
      const got = columnsOf(await s.valueCounts({ splitOut: 3 }).compute({ scheduler }));
      const want = Array.from({ length: 300 }, (_, v) => v).sort((a, b) => (b % 7) - (a % 7) || a - b);
      expect(got.v).toEqual(want);
      expect(got.count).toEqual(want.map((v) => (v % 7) + 1));
    });
  }
});
