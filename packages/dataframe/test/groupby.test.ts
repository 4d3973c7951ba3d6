// groupby and valueCounts on hand-made tables: every aggregation, keys of every kind, odd cases, errors.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InvalidArgumentError, Task, TaskRef, compute } from "@dask-ts/core";
import type * as A from "apache-arrow";
import { ColumnTypeError, DataFrame, UnknownColumnError, dd } from "@dask-ts/dataframe";
import { SCHEDULERS, closePoolsAfterAll, columnsOf, rows } from "./helpers.js";

closePoolsAfterAll();

// Groups (dropna): a = rows 0, 2, 6; b = rows 1, 4; c = row 5; row 3 has a missing key.
const data = {
  k: ["a", "b", "a", null, "b", "c", "a"],
  n: [1, 2, 3, 4, null, 6, 5],
  x: [1.5, NaN, 2.5, 4, 5, NaN, null],
  s: ["x", "y", null, "z", "w", "v", "x"],
  t: [true, false, true, true, true, false, false],
};
const dtype = { k: "string", n: "int32", x: "float64", s: "string", t: "bool" } as const;

/** The frame in 1 partition, 3 partitions, and 10 partitions (3 of them empty). */
const layouts = [1, 3, 10] as const;
const frame = (npartitions: number) => dd.fromColumns(data, { npartitions, dtype });

const dtypesOf = (t: A.Table) => Object.fromEntries(t.schema.fields.map((f) => [f.name, String(f.type)]));

describe("groupby on a hand-made table", () => {
  for (const scheduler of SCHEDULERS) {
    for (const np of layouts) {
      it(`every aggregation of every column, ${np} partition(s), on ${scheduler}`, async () => {
        const g = frame(np).groupby("k");
        const [sum, mean, count, size, min, max, std, vr, first, last, nunique] = (await compute(
          g.sum(), g.mean(), g.count(), g.size(), g.min(), g.max(), g.std(), g.var(), g.first(), g.last(), g.nunique(),
          { scheduler },
        )) as A.Table[];
        // sum: numeric and bool columns only; ints and bools give int64, all-NaN group gives 0.
        expect(columnsOf(sum!)).toEqual({ k: ["a", "b", "c"], n: [9, 2, 6], x: [4, 5, 0], t: [2, 1, 0] });
        expect(dtypesOf(sum!)).toMatchObject({ n: "Int64", x: "Float64", t: "Int64" });
        expect(columnsOf(mean!)).toEqual({ k: ["a", "b", "c"], n: [3, 2, 6], x: [2, 5, null], t: [2 / 3, 0.5, 0] });
        expect(columnsOf(count!)).toEqual({ k: ["a", "b", "c"], n: [3, 1, 1], x: [2, 1, 0], s: [2, 2, 1], t: [3, 2, 1] });
        expect(columnsOf(size!)).toEqual({ k: ["a", "b", "c"], size: [3, 2, 1] });
        expect(columnsOf(min!)).toEqual({ k: ["a", "b", "c"], n: [1, 2, 6], x: [1.5, 5, null], s: ["x", "w", "v"], t: [false, false, false] });
        expect(columnsOf(max!)).toEqual({ k: ["a", "b", "c"], n: [5, 2, 6], x: [2.5, 5, null], s: ["x", "y", "v"], t: [true, true, false] });
        expect(dtypesOf(min!)).toMatchObject({ n: "Int32", x: "Float64", t: "Bool" });
        expect(columnsOf(std!)).toEqual({ k: ["a", "b", "c"], n: [2, null, null], x: [Math.sqrt(0.5), null, null], t: [expect.closeTo(Math.sqrt(1 / 3), 12), Math.sqrt(0.5), null] });
        expect(columnsOf(vr!)).toEqual({ k: ["a", "b", "c"], n: [4, null, null], x: [0.5, null, null], t: [expect.closeTo(1 / 3, 12), 0.5, null] });
        expect(columnsOf(first!)).toEqual({ k: ["a", "b", "c"], n: [1, 2, 6], x: [1.5, 5, null], s: ["x", "y", "v"], t: [true, false, false] });
        expect(columnsOf(last!)).toEqual({ k: ["a", "b", "c"], n: [5, 2, 6], x: [2.5, 5, null], s: ["x", "w", "v"], t: [false, true, false] });
        expect(columnsOf(nunique!)).toEqual({ k: ["a", "b", "c"], n: [3, 1, 1], x: [2, 1, 0], s: [1, 2, 1], t: [2, 2, 1] });
      });
    }

    it(`keeps a missing key as the last group with dropna false, on ${scheduler}`, async () => {
      const g = frame(3).groupby("k", { dropna: false });
      const [size, sum, first] = (await compute(g.size(), g.col("n").sum(), g.col(["s", "t"]).first(), { scheduler })) as A.Table[];
      expect(columnsOf(size!)).toEqual({ k: ["a", "b", "c", null], size: [3, 2, 1, 1] });
      expect(columnsOf(sum!)).toEqual({ k: ["a", "b", "c", null], n: [9, 2, 6, 4] });
      expect(columnsOf(first!)).toEqual({ k: ["a", "b", "c", null], s: ["x", "y", "v", "z"], t: [true, false, false, true] });
    });

    it(`agg with lists of aggregations and col selections, on ${scheduler}`, async () => {
      const g = frame(3).groupby("k");
      const [agg, one, many, list, sizes] = (await compute(
        g.agg({ n: "sum", x: ["mean", "max"], s: ["nunique", "last", "size"] }),
        g.col("n").sum(),
        g.col(["x", "n"]).max(),
        g.col("x").agg(["min", "count"]),
        g.col("s").size(),
        { scheduler },
      )) as A.Table[];
      expect(columnsOf(agg!)).toEqual({ k: ["a", "b", "c"], n: [9, 2, 6], x_mean: [2, 5, null], x_max: [2.5, 5, null], s_nunique: [1, 2, 1], s_last: ["x", "w", "v"], s_size: [3, 2, 1] });
      expect(columnsOf(one!)).toEqual({ k: ["a", "b", "c"], n: [9, 2, 6] });
      expect(columnsOf(many!)).toEqual({ k: ["a", "b", "c"], x: [2.5, 5, null], n: [5, 2, 6] });
      expect(columnsOf(list!)).toEqual({ k: ["a", "b", "c"], x_min: [1.5, 5, null], x_count: [2, 1, 0] });
      expect(columnsOf(sizes!)).toEqual({ k: ["a", "b", "c"], s: [3, 2, 1] });
    });

    it(`groups by a string and an int key, missing keys dropped or last, on ${scheduler}`, async () => {
      const df = dd.fromColumns({ k: ["a", "a", "b", "b", "a", null, "b", "a"], k2: [1, 2, 1, 1, 1, 3, null, 2], v: [1, 2, 3, 4, 5, 6, 7, 8] }, { npartitions: 3, dtype: { k2: "int32", v: "float64" } });
      const [kept, all, rev] = (await compute(
        df.groupby(["k", "k2"]).agg({ v: ["sum", "count"] }),
        df.groupby(["k", "k2"], { dropna: false }).col("v").sum(),
        df.groupby(["k2", "k"], { dropna: false }).size(),
        { scheduler },
      )) as A.Table[];
      expect(columnsOf(kept!)).toEqual({ k: ["a", "a", "b"], k2: [1, 2, 1], v_sum: [6, 10, 7], v_count: [2, 2, 2] });
      expect(columnsOf(all!)).toEqual({ k: ["a", "a", "b", "b", null], k2: [1, 2, 1, null, 3], v: [6, 10, 7, 7, 6] });
      expect(columnsOf(rev!)).toEqual({ k2: [1, 1, 2, 3, null], k: ["a", "b", "a", null, "b"], size: [2, 2, 2, 1, 1] });
    });

    it(`sorts unicode keys by code point and groups float, bool, int64 and date keys, on ${scheduler}`, async () => {
      const df = dd.fromColumns(
        {
          u: ["日本", "ü", "", "é", "日本", "ü", "Z"],
          f: [0.5, -0, 0, NaN, 0.5, 2.25, -1],
          b: [true, false, true, null, false, true, true],
          big: [9007199254740993n, 1n, -5n, 9007199254740993n, 7n, 1n, 2n],
          d: [new Date("2020-01-02"), new Date("2020-01-01"), null, new Date("2020-01-02"), new Date("2019-12-31"), new Date("2020-01-01"), null],
          v: [1, 2, 3, 4, 5, 6, 7],
        },
        { npartitions: 2, dtype: { b: "bool", big: "int64", d: "date", v: "int32" } },
      );
      const [byU, byF, byB, byBig, byD, bigSum] = (await compute(
        df.groupby("u").col("v").sum(),
        df.groupby("f").col("v").sum(),
        df.groupby("b", { dropna: false }).col("v").sum(),
        df.groupby("big").col("v").sum(),
        df.groupby("d").agg({ v: "sum", big: "max" }),
        df.groupby("u").agg({ big: ["sum", "min"], d: ["min", "max"] }),
        { scheduler },
      )) as A.Table[];
      expect(columnsOf(byU!)).toEqual({ u: ["", "Z", "é", "ü", "日本"], v: [3, 7, 4, 8, 6] });
      // -0 and 0 are one group, keyed by its first row (-0, as pandas); NaN is a missing key.
      expect(columnsOf(byF!)).toEqual({ f: [-1, -0, 0.5, 2.25], v: [7, 5, 6, 6] });
      expect(columnsOf(byB!)).toEqual({ b: [false, true, null], v: [7, 17, 4] });
      expect(columnsOf(byBig!)).toEqual({ big: [-5, 1, 2, 7, 9007199254740993], v: [3, 8, 7, 5, 5] });
      const ms = (iso: string) => new Date(iso).getTime();
      expect(columnsOf(byD!)).toEqual({ d: [ms("2019-12-31"), ms("2020-01-01"), ms("2020-01-02")], v: [5, 8, 5], big: [7, 1, 9007199254740993] });
      expect(dtypesOf(byD!).d).toMatch(/^Date/);
      // int64 sums stay exact beyond 2^53; min/max of dates stay dates.
      expect(byBig!.getChild("big")!.get(4)).toBe(9007199254740993n);
      const uRows = rows(bigSum!);
      expect(uRows.map((r) => r.u)).toEqual(["", "Z", "é", "ü", "日本"]);
      expect(bigSum!.getChild("big_sum")!.toArray()).toEqual(BigInt64Array.from([-5n, 2n, 9007199254740993n, 2n, 9007199254741000n]));
      expect(uRows.map((r) => r.big_min)).toEqual([-5, 2, 9007199254740993, 1, 7]);
      expect(uRows.map((r) => r.d_max)).toEqual([null, null, ms("2020-01-02"), ms("2020-01-01"), ms("2020-01-02")]);
      expect(dtypesOf(bigSum!).d_min).toMatch(/^Date/);
    });

    it(`gives an empty result with the right columns for a frame without rows, on ${scheduler}`, async () => {
      const df = frame(3);
      const none = df.filter(df.col("n").gt(100));
      const [sum, vc] = (await compute(none.groupby("k").agg({ n: "sum", s: "first" }), none.col("k").valueCounts(), { scheduler })) as A.Table[];
      expect(sum!.numRows).toBe(0);
      expect(dtypesOf(sum!)).toMatchObject({ n: "Int64" });
      expect(sum!.schema.fields.map((f) => f.name)).toEqual(["k", "n", "s"]);
      expect(vc!.numRows).toBe(0);
      expect(vc!.schema.fields.map((f) => f.name)).toEqual(["k", "count"]);
    });

    it(`combines over several levels with splitEvery 2, on ${scheduler}`, async () => {
      const df = dd.fromColumns({ k: Array.from({ length: 40 }, (_, i) => `g${i % 3}`), v: Array.from({ length: 40 }, (_, i) => i) }, { npartitions: 9, dtype: { v: "int32" } });
      const q = df.groupby("k", { splitEvery: 2 }).agg({ v: ["sum", "std", "first", "last", "nunique"] });
      const combines = [...q.graph().keys()].filter((k) => k.includes("-combine"));
      expect(combines.length).toBeGreaterThanOrEqual(6);
      const t = await q.compute({ scheduler });
      // g0: 0, 3, ..., 39 (14 values); g1: 1, ..., 37 (13); g2: 2, ..., 38 (13).
      const sd = (first: number, count: number) => {
        const xs = Array.from({ length: count }, (_, i) => first + 3 * i);
        const m = xs.reduce((a, b) => a + b) / count;
        return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (count - 1));
      };
      const c = columnsOf(t);
      expect(c).toMatchObject({ k: ["g0", "g1", "g2"], v_sum: [273, 247, 260], v_first: [0, 1, 2], v_last: [39, 37, 38], v_nunique: [14, 13, 13] });
      [sd(0, 14), sd(1, 13), sd(2, 13)].forEach((s, i) => expect(c.v_std![i]).toBeCloseTo(s, 10));
    });
  }
});

describe("valueCounts", () => {
  for (const scheduler of SCHEDULERS) {
    it(`counts values of a series and rows of a frame, most frequent first, on ${scheduler}`, async () => {
      const df = dd.fromColumns({ a: ["b", "a", "b", null, "c", "a", "b", "c"], n: [1, 1, 1, 2, 2, 1, 3, 2] }, { npartitions: 3, dtype: { n: "int32" } });
      const [s, sAll, f, fAll, split] = (await compute(
        df.col("a").valueCounts(),
        df.col("a").valueCounts({ dropna: false }),
        df.valueCounts(),
        df.valueCounts({ dropna: false }),
        df.col("n").valueCounts({ splitOut: 2 }),
        { scheduler },
      )) as A.Table[];
      expect(columnsOf(s!)).toEqual({ a: ["b", "a", "c"], count: [3, 2, 2] });
      expect(dtypesOf(s!)).toMatchObject({ count: "Int64" });
      expect(columnsOf(sAll!)).toEqual({ a: ["b", "a", "c", null], count: [3, 2, 2, 1] });
      expect(columnsOf(f!)).toEqual({ a: ["a", "b", "c", "b"], n: [1, 1, 2, 3], count: [2, 2, 2, 1] });
      expect(columnsOf(fAll!)).toEqual({ a: ["a", "b", "c", "b", null], n: [1, 1, 2, 3, 2], count: [2, 2, 2, 1, 1] });
      // splitOut: each partition sorted by count (as Dask); together the same counts.
      const byValue = rows(split!).sort((p, q) => (p.n as number) - (q.n as number));
      expect(byValue).toEqual([{ n: 1, count: 4 }, { n: 2, count: 3 }, { n: 3, count: 1 }]);
    });
  }
});

describe("groupby graph", () => {
  it("selects the key and value columns right above each input partition", () => {
    const df = dd.fromColumns({ id1: ["a", "b"], id2: ["c", "d"], v1: [1, 2], v3: [0.5, 1] }, { npartitions: 2 });
    const q = df.groupby("id1").col("v1").sum();
    const g = q.graph();
    for (let i = 0; i < df.npartitions; i++) {
      const selects = [...g.values()].filter(
        (node) => node instanceof Task && node.fn.spec.kind === "kernel" && node.fn.spec.name === "dataframe.select" && node.args[0] instanceof TaskRef && node.args[0].key === df.partitionKey(i),
      ) as Task[];
      expect(selects.length).toBe(1);
      expect(selects[0]!.args[1]).toEqual(["id1", "v1"]);
    }
    expect(q.npartitions).toBe(1);
    expect(q.columns).toEqual(["id1", "v1"]);
    expect(q.dtypes).toEqual({ id1: "string", v1: "int64" });
    const split = df.groupby(["id1", "id2"], { splitOut: 4 }).agg({ v3: ["mean", "max"], v1: "nunique" });
    expect(split.npartitions).toBe(4);
    expect(split.state.sortOnCompute).toEqual(["id1", "id2"]);
    expect(split.dtypes).toEqual({ id1: "string", id2: "string", v3_mean: "float64", v3_max: "float64", v1: "int64" });
  });

  const dir = mkdtempSync(join(tmpdir(), "dask-ts-groupby-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  for (const scheduler of SCHEDULERS) {
    it(`reads only the selected columns of a CSV file, on ${scheduler}`, async () => {
      const path = join(dir, "g.csv");
      const lines = ["id1,id2,v1,v3"];
      for (let i = 0; i < 200; i++) lines.push(`id${i % 4},x${i % 7},${i},${i / 4}`);
      writeFileSync(path, lines.join("\n") + "\n");
      const df = dd.readCsv(path, { blocksize: 1000 });
      expect(df.npartitions).toBeGreaterThan(1);
      const q = df.groupby("id1").col("v1").sum();
      const g = q.graph();
      for (let i = 0; i < df.npartitions; i++) {
        const sel = [...g.values()].find((node) => node instanceof Task && node.fn.spec.kind === "kernel" && node.fn.spec.name === "dataframe.select" && node.args[0] instanceof TaskRef && node.args[0].key === df.partitionKey(i)) as Task;
        expect(sel.args[1]).toEqual(["id1", "v1"]);
      }
      const sums = [0, 1, 2, 3].map((r) => Array.from({ length: 50 }, (_, j) => 4 * j + r).reduce((a, b) => a + b));
      expect(columnsOf(await q.compute({ scheduler }))).toEqual({ id1: ["id0", "id1", "id2", "id3"], v1: sums });
    });
  }
});

describe("groupby errors", () => {
  const df = frame(2);
  it("names unknown key and value columns at the call", () => {
    expect(() => df.groupby("zz")).toThrow(UnknownColumnError);
    expect(() => df.groupby(["k", "zz"])).toThrow(/Unknown column 'zz'.*'k', 'n', 'x', 's', 't'/);
    expect(() => df.groupby("k").col("zz")).toThrow(UnknownColumnError);
    expect(() => df.groupby("k").col(["n", "zz"])).toThrow(UnknownColumnError);
    expect(() => df.groupby("k").agg({ zz: "sum" })).toThrow(UnknownColumnError);
  });
  it("lists the valid aggregations for an unknown one", () => {
    expect(() => df.groupby("k").agg({ n: "median" as never })).toThrow(InvalidArgumentError);
    expect(() => df.groupby("k").agg({ n: ["sum", "avg" as never] })).toThrow(/unknown aggregation "avg".*sum, mean, count, size, min, max, std, var, first, last, nunique/);
    expect(() => df.groupby("k").col("n").agg("avg" as never)).toThrow(/Valid aggregations/);
  });
  it("refuses sums and means of strings, and other misuse", () => {
    expect(() => df.groupby("k").agg({ s: "sum" })).toThrow(ColumnTypeError);
    expect(() => df.groupby("k").col("s").mean()).toThrow(/cannot take the mean of column 's' of type string/);
    expect(() => df.groupby("k").col("s").std()).toThrow(ColumnTypeError);
    expect(() => df.groupby("k").agg({ k: "count" })).toThrow(/'k' is a key column/);
    expect(() => df.groupby("k").col("k")).toThrow(InvalidArgumentError);
    expect(() => df.groupby([])).toThrow(InvalidArgumentError);
    expect(() => df.groupby(["k", "k"])).toThrow(/named twice/);
    expect(() => df.groupby("k", { splitOut: 0 })).toThrow(/splitOut must be a positive integer/);
    expect(() => df.groupby("k", { splitEvery: 1 })).toThrow(/splitEvery/);
    expect(() => df.groupby("k").agg({})).toThrow(InvalidArgumentError);
    expect(() => df.groupby("k").agg({ n: [] })).toThrow(/empty/);
    expect(() => df.groupby("k").agg({ n: ["sum"], n_sum: "sum" } as never)).toThrow(UnknownColumnError);
    expect(() => df.groupby("k").std({ ddof: -1 })).toThrow(/ddof/);
    expect(() => df.rename({ n: "count" }).valueCounts()).toThrow(/"count"/);
  });
  it("refuses a duplicate output column name", () => {
    const d2 = dd.fromColumns({ k: ["a"], v: [1], v_sum: [2] });
    expect(() => d2.groupby("k").agg({ v: ["sum"], v_sum: "sum" })).toThrow(/two output columns would be named 'v_sum'/);
    expect(d2.groupby("k").agg({ v: "sum" })).toBeInstanceOf(DataFrame);
  });
});

describe("groupby result order", () => {
  it("sorts distinct string keys in code-unit order (radix sort with fallbacks), missing last", async () => {
    const { keyOrder } = await import("@dask-ts/dataframe/groupby/order");
    let seed = 7;
    const rnd = (m: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % m);
    const alphabet = ["a", "b", "B", "", "é", "日", "z", "0", "ab", "ü"];
    const set = new Set<string>();
    while (set.size < 3000) set.add(Array.from({ length: rnd(12) }, () => alphabet[rnd(alphabet.length)]).join("") + (rnd(3) === 0 ? "" : String(rnd(50))));
    const dict = [...set];
    const codes = Int32Array.from({ length: dict.length + 2 }, (_, i) => (i === 5 || i === dict.length + 1 ? -1 : i < 5 ? i : i - 1));
    const order = keyOrder([{ kind: "str", dtype: "string", codes, dict }], codes.length);
    const got = Array.from(order, (r) => (codes[r]! < 0 ? null : dict[codes[r]!]));
    const want = [...dict].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    expect(got).toEqual([...want, null, null]);
  });
});

describe("string keys as values", () => {
  for (const scheduler of SCHEDULERS) {
    it(`groups equal strings made different ways, and orders keys by code point (${scheduler})`, async () => {
      // "a" + "bc" and "ab" + "c" are one key.
      const df = dd.fromColumns({ a: ["a", "ab", "a"], b: ["bc", "c", "bc"], v: [1, 2, 3] }, { npartitions: 1 });
      const got = await df.assign({ k: df.col("a").add(df.col("b")) }).groupby("k").col("v").sum().compute({ scheduler });
      expect(rows(got)).toEqual([{ k: "abc", v: 6 }]);
      // U+FF01 sorts before U+1F600 by code point (JS `<` on UTF-16 units says otherwise), as sortValues does.
      const keys = ["😀", "！", "a", "😀", "！"];
      const f = dd.fromColumns({ k: keys, s: keys, v: [1, 2, 3, 4, 5] }, { npartitions: 2 });
      expect(columnsOf(await f.groupby("k").col("v").sum().compute({ scheduler })).k).toEqual(["a", "！", "😀"]);
      expect(columnsOf(await f.groupby("k", { splitOut: 2 }).col("v").sum().compute({ scheduler })).k).toEqual(["a", "！", "😀"]);
      const mm = columnsOf(await f.assign({ g: 1 }).groupby("g").agg({ s: ["min", "max"] }).compute({ scheduler }));
      expect([mm.s_min, mm.s_max]).toEqual([["a"], ["😀"]]);
    });
  }

  it("takes tables whose dictionaries repeat a string as one value per string", async () => {
    const arrow = await import("apache-arrow");
    const dict = arrow.vectorFromArray(["x", "y", "x"], new arrow.Utf8());
    const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
    const data = arrow.makeData({ type, length: 4, data: Int32Array.from([0, 2, 1, 2]), dictionary: dict });
    const t = new arrow.Table({ k: arrow.makeVector(data), v: arrow.vectorFromArray([1, 2, 3, 4], new arrow.Int32()) });
    const got = await dd.fromPartitions([t]).groupby("k").col("v").sum().compute({ scheduler: "sync" });
    expect(rows(got)).toEqual([{ k: "x", v: 7 }, { k: "y", v: 3 }]);
  });
});
