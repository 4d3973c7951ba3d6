// repartition: fewer partitions concatenate neighbours, more split partitions by position; rows keep
// their order; divisions of an indexed frame follow when merging partitions.
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "@dask-ts/core";
import { dd } from "@dask-ts/dataframe";
import { SCHEDULERS, closePoolsAfterAll, rows } from "./helpers.js";
import { partitionedFrame, partitionsOf } from "./relational-helpers.js";

closePoolsAfterAll();

describe("repartition", () => {
  const n = 23;
  const data = { i: Array.from({ length: n }, (_, i) => i), s: Array.from({ length: n }, (_, i) => (i % 3 === 0 ? null : `s${i % 5}`)) };
  for (const scheduler of SCHEDULERS) {
    it(`down and up keep every row in order, on ${scheduler}`, async () => {
      const df = dd.fromColumns(data, { npartitions: 5 });
      for (const k of [1, 2, 3, 4, 5, 6, 9, 10, 23, 30]) {
        const r = df.repartition({ npartitions: k });
        expect(r.npartitions).toBe(k);
        const parts = await partitionsOf(r, scheduler);
        expect(parts.length).toBe(k);
        expect(parts.flatMap((p) => rows(p)), `${k} partitions`).toEqual(data.i.map((i) => ({ i, s: data.s[i] })));
        // Sizes: merged runs of the 5 input partitions (5,5,4,5,4 rows), or the inputs split evenly.
        const sizes = parts.map((p) => p.numRows);
        if (k <= 5) expect(Math.max(...sizes)).toBeLessThanOrEqual(Math.ceil(5 / k) * 5);
        else expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(k > n ? 1 : 3);
      }
    });

    it(`handles empty partitions and per-partition dictionaries, on ${scheduler}`, async () => {
      const df = partitionedFrame({ s: "string" }, [{ s: ["b", "a"] }, {}, { s: ["c", null, "a"] }, {}]);
      const down = await df.repartition({ npartitions: 2 }).compute({ scheduler });
      expect(rows(down).map((r) => r.s)).toEqual(["b", "a", "c", null, "a"]);
      const up = await partitionsOf(df.repartition({ npartitions: 9 }), scheduler);
      expect(up.length).toBe(9);
      expect(up.flatMap((p) => rows(p)).map((r) => r.s)).toEqual(["b", "a", "c", null, "a"]);
    });
  }

  it("explicit splits: 2 partitions into 5 give 3 + 2 pieces; 5 into 2 merge [0, 2) and [2, 5), as Dask", async () => {
    const df = dd.fromColumns({ x: Array.from({ length: 12 }, (_, i) => i) }, { npartitions: 2 });
    const up = await partitionsOf(df.repartition({ npartitions: 5 }), "sync");
    expect(up.map((p) => rows(p).map((r) => r.x))).toEqual([[0, 1], [2, 3], [4, 5], [6, 7, 8], [9, 10, 11]]);
    const five = dd.fromColumns({ x: Array.from({ length: 10 }, (_, i) => i) }, { npartitions: 5 });
    const down = await partitionsOf(five.repartition({ npartitions: 2 }), "sync");
    expect(down.map((p) => rows(p).map((r) => r.x))).toEqual([[0, 1, 2, 3], [4, 5, 6, 7, 8, 9]]);
  });

  it("keeps divisions of an indexed frame when merging partitions, drops them when splitting", () => {
    const df = dd.fromColumns({ k: Array.from({ length: 40 }, (_, i) => i) }, { npartitions: 4 }).setIndex("k");
    expect(df.divisions!.length).toBe(5);
    const down = df.repartition({ npartitions: 2 });
    expect(down.divisions).toEqual([df.divisions![0], df.divisions![2], df.divisions![4]]);
    expect(down.state.index).toBe("k");
    const up = df.repartition({ npartitions: 8 });
    expect(up.knownDivisions).toBe(false);
    expect(up.state.index).toBe("k");
    expect(df.repartition({ npartitions: 4 })).toBe(df);
  });

  it("rejects a bad number of partitions", () => {
    const df = dd.fromColumns({ x: [1] });
    expect(() => df.repartition({ npartitions: 0 })).toThrow(InvalidArgumentError);
    expect(() => df.repartition({ npartitions: 2.5 })).toThrow(/npartitions must be a positive integer; got 2.5/);
    expect(() => df.repartition(undefined as never)).toThrow(/npartitions must be a positive integer/);
  });
});
