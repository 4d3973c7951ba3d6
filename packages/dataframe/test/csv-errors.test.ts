// dd.readCsv on bad input: values that do not parse, rows with the wrong number of fields, unclosed
// quotes. Messages name the file, the line, the column and the value, on every scheduler (errors of
// worker tasks arrive wrapped in TaskError).
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { dd } from "@dask-ts/dataframe";
import { SCHEDULERS, closePoolsAfterAll, columnsOf, tempCsvFiles } from "./helpers.js";

closePoolsAfterAll();
const { file } = tempCsvFiles("csv-errors", "bad");

/** The message of the error a computation raises (it must raise). */
async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected the computation to fail");
}

// Sample-breaking value far into the file: the sample (256 kB) sees only small integers.
const filler = "k,v\n" + "1,2\n".repeat(70_000); // 280,004 bytes: 70,001 lines
const lateBig = filler + "3,3000000000\n";

for (const scheduler of SCHEDULERS) {
  describe(`readCsv errors on ${scheduler}`, () => {
    it("a value that does not parse names file, line, column, value and the dtype to pass", async () => {
      const p = file("id,n\n1,5\n2,6\n3,abc\n");
      const msg = await failure(dd.readCsv(p, { dtype: { n: "int32" } }).compute({ scheduler }));
      expect(msg).toContain("CsvParseError");
      expect(msg).toContain(`${p}, line 4`);
      expect(msg).toContain(`"abc" as int32 in column 'n'`);
      expect(msg).toContain(`dtype: { "n": "string" }`);

      const frac = await failure(dd.readCsv(file("n\n1\n1.5\n"), { dtype: { n: "int32" } }).compute({ scheduler }));
      expect(frac).toMatch(/"1\.5" as int32 in column 'n'.*line 3.*not an integer.*dtype: \{ "n": "float64" \}/);

      const bool = await failure(dd.readCsv(file("b\ntrue\nyes\n"), { dtype: { b: "bool" } }).compute({ scheduler }));
      expect(bool).toMatch(/"yes" as bool in column 'b'.*line 3.*dtype: \{ "b": "string" \}/);

      const date = await failure(dd.readCsv(file("d\n2024-02-30\n"), { dtype: { d: "date" } }).compute({ scheduler }));
      expect(date).toMatch(/"2024-02-30" as date in column 'd'.*line 2.*ISO 8601/);
    });

    it("an int beyond int32 after the sample asks for int64, with its line", async () => {
      const df = dd.readCsv(file(lateBig), { blocksize: 100_000 });
      expect(df.dtypes).toEqual({ k: "int32", v: "int32" });
      const msg = await failure(df.compute({ scheduler }));
      expect(msg).toMatch(/"3000000000" as int32 in column 'v'.*line 70002\).*outside the int32 range.*dtype: \{ "v": "int64" \}/);
      // As asked: int64 reads it.
      const t = await dd.readCsv(file(lateBig), { blocksize: 100_000, dtype: { v: "int64" } }).compute({ scheduler });
      expect(t.numRows).toBe(70_001);
      expect(t.getChild("v")!.get(70_000)).toBe(3000000000n);
    });

    it("rows with too many or too few fields name file and line, counting lines inside quotes", async () => {
      const many = file('a,b\n1,"x\ny"\n2,z,extra\n3,w\n');
      const m = await failure(dd.readCsv(many).compute({ scheduler }));
      expect(m).toContain(`Bad row in ${many}, line 4: expected 2 fields`);
      expect(m).toContain("saw 3");
      expect(m).toContain(`onBadLines: "skip"`);

      const few = file("a,b,c\n1,2,3\n4,5\n6,7,8\n");
      const f = await failure(dd.readCsv(few, { blocksize: 7 }).compute({ scheduler }));
      expect(f).toMatch(new RegExp(`Bad row in ${few.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}, line 3: expected 3 fields.*saw 2`));

      const noHeader = file("1,2\n3,4\n5\n");
      const h = await failure(dd.readCsv(noHeader, { header: false, blocksize: 5 }).compute({ scheduler }));
      expect(h).toContain(`Bad row in ${noHeader}, line 3: expected 2 fields (as many as the first row has), saw 1`);
    });

    it("onBadLines: 'skip' drops such rows, also where they straddle partitions", async () => {
      const p = file('a,b\n1,x\n2\n3,"q,\nr",extra,more\n4,y\n5,z,\n6,w');
      for (const blocksize of [3, 11, 1000]) {
        const t = await dd.readCsv(p, { onBadLines: "skip", blocksize }).compute({ scheduler });
        expect(columnsOf(t), `blocksize ${blocksize}`).toEqual({ a: [1, 4, 6], b: ["x", "y", "w"] });
      }
    });

    it("a later file whose header differs names both files and both headers", async () => {
      const first = file("a,b,c\n1,2,3\n");
      const renamed = file("a,x,c\n4,5,6\n");
      const m = await failure(dd.readCsv([first, renamed]).compute({ scheduler }));
      expect(m).toContain("CsvParseError");
      expect(m).toContain(`The header of ${renamed} differs from the header of ${first} (column 2 is "x" instead of "b")`);
      expect(m).toContain(`["a", "x", "c"] vs ["a", "b", "c"]`);
      expect(m).toContain("All files read together must share one header");

      // Fewer columns, more columns, another order; also when only some columns are read (q1-style
      // projection) and when the differing file is split into many ranges.
      const fewer = file("a,b\n1,2\n");
      expect(await failure(dd.readCsv([first, fewer], { blocksize: 3 }).compute({ scheduler }))).toMatch(/header of .*differs .*\(2 columns instead of 3\): \["a", "b"\] vs \["a", "b", "c"\]/);
      const more = file("a,b,c,d\n1,2,3,4\n");
      expect(await failure(dd.readCsv([first, more]).select(["a"]).compute({ scheduler }))).toContain("(4 columns instead of 3)");
      const swapped = file("b,a,c\n1,2,3\n");
      expect(await failure(dd.readCsv([first, first, swapped]).compute({ scheduler }))).toContain(`The header of ${swapped} differs from the header of ${first} (column 1 is "b" instead of "a")`);
    });

    it("later files with the same header pass: a BOM, CRLF, quoted names, a long header, an empty file", async () => {
      const long = Array.from({ length: 700 }, (_, i) => `column_${i}`); // about 7 kB of header
      const first = file(long.join(",") + "\n" + long.map((_, i) => i).join(",") + "\n");
      const second = file("\ufeff" + long.map((n, i) => (i % 2 ? `"${n}"` : n)).join(",") + "\r\n" + long.map((_, i) => -i).join(",") + "\r\n");
      const t = await dd.readCsv([first, second, file("")], { blocksize: 5000 }).select(["column_0", "column_699"]).compute({ scheduler });
      expect(columnsOf(t)).toEqual({ column_0: [0, 0], column_699: [699, -699] });
      // With header: false there is no header to check: rows of any file are data.
      const h = await dd.readCsv([file("1,2\n"), file("x,y\n")], { header: false, dtype: { "0": "string", "1": "string" } }).compute({ scheduler });
      expect(columnsOf(h)).toEqual({ "0": ["1", "x"], "1": ["2", "y"] });
    });

    it("an unclosed quote names file and line", async () => {
      const p = file('a,b\n1,ok\n2,"never closed\n3,x\n');
      const msg = await failure(dd.readCsv(p, { blocksize: 9 }).compute({ scheduler }));
      expect(msg).toContain(`Unterminated quoted field in ${p}, line 3`);
    });
  });
}
