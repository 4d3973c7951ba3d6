// DataFrame.toCsv: one file per partition, quoting, value formats, round trips (a reader written here,
// dd.readCsv, and pandas when /usr/bin/python3 has it), and nothing partial left when a task fails.
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as A from "apache-arrow";
import { InvalidArgumentError } from "@dask-ts/core";
import { dd } from "@dask-ts/dataframe";
import { SCHEDULERS, closePoolsAfterAll, rows } from "./helpers.js";
import { framePartitioned } from "./series-helpers.js";

closePoolsAfterAll();

const root = mkdtempSync(join(tmpdir(), "dask-ts-to-csv-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(root, `case-${dirs++}`);

/** RFC 4180 fields of a CSV text: rows of cells, each cell its text and whether it was quoted. */
function parseCsv(text: string, sep = ","): { text: string; quoted: boolean }[][] {
  const out: { text: string; quoted: boolean }[][] = [];
  let row: { text: string; quoted: boolean }[] = [];
  let i = 0;
  while (i < text.length) {
    let cell = "";
    let quoted = false;
    if (text[i] === '"') {
      quoted = true;
      i++;
      for (;;) {
        if (i >= text.length) throw new Error("unterminated quote");
        if (text[i] === '"') {
          if (text[i + 1] === '"') { cell += '"'; i += 2; continue; }
          i++;
          break;
        }
        cell += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== sep && text[i] !== "\n") cell += text[i++];
    }
    row.push({ text: cell, quoted });
    if (text[i] === sep) { i++; continue; }
    if (text[i] === "\n") i++;
    out.push(row);
    row = [];
  }
  return out;
}

const D = (s: string) => new Date(s);
const columns = {
  f: [0.1, NaN, -0, 1e21, 3, Infinity, 1 / 3, -2.5e-7, null],
  i: [1, null, -2147483648, 2147483647, 0, 7, 8, 9, 10],
  k: [2n ** 63n - 1n, -(2n ** 63n), null, 0n, 1n, 2n, 3n, 4n, 5n],
  s: ["plain", 'say "hi"', "a,b", "line\nbreak", "cr\rhere", "", null, "日本 😀", "  spaced  "],
  b: [true, false, null, true, false, true, false, true, false],
  d: [D("2020-01-02T03:04:05.006Z"), null, D("1969-12-31T00:00:00Z"), D("2000-02-29T00:00:00Z"), D("2020-01-01T00:00:00Z"), null, D("2020-01-01T00:00:00Z"), D("2020-01-01T00:00:00Z"), D("2020-01-01T00:00:00Z")],
};
const dtypes = { f: "float64", i: "int32", k: "int64", s: "string", b: "bool", d: "date" } as const;
const SIZES = [3, 0, 4, 2];
const frame = () => framePartitioned(columns, dtypes, SIZES);

// The cells each row must have, by hand: floats keep full precision and a ".0" when integral.
const expectedCells = [
  ["0.1", "1", "9223372036854775807", "plain", "True", "2020-01-02T03:04:05.006Z"],
  ["", "", "-9223372036854775808", '"say ""hi"""', "False", ""],
  ["-0.0", "-2147483648", "", '"a,b"', "", "1969-12-31T00:00:00.000Z"],
  ["1e+21", "2147483647", "0", '"line\nbreak"', "True", "2000-02-29T00:00:00.000Z"],
  ["3.0", "0", "1", '"cr\rhere"', "False", "2020-01-01T00:00:00.000Z"],
  ["inf", "7", "2", '""', "True", ""],
  ["0.3333333333333333", "8", "3", "", "False", "2020-01-01T00:00:00.000Z"],
  ["-2.5e-7", "9", "4", "日本 😀", "True", "2020-01-01T00:00:00.000Z"],
  ["", "10", "5", "  spaced  ", "False", "2020-01-01T00:00:00.000Z"],
];

describe("toCsv", () => {
  for (const scheduler of SCHEDULERS) {
    it(`writes one file per partition with quoted fields and exact values on ${scheduler}`, async () => {
      const dir = join(freshDir(), "nested", "out");
      const paths = await frame().toCsv(join(dir, "part-*.csv"), { scheduler });
      expect(paths).toEqual([0, 1, 2, 3].map((i) => join(dir, `part-${i}.csv`)));
      expect(readdirSync(dir).sort()).toEqual(["part-0.csv", "part-1.csv", "part-2.csv", "part-3.csv"]);
      const texts = paths.map((p) => readFileSync(p, "utf8"));
      // Raw text of the first file, then every row's raw cells.
      expect(texts[0]).toBe(
        'f,i,k,s,b,d\n0.1,1,9223372036854775807,plain,True,2020-01-02T03:04:05.006Z\n,,-9223372036854775808,"say ""hi""",False,\n-0.0,-2147483648,,"a,b",,1969-12-31T00:00:00.000Z\n',
      );
      expect(texts[1]).toBe("f,i,k,s,b,d\n");
      const all = texts.flatMap((t) => parseCsv(t).slice(1));
      expect(all.length).toBe(9);
      const raw = texts.join("").split("f,i,k,s,b,d\n").join("");
      expect(raw).toBe(expectedCells.map((r) => r.join(",")).join("\n") + "\n");
      // Reading back: quoted "" is the empty string, an empty field missing.
      expect(all.map((r) => (r[3]!.text === "" && !r[3]!.quoted ? null : r[3]!.text))).toEqual(columns.s);
      expect(all.map((r) => (r[0]!.text === "" ? null : r[0]!.text === "inf" ? Infinity : Number(r[0]!.text)))).toEqual([0.1, null, -0, 1e21, 3, Infinity, 1 / 3, -2.5e-7, null]);
      expect(all.map((r) => (r[2]!.text === "" ? null : BigInt(r[2]!.text)))).toEqual(columns.k);
      expect(all.map((r) => (r[5]!.text === "" ? null : new Date(r[5]!.text)))).toEqual(columns.d);
    });

    it(`sep, header false, a pattern without '*' for one partition, on ${scheduler}`, async () => {
      const dir = freshDir();
      const df = dd.fromColumns({ a: ["x;y", "z"], b: [1.5, null] });
      const paths = await df.toCsv(join(dir, "single.csv"), { scheduler, sep: ";", header: false });
      expect(paths).toEqual([join(dir, "single.csv")]);
      expect(readFileSync(paths[0]!, "utf8")).toBe('"x;y";1.5\nz;\n');
      // A lone missing field is quoted (a blank line would be skipped by readers).
      const one = dd.fromColumns({ v: [1, null, 2] }, { dtype: { v: "int32" } });
      const [p] = await one.toCsv(join(dir, "one-*.csv"), { scheduler });
      expect(readFileSync(p!, "utf8")).toBe('v\n1\n""\n2\n');
    });

    it(`round trip through dd.readCsv on ${scheduler}`, async () => {
      const dir = freshDir();
      const df = framePartitioned(
        {
          f: [0.1, NaN, -1.5, 1e21, 3, Infinity, -2.5e-7, 1e-300],
          i: [1, null, -2147483648, 2147483647, 0, 7, 8, 9],
          k: [2n ** 63n - 1n, -(2n ** 63n), null, 0n, 1n, 2n, 3n, 4n],
          s: ["plain", 'say "hi"', "a,b", "line\nbreak", "x", null, "日本 😀", "  spaced  "],
          b: [true, false, null, true, false, true, false, true],
          d: [D("2020-01-02T03:04:05.006Z"), null, D("1969-12-31T00:00:00Z"), D("2000-02-29T00:00:00Z"), null, D("2020-01-01T00:00:00Z"), D("1900-01-01T00:00:00Z"), D("2038-01-19T03:14:08Z")],
        },
        { f: "float64", i: "int32", k: "int64", s: "string", b: "bool", d: "date" },
        [3, 0, 5],
      );
      await df.toCsv(join(dir, "p-*.csv"), { scheduler });
      const back = dd.readCsv(join(dir, "p-*.csv"), { dtype: { f: "float64", i: "int32", k: "int64", s: "string", b: "bool", d: "date" } });
      const got = await back.compute({ scheduler });
      expect(back.npartitions).toBeGreaterThanOrEqual(3);
      expect(rows(got)).toEqual(rows(await df.compute({ scheduler })));
      const k = got.getChild("k")!;
      expect([k.get(0), k.get(1)]).toEqual([2n ** 63n - 1n, -(2n ** 63n)]);
    });
  }

  const py = "/usr/bin/python3";
  const hasPandas = existsSync(py) && spawnSync(py, ["-c", "import pandas"]).status === 0;
  it.skipIf(!hasPandas)("pandas reads the files back to the same values", async () => {
    const dir = freshDir();
    await frame().toCsv(join(dir, "part-*.csv"), { scheduler: "threads" });
    const script = join(dir, "read.py");
    writeFileSync(
      script,
      [
        "import glob, json, math, sys",
        "import pandas as pd",
        "files = sorted(glob.glob(sys.argv[1]), key=lambda p: int(p.rsplit('-', 1)[1].split('.')[0]))",
        "df = pd.concat([pd.read_csv(p, dtype={'k': str, 'i': str, 's': object}, parse_dates=['d']) for p in files], ignore_index=True)",
        "def v(x):",
        "    if x is None or x is pd.NA or x is pd.NaT: return None",
        "    if isinstance(x, pd.Timestamp): return x.isoformat()",
        "    if isinstance(x, float):",
        "        if math.isnan(x): return None",
        "        if math.isinf(x): return 'inf' if x > 0 else '-inf'",
        "        return repr(x)",
        "    if isinstance(x, bool): return x",
        "    return str(x)",
        "print(json.dumps({c: [v(x) for x in df[c].astype(object)] for c in df.columns}))",
      ].join("\n"),
    );
    const r = spawnSync(py, [script, join(dir, "part-*.csv")], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    const got = JSON.parse(r.stdout) as Record<string, unknown[]>;
    expect(got.f).toEqual(["0.1", null, "-0.0", "1e+21", "3.0", "inf", "0.3333333333333333", "-2.5e-07", null]);
    expect(got.i).toEqual(["1", null, "-2147483648", "2147483647", "0", "7", "8", "9", "10"]);
    expect(got.k).toEqual(["9223372036854775807", "-9223372036854775808", null, "0", "1", "2", "3", "4", "5"]);
    // pandas reads both "" and an empty field as missing
    expect(got.s).toEqual(["plain", 'say "hi"', "a,b", "line\nbreak", "cr\rhere", null, null, "日本 😀", "  spaced  "]);
    expect(got.b).toEqual([true, false, null, true, false, true, false, true, false]);
    expect(got.d!.map((x) => (x === null ? null : new Date(`${String(x)}${String(x).endsWith("+00:00") ? "" : "Z"}`).getTime()))).toEqual(
      columns.d.map((x) => (x === null ? null : x.getTime())),
    );
  });

  it("writes large partitions in pieces", async () => {
    const dir = freshDir();
    const n = 120_000;
    const df = dd.fromColumns({ v: Float64Array.from({ length: n }, (_, i) => i + 0.25), w: Int32Array.from({ length: n }, (_, i) => -i) }, { npartitions: 2 });
    const paths = await df.toCsv(join(dir, "big-*.csv"), { scheduler: "threads" });
    const lines = readFileSync(paths[1]!, "utf8").split("\n");
    expect(lines.length).toBe(n / 2 + 2);
    expect(lines[0]).toBe("v,w");
    expect(lines[1]).toBe("60000.25,-60000");
    expect(lines[n / 2]).toBe("119999.25,-119999");
    expect(lines[n / 2 + 1]).toBe("");
  });

  for (const scheduler of SCHEDULERS) {
    it(`leaves no file when a task fails (nothing partial) on ${scheduler}`, async () => {
      const dir = join(freshDir(), "out");
      const df = dd.fromColumns({ v: Array.from({ length: 10 }, (_, i) => i) }, { npartitions: 5 });
      // Partition 2 holds v = 4, 5: the function fails there; the other partitions are written first or alongside.
      const failing = df.mapPartitions((t: A.Table) => {
        if (t.numRows > 0 && t.getChild("v")!.get(0) === 4) throw new Error("boom in partition 2");
        return t;
      });
      await expect(failing.toCsv(join(dir, "part-*.csv"), { scheduler })).rejects.toThrow(/boom in partition 2/);
      expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
      // The same frame without the failure writes every file.
      const ok = await df.toCsv(join(dir, "part-*.csv"), { scheduler });
      expect(readdirSync(dir).sort()).toEqual(["part-0.csv", "part-1.csv", "part-2.csv", "part-3.csv", "part-4.csv"]);
      expect(ok.map((p) => readFileSync(p, "utf8"))).toEqual(["v\n0\n1\n", "v\n2\n3\n", "v\n4\n5\n", "v\n6\n7\n", "v\n8\n9\n"]);
    });
  }

  it("bad patterns and options are InvalidArgumentErrors", async () => {
    const df = frame();
    const dir = freshDir();
    await expect(df.toCsv(join(dir, "all.csv"))).rejects.toThrow(InvalidArgumentError);
    await expect(df.toCsv(join(dir, "all.csv"))).rejects.toThrow(/4 partitions but the path .* has no '\*'/);
    await expect(df.toCsv(join(dir, "*-*.csv"))).rejects.toThrow(/has 2 '\*'/);
    await expect(df.toCsv(join(dir, "p-*.csv"), { sep: ";;" })).rejects.toThrow(/sep must be one character/);
    await expect(df.toCsv(join(dir, "p-*.csv"), { sep: '"' })).rejects.toThrow(InvalidArgumentError);
    await expect(df.toCsv("")).rejects.toThrow(/path pattern/);
    expect(existsSync(dir)).toBe(false);
  });
});
