// dropDuplicates: tree reduction (order kept) and hash shuffle (splitOut), keep first/last, missing
// values equal each other, per-partition dictionaries, empty partitions; pandas fixtures; bad input.
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "@dask-ts/core";
import { UnknownColumnError, dd } from "@dask-ts/dataframe";
import { SCHEDULERS, closePoolsAfterAll, rows } from "./helpers.js";
import { fixture, frameOf, partitionedFrame, partitionsOf, rowArrays, sortedRows, type FixtureColumn, type FixtureResult } from "./relational-helpers.js";

closePoolsAfterAll();

interface DedupeFixture {
  data: FixtureColumn[];
  cases: { name: string; subset: string[] | null; keep: "first" | "last"; expected: FixtureResult }[];
}

describe("dropDuplicates", () => {
  for (const scheduler of SCHEDULERS) {
    it(`keeps the first (or last) of each distinct row in order; missing equals missing, on ${scheduler}`, async () => {
      // Duplicates across partitions, missing values in int, float and string columns, per-partition dictionaries, an empty partition.
      const df = partitionedFrame({ a: "int32", f: "float64", s: "string", row: "int32" }, [
        { a: [1, null, 1], f: [0.5, NaN, 0.5], s: ["x", null, "x"], row: [0, 1, 2] },
        {},
        { a: [null, 2, 1], f: [NaN, 1, 0.5], s: [null, "ü", "y"], row: [3, 4, 5] },
        { a: [2, 1], f: [1, 0.5], s: ["ü", "x"], row: [6, 7] },
      ]);
      const sub = ["a", "f", "s"];
      const [first, last, byA, all] = await Promise.all([
        df.dropDuplicates(sub).compute({ scheduler }),
        df.dropDuplicates(sub, { keep: "last" }).compute({ scheduler }),
        df.dropDuplicates("a", { splitEvery: 2 }).compute({ scheduler }),
        df.dropDuplicates().compute({ scheduler }),
      ]);
      expect(rows(first!).map((r) => r.row)).toEqual([0, 1, 4, 5]);
      expect(rows(last!).map((r) => r.row)).toEqual([3, 5, 6, 7]);
      expect(rows(byA!).map((r) => r.row)).toEqual([0, 1, 4]);
      expect(all!.numRows).toBe(8); // "row" makes every row distinct
      expect(df.dropDuplicates(sub).npartitions).toBe(1);
    });

    it(`splitOut hash-shuffles into several partitions with the same rows, on ${scheduler}`, async () => {
      const data = { k: Array.from({ length: 60 }, (_, i) => (i * 7) % 13), v: Array.from({ length: 60 }, (_, i) => i % 2) };
      const df = dd.fromColumns(data, { npartitions: 5 });
      const out = df.dropDuplicates(undefined, { splitOut: 3 });
      expect(out.npartitions).toBe(3);
      const parts = await partitionsOf(out, scheduler);
      const got = parts.flatMap((p) => rows(p));
      // Distinct (k, v) pairs, each once, computed by hand from the data.
      const expected = new Set(data.k.map((k, i) => `${k},${data.v[i]}`));
      expect(got.length).toBe(expected.size);
      expect(new Set(got.map((r) => `${r.k},${r.v}`))).toEqual(expected);
      // Keep "first": for each pair, which occurrence is kept does not matter when rows are equal; with a subset it does.
      const bySub = await df.assign({ i: 0 }).dropDuplicates("k", { splitOut: 4 }).compute({ scheduler });
      expect(rows(bySub).map((r) => r.k).sort((a, b) => (a as number) - (b as number))).toEqual(Array.from({ length: 13 }, (_, i) => i));
    });
  }

  it("rejects bad input at the call", () => {
    const df = dd.fromColumns({ a: [1], b: ["x"] });
    expect(() => df.dropDuplicates("zz")).toThrow(UnknownColumnError);
    expect(() => df.dropDuplicates(["a", "zz"])).toThrow(/Unknown column 'zz'/);
    expect(() => df.dropDuplicates([])).toThrow(InvalidArgumentError);
    expect(() => df.dropDuplicates("a", { keep: false as never })).toThrow(/keep must be "first" or "last"/);
    expect(() => df.dropDuplicates("a", { splitOut: 0 })).toThrow(/splitOut must be a positive integer/);
  });
});

describe("dropDuplicates: pandas fixtures", () => {
  const fx = fixture<DedupeFixture>("dedupe.json");
  for (const scheduler of SCHEDULERS) {
    it(`${fx.cases.length} cases match pandas 1.5 (order kept by the tree reduction; same rows with splitOut), on ${scheduler}`, async () => {
      for (const c of fx.cases) {
        for (const nin of [1, 4, 11]) {
          const df = frameOf(fx.data, nin);
          const t = await df.dropDuplicates(c.subset ?? undefined, { keep: c.keep, splitEvery: 3 }).compute({ scheduler });
          expect(t.schema.fields.map((f) => f.name)).toEqual(c.expected.columns);
          expect(rowArrays(t), `${c.name}, ${nin} partitions`).toEqual(c.expected.rows);
          const split = await df.dropDuplicates(c.subset ?? undefined, { keep: c.keep, splitOut: 3 }).compute({ scheduler });
          expect(sortedRows(rowArrays(split)), `${c.name}, ${nin} partitions, splitOut 3`).toEqual(sortedRows(c.expected.rows));
        }
      }
    });
  }
});
