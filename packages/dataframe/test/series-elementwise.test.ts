// Series elementwise operations: arithmetic, comparisons, strings, dates, Kleene logic, unary ops, isin,
// fillNull, astype. Expected values are derived by hand (NumPy/pandas rules written out per row).
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "@dask-ts/core";
import { AlignmentError, ColumnTypeError, dd } from "@dask-ts/dataframe";
import { SCHEDULERS, closePoolsAfterAll } from "./helpers.js";
import { framePartitioned } from "./series-helpers.js";

closePoolsAfterAll();

const MAX64 = 2n ** 63n - 1n;
const nums = () =>
  framePartitioned(
    {
      a: [1, -7, null, 2147483647, 0, 5],
      b: [2, 3, 4, 1, 0, null],
      x: [1.5, NaN, -2, null, 0, 10],
      k: [10n, -3n, null, MAX64, 0n, 4n],
      s: ["b", "ä", null, "😀", "\uff5e", ""],
      s2: ["x", null, "y", "z", "", "w"],
      d: [new Date("2020-01-01T00:00:00Z"), null, new Date("2021-06-15T12:00:00Z"), new Date("2019-12-31T23:59:59Z"), new Date("2021-01-01T00:00:00Z"), null],
      d2: [new Date("2020-01-01T00:00:00Z"), new Date("2020-01-01T00:00:00Z"), null, new Date("2020-01-01T00:00:00Z"), new Date("2020-06-01T00:00:00Z"), null],
      t: [true, false, null, true, false, null],
    },
    { a: "int32", b: "int32", x: "float64", k: "int64", s: "string", s2: "string", d: "date", d2: "date", t: "bool" },
    [2, 0, 3, 1],
  );

// Every combination of true, false and missing (Kleene truth table).
const logicFrame = () =>
  framePartitioned(
    { p: [true, true, true, false, false, false, null, null, null], q: [true, false, null, true, false, null, true, false, null] },
    { p: "bool", q: "bool" },
    [4, 0, 5],
  );

describe("Series arithmetic", () => {
  it("decides the result type and name at graph-build time", () => {
    const df = nums();
    const a = df.col("a"), b = df.col("b"), x = df.col("x"), k = df.col("k");
    expect(a.add(b).dtype).toBe("int32");
    expect(a.add(b).name).toBe("a");
    expect(a.mul(5).dtype).toBe("int32");
    expect(a.add(2 ** 40).dtype).toBe("int64");
    expect(a.add(1.5).dtype).toBe("float64");
    expect(a.add(x).dtype).toBe("float64");
    expect(a.add(k).dtype).toBe("int64");
    expect(k.mod(3n).dtype).toBe("int64");
    expect(a.div(b).dtype).toBe("float64");
    expect(a.pow(b).dtype).toBe("float64");
    expect(a.lt(x).dtype).toBe("bool");
    expect(df.col("s").add("!").dtype).toBe("string");
    expect(x.sub(x.mean()).dtype).toBe("float64");
    expect(a.sub(a.sum()).dtype).toBe("int64");
  });

  for (const scheduler of SCHEDULERS) {
    it(`int32 wraps like NumPy; int mod is floored; mod by zero is missing; on ${scheduler}`, async () => {
      const df = nums();
      const a = df.col("a"), b = df.col("b");
      expect(await a.add(b).toArray({ scheduler })).toEqual([3, -4, null, -2147483648, 0, null]);
      expect(await a.sub(b).toArray({ scheduler })).toEqual([-1, -10, null, 2147483646, 0, null]);
      expect(await a.mul(b).toArray({ scheduler })).toEqual([2, -21, null, 2147483647, 0, null]);
      expect(await a.mul(2).toArray({ scheduler })).toEqual([2, -14, null, -2, 0, 10]);
      expect(await a.mod(b).toArray({ scheduler })).toEqual([1, 2, null, 0, null, null]);
      expect(await a.mod(-3).toArray({ scheduler })).toEqual([-2, -1, null, -2, 0, -1]);
      expect(await a.mod(0).toArray({ scheduler })).toEqual([null, null, null, null, null, null]);
      expect(await a.add(5).toArray({ scheduler })).toEqual([6, -2, null, -2147483644, 5, 10]);
      expect(await a.add(null).toArray({ scheduler })).toEqual([null, null, null, null, null, null]);
    });

    it(`division and powers are float64 (x/0 is ±Infinity, 0/0 missing) on ${scheduler}`, async () => {
      const df = nums();
      const a = df.col("a"), b = df.col("b"), x = df.col("x");
      expect(await a.div(b).toArray({ scheduler })).toEqual([0.5, -7 / 3, null, 2147483647, null, null]);
      expect(await a.div(0).toArray({ scheduler })).toEqual([Infinity, -Infinity, null, Infinity, null, Infinity]);
      expect(await a.pow(b).toArray({ scheduler })).toEqual([1, -343, null, 2147483647, 1, null]);
      expect(await x.pow(0).toArray({ scheduler })).toEqual([1, null, 1, null, 1, 1]);
      expect(await x.div(0).toArray({ scheduler })).toEqual([Infinity, null, -Infinity, null, null, Infinity]);
      expect(await x.pow(0.5).toArray({ scheduler })).toEqual([1.5 ** 0.5, null, null, null, 0, 10 ** 0.5]);
    });

    it(`mixes int and float, float remainder takes the divisor's sign, on ${scheduler}`, async () => {
      const df = nums();
      const a = df.col("a"), x = df.col("x");
      expect(await a.add(x).toArray({ scheduler })).toEqual([2.5, null, null, null, 0, 15]);
      expect(await a.add(1.5).toArray({ scheduler })).toEqual([2.5, -5.5, null, 2147483648.5, 1.5, 6.5]);
      expect(await x.mul(a).toArray({ scheduler })).toEqual([1.5, null, null, null, 0, 50]);
      expect(await x.mod(-2).toArray({ scheduler })).toEqual([-0.5, null, -0, null, -0, -0]);
      expect(await x.mod(4).toArray({ scheduler })).toEqual([1.5, null, 2, null, 0, 2]);
      expect(await x.sub(a).toArray({ scheduler })).toEqual([0.5, null, null, null, 0, 5]);
    });

    it(`int64 is exact and wraps at 2^64 on ${scheduler}`, async () => {
      const df = nums();
      const a = df.col("a"), k = df.col("k");
      expect(await a.add(k).toArray({ scheduler })).toEqual([11n, -10n, null, -9223372034707292162n, 0n, 9n]);
      expect(await k.mul(2).toArray({ scheduler })).toEqual([20n, -6n, null, -2n, 0n, 8n]);
      expect(await k.mod(3n).toArray({ scheduler })).toEqual([1n, 0n, null, 1n, 0n, 1n]);
      expect(await k.mod(-4).toArray({ scheduler })).toEqual([-2n, -3n, null, -1n, 0n, 0n]);
      expect(await k.mod(0).toArray({ scheduler })).toEqual([null, null, null, null, null, null]);
      expect(await k.sub(MAX64).toArray({ scheduler })).toEqual([10n - MAX64, MAX64 - 1n, null, 0n, -MAX64, 4n - MAX64]);
      expect(await a.add(2 ** 40).toArray({ scheduler })).toEqual([1099511627777n, 1099511627769n, null, 1101659111423n, 1099511627776n, 1099511627781n]);
      expect(await k.div(4).toArray({ scheduler })).toEqual([2.5, -0.75, null, 2 ** 61, 0, 1]);
    });

    it(`a Scalar operand (a lazy reduction) goes to every partition on ${scheduler}`, async () => {
      const df = nums();
      const a = df.col("a"), x = df.col("x");
      // mean of x over 1.5, -2, 0, 10 = 2.375
      expect(await x.sub(x.mean()).toArray({ scheduler })).toEqual([-0.875, null, -4.375, null, -2.375, 7.625]);
      expect(await x.gt(x.mean()).toArray({ scheduler })).toEqual([false, false, false, false, false, true]);
      // max of a = 2147483647 (a Scalar of type int32): int32 arithmetic, wrapping
      expect(await a.add(a.max()).toArray({ scheduler })).toEqual([-2147483648, 2147483640, null, -2, 2147483647, -2147483644]);
      expect(await df.col("s").eq(df.col("s").max()).toArray({ scheduler })).toEqual([false, false, false, true, false, false]);
    });
  }
});

describe("Series comparisons", () => {
  for (const scheduler of SCHEDULERS) {
    it(`numbers: a missing operand gives false, except ne (true), on ${scheduler}`, async () => {
      const df = nums();
      const a = df.col("a"), b = df.col("b"), x = df.col("x"), k = df.col("k");
      expect(await a.lt(b).toArray({ scheduler })).toEqual([true, true, false, false, false, false]);
      expect(await a.ne(b).toArray({ scheduler })).toEqual([true, true, true, true, false, true]);
      expect(await a.eq(x).toArray({ scheduler })).toEqual([false, false, false, false, true, false]);
      expect(await a.le(x).toArray({ scheduler })).toEqual([true, false, false, false, true, true]);
      expect(await a.ge(0).toArray({ scheduler })).toEqual([true, false, false, true, true, true]);
      expect(await k.gt(a).toArray({ scheduler })).toEqual([true, true, false, true, false, false]);
      expect(await k.ge(MAX64).toArray({ scheduler })).toEqual([false, false, false, true, false, false]);
      // exactly 2^63 - 2 as a bigint: only an exact comparison tells it from 2^63 - 1
      expect(await k.gt(MAX64 - 1n).toArray({ scheduler })).toEqual([false, false, false, true, false, false]);
      expect(await x.ge(null).toArray({ scheduler })).toEqual([false, false, false, false, false, false]);
      expect(await x.ne(null).toArray({ scheduler })).toEqual([true, true, true, true, true, true]);
      expect(await x.eq(NaN).toArray({ scheduler })).toEqual([false, false, false, false, false, false]);
      expect(await x.ne(x).toArray({ scheduler })).toEqual([false, true, false, true, false, false]);
      expect(await x.lt(Infinity).toArray({ scheduler })).toEqual([true, false, true, false, true, true]);
    });

    it(`strings compare in code-point order (unicode) on ${scheduler}`, async () => {
      const df = nums();
      const s = df.col("s"), s2 = df.col("s2");
      expect(await s.lt("c").toArray({ scheduler })).toEqual([true, false, false, false, false, true]);
      // U+1F600 sorts after U+FF5E by code point (UTF-16 code units would say before)
      expect(await s.gt("\uff5e").toArray({ scheduler })).toEqual([false, false, false, true, false, false]);
      expect(await s.ge("\uff5e").toArray({ scheduler })).toEqual([false, false, false, true, true, false]);
      expect(await s.eq("ä").toArray({ scheduler })).toEqual([false, true, false, false, false, false]);
      expect(await s.ne("ä").toArray({ scheduler })).toEqual([true, false, true, true, true, true]);
      expect(await s.le(s2).toArray({ scheduler })).toEqual([true, false, false, false, false, true]);
      expect(await s2.lt(s).toArray({ scheduler })).toEqual([false, false, false, true, true, false]);
      expect(await s.eq(s).toArray({ scheduler })).toEqual([true, true, false, true, true, true]);
      expect(await s.ne(null).toArray({ scheduler })).toEqual([true, true, true, true, true, true]);
    });

    it(`string add concatenates on ${scheduler}`, async () => {
      const df = nums();
      const s = df.col("s");
      expect(await s.add("!").toArray({ scheduler })).toEqual(["b!", "ä!", null, "😀!", "\uff5e!", "!"]);
      expect(await s.add(df.col("s2")).toArray({ scheduler })).toEqual(["bx", null, null, "😀z", "\uff5e", "w"]);
      expect(await s.add(null).toArray({ scheduler })).toEqual([null, null, null, null, null, null]);
    });

    it(`dates compare with Dates and date Series; bools with bools, on ${scheduler}`, async () => {
      const df = nums();
      const d = df.col("d"), d2 = df.col("d2");
      expect(await d.lt(new Date("2020-06-01T00:00:00Z")).toArray({ scheduler })).toEqual([true, false, false, true, false, false]);
      expect(await d.ge(d2).toArray({ scheduler })).toEqual([true, false, false, false, true, false]);
      expect(await d.eq(d2).toArray({ scheduler })).toEqual([true, false, false, false, false, false]);
      expect(await d.ne(d2).toArray({ scheduler })).toEqual([false, true, true, true, true, true]);
      expect(await d.gt(d.min()).toArray({ scheduler })).toEqual([true, false, true, false, true, false]);
      const t = df.col("t");
      expect(await t.eq(true).toArray({ scheduler })).toEqual([true, false, false, true, false, false]);
      expect(await t.gt(false).toArray({ scheduler })).toEqual([true, false, false, true, false, false]);
    });
  }
});

describe("Kleene logic", () => {
  for (const scheduler of SCHEDULERS) {
    it(`and/or/not with missing values on ${scheduler}`, async () => {
      const df = logicFrame();
      const p = df.col("p"), q = df.col("q");
      const T = true, F = false, N = null;
      expect(await p.and(q).toArray({ scheduler })).toEqual([T, F, N, F, F, F, N, F, N]);
      expect(await p.or(q).toArray({ scheduler })).toEqual([T, T, T, T, F, N, T, N, N]);
      expect(await p.not().toArray({ scheduler })).toEqual([F, F, F, T, T, T, N, N, N]);
      expect(await p.and(true).toArray({ scheduler })).toEqual([T, T, T, F, F, F, N, N, N]);
      expect(await p.and(false).toArray({ scheduler })).toEqual([F, F, F, F, F, F, F, F, F]);
      expect(await p.and(null).toArray({ scheduler })).toEqual([N, N, N, F, F, F, N, N, N]);
      expect(await p.or(null).toArray({ scheduler })).toEqual([T, T, T, N, N, N, N, N, N]);
      expect(await p.or(false).toArray({ scheduler })).toEqual([T, T, T, F, F, F, N, N, N]);
      // De Morgan holds in Kleene logic too
      expect(await p.and(q).not().toArray({ scheduler })).toEqual(await p.not().or(q.not()).toArray({ scheduler }));
      // a filter keeps rows where the mask is true (missing counts as false)
      const kept = await df.filter(p.or(q)).col("p").toArray({ scheduler });
      expect(kept).toEqual([T, T, T, F, N]);
    });
  }
});

describe("unary operations, isNull, isin, fillNull", () => {
  for (const scheduler of SCHEDULERS) {
    it(`neg, abs, isNull, notNull on ${scheduler}`, async () => {
      const df = nums();
      expect(await df.col("a").neg().toArray({ scheduler })).toEqual([-1, 7, null, -2147483647, 0, -5]);
      expect(await df.col("k").neg().toArray({ scheduler })).toEqual([-10n, 3n, null, -MAX64, 0n, -4n]);
      expect(await df.col("x").abs().toArray({ scheduler })).toEqual([1.5, null, 2, null, 0, 10]);
      expect(await df.col("a").mul(-1).abs().toArray({ scheduler })).toEqual([1, 7, null, 2147483647, 0, 5]);
      const lim = dd.fromColumns({ m: [-2147483648, 3] }, { dtype: { m: "int32" } });
      // -(-2^31) and |-2^31| wrap to -2^31 in int32, as NumPy
      expect(await lim.col("m").neg().toArray({ scheduler })).toEqual([-2147483648, -3]);
      expect(await lim.col("m").abs().toArray({ scheduler })).toEqual([-2147483648, 3]);
      expect(await df.col("x").isNull().toArray({ scheduler })).toEqual([false, true, false, true, false, false]);
      expect(await df.col("s").isNull().toArray({ scheduler })).toEqual([false, false, true, false, false, false]);
      expect(await df.col("a").notNull().toArray({ scheduler })).toEqual([true, true, false, true, true, true]);
      expect(await df.col("d").isNull().toArray({ scheduler })).toEqual([false, true, false, false, false, true]);
      expect(await df.col("t").notNull().toArray({ scheduler })).toEqual([true, true, false, true, true, false]);
    });

    it(`isin by value; null in the values matches missing values on ${scheduler}`, async () => {
      const df = nums();
      expect(await df.col("a").isin([1, 5, null]).toArray({ scheduler })).toEqual([true, false, true, false, false, true]);
      expect(await df.col("a").isin([1, 5]).toArray({ scheduler })).toEqual([true, false, false, false, false, true]);
      expect(await df.col("x").isin([NaN, 10]).toArray({ scheduler })).toEqual([false, true, false, true, false, true]);
      expect(await df.col("x").isin([1.5, -2]).toArray({ scheduler })).toEqual([true, false, true, false, false, false]);
      expect(await df.col("s").isin(["ä", "😀"]).toArray({ scheduler })).toEqual([false, true, false, true, false, false]);
      expect(await df.col("s").isin([null, ""]).toArray({ scheduler })).toEqual([false, false, true, false, false, true]);
      expect(await df.col("k").isin([4, 10n, MAX64]).toArray({ scheduler })).toEqual([true, false, false, true, false, true]);
      expect(await df.col("a").isin(["1", true]).toArray({ scheduler })).toEqual([false, false, false, false, false, false]);
      expect(await df.col("d").isin([new Date("2021-01-01T00:00:00Z")]).toArray({ scheduler })).toEqual([false, false, false, false, true, false]);
      expect(await df.col("t").isin([false, null]).toArray({ scheduler })).toEqual([false, true, true, false, true, true]);
      expect(await df.col("a").isin([]).toArray({ scheduler })).toEqual([false, false, false, false, false, false]);
    });

    it(`fillNull keeps the type unless the value needs a wider one on ${scheduler}`, async () => {
      const df = nums();
      const a = df.col("a");
      expect(a.fillNull(0).dtype).toBe("int32");
      expect(await a.fillNull(0).toArray({ scheduler })).toEqual([1, -7, 0, 2147483647, 0, 5]);
      expect(a.fillNull(1.5).dtype).toBe("float64");
      expect(await a.fillNull(1.5).toArray({ scheduler })).toEqual([1, -7, 1.5, 2147483647, 0, 5]);
      expect(await df.col("x").fillNull(-1).toArray({ scheduler })).toEqual([1.5, -1, -2, -1, 0, 10]);
      expect(await df.col("s").fillNull("?").toArray({ scheduler })).toEqual(["b", "ä", "?", "😀", "\uff5e", ""]);
      expect(await df.col("s").fillNull("ä").toArray({ scheduler })).toEqual(["b", "ä", "ä", "😀", "\uff5e", ""]);
      expect(await df.col("t").fillNull(false).toArray({ scheduler })).toEqual([true, false, false, true, false, false]);
      expect(await df.col("k").fillNull(7n).toArray({ scheduler })).toEqual([10n, -3n, 7n, MAX64, 0n, 4n]);
      const day = new Date("2000-01-01T00:00:00Z");
      expect(await df.col("d").fillNull(day).toArray({ scheduler })).toEqual([
        new Date("2020-01-01T00:00:00Z"), day, new Date("2021-06-15T12:00:00Z"), new Date("2019-12-31T23:59:59Z"), new Date("2021-01-01T00:00:00Z"), day,
      ]);
      // a Scalar: mean of a = (1 - 7 + 2147483647 + 0 + 5) / 5
      const filled = a.fillNull(a.mean());
      expect(filled.dtype).toBe("float64");
      expect(await filled.toArray({ scheduler })).toEqual([1, -7, 2147483646 / 5, 2147483647, 0, 5]);
      expect(await df.col("x").fillNull(df.col("x").max()).toArray({ scheduler })).toEqual([1.5, 10, -2, 10, 0, 10]);
    });
  }
});

describe("astype", () => {
  for (const scheduler of SCHEDULERS) {
    it(`between numeric types and bool on ${scheduler}`, async () => {
      const df = nums();
      expect(await df.col("a").astype("float64").toArray({ scheduler })).toEqual([1, -7, null, 2147483647, 0, 5]);
      expect(await df.col("a").astype("int64").toArray({ scheduler })).toEqual([1n, -7n, null, 2147483647n, 0n, 5n]);
      // float -> int truncates toward zero; missing stays missing
      const f = dd.fromColumns({ f: [1.9, -1.9, NaN, 0.5, -2147483648.5] }, { npartitions: 2 });
      expect(await f.col("f").astype("int32").toArray({ scheduler })).toEqual([1, -1, null, 0, -2147483648]);
      expect(await f.col("f").astype("int64").toArray({ scheduler })).toEqual([1n, -1n, null, 0n, -2147483648n]);
      // int64 -> int32 wraps (NumPy astype): 2^63 - 1 -> -1
      expect(await df.col("k").astype("int32").toArray({ scheduler })).toEqual([10, -3, null, -1, 0, 4]);
      expect(await df.col("t").astype("int32").toArray({ scheduler })).toEqual([1, 0, null, 1, 0, null]);
      expect(await df.col("a").astype("bool").toArray({ scheduler })).toEqual([true, true, null, true, false, true]);
      expect(await df.col("x").astype("bool").toArray({ scheduler })).toEqual([true, null, true, null, false, true]);
    });

    it(`to and from strings (Python float repr, ISO dates) on ${scheduler}`, async () => {
      const df = nums();
      expect(await df.col("x").astype("string").toArray({ scheduler })).toEqual(["1.5", null, "-2.0", null, "0.0", "10.0"]);
      expect(await df.col("a").astype("string").toArray({ scheduler })).toEqual(["1", "-7", null, "2147483647", "0", "5"]);
      expect(await df.col("k").astype("string").toArray({ scheduler })).toEqual(["10", "-3", null, "9223372036854775807", "0", "4"]);
      expect(await df.col("t").astype("string").toArray({ scheduler })).toEqual(["True", "False", null, "True", "False", null]);
      const f = dd.fromColumns({ f: [0.1, 1e16, 1e-5, 123456789012345678, -0, Infinity, 1 / 3] });
      expect(await f.col("f").astype("string").toArray({ scheduler })).toEqual(["0.1", "1e+16", "1e-05", "1.2345678901234568e+17", "-0.0", "inf", "0.3333333333333333"]);
      const t = dd.fromColumns({ s: ["1", " 2 ", "-3", null, "+4"], f: ["1.5e3", "inf", "nan", "-.5", null], b: ["true", "False", null, "TRUE", "false"] }, { npartitions: 2 });
      expect(await t.col("s").astype("int32").toArray({ scheduler })).toEqual([1, 2, -3, null, 4]);
      expect(await t.col("s").astype("int64").toArray({ scheduler })).toEqual([1n, 2n, -3n, null, 4n]);
      expect(await t.col("f").astype("float64").toArray({ scheduler })).toEqual([1500, Infinity, null, -0.5, null]);
      expect(await t.col("b").astype("bool").toArray({ scheduler })).toEqual([true, false, null, true, false]);
      expect(await t.col("s").astype("category").astype("string").toArray({ scheduler })).toEqual(["1", " 2 ", "-3", null, "+4"]);
      const d = dd.fromColumns({ d: ["2020-01-02", "2020-01-02T03:04:05Z", "2020-01-02 03:04:05.250", null, "2020-01-02T03:04:05+02:00"] });
      expect(await d.col("d").astype("date").toArray({ scheduler })).toEqual([
        new Date("2020-01-02T00:00:00Z"), new Date("2020-01-02T03:04:05Z"), new Date("2020-01-02T03:04:05.250Z"), null, new Date("2020-01-02T01:04:05Z"),
      ]);
      expect(await df.col("d").astype("string").toArray({ scheduler })).toEqual(["2020-01-01 00:00:00", null, "2021-06-15 12:00:00", "2019-12-31 23:59:59", "2021-01-01 00:00:00", null]);
    });

    it(`a value that does not parse is a typed error naming it, on ${scheduler}`, async () => {
      const t = dd.fromColumns({ s: ["1", "2", "x1", null] }, { npartitions: 2 });
      await expect(t.col("s").astype("float64").compute({ scheduler })).rejects.toThrow(/ColumnTypeError.*"x1".*column 's'/);
      await expect(t.col("s").astype("int32").compute({ scheduler })).rejects.toThrow(/"x1"/);
      const big = dd.fromColumns({ s: ["3000000000"] });
      await expect(big.col("s").astype("int32").compute({ scheduler })).rejects.toThrow(/"3000000000".*int32 range/);
      const inf = dd.fromColumns({ f: [1, Infinity] });
      await expect(inf.col("f").astype("int32").compute({ scheduler })).rejects.toThrow(/Infinity.*cannot be represented as int32/);
    });
  }
});

describe("bad input", () => {
  it("unsupported type combinations are ColumnTypeErrors at the call, naming the types", () => {
    const df = nums();
    const a = df.col("a"), s = df.col("s"), t = df.col("t"), d = df.col("d");
    expect(() => s.add(1)).toThrow(ColumnTypeError);
    expect(() => s.add(1)).toThrow(/cannot add column 's' \(string\) and the number 1/);
    expect(() => a.add("x")).toThrow(/cannot add column 'a' \(int32\) and the string "x"/);
    expect(() => s.sub("x")).toThrow(/cannot subtract column 's' \(string\)/);
    expect(() => a.lt("x")).toThrow(/cannot compare column 'a' \(int32\) and the string "x"/);
    expect(() => a.eq(s)).toThrow(/column 's' \(string\)/);
    expect(() => d.add(1)).toThrow(ColumnTypeError);
    expect(() => d.lt(5)).toThrow(/cannot compare column 'd' \(date\)/);
    expect(() => t.add(1)).toThrow(/astype\("int32"\)/);
    expect(() => a.and(df.col("b"))).toThrow(/and\/or need bool operands/);
    expect(() => t.or(1)).toThrow(ColumnTypeError);
    expect(() => a.not()).toThrow(/not needs a bool Series/);
    expect(() => s.neg()).toThrow(/neg needs an int32, int64 or float64/);
    expect(() => d.abs()).toThrow(ColumnTypeError);
    expect(() => s.fillNull(1)).toThrow(/cannot fill column 's' \(string\) with the number 1/);
    expect(() => a.fillNull("x")).toThrow(ColumnTypeError);
    expect(() => d.astype("int32")).toThrow(/dates convert only to and from strings/);
    expect(() => a.astype("date")).toThrow(ColumnTypeError);
    expect(() => a.astype("float32" as never)).toThrow(InvalidArgumentError);
  });

  it("operands that are not Series, Scalars or values are InvalidArgumentErrors", () => {
    const df = nums();
    const a = df.col("a");
    expect(() => a.add({} as never)).toThrow(InvalidArgumentError);
    expect(() => a.add(df as never)).toThrow(/a DataFrame \(pick a column with \.col\(name\)\)/);
    expect(() => a.add(2n ** 64n)).toThrow(/outside the int64 range/);
    expect(() => a.isin("abc" as never)).toThrow(/expected an array/);
    expect(() => a.isin([{}])).toThrow(InvalidArgumentError);
  });

  it("Series with other partitions are AlignmentErrors: at the call (count) or in the kernel (rows)", async () => {
    const df = nums();
    const other = dd.fromColumns({ z: [1, 2, 3, 4, 5, 6] }, { npartitions: 2 });
    expect(() => df.col("a").add(other.col("z"))).toThrow(AlignmentError);
    expect(() => df.col("a").add(other.col("z"))).toThrow(/'a' has 4 partitions and 'z' has 2/);
    // same number of partitions, other row counts
    const skew = framePartitioned({ z: [1, 2, 3, 4, 5, 6] }, { z: "int32" }, [1, 1, 3, 1]);
    for (const scheduler of SCHEDULERS) {
      await expect(df.col("a").lt(skew.col("z")).compute({ scheduler })).rejects.toThrow(/AlignmentError: Series.lt: a partition of .a. has \d+ rows and the matching partition of the other Series \d+/);
    }
  });
});
