// The parser's word-at-a-time paths: runs of fields that are not converted (column projection) are
// skipped four bytes at a time while no quote lies ahead, and string fields are scanned the same way.
// Expected columns come from the values the test writes, not from the reader.
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { dd } from "@dask-ts/dataframe";
import { setChunkBytes } from "@dask-ts/dataframe/io/csv/parse";
import { SCHEDULERS, closePoolsAfterAll, columnsOf, tempCsvFiles } from "./helpers.js";

closePoolsAfterAll();
const { file } = tempCsvFiles("csv-fast");

/** A CSV field for a string: quoted when it holds a separator, quote or line break (or always, when asked). */
function field(v: string, sep: string, quote = false): string {
  return quote || v.includes(sep) || /["\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

// Rows of 8 fields: a, b (strings), i (int), s1..s4 (strings, usually skipped), f (float).
// Skipped fields hold what the word scans must get right: quotes (in and after skipped fields),
// separators and line breaks inside quotes, a literal quote inside an unquoted field, lone CRs,
// control bytes, unicode, empty fields.
const SKIPPED = ["", "x", "plain text", 'a "literal" quote', "q,with,seps", "line\nbreak", "cr\rinside", "tab\there", "ü日本😀", "\u0001\u000b\u000c", '""', "abcdefghijklmnop"];
const STRINGS = ["", "id001", "id002", "abcdefgh", "abcdefghi", "abcdefghZ", "id0000012345", "id0000012346", "é", "日本", "tab\tin", "nul\u0000", "x".repeat(40)];
interface Row { a: string; b: string; i: number; s: string[]; f: number }
function makeRows(count: number, seed: number): Row[] {
  let x = seed;
  const rnd = (m: number) => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8) % m;
  return Array.from({ length: count }, (_, r) => ({
    a: STRINGS[rnd(STRINGS.length)]!,
    b: STRINGS[(r * 5) % STRINGS.length]!,
    i: rnd(2000) - 1000,
    s: [0, 1, 2, 3].map(() => SKIPPED[rnd(SKIPPED.length)]!),
    f: (rnd(100000) - 50000) / 64,
  }));
}
function text(rows: readonly Row[], sep: string, eol: (r: number) => string, quoteAll = false): string {
  const head = ["a", "b", "i", "s1", "s2", "s3", "s4", "f"].join(sep) + "\n";
  return head + rows.map((r, k) => [field(r.a, sep, quoteAll), field(r.b, sep, quoteAll), r.i, ...r.s.map((v) => field(v, sep, quoteAll)), r.f].join(sep) + eol(k)).join("");
}
const na = (v: string) => (v === "" ? null : v);

/** The expected columns of `cols` (file order). */
function expected(rows: readonly Row[], cols: readonly string[]): Record<string, unknown[]> {
  const get: Record<string, (r: Row) => unknown> = {
    a: (r) => na(r.a), b: (r) => na(r.b), i: (r) => r.i, f: (r) => r.f,
    s1: (r) => na(r.s[0]!), s2: (r) => na(r.s[1]!), s3: (r) => na(r.s[2]!), s4: (r) => na(r.s[3]!),
  };
  return Object.fromEntries(cols.map((c) => [c, rows.map(get[c]!)]));
}

const DTYPE = { a: "string", b: "string", i: "int32", f: "float64", s1: "string", s2: "string", s3: "string", s4: "string" } as const;
// Projections that make different runs of skipped fields: a tail run, a middle run, the whole row.
const PROJECTIONS: string[][] = [["a"], ["a", "i"], ["i", "f"], ["f"], ["a", "s2"], ["b", "s4"], ["a", "b", "i", "s1", "s2", "s3", "s4", "f"]];

describe("readCsv: word scans over skipped and string fields", () => {
  for (const scheduler of SCHEDULERS) {
    it(`gives the projected columns for LF, CRLF and mixed line ends, ',' ';' and tab separators on ${scheduler}`, async () => {
      const rows = makeRows(400, 7);
      for (const [sep, eol] of [[",", () => "\n"], [";", () => "\r\n"], ["\t", (k: number) => (k % 3 ? "\n" : "\r\n")]] as const) {
        const p = file(text(rows, sep, eol));
        for (const cols of scheduler === "sync" ? PROJECTIONS : [PROJECTIONS[1]!, PROJECTIONS[3]!]) {
          const df = dd.readCsv(p, { sep, dtype: DTYPE, blocksize: 5000 });
          const got = columnsOf(await df.select(cols).compute({ scheduler }));
          expect(got, `sep ${JSON.stringify(sep)}, ${cols.join(",")}`).toEqual(expected(rows, cols));
        }
      }
    });
  }

  it("every field quoted (the scans give up looking for quotes), and no final line break", async () => {
    const rows = makeRows(300, 11);
    const p = file(text(rows, ",", (k) => (k === rows.length - 1 ? "" : "\n"), true));
    for (const cols of PROJECTIONS) {
      const got = columnsOf(await dd.readCsv(p, { dtype: DTYPE }).select(cols).compute({ scheduler: "sync" }));
      expect(got, cols.join(",")).toEqual(expected(rows, cols));
    }
  });

  it("rows cut by the read chunks anywhere inside a skipped run (sync, chunks of 1 to 64 bytes)", async () => {
    const rows = makeRows(40, 3);
    const p = file(text(rows, ",", (k) => (k % 2 ? "\r\n" : "\n")));
    const old = setChunkBytes(1);
    try {
      for (let chunk = 1; chunk <= 64; chunk += chunk < 16 ? 1 : 7) {
        setChunkBytes(chunk);
        for (const cols of [["a"], ["i", "f"], ["b", "s4"]]) {
          const got = columnsOf(await dd.readCsv(p, { dtype: DTYPE }).select(cols).compute({ scheduler: "sync" }));
          expect(got, `chunk ${chunk}, ${cols.join(",")}`).toEqual(expected(rows, cols));
        }
      }
    } finally {
      setChunkBytes(old);
    }
  });

  for (const scheduler of SCHEDULERS) {
    it(`finds rows with too few or too many fields inside a skipped run on ${scheduler}`, async () => {
      // Line 3 lacks fields in the middle of the skipped run; line 5 has one too many at its end.
      const p = file("a,b,c,d,e\n1,x,y,z,2\n3,x,y\n4,x,y,z,5\n6,x,y,z,7,8\n9,\"q,\n\",y,z,10\n");
      await expect(dd.readCsv(p).select(["a", "e"]).compute({ scheduler })).rejects.toThrow(/line 3: expected 5 fields.*saw 3/);
      await expect(dd.readCsv(p).select(["a"]).compute({ scheduler })).rejects.toThrow(/line 3: expected 5 fields.*saw 3/);
      const skip = await dd.readCsv(p, { onBadLines: "skip" }).select(["a", "e"]).compute({ scheduler });
      expect(columnsOf(skip)).toEqual({ a: [1, 4, 9], e: [2, 5, 10] });
      // Line 3 ends inside the run, and the next row's separators follow its line break closely.
      const short = file("a,b,c,d\n1,p,q,2\n3,\n5,,,7\n");
      await expect(dd.readCsv(short).select(["a", "d"]).compute({ scheduler })).rejects.toThrow(/line 3: expected 4 fields.*saw 2/);
      expect(columnsOf(await dd.readCsv(short, { onBadLines: "skip" }).select(["a", "d"]).compute({ scheduler }))).toEqual({ a: [1, 5], d: [2, 7] });
      const many = file("a,b,c\n1,x,y\n2,x,y,extra\n");
      await expect(dd.readCsv(many).select(["a"]).compute({ scheduler })).rejects.toThrow(/line 3: expected 3 fields.*saw 4/);
      const none = await dd.readCsv(many, { onBadLines: "skip" }).select(["a"]).compute({ scheduler });
      expect(columnsOf(none)).toEqual({ a: [1] });
    });
  }

  it("a quote right after a skipped run, a skipped field that starts with one, a lone CR (sync)", async () => {
    const p = file('k,s,t,v\n1,a,b,"x,y"\n2,"c,\nd",e,"z"\n3,f,"",""\n4,"g""h",i,w"q\n5,r\rs,j,k\r\n');
    const got = columnsOf(await dd.readCsv(p).select(["k", "v"]).compute({ scheduler: "sync" }));
    expect(got).toEqual({ k: [1, 2, 3, 4, 5], v: ["x,y", "z", null, 'w"q', "k"] });
    const t = columnsOf(await dd.readCsv(p).select(["t"]).compute({ scheduler: "sync" }));
    expect(t).toEqual({ t: ["b", "e", null, "i", "j"] });
    // A lone CR is data; CR LF ends the row.
    expect(columnsOf(await dd.readCsv(p).select(["s"]).compute({ scheduler: "sync" })).s).toEqual(["a", "c,\nd", "f", 'g"h', "r\rs"]);
  });
});
