// dd.readCsv at every split position: a range owns the rows that start in it, quoted fields with
// line breaks and CRLF line ends included; no row is lost or doubled.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { join } from "node:path";
import { dd } from "@dask-ts/dataframe";
import { setChunkBytes } from "@dask-ts/dataframe/io/csv/parse";
import { SCHEDULERS, closePoolsAfterAll, columnsOf, tempCsvFiles } from "./helpers.js";

closePoolsAfterAll();
const { file } = tempCsvFiles("csv-bounds");

// Quoted line breaks (LF and CRLF), escaped quotes next to line breaks, blank lines, unicode.
const TRICKY =
  'h1,h2,h3\r\n' +
  '1,"a\nb",x\r\n' +
  '2,"",""""\n' +
  "\n" +
  '3,"line1\r\nline2\r\n",z\n' +
  '4,"q""\n""q",日本\r\n' +
  '5,plain,"tail"\n' +
  '6,"ends with newline\n",w';
const TRICKY_ROWS = {
  h1: [1, 2, 3, 4, 5, 6],
  h2: ["a\nb", null, "line1\r\nline2\r\n", 'q"\n"q', "plain", "ends with newline\n"],
  h3: ["x", '"', "z", "日本", "tail", "w"],
};

describe("readCsv: split positions", () => {
  it("every blocksize from 1 byte to the file size gives the same rows (sync)", async () => {
    const p = file(TRICKY);
    const size = Buffer.byteLength(TRICKY);
    const whole = columnsOf(await dd.readCsv(p, { blocksize: size + 1 }).compute({ scheduler: "sync" }));
    expect(whole).toEqual(TRICKY_ROWS);
    for (let bs = 1; bs <= size; bs++) {
      const df = dd.readCsv(p, { blocksize: bs });
      expect(df.npartitions).toBe(Math.ceil(size / bs));
      const got = columnsOf(await df.compute({ scheduler: "sync" }));
      expect(got, `blocksize ${bs}`).toEqual(TRICKY_ROWS);
    }
  });

  // A larger file: many quoted fields with line breaks, split at many positions.
  const rows = Array.from({ length: 300 }, (_, i) => ({
    id: i,
    s: i % 3 === 0 ? `multi\nline ${i}` : i % 3 === 1 ? `"quoted" ${i},x` : `plain ${i}`,
    v: i % 10 === 0 ? null : i / 4,
  }));
  const big = "id,s,v\n" + rows.map((r, i) => `${r.id},"${r.s.replace(/"/g, '""')}",${r.v ?? ""}${i % 5 === 0 ? "\r\n" : "\n"}`).join("");
  const expected = { id: rows.map((r) => r.id), s: rows.map((r) => r.s), v: rows.map((r) => r.v) };

  for (const scheduler of SCHEDULERS) {
    it(`splits quoted multi-line fields and CRLF at many positions on ${scheduler}`, async () => {
      const p = file(big);
      for (const bs of scheduler === "sync" ? [3, 7, 13, 64, 100, 333, 1000, 4096] : [7, 333, 1000]) {
        const t = await dd.readCsv(p, { blocksize: bs }).compute({ scheduler });
        expect(columnsOf(t), `blocksize ${bs}`).toEqual(expected);
      }
      const one = await dd.readCsv(p, { blocksize: "1MB" }).compute({ scheduler });
      expect(columnsOf(one)).toEqual(expected);
    });
  }

  it("a header longer than the blocksize, several files, ranges with no row (sync and threads)", async () => {
    const longHeader = "a_very_long_column_name_number_one,b\n1,2\n3,4\n";
    const p1 = file(longHeader);
    const p2 = file("a_very_long_column_name_number_one,b\n5,6\n");
    for (const scheduler of ["sync", "threads"] as const) {
      const t = await dd.readCsv([p1, p2], { blocksize: 4 }).compute({ scheduler });
      expect(columnsOf(t)).toEqual({ a_very_long_column_name_number_one: [1, 3, 5], b: [2, 4, 6] });
    }
  });
});

// The parser reads a range in chunks (1 MiB); a row cut by a chunk's end is parsed again from the next
// chunk. Tiny chunks (set in this thread: sync scheduler) cut rows at every byte.
describe("readCsv: rows cut by the read chunks", () => {
  it("every chunk size from 1 to 40 bytes, with every blocksize, gives the same rows (sync)", async () => {
    const p = file(TRICKY);
    const old = setChunkBytes(1);
    try {
      for (let chunk = 1; chunk <= 40; chunk++) {
        setChunkBytes(chunk);
        for (const bs of [1, 5, 17, 1000]) {
          const got = columnsOf(await dd.readCsv(p, { blocksize: bs }).compute({ scheduler: "sync" }));
          expect(got, `chunk ${chunk}, blocksize ${bs}`).toEqual(TRICKY_ROWS);
        }
      }
    } finally {
      setChunkBytes(old);
    }
  });

  it("errors and skipped rows are the same whatever the chunk size (sync)", async () => {
    const skip = file('a,b\n1,x\n2\n3,"q,\nr",extra,more\n4,y\n5,z,\n6,"w\r\nv"\r\n7,true');
    const badValue = file("a,b\n1,2\n3,4\n5,abc\n7,8\n");
    const badRow = file('a,b\n1,"2\n2"\n3,4,5\n');
    const old = setChunkBytes(1);
    try {
      for (let chunk = 1; chunk <= 30; chunk++) {
        setChunkBytes(chunk);
        const t = await dd.readCsv(skip, { onBadLines: "skip" }).compute({ scheduler: "sync" });
        expect(columnsOf(t), `chunk ${chunk}`).toEqual({ a: [1, 4, 6, 7], b: ["x", "y", "w\r\nv", "true"] });
        await expect(dd.readCsv(badValue, { dtype: { b: "int32" } }).compute({ scheduler: "sync" })).rejects.toThrow(/"abc" as int32 in column 'b'.*line 4/);
        await expect(dd.readCsv(badRow).compute({ scheduler: "sync" })).rejects.toThrow(/line 4: expected 2 fields.*saw 3/);
      }
    } finally {
      setChunkBytes(old);
    }
  });

  it("rows longer than a chunk and files of several chunks (sync and threads)", async () => {
    const longQuoted = "x".repeat(700_000) + "\n" + '""'.repeat(300_000) + "\r\n" + "é".repeat(200_000);
    const longPlain = "y".repeat(1_500_000);
    const small = Array.from({ length: 30_000 }, (_, i) => `${i},"s${i % 7}\n${i}",${i % 3 === 0 ? "" : i / 8}`);
    const text = "k,s,v\n" + small.slice(0, 10_000).join("\n") + `\n-1,"${longQuoted.replace(/"/g, '""')}",1.5\n-2,${longPlain},2.5\r\n` + small.slice(10_000).join("\r\n") + "\n";
    const p = file(text);
    const expected = {
      k: [...small.slice(0, 10_000).map((_, i) => i), -1, -2, ...small.slice(10_000).map((_, i) => i + 10_000)],
      s: [...Array.from({ length: 10_000 }, (_, i) => `s${i % 7}\n${i}`), longQuoted, longPlain, ...Array.from({ length: 20_000 }, (_, j) => `s${(j + 10_000) % 7}\n${j + 10_000}`)],
      v: [...Array.from({ length: 10_000 }, (_, i) => (i % 3 === 0 ? null : i / 8)), 1.5, 2.5, ...Array.from({ length: 20_000 }, (_, j) => ((j + 10_000) % 3 === 0 ? null : (j + 10_000) / 8))],
    };
    for (const [scheduler, blocksize] of [["sync", undefined], ["sync", 300_000], ["threads", 1_000_000]] as const) {
      const got = columnsOf(await dd.readCsv(p, { blocksize }).compute({ scheduler }));
      expect(got.k, `${scheduler} ${blocksize}`).toEqual(expected.k);
      expect(got.v).toEqual(expected.v);
      expect(got.s!.length).toBe(expected.s.length);
      got.s!.forEach((v, i) => {
        if (v !== expected.s[i]) expect(String(v).slice(0, 50), `row ${i}`).toEqual(expected.s[i]!.slice(0, 50));
      });
    }
  });
});

// Random tables written as CSV (quoting what needs it, mixed line ends) and read back at a random blocksize.
const SPECIAL = ["", ",", '"', "\n", "\r\n", "\r", " ", "é", "日本", "😀", "a", "b", "x y", "'"];
const NA = new Set(["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"]);
const strArb = fc.array(fc.constantFrom(...SPECIAL), { maxLength: 5 }).map((a) => a.join(""));
type Kind = "int" | "float" | "str";
const colArb = fc.constantFrom<Kind>("int", "float", "str");
const valueArb = (k: Kind): fc.Arbitrary<number | string | null> =>
  fc.option(
    (k === "int" ? fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) : k === "float" ? fc.double({ noNaN: true }) : strArb) as fc.Arbitrary<number | string>,
    { freq: 6 },
  );

function writeField(v: number | string | null, k: Kind, quoteAll: boolean): string {
  if (v === null) return "";
  if (k !== "str") return Object.is(v, -0) ? "-0" : String(v);
  const s = v as string;
  return quoteAll || /[,"\r\n]/.test(s) || s === "" ? `"${s.replace(/"/g, '""')}"` : s;
}

describe("readCsv: property", () => {
  it("random tables round-trip through CSV text at random blocksizes and read chunk sizes (sync)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(colArb, { minLength: 2, maxLength: 4 }).chain((kinds) =>
          fc.record({
            kinds: fc.constant(kinds),
            rows: fc.array(fc.tuple(...kinds.map(valueArb)), { maxLength: 25 }),
            crlf: fc.array(fc.boolean(), { minLength: 26, maxLength: 26 }),
            finalBreak: fc.boolean(),
            quoteAll: fc.boolean(),
            blocksize: fc.integer({ min: 1, max: 400 }),
            chunk: fc.oneof(fc.integer({ min: 1, max: 80 }), fc.constant(1 << 20)),
          }),
        ),
        async ({ kinds, rows, crlf, finalBreak, quoteAll, blocksize, chunk }) => {
          const names = kinds.map((_, i) => `c${i}`);
          const lines = [names.join(","), ...rows.map((r) => r.map((v, i) => writeField(v, kinds[i]!, quoteAll)).join(","))];
          const text = lines.map((l, i) => l + (i < lines.length - 1 || finalBreak ? (crlf[i] ? "\r\n" : "\n") : "")).join("");
          const dtype = Object.fromEntries(kinds.map((k, i) => [names[i]!, k === "int" ? "int32" : k === "float" ? "float64" : "string"] as const));
          const old = setChunkBytes(chunk);
          const t = await dd.readCsv(file(text), { blocksize, dtype }).compute({ scheduler: "sync" }).finally(() => setChunkBytes(old));
          const got = columnsOf(t);
          // A row whose fields are all missing prints as ",,": not blank, so it stays.
          const expected = Object.fromEntries(
            names.map((nm, i) => [nm, rows.map((r) => (typeof r[i] === "string" && NA.has(r[i] as string) ? null : r[i] ?? null))]),
          );
          expect(got).toEqual(expected);
          // -0 and other float bits exactly.
          kinds.forEach((k, i) => {
            if (k !== "float") return;
            const col = t.getChild(names[i]!)!;
            rows.forEach((r, j) => {
              if (r[i] !== null) expect(Object.is(col.get(j), r[i])).toBe(true);
            });
          });
        },
      ),
      { numRuns: 150 },
    );
  });
});
