import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { db } from "@dask-ts/bag";
import { pySplit, pyStrip, pyReplace, pyLen, fnmatchRegExp } from "@dask-ts/bag/elementwise/pystr";
import { SCHEDULERS, closePoolsAfterAll } from "./helpers.js";

closePoolsAfterAll();

/** CPython's results for the same calls (fixtures/make_python_str.py). */
const py = JSON.parse(readFileSync(new URL("./fixtures/python-str.json", import.meta.url), "utf8")) as Record<string, unknown[]> & { cases: string[] };
const cases = py.cases;

// Python's whitespace, written out as a character class (reference for random texts).
const PY_WS = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;
const refSplit = (s: string): string[] => s.split(PY_WS).filter((w) => w !== "");

/** Deterministic random lines over letters, unicode letters and every kind of whitespace. */
function randomLines(n: number, seed: number): string[] {
  const alphabet = ["a", "b", "Z", "ß", "ü", "é", "ж", "中", "😀", "\u200b", "\ufeff", " ", " ", "  ", "\t", "\n", "\r\n", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\xa0", "\u2003", "\u3000", "\u2029"];
  let s = seed;
  const rnd = (k: number) => ((s = (s * 1103515245 + 12345) & 0x7fffffff) % k);
  return Array.from({ length: n }, () => Array.from({ length: rnd(30) }, () => alphabet[rnd(alphabet.length)]).join(""));
}

describe("Python str semantics", () => {
  it("split, strip, replace, len and fnmatch agree with CPython", () => {
    expect(cases.map((c) => pySplit(c, null))).toEqual(py.split);
    expect(cases.map((c) => pySplit(c, null, 1))).toEqual(py.split_max1);
    expect(cases.map((c) => pySplit(c, null, 0))).toEqual(py.split_max0);
    expect(cases.map((c) => pySplit(c, ","))).toEqual(py.split_comma);
    expect(cases.map((c) => pySplit(c, ",", 1))).toEqual(py.split_comma_max1);
    expect(cases.map((c) => pyStrip(c, null, true, true))).toEqual(py.strip);
    expect(cases.map((c) => pyStrip(c, null, true, false))).toEqual(py.lstrip);
    expect(cases.map((c) => pyStrip(c, null, false, true))).toEqual(py.rstrip);
    expect(cases.map((c) => pyStrip(c, "a,😀eh", true, true))).toEqual(py.strip_chars);
    expect(cases.map((c) => pyReplace(c, "a", "ä"))).toEqual(py.replace);
    expect(cases.map((c) => pyReplace(c, ",", ";", 1))).toEqual(py.replace_max1);
    expect(cases.map((c) => pyReplace(c, "", "|", 3))).toEqual(py.replace_empty_max3);
    expect(cases.map((c) => pyReplace(c, "", "|"))).toEqual(py.replace_empty);
    expect(cases.map(pyLen)).toEqual(py.len);
    expect(cases.filter((c) => fnmatchRegExp("*[a-c],*").test(c))).toEqual(py.match);
    expect(cases.filter((c) => fnmatchRegExp("?n?").test(c))).toEqual(py.match_q);
    expect(cases.filter((c) => fnmatchRegExp("[!a-z]*").test(c))).toEqual(py.match_neg);
  });

  it("whitespace split agrees with a regex of Python's whitespace on random unicode text", () => {
    for (const line of randomLines(2000, 7)) expect(pySplit(line, null)).toEqual(refSplit(line));
  });

  it("rejects bad arguments when the graph is built", () => {
    const b = db.fromSequence(["a"]);
    expect(() => b.str.split("")).toThrow(/empty separator/);
    expect(() => b.str.split(",", 1.5)).toThrow(/integer/);
    expect(() => b.str.strip(3 as never)).toThrow(/string/);
    expect(() => b.str.startswith(5 as never)).toThrow(/string/);
  });
});

for (const scheduler of SCHEDULERS) {
  describe(`b.str on ${scheduler}`, () => {
    it("every method against CPython's results, on one, several and one-per-element partitions", async () => {
      for (const np of [1, 4, cases.length]) {
        const s = db.fromSequence(cases, { npartitions: np }).str;
        const [split, split1, splitComma, strip, lstrip, rstrip, stripChars, lower, upper] = await Promise.all([
          s.split().compute({ scheduler }),
          s.split(null, 1).compute({ scheduler }),
          s.split(",").compute({ scheduler }),
          s.strip().compute({ scheduler }),
          s.lstrip().compute({ scheduler }),
          s.rstrip().compute({ scheduler }),
          s.strip("a,😀eh").compute({ scheduler }),
          s.lower().compute({ scheduler }),
          s.upper().compute({ scheduler }),
        ]);
        expect(split).toEqual(py.split);
        expect(split1).toEqual(py.split_max1);
        expect(splitComma).toEqual(py.split_comma);
        expect(strip).toEqual(py.strip);
        expect(lstrip).toEqual(py.lstrip);
        expect(rstrip).toEqual(py.rstrip);
        expect(stripChars).toEqual(py.strip_chars);
        // lower/upper are JS's case mappings (which agree with Python's on these, "ß" -> "SS" included).
        expect(lower).toEqual(cases.map((c) => c.toLowerCase()));
        expect(upper).toEqual(cases.map((c) => c.toUpperCase()));
        expect(lower).toEqual(py.lower);
        expect(upper).toEqual(py.upper);
        expect(await s.rstrip("a,😀eh").compute({ scheduler })).toEqual(py.rstrip_chars);
        expect(await s.lstrip("a,😀eh").compute({ scheduler })).toEqual(py.lstrip_chars);
        expect(await s.replace("a", "ä").compute({ scheduler })).toEqual(py.replace);
        expect(await s.replace(",", ";", 1).compute({ scheduler })).toEqual(py.replace_max1);
        expect(await s.len().compute({ scheduler })).toEqual(py.len);
        expect(await s.startswith(["a", "  "]).compute({ scheduler })).toEqual(py.startswith);
        expect(await s.endswith("e").compute({ scheduler })).toEqual(py.endswith);
        expect(await s.match("*[a-c],*").compute({ scheduler })).toEqual(py.match);
      }
      expect(await db.fromSequence(["ÄÖÜß", "ǅ", "İ"]).str.lower().compute({ scheduler })).toEqual(["ÄÖÜß".toLowerCase(), "ǅ".toLowerCase(), "İ".toLowerCase()]);
      expect(await db.fromSequence(["äöüß", "ﬁ"]).str.upper().compute({ scheduler })).toEqual(["ÄÖÜSS", "FI"]);
    });

    it("split().flatten() over many partitions, empty ones included, matches a reference word list", async () => {
      const lines = randomLines(600, 11);
      // Drop every line of some partitions: filter leaves them empty.
      const b = db.fromSequence(lines, { npartitions: 50 }).filter((l: string) => !l.startsWith("a"));
      const kept = lines.filter((l) => !l.startsWith("a"));
      expect(await b.str.split().flatten().compute({ scheduler })).toEqual(kept.flatMap(refSplit));
      // The nested form and the chained form agree.
      expect(await b.str.split().compute({ scheduler })).toEqual(kept.map(refSplit));
      expect(await b.str.split(" ", 2).flatten().compute({ scheduler })).toEqual(kept.flatMap((l) => pySplit(l, " ", 2)));
      expect(await b.str.lower().str.split().flatten().compute({ scheduler })).toEqual(kept.flatMap((l) => refSplit(l.toLowerCase())));
      expect(await db.fromSequence([""], { npartitions: 1 }).str.split().flatten().compute({ scheduler })).toEqual([]);
    });

    it("a non-string element is an error naming the method, partition and element", async () => {
      const b = db.fromSequence(["a", "b", "c", 4, "e"], { npartitions: 3 });
      await expect(b.str.lower().compute({ scheduler })).rejects.toThrow(/str\.lower: .*element 1 of partition 1: expected a string, got number 4/);
      await expect(b.str.split().flatten().compute({ scheduler })).rejects.toThrow(/str\.split: .*element 1 of partition 1/);
      await expect(b.str.strip().compute({ scheduler })).rejects.toThrow(/partition 1/);
    });
  });
}
