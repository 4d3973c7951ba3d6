// Series reductions, unique/nunique, len and describe against hand-computed values, over different
// partition layouts (one partition, empty partitions, one row each) and tree shapes (splitEvery).
import { describe, expect, it } from "vitest";
import * as A from "apache-arrow";
import { InvalidArgumentError } from "@dask-ts/core";
import { ColumnTypeError, dd } from "@dask-ts/dataframe";
import { makeTable, type Column } from "@dask-ts/dataframe/column";
import { SCHEDULERS, closePoolsAfterAll, rows } from "./helpers.js";
import { close, framePartitioned } from "./series-helpers.js";

closePoolsAfterAll();

const D = (s: string) => new Date(s);
const columns = {
  a: [1, 2, null, 4, 5, -3],
  x: [0.5, NaN, 2.5, null, -1, 4],
  k: [2n ** 62n, 2n ** 62n, 1n, null, 0n, -5n],
  s: ["b", "😀", null, "\uff5e", "a", "b"],
  t: [true, false, null, true, true, false],
  d: [D("2020-05-01T00:00:00Z"), null, D("1999-12-31T23:00:00Z"), D("2021-01-01T00:00:00Z"), null, D("2000-01-01T00:00:00Z")],
  z: [NaN, NaN, null, NaN, null, NaN],
};
const dtypes = { a: "int32", x: "float64", k: "int64", s: "string", t: "bool", d: "date", z: "float64" } as const;
const LAYOUTS: readonly (readonly number[])[] = [[6], [1, 0, 2, 0, 3], [0, 0, 6, 0], [1, 1, 1, 1, 1, 1]];
const frame = (sizes: readonly number[]) => framePartitioned(columns, dtypes, sizes);

// Hand-computed: a = 1, 2, 4, 5, -3 (mean 1.8, squared deviations 38.8); x = 0.5, 2.5, -1, 4 (mean 1.5, 14.5).
describe("Series reductions", () => {
  it("result types are known before computing", () => {
    const df = frame([6]);
    expect(df.col("a").sum().dtype).toBe("int64");
    expect(df.col("x").sum().dtype).toBe("float64");
    expect(df.col("a").mean().dtype).toBe("float64");
    expect(df.col("s").min().dtype).toBe("string");
    expect(df.col("d").max().dtype).toBe("date");
    expect(df.col("s").count().dtype).toBe("int64");
  });

  for (const scheduler of SCHEDULERS) {
    for (const sizes of LAYOUTS) {
      it(`sum, mean, min, max, count, std, var over partitions [${sizes}] on ${scheduler}`, async () => {
        const df = frame(sizes);
        const a = df.col("a"), x = df.col("x"), k = df.col("k"), s = df.col("s"), t = df.col("t"), d = df.col("d");
        const o = { scheduler };
        expect(await a.sum().compute(o)).toBe(9);
        expect(await a.mean().compute(o)).toBe(1.8);
        expect(await a.min().compute(o)).toBe(-3);
        expect(await a.max().compute(o)).toBe(5);
        expect(await a.count().compute(o)).toBe(5);
        expect(close(await a.var().compute(o), 38.8 / 4)).toBe(true);
        expect(close(await a.std({ ddof: 0 }).compute(o), Math.sqrt(38.8 / 5))).toBe(true);
        expect(await x.sum().compute(o)).toBe(6);
        expect(await x.mean().compute(o)).toBe(1.5);
        expect(await x.min().compute(o)).toBe(-1);
        expect(await x.max().compute(o)).toBe(4);
        expect(await x.count().compute(o)).toBe(4);
        expect(close(await x.var().compute(o), 14.5 / 3)).toBe(true);
        expect(close(await x.var({ ddof: 0 }).compute(o), 3.625)).toBe(true);
        expect(close(await x.std().compute(o), Math.sqrt(14.5 / 3))).toBe(true);
        expect(close(await x.std({ ddof: 2 }).compute(o), Math.sqrt(14.5 / 2))).toBe(true);
        // int64: 2^62 + 2^62 + 1 + 0 - 5 is past 2^53 (exact as a bigint) and below 2^63 (no wrap)
        expect(await k.sum().compute(o)).toBe(2n ** 63n - 4n);
        expect(await k.min().compute(o)).toBe(-5n);
        expect(await k.max().compute(o)).toBe(2n ** 62n);
        expect(await s.min().compute(o)).toBe("a");
        // U+1F600 is the largest by code point (UTF-16 order would pick U+FF5E)
        expect(await s.max().compute(o)).toBe("😀");
        expect(await s.count().compute(o)).toBe(5);
        expect(await t.sum().compute(o)).toBe(3);
        expect(await t.mean().compute(o)).toBe(0.6);
        expect(await t.min().compute(o)).toBe(false);
        expect(await t.max().compute(o)).toBe(true);
        expect(await d.min().compute(o)).toEqual(D("1999-12-31T23:00:00Z"));
        expect(await d.max().compute(o)).toEqual(D("2021-01-01T00:00:00Z"));
        expect(await d.count().compute(o)).toBe(4);
      });
    }

    it(`missing values: skipna false, all-missing, empty, too few values for ddof, on ${scheduler}`, async () => {
      const o = { scheduler };
      const df = frame([2, 0, 4]);
      expect(await df.col("x").sum({ skipna: false }).compute(o)).toBe(null);
      expect(await df.col("a").mean({ skipna: false }).compute(o)).toBe(null);
      expect(await df.col("s").max({ skipna: false }).compute(o)).toBe(null);
      expect(await df.col("x").count({ skipna: false }).compute(o)).toBe(4);
      const z = df.col("z");
      expect(await z.sum().compute(o)).toBe(0);
      expect(await z.mean().compute(o)).toBe(null);
      expect(await z.min().compute(o)).toBe(null);
      expect(await z.max().compute(o)).toBe(null);
      expect(await z.std().compute(o)).toBe(null);
      expect(await z.count().compute(o)).toBe(0);
      const empty = framePartitioned({ i: [], g: [], s: [] }, { i: "int32", g: "int64", s: "string" }, [0, 0]);
      expect(await empty.col("i").sum().compute(o)).toBe(0);
      expect(await empty.col("g").sum().compute(o)).toBe(0n);
      expect(await empty.col("i").max().compute(o)).toBe(null);
      expect(await empty.col("s").min().compute(o)).toBe(null);
      expect(await empty.col("i").count().compute(o)).toBe(0);
      expect(await empty.col("s").nunique().compute(o)).toBe(0);
      expect(await empty.col("s").unique().toArray(o)).toEqual([]);
      const one = dd.fromColumns({ v: [null, 7, null] }, { npartitions: 3, dtype: { v: "int32" } });
      expect(await one.col("v").std().compute(o)).toBe(null);
      expect(await one.col("v").std({ ddof: 0 }).compute(o)).toBe(0);
      expect(await one.col("v").var({ ddof: 0 }).compute(o)).toBe(0);
    });

    it(`exact integer sums; compensated float sums; deep trees (splitEvery 2), on ${scheduler}`, async () => {
      const o = { scheduler };
      // int32 sums are int64 in NumPy: no wrap at 2^31
      const big = dd.fromColumns({ v: [2147483647, 2147483647, 10] }, { npartitions: 2, dtype: { v: "int32" } });
      expect(await big.col("v").sum().compute(o)).toBe(4294967304);
      // 1e16 + 1 + 1 + ... : a naive float sum loses every 1; the compensated one keeps them
      const vals = [1e16, ...Array.from({ length: 20 }, () => 1), -1e16];
      const f = dd.fromColumns({ v: vals }, { npartitions: 5 });
      expect(await f.col("v").sum({ splitEvery: 2 }).compute(o)).toBe(20);
      expect(await f.col("v").mean({ splitEvery: 2 }).compute(o)).toBe(20 / 22);
      // variance of values with a large offset: Chan's merge of per-partition moments stays exact
      const shifted = Array.from({ length: 12 }, (_, i) => 1e9 + (i % 4));
      const g = dd.fromColumns({ v: shifted }, { npartitions: 5 });
      // values 0,1,2,3 three times each (offset 1e9): mean 1.5, squared deviations 3 * 5 = 15
      expect(close(await g.col("v").var({ splitEvery: 2 }).compute(o), 15 / 11)).toBe(true);
      expect(close(await g.col("v").std({ ddof: 0, splitEvery: 3 }).compute(o), Math.sqrt(15 / 12))).toBe(true);
    });
  }

  it("bad input: non-numeric sums, bad ddof and splitEvery", () => {
    const df = frame([6]);
    expect(() => df.col("s").sum()).toThrow(ColumnTypeError);
    expect(() => df.col("s").sum()).toThrow(/column 's' is string; sum needs a numeric/);
    expect(() => df.col("d").mean()).toThrow(/column 'd' is date/);
    expect(() => df.col("s").std()).toThrow(ColumnTypeError);
    expect(() => df.col("x").std({ ddof: -1 })).toThrow(InvalidArgumentError);
    expect(() => df.col("x").var({ ddof: 0.5 })).toThrow(/ddof must be a non-negative integer/);
    expect(() => df.col("x").sum({ splitEvery: 1 })).toThrow(/splitEvery/);
  });
});

/** A string partition with its own dictionary (unused and repeated entries included). */
function strPart(codes: number[], dict: string[]): A.Table {
  const c: Column = { kind: "str", dtype: "string", codes: Int32Array.from(codes), dict };
  return makeTable(["s"], [c]);
}

describe("nunique and unique", () => {
  for (const scheduler of SCHEDULERS) {
    it(`distinct values in order of first appearance, missing once, on ${scheduler}`, async () => {
      const o = { scheduler };
      for (const sizes of LAYOUTS) {
        const df = frame(sizes);
        expect(await df.col("s").unique().toArray(o)).toEqual(["b", "😀", null, "\uff5e", "a"]);
        expect(await df.col("a").unique().toArray(o)).toEqual([1, 2, null, 4, 5, -3]);
        expect(await df.col("x").unique().toArray(o)).toEqual([0.5, null, 2.5, -1, 4]);
        expect(await df.col("k").unique().toArray(o)).toEqual([2n ** 62n, 1n, null, 0n, -5n]);
        expect(await df.col("t").unique().toArray(o)).toEqual([true, false, null]);
        expect(df.col("s").unique().npartitions).toBe(1);
        expect(df.col("s").unique().name).toBe("s");
        expect(await df.col("s").nunique().compute(o)).toBe(4);
        expect(await df.col("s").nunique({ skipna: false }).compute(o)).toBe(5);
        expect(await df.col("a").nunique().compute(o)).toBe(5);
        expect(await df.col("x").nunique().compute(o)).toBe(4);
        expect(await df.col("k").nunique().compute(o)).toBe(4);
        expect(await df.col("z").nunique().compute(o)).toBe(0);
        expect(await df.col("d").nunique({ splitEvery: 2 }).compute(o)).toBe(4);
      }
    });

    it(`strings compare by text across partitions with their own dictionaries, on ${scheduler}`, async () => {
      const o = { scheduler };
      const df = dd.fromPartitions([
        // unused entries ("\uff5e" would be the max, "0" the min) count for nothing
        strPart([1, 1, -1], ["\uff5e", "m", "0"]),
        // a repeated entry ("ä" twice) is one value
        strPart([0, 2, 1, 3], ["ä", "zz", "m", "ä"]),
        strPart([], []),
        strPart([1, 0], ["m", "b"]),
      ]);
      expect(await df.col("s").unique().toArray(o)).toEqual(["m", null, "ä", "zz", "b"]);
      expect(await df.col("s").nunique().compute(o)).toBe(4);
      expect(await df.col("s").max().compute(o)).toBe("ä");
      expect(await df.col("s").min().compute(o)).toBe("b");
      expect(await df.col("s").toArray(o)).toEqual(["m", "m", null, "ä", "m", "zz", "ä", "b", "m"]);
      expect(await df.col("s").isin(["m"]).toArray(o)).toEqual([true, true, false, false, true, false, false, false, true]);
    });
  }
});

describe("len and describe", () => {
  for (const scheduler of SCHEDULERS) {
    it(`len counts rows of frames and Series on ${scheduler}`, async () => {
      const o = { scheduler };
      for (const sizes of LAYOUTS) {
        const df = frame(sizes);
        expect(await df.len(o)).toBe(6);
        expect(await df.col("x").len(o)).toBe(6);
        expect(await df.filter(df.col("a").gt(1)).len(o)).toBe(3);
      }
      expect(await framePartitioned({ v: [] }, { v: "int32" }, [0, 0, 0]).len(o)).toBe(0);
      const many = dd.fromColumns({ v: Array.from({ length: 100 }, (_, i) => i) }, { npartitions: 37 });
      expect(await many.len(o)).toBe(100);
    });

    it(`describe: count, mean, std, min, quartiles (linear interpolation), max of numeric columns, on ${scheduler}`, async () => {
      const df = frame([1, 0, 2, 0, 3]).select(["a", "x", "s", "t", "z"]);
      const desc = df.describe();
      expect(desc.columns).toEqual(["statistic", "a", "x", "z"]);
      expect(desc.dtypes).toEqual({ statistic: "string", a: "float64", x: "float64", z: "float64" });
      const got = rows(await desc.compute({ scheduler }));
      expect(got.map((r) => r.statistic)).toEqual(["count", "mean", "std", "min", "25%", "50%", "75%", "max"]);
      // a sorted: -3, 1, 2, 4, 5: quartile positions 1, 2, 3
      const a = [5, 1.8, Math.sqrt(38.8 / 4), -3, 1, 2, 4, 5];
      // x sorted: -1, 0.5, 2.5, 4: positions 0.75, 1.5, 2.25
      const x = [4, 1.5, Math.sqrt(14.5 / 3), -1, 0.125, 1.5, 2.875, 4];
      got.forEach((r, i) => {
        expect(close(r.a, a[i]), `a ${String(r.statistic)}`).toBe(true);
        expect(close(r.x, x[i]), `x ${String(r.statistic)}`).toBe(true);
      });
      expect(got.map((r) => r.z)).toEqual([0, null, null, null, null, null, null, null]);
    });
  }

  it("describe needs numeric columns", () => {
    const df = frame([6]);
    expect(() => df.select(["s", "t", "d"]).describe()).toThrow(/no numeric columns \(s: string, t: bool, d: date\)/);
    expect(() => dd.fromColumns({ statistic: [1, 2] }).describe()).toThrow(InvalidArgumentError);
  });
});
