// dd.readCsv: headers, separators, line ends, quoting, missing values, types, usecols, globs.
// Every expected table is written out by hand from the file text above it.
import { afterAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InvalidArgumentError, Task } from "@dask-ts/core";
import { dd, FileNotFoundError, UnknownColumnError } from "@dask-ts/dataframe";
import { SCHEDULERS, closePoolsAfterAll, columnsOf } from "./helpers.js";

closePoolsAfterAll();
const dir = mkdtempSync(join(tmpdir(), "dask-ts-csv-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** Writes a file under the test's temp dir and returns its path. */
function file(text: string | Buffer, name = `f${n++}.csv`): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe("readCsv: the schema at the call", () => {
  it("infers int32, int64, float64, bool and string from the sample; all-missing columns are float64", () => {
    const p = file(
      "i,big,f,e,b,s,m,mix\n" +
        "1,3000000000,1.5,1e3,true,x,,1\n" +
        "-2,-1,2,inf,False,y,NA,True\n" +
        ",7,-0.25,-inf,TRUE,NA,,2.5\n",
    );
    const df = dd.readCsv(p);
    expect(df.dtypes).toEqual({ i: "int32", big: "int64", f: "float64", e: "float64", b: "bool", s: "string", m: "float64", mix: "string" });
    expect(df.npartitions).toBe(1);
  });

  it("dtype overrides the inferred types; usecols keeps file order; unknown names fail at the call", () => {
    const p = file("a,b,c\n1,2,3\n");
    const df = dd.readCsv(p, { dtype: { a: "float64", c: "string" }, usecols: ["c", "a"] });
    expect(df.columns).toEqual(["a", "c"]);
    expect(df.dtypes).toEqual({ a: "float64", c: "string" });
    expect(() => dd.readCsv(p, { usecols: ["a", "zz"] })).toThrow(UnknownColumnError);
    expect(() => dd.readCsv(p, { usecols: ["zz"] })).toThrow(/Unknown column 'zz'.*'a', 'b', 'c'/);
    expect(() => dd.readCsv(p, { dtype: { q: "int32" } })).toThrow(UnknownColumnError);
    expect(() => dd.readCsv(p, { dtype: { a: "int8" as never } })).toThrow(InvalidArgumentError);
    expect(() => dd.readCsv(p, { sep: "::" })).toThrow(InvalidArgumentError);
    expect(() => dd.readCsv(p, { blocksize: "12 parsecs" })).toThrow(/blocksize/);
    expect(() => dd.readCsv(p, { onBadLines: "warn" as never })).toThrow(/onBadLines/);
    expect(() => dd.readCsv(p, { nrows: 3 } as never)).toThrow(/unknown option 'nrows'/);
  });

  it("missing files and globs that match nothing fail at the call, naming the pattern", () => {
    expect(() => dd.readCsv(join(dir, "nope.csv"))).toThrow(FileNotFoundError);
    expect(() => dd.readCsv(join(dir, "nope.csv"))).toThrow(/nope\.csv/);
    expect(() => dd.readCsv(join(dir, "nomatch-*.csv"))).toThrow(FileNotFoundError);
    expect(() => dd.readCsv(join(dir, "nomatch-*.csv"))).toThrow(/nomatch-\*\.csv/);
    expect(() => dd.readCsv([file("a\n1\n"), join(dir, "missing.csv")])).toThrow(/missing\.csv/);
    expect(() => dd.readCsv(dir)).toThrow(/is a directory/);
    expect(() => dd.readCsv([])).toThrow(InvalidArgumentError);
  });

  it("header: false names columns '0', '1', ...", () => {
    const p = file("1,x\n2,y\n");
    expect(dd.readCsv(p, { header: false }).dtypes).toEqual({ "0": "int32", "1": "string" });
  });

  it("repeated and empty header names get pandas' names", () => {
    const p = file("a,a,,b\n1,2,3,4\n");
    expect(dd.readCsv(p).columns).toEqual(["a", "a.1", "Unnamed: 2", "b"]);
  });
});

describe("readCsv: values", () => {
  for (const scheduler of SCHEDULERS) {
    it(`reads quoting, CRLF, blank lines, a BOM, unicode and a last line without a line break on ${scheduler}`, async () => {
      const text =
        "\ufeffid,name,score\r\n" +
        '1,"Smith, J.",1.5\r\n' +
        "\r\n" +
        '2,"say ""hi""",2\n' +
        "\n" +
        '3,"two\nlines",\r\n' +
        "4,日本語 ü,-0.5e1\n" +
        '5,"",NaN\n' +
        "6,  padded ,7";
      const t = await dd.readCsv(file(text)).compute({ scheduler });
      expect(t.schema.fields.map((f) => f.name)).toEqual(["id", "name", "score"]);
      expect(columnsOf(t)).toEqual({
        id: [1, 2, 3, 4, 5, 6],
        name: ["Smith, J.", 'say "hi"', "two\nlines", "日本語 ü", null, "  padded "],
        score: [1.5, 2, null, -5, null, 7],
      });
    });

    it(`reads another separator, header: false and a single column on ${scheduler}`, async () => {
      const t = await dd.readCsv(file("1;a b;2.5\n2;c;\n"), { sep: ";", header: false }).compute({ scheduler });
      expect(columnsOf(t)).toEqual({ "0": [1, 2], "1": ["a b", "c"], "2": [2.5, null] });
      const tab = await dd.readCsv(file("x\ty\n1\t2\n"), { sep: "\t" }).compute({ scheduler });
      expect(columnsOf(tab)).toEqual({ x: [1], y: [2] });
      // One column: an empty line is a blank line (skipped), as pandas' skip_blank_lines.
      const one = await dd.readCsv(file("v\n1\n\n3\n")).compute({ scheduler });
      expect(columnsOf(one)).toEqual({ v: [1, 3] });
    });

    it(`reads an empty file, a header-only file and a file of blank lines on ${scheduler}`, async () => {
      const empty = dd.readCsv(file(""));
      expect(empty.columns).toEqual([]);
      const te = await empty.compute({ scheduler });
      expect(te.numRows).toBe(0);
      expect(te.numCols).toBe(0);
      const noHeader = await dd.readCsv(file(""), { header: false }).compute({ scheduler });
      expect([noHeader.numRows, noHeader.numCols]).toEqual([0, 0]);
      const headerOnly = dd.readCsv(file("a,b\n"));
      expect(headerOnly.dtypes).toEqual({ a: "string", b: "string" });
      const th = await headerOnly.compute({ scheduler });
      expect(th.numRows).toBe(0);
      expect(th.schema.fields.map((f) => f.name)).toEqual(["a", "b"]);
      const noBreak = await dd.readCsv(file("a,b")).compute({ scheduler });
      expect([noBreak.numRows, noBreak.numCols]).toEqual([0, 2]);
      const blanks = await dd.readCsv(file("a\n\n\r\n\n")).compute({ scheduler });
      expect([blanks.numRows, blanks.numCols]).toEqual([0, 1]);
    });

    it(`treats pandas' missing markers and naValues as missing in every type on ${scheduler}`, async () => {
      const p = file(
        "i,f,s,b,g\n" +
          "1,1.5,a,true,10\n" +
          "NA,NaN,N/A,null,\n" +
          "-999,-999.0,-999,NULL,-999\n" +
          "#N/A,nan,None,,n/a\n" +
          '"7","-1.#IND","<NA>",false,"2"\n',
      );
      const df = dd.readCsv(p, { naValues: ["-999"], dtype: { b: "bool", g: "int64" } });
      expect(df.dtypes).toEqual({ i: "int32", f: "float64", s: "string", b: "bool", g: "int64" });
      expect(columnsOf(await df.compute({ scheduler }))).toEqual({
        i: [1, null, null, null, 7],
        f: [1.5, null, null, null, null],
        s: ["a", null, null, null, null],
        b: [true, null, null, null, false],
        g: [10, null, null, null, 2],
      });
    });

    it(`reads dtype overrides: int64, bool, date, category, string on ${scheduler}`, async () => {
      const p = file(
        "big,flag,when,kind,code\n" +
          "9007199254740993,TRUE,2024-01-31,red,007\n" +
          "-9223372036854775808,False,2024-02-29 12:30:05.25,blue,8\n" +
          "9223372036854775807,true,1969-12-31T23:59:59Z,red,\n" +
          "12,FALSE,2024-01-31T10:00:00+02:00,,9\n",
      );
      const df = dd.readCsv(p, { dtype: { big: "int64", when: "date", kind: "category", code: "string" } });
      expect(df.dtypes).toEqual({ big: "int64", flag: "bool", when: "date", kind: "category", code: "string" });
      const t = await df.compute({ scheduler });
      expect(t.getChild("big")!.toArray()).toEqual(BigInt64Array.from([9007199254740993n, -(2n ** 63n), 2n ** 63n - 1n, 12n]));
      const c = columnsOf(t);
      expect(c.flag).toEqual([true, false, true, false]);
      // Epoch milliseconds (Arrow date-millisecond values); times without an offset are UTC.
      expect(c.when).toEqual([Date.UTC(2024, 0, 31), Date.UTC(2024, 1, 29, 12, 30, 5, 250), -1000, Date.UTC(2024, 0, 31, 8)]);
      expect(c.kind).toEqual(["red", "blue", "red", null]);
      expect(c.code).toEqual(["007", "8", null, "9"]);
      // The partition marks the dictionary column as category (field metadata crosses threads and processes).
      expect(t.schema.fields.find((f) => f.name === "kind")!.metadata.get("dask-ts:dtype")).toBe("category");
    });

    it(`reads a glob in sorted order, a '?' pattern and a list in the given order on ${scheduler}`, async () => {
      const g = join(dir, "glob");
      mkdirSync(g, { recursive: true });
      writeFileSync(join(g, "part-b.csv"), "k,v\nb,2\n");
      writeFileSync(join(g, "part-a.csv"), "k,v\na,1\na2,11\n");
      writeFileSync(join(g, "part-c.csv"), "k,v\nc,3\n");
      writeFileSync(join(g, "other.txt"), "k,v\nz,9\n");
      const all = dd.readCsv(join(g, "part-*.csv"));
      expect(all.npartitions).toBe(3);
      expect(columnsOf(await all.compute({ scheduler }))).toEqual({ k: ["a", "a2", "b", "c"], v: [1, 11, 2, 3] });
      const q = await dd.readCsv(join(g, "part-?.csv")).compute({ scheduler });
      expect(columnsOf(q).k).toEqual(["a", "a2", "b", "c"]);
      const list = await dd.readCsv([join(g, "part-c.csv"), join(g, "part-a.csv")]).compute({ scheduler });
      expect(columnsOf(list)).toEqual({ k: ["c", "a", "a2"], v: [3, 1, 11] });
    });
  }
});

describe("readCsv: wide files (a loop over fields instead of unrolled code)", () => {
  // 150 columns: int, float, quoted string, bool, by column number; each value a formula of (row, column).
  const nc = 150;
  const kind = (c: number) => ["int", "float", "str", "bool"][c % 4]!;
  const value = (r: number, c: number): number | string | boolean | null =>
    r === 3 && c % 5 === 0 ? null : kind(c) === "int" ? r * c - 7 : kind(c) === "float" ? (r + c) / 4 : kind(c) === "str" ? `v,${r % 3}` : (r + c) % 2 === 0;
  const text = (v: unknown, c: number) => (v === null ? "" : kind(c) === "str" ? `"${String(v)}"` : kind(c) === "bool" ? (v ? "True" : "FALSE") : String(v));
  const names = Array.from({ length: nc }, (_, c) => `c${c}`);
  const lines = [names.join(","), ...Array.from({ length: 40 }, (_, r) => names.map((_, c) => text(value(r, c), c)).join(","))];

  for (const scheduler of SCHEDULERS) {
    it(`reads every column, a selection, and reports bad rows on ${scheduler}`, async () => {
      const p = file(lines.join("\r\n") + "\r\n");
      const df = dd.readCsv(p, { blocksize: 3000 });
      expect(df.dtypes.c0).toBe("int32");
      expect(df.dtypes.c3).toBe("bool");
      const t = await df.compute({ scheduler });
      const got = columnsOf(t);
      for (let c = 0; c < nc; c++) expect(got[`c${c}`], `column ${c}`).toEqual(Array.from({ length: 40 }, (_, r) => value(r, c)));
      const some = columnsOf(await df.select(["c149", "c2", "c7"]).compute({ scheduler }));
      expect(some.c7).toEqual(Array.from({ length: 40 }, (_, r) => value(r, 7)));
      const bad = file(lines.slice(0, 5).join("\n") + "\n1,2\n");
      await expect(dd.readCsv(bad).compute({ scheduler })).rejects.toThrow(/line 6: expected 150 fields.*saw 2/);
    });
  }
});

describe("readCsv: partitions", () => {
  it("one partition per blocksize range of each file; blocksize strings", () => {
    const p = file("x\n" + "1234567\n".repeat(500)); // 4002 bytes
    expect(dd.readCsv(p, { blocksize: 1000 }).npartitions).toBe(5);
    expect(dd.readCsv(p, { blocksize: "1kB" }).npartitions).toBe(5);
    expect(dd.readCsv(p, { blocksize: "1 KiB" }).npartitions).toBe(4);
    expect(dd.readCsv(p).npartitions).toBe(1);
    expect(dd.readCsv([p, p], { blocksize: "2 kB" }).npartitions).toBe(6);
  });

  it("each range waits for about sqrt(n) quote counts, not for all earlier ones (sync)", async () => {
    const p = file("x\n" + '"1"\n'.repeat(2500)); // 10,002 bytes: 1,001 ranges of 10 bytes
    const df = dd.readCsv(p, { blocksize: 10 });
    expect(df.npartitions).toBe(1001);
    let maxRefs = 0;
    for (const node of df.dask.materialize().values()) {
      if (node instanceof Task && node.fn.spec.kind === "kernel" && node.fn.spec.name === "dataframe.csvParse") maxRefs = Math.max(maxRefs, (node.args[1] as unknown[]).length);
    }
    expect(maxRefs).toBeLessThanOrEqual(32);
    expect(columnsOf(await df.compute({ scheduler: "sync" })).x).toEqual(Array(2500).fill(1));
  });

  for (const scheduler of SCHEDULERS) {
    it(`rows are split at blocksize 5 on 40-byte lines without loss or doubling on ${scheduler}`, async () => {
      const lines = Array.from({ length: 30 }, (_, i) => `${String(i).padStart(3, "0")},${"abcdefghijklmnopqrstuvwxyz".slice(0, 20)},${i * 1.5}`);
      const p = file("id,s,f\n" + lines.map((l) => l.padEnd(39, " ")).join("\n") + "\n");
      const df = dd.readCsv(p, { blocksize: 5, dtype: { s: "string" } });
      expect(df.npartitions).toBeGreaterThan(200);
      const t = await df.compute({ scheduler });
      const c = columnsOf(t);
      expect(c.id).toEqual(Array.from({ length: 30 }, (_, i) => i));
      expect(new Set(c.s)).toEqual(new Set(["abcdefghijklmnopqrst"]));
      expect(c.f).toEqual(Array.from({ length: 30 }, (_, i) => i * 1.5));
    });
  }
});
