import { describe, expect, it } from "vitest";
import * as A from "apache-arrow";
import { dd, DataFrame, UnknownColumnError } from "@dask-ts/dataframe";
import { SCHEDULERS, closePoolsAfterAll, columnsOf, rows } from "./helpers.js";

closePoolsAfterAll();

const data = {
  a: [1, 2, null, 4, 5],
  b: [0.5, NaN, 2.5, null, -1],
  s: ["x", "ü日本", null, "x", ""],
  t: [true, false, null, true, false],
};

describe("creation and selection", () => {
  it("fromColumns keeps values, missing values and types; schema is known without computing", () => {
    const df = dd.fromColumns(data, { npartitions: 2 });
    expect(df.columns).toEqual(["a", "b", "s", "t"]);
    expect(df.dtypes).toEqual({ a: "int32", b: "float64", s: "string", t: "bool" });
    expect(df.npartitions).toBe(2);
  });

  for (const scheduler of SCHEDULERS) {
    it(`computes, selects, renames, drops and assigns on ${scheduler}`, async () => {
      const df = dd.fromColumns(data, { npartitions: 3 });
      const t = await df.compute({ scheduler });
      expect(t.numRows).toBe(5);
      expect(columnsOf(t)).toEqual({ a: [1, 2, null, 4, 5], b: [0.5, null, 2.5, null, -1], s: ["x", "ü日本", null, "x", ""], t: [true, false, null, true, false] });
      const sel = await df.select(["s", "a"]).rename({ s: "str" }).compute({ scheduler });
      expect(sel.schema.fields.map((f) => f.name)).toEqual(["str", "a"]);
      expect(columnsOf(await df.drop(["a", "b"]).compute({ scheduler }))).toEqual({ s: ["x", "ü日本", null, "x", ""], t: [true, false, null, true, false] });
      const asg = await df.assign({ c: 7, a: df.col("b"), u: "k" }).compute({ scheduler });
      expect(columnsOf(asg)).toMatchObject({ a: [0.5, null, 2.5, null, -1], c: [7, 7, 7, 7, 7], u: ["k", "k", "k", "k", "k"] });
      expect(asg.schema.fields.map((f) => f.name)).toEqual(["a", "b", "s", "t", "c", "u"]);
      const v = await df.col("s").toArray({ scheduler });
      expect(v).toEqual(["x", "ü日本", null, "x", ""]);
    });
  }

  it("fromRecords takes the union of keys; fromArrow splits rows; head spans partitions", async () => {
    const df = dd.fromRecords([{ a: 1 }, { a: 2, b: "q" }, { b: "r" }], { npartitions: 3 });
    expect(rows(await df.compute({ scheduler: "sync" }))).toEqual([{ a: 1, b: null }, { a: 2, b: "q" }, { a: null, b: "r" }]);
    const arrow = A.tableFromArrays({ x: Float64Array.from({ length: 10 }, (_, i) => i) });
    const f = dd.fromArrow(arrow, { npartitions: 4 });
    expect(f.npartitions).toBe(4);
    const h = await f.head(7, { scheduler: "threads" });
    expect(columnsOf(h).x).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect((await f.head(100, { scheduler: "sync" })).numRows).toBe(10);
  });

  it("persist keeps partitions", async () => {
    const df = await dd.fromColumns(data, { npartitions: 2 }).select(["a"]).persist({ scheduler: "threads" });
    expect(df).toBeInstanceOf(DataFrame);
    expect(columnsOf(await df.compute({ scheduler: "processes" })).a).toEqual([1, 2, null, 4, 5]);
  });

  for (const scheduler of SCHEDULERS) {
    it(`filters by bool Series (missing counts as false, empty partitions kept) and maps partitions on ${scheduler}`, async () => {
      const df = dd.fromColumns(data, { npartitions: 3 });
      const big = df.filter(df.col("a").gt(1));
      expect(columnsOf(await big.compute({ scheduler })).a).toEqual([2, 4, 5]);
      // A mask true nowhere in some partitions leaves them empty; later steps still work.
      const none = df.filter(df.col("s").eq("x").and(df.col("a").lt(2)));
      expect(rows(await none.compute({ scheduler }))).toEqual([{ a: 1, b: 0.5, s: "x", t: true }]);
      expect(await none.len({ scheduler })).toBe(1);
      const withSum = df.assign({ c: df.col("a").add(df.col("b")) });
      expect(columnsOf(await withSum.select(["c"]).compute({ scheduler })).c).toEqual([1.5, null, null, null, 4]);
      // Partitions (rows split at round(i * 5 / 3)) hold a = [1, 2], [null], [4, 5]: keep the last row of each.
      const lasts = df.select(["a", "s"]).mapPartitions((t: A.Table, k: number) => t.slice(Math.max(0, t.numRows - k)), 1);
      expect(lasts.columns).toEqual(["a", "s"]);
      expect(rows(await lasts.compute({ scheduler }))).toEqual([{ a: 2, s: "ü日本" }, { a: null, s: null }, { a: 5, s: "" }]);
    });
  }

  it("rejects masks and series from frames with other partitions, and non-table mapPartitions results", () => {
    const df = dd.fromColumns(data, { npartitions: 3 });
    const other = dd.fromColumns(data, { npartitions: 2 });
    expect(() => df.filter(other.col("t"))).toThrow(/partitions/);
    expect(() => df.filter(df.col("a") as never)).toThrow(/bool/);
    expect(() => df.assign({ z: other.col("a") })).toThrow(/partitions/);
    expect(() => df.mapPartitions(() => 3)).toThrow(/Arrow Table/);
    let outside = 1;
    expect(() => df.mapPartitions((t: A.Table) => (outside > 0 ? t : t))).toThrow(/outside/);
    outside++;
  });

  it("names unknown columns at the call", () => {
    const df = dd.fromColumns(data);
    expect(() => df.col("zz")).toThrow(UnknownColumnError);
    expect(() => df.select(["a", "zz"])).toThrow(/Unknown column 'zz'.*'a', 'b', 's', 't'/);
    expect(() => df.drop("q")).toThrow(UnknownColumnError);
    expect(() => df.rename({ q: "r" })).toThrow(UnknownColumnError);
  });
});
