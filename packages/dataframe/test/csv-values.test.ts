// The CSV parser's number, date and size readers: bit-exact against JavaScript's Number() and BigInt(),
// on the fast paths (short decimals) and the slow ones (exponents, long mantissas, quoted fields).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dd } from "@dask-ts/dataframe";
import { parseBlocksize } from "@dask-ts/dataframe/io/csv/options";
import { expandPaths, globSync } from "@dask-ts/core";
import { parseDateText, parseFloatText } from "@dask-ts/dataframe/io/csv/values";
import { inferType } from "@dask-ts/dataframe/io/csv/infer";
import { SCHEDULERS, closePoolsAfterAll, tempCsvFiles } from "./helpers.js";

closePoolsAfterAll();
const { dir, file } = tempCsvFiles("csv-values", "v");

/** Deterministic numeric strings of many shapes: short decimals (fast path) and everything else. */
function numberStrings(count: number, seed: number): string[] {
  let s = seed >>> 0;
  const rnd = (k: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % k;
  };
  const digits = (k: number) => Array.from({ length: k }, () => String(rnd(10))).join("");
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const sign = ["", "-", "", "+"][rnd(4)]!;
    let t: string;
    switch (rnd(6)) {
      case 0: t = digits(1 + rnd(18)); break; // integers, some beyond 2^53
      case 1: t = `${digits(1 + rnd(8))}.${digits(1 + rnd(8))}`; break; // fast path
      case 2: t = `${digits(1 + rnd(12))}.${digits(1 + rnd(14))}`; break; // around the 15-digit limit
      case 3: t = `${digits(1 + rnd(3))}.${digits(rnd(6))}e${["", "-", "+"][rnd(3)]}${1 + rnd(330)}`; break;
      case 4: t = `.${digits(1 + rnd(20))}`; break;
      default: t = `${"0".repeat(rnd(4))}${digits(1 + rnd(25))}${rnd(2) ? "." : ""}`; break;
    }
    out.push(sign + t);
  }
  return out;
}

describe("numbers are read exactly as Number() reads them", () => {
  const values = numberStrings(20_000, 7);
  for (const scheduler of SCHEDULERS) {
    it(`float64 fields, unquoted and quoted, on ${scheduler}`, async () => {
      const p = file("x,q\n" + values.map((v) => `${v},"${v}"`).join("\n") + "\n");
      const t = await dd.readCsv(p, { dtype: { x: "float64", q: "float64" }, blocksize: 100_000 }).compute({ scheduler });
      const x = t.getChild("x")!.toArray() as Float64Array;
      const q = t.getChild("q")!.toArray() as Float64Array;
      let bad = 0;
      values.forEach((v, i) => {
        if (!Object.is(x[i], Number(v)) || !Object.is(q[i], Number(v))) {
          if (bad++ < 5) expect([v, x[i], q[i]]).toEqual([v, Number(v), Number(v)]);
        }
      });
      expect(bad).toBe(0);
    });
  }

  it("fast-check: random doubles printed by JS, by toFixed and by toExponential read back bit for bit", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0, max: 20 })), { minLength: 1, maxLength: 40 }),
        async (xs) => {
          const texts = xs.flatMap(([x, k]) => [String(x), Math.abs(x) < 1e21 ? x.toFixed(k) : String(x), x.toExponential(k)]);
          const t = await dd.readCsv(file("v\n" + texts.join("\n") + "\n"), { dtype: { v: "float64" } }).compute({ scheduler: "sync" });
          const got = t.getChild("v")!.toArray() as Float64Array;
          texts.forEach((s, i) => expect(Object.is(got[i], Number(s)), s).toBe(true));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("int32 and int64 fields are exact at their limits; leading zeros and '+' are fine", async () => {
    const ints = ["0", "-0", "+7", "007", "2147483647", "-2147483648", "9007199254740993", "-9223372036854775808", "9223372036854775807", "123456789012345"];
    const t = await dd.readCsv(file("a\n" + ints.join("\n") + "\n"), { dtype: { a: "int64" } }).compute({ scheduler: "sync" });
    expect(Array.from(t.getChild("a")!.toArray() as BigInt64Array)).toEqual(ints.map((s) => BigInt(s)));
    const i32 = await dd.readCsv(file("a\n" + ints.slice(0, 6).join("\n") + "\n")).compute({ scheduler: "sync" });
    expect(Array.from(i32.getChild("a")!.toArray() as Int32Array)).toEqual([0, 0, 7, 7, 2147483647, -2147483648]);
    const fc64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    const big = fc.sample(fc64, { numRuns: 500, seed: 3 });
    const tb = await dd.readCsv(file("a\n" + big.join("\n") + "\n"), { dtype: { a: "int64" }, blocksize: 2000 }).compute({ scheduler: "sync" });
    expect(Array.from(tb.getChild("a")!.toArray() as BigInt64Array)).toEqual(big);
  });

  it("text forms of floats: inf, exponents, signs (parseFloatText agrees with Number where Number reads them)", () => {
    expect(parseFloatText("inf")).toBe(Infinity);
    expect(parseFloatText("-Infinity")).toBe(-Infinity);
    expect(parseFloatText("+INF")).toBe(Infinity);
    expect(parseFloatText(" 2.5 ")).toBe(2.5);
    expect(parseFloatText("1e")).toBeUndefined();
    expect(parseFloatText("0x10")).toBeUndefined();
    expect(parseFloatText("1_000")).toBeUndefined();
    expect(parseFloatText(".")).toBeUndefined();
    expect(Object.is(parseFloatText("-0"), -0)).toBe(true);
  });
});

describe("bools", () => {
  it("reads pandas' six spellings, missing markers, and markers that are bool words (sync)", async () => {
    const p = file("b\ntrue\nTrue\nTRUE\nfalse\nFalse\nFALSE\nNA\n\"true\"\n");
    const t = await dd.readCsv(p).compute({ scheduler: "sync" });
    expect(Array.from({ length: t.numRows }, (_, i) => t.getChild("b")!.get(i))).toEqual([true, true, true, false, false, false, null, true]);
    const asNa = await dd.readCsv(p, { naValues: ["TRUE", "False"] }).compute({ scheduler: "sync" });
    expect(Array.from({ length: asNa.numRows }, (_, i) => asNa.getChild("b")!.get(i))).toEqual([true, true, null, false, null, false, null, true]);
    await expect(dd.readCsv(file("b\ntrue\nFALSe\n"), { dtype: { b: "bool" } }).compute({ scheduler: "sync" })).rejects.toThrow(/"FALSe" as bool/);
  });
});

describe("dates, sizes, globs, inference", () => {
  it("parses ISO 8601 dates and date-times to epoch ms (UTC unless an offset is given)", () => {
    expect(parseDateText("1970-01-01")).toBe(0);
    expect(parseDateText("2000-02-29")).toBe(Date.UTC(2000, 1, 29));
    expect(parseDateText("1900-02-29")).toBeUndefined();
    expect(parseDateText("2023-13-01")).toBeUndefined();
    expect(parseDateText("0099-12-31")).toBe(new Date("0099-12-31T00:00:00Z").getTime());
    expect(parseDateText("2024-01-02 03:04")).toBe(Date.UTC(2024, 0, 2, 3, 4));
    expect(parseDateText("2024-01-02T03:04:05.123456")).toBe(Date.UTC(2024, 0, 2, 3, 4, 5, 123));
    expect(parseDateText("2024-01-02T03:04:05-0130")).toBe(Date.UTC(2024, 0, 2, 4, 34, 5));
    expect(parseDateText("2024-01-02T03:04:05+01")).toBe(Date.UTC(2024, 0, 2, 2, 4, 5));
    expect(parseDateText("yesterday")).toBeUndefined();
  });

  it("block sizes: numbers and strings with decimal and binary units", () => {
    expect(parseBlocksize(undefined)).toBe(64_000_000);
    expect(parseBlocksize(1234)).toBe(1234);
    expect(parseBlocksize("64MB")).toBe(64_000_000);
    expect(parseBlocksize("1 MiB")).toBe(1_048_576);
    expect(parseBlocksize("1.5kB")).toBe(1500);
    expect(parseBlocksize("2GiB")).toBe(2 * 2 ** 30);
    expect(parseBlocksize("100")).toBe(100);
    expect(() => parseBlocksize(0)).toThrow(/at least 1 byte/);
    expect(() => parseBlocksize("1 XB")).toThrow(/blocksize/);
  });

  it("globs: *, ? and [..] in any component, sorted; literal names with brackets", () => {
    const g = join(dir, "g");
    for (const d of ["2023", "2024", "x"]) mkdirSync(join(g, d), { recursive: true });
    for (const f of ["2023/b.csv", "2023/a.csv", "2024/a.csv", "2024/a.txt", "x/a.csv", "2024/.hidden.csv"]) writeFileSync(join(g, f), "a\n1\n");
    writeFileSync(join(g, "lit[1].csv"), "a\n1\n");
    expect(globSync(join(g, "20*/*.csv"))).toEqual([join(g, "2023/a.csv"), join(g, "2023/b.csv"), join(g, "2024/a.csv")]);
    expect(globSync(join(g, "202[4]/?.csv"))).toEqual([join(g, "2024/a.csv")]);
    expect(globSync(join(g, "202[!4]/a.*"))).toEqual([join(g, "2023/a.csv")]);
    expect(expandPaths(join(g, "lit[1].csv"))).toEqual([join(g, "lit[1].csv")]);
    expect(expandPaths([join(g, "x/*.csv"), join(g, "2023/*.csv")])).toEqual([join(g, "x/a.csv"), join(g, "2023/a.csv"), join(g, "2023/b.csv")]);
  });

  it("infers types from sampled text as pandas does", () => {
    const na = new Set(["", "NA"]);
    expect(inferType(["1", "-2", "NA"], na)).toBe("int32");
    expect(inferType(["1", "2147483648"], na)).toBe("int64");
    expect(inferType(["1", "99999999999999999999"], na)).toBe("string");
    expect(inferType(["1", "2.5", "1e3", "-inf"], na)).toBe("float64");
    expect(inferType(["True", "false", ""], na)).toBe("bool");
    expect(inferType(["True", "1"], na)).toBe("string");
    expect(inferType(["NA", ""], na)).toBe("float64");
    expect(inferType([], na)).toBe("string");
  });
});
