import { describe, expect, it } from "vitest";
import { gzipSync } from "node:zlib";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { db } from "@dask-ts/bag";
import { wordCountsOf } from "@dask-ts/bag/io/text";
import { compute } from "@dask-ts/core";
import { SCHEDULERS, closePoolsAfterAll } from "./helpers.js";
import { tempDir } from "./text-helpers.js";

closePoolsAfterAll();
const dir = tempDir("words");

// Python's str.split() whitespace, written out independently of the code under test.
const PY_WS = "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";

/** Words of a text and their counts, first seen first (plain JS reference). */
function referenceCounts(text: string): Array<[string, number]> {
  const counts = new Map<string, number>();
  let word = "";
  for (const ch of text + " ") {
    if (PY_WS.includes(ch)) {
      if (word !== "") counts.set(word, (counts.get(word) ?? 0) + 1);
      word = "";
    } else word += ch;
  }
  return [...counts];
}

/**
 * Sums per-partition [words, counts] in partition order (first seen first). A computed bag concatenates
 * its partitions, so partition i's words and counts are items 2i and 2i + 1.
 */
function mergeParts(flat: unknown[]): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (let i = 0; i < flat.length; i += 2) {
    const ws = flat[i] as string[];
    const cs = flat[i + 1] as Float64Array;
    expect(cs).toBeInstanceOf(Float64Array);
    ws.forEach((w, j) => counts.set(w, (counts.get(w) ?? 0) + cs[j]!));
  }
  return [...counts];
}

const texts: Record<string, Buffer> = {
  plain: Buffer.from("the cat sat\non the mat\nthe end"),
  unicode: Buffer.from("héllo wörld héllo\n中文 字符 中文\n😀 😃 😀\n\nlast 😀 without newline"),
  // Every non-ASCII whitespace character between words, and ones that look alike but are not whitespace.
  wideSpaces: Buffer.from("a\x85b\xa0c\u1680d\u2000e\u200af\u2028g\u2029h\u202fi\u205fj\u3000k\u200bl\ufeffm\u2060n a b\n" + "x\x1cy\x1fz\vw\fv\r\nu\rt"),
  // Invalid UTF-8: a stray continuation byte, a truncated sequence before a space, lone lead bytes before wide spaces.
  invalid: Buffer.concat([Buffer.from("ok \x80bad "), Buffer.from([0xe2, 0x80, 0x20, 0xc3, 0x0a, 0xe2, 0xe2, 0x80, 0x80, 0x41, 0x20, 0xff, 0x20, 0xfe, 0x0a]), Buffer.from("ok\n")]),
  crlf: Buffer.from("one two\r\nthree one\r\n\r\ntwo"),
  empty: Buffer.alloc(0),
  spacesOnly: Buffer.from("  \n\t\n \u3000 \n"),
};
const paths = Object.fromEntries(Object.entries(texts).map(([k, v]) => {
  const p = join(dir, `${k}.txt`);
  writeFileSync(p, v);
  return [k, p];
}));

describe("word counts of readText blocks", () => {
  it("is only defined for readText bags", () => {
    expect(wordCountsOf(db.fromSequence(["a b"]))).toBeUndefined();
    const b = db.readText(paths.plain!, { blocksize: 4 });
    expect(wordCountsOf(b)!.npartitions).toBe(b.npartitions);
  });

  for (const scheduler of SCHEDULERS) {
    it(`counts the words of every block size as a single read does on ${scheduler}`, async () => {
      for (const [name, path] of Object.entries(paths)) {
        const expected = referenceCounts(new TextDecoder().decode(readFileSync(path)));
        const size = statSync(path).size;
        const sizes = [null, ...Array.from({ length: size + 1 }, (_, i) => i + 1)];
        const bags = sizes.map((blocksize) => wordCountsOf(db.readText(path, blocksize === null ? {} : { blocksize }))!);
        const results = (await compute(...bags, { scheduler })) as unknown[][];
        results.forEach((parts, i) => expect(mergeParts(parts), `${name} blocksize ${sizes[i]}`).toEqual(expected));
      }
    });

    it(`counts words of lines longer than a block and its look-ahead on ${scheduler}`, async () => {
      const path = join(dir, `long-${scheduler}.txt`);
      const text = `a b\n${"é".repeat(150_000)} a\n${"x ".repeat(40_000)}\n${"😀".repeat(30_000)}`;
      writeFileSync(path, text);
      const expected = referenceCounts(text);
      const sizes = [1000, 65_536, 100_000, 300_001];
      const results = (await compute(...sizes.map((blocksize) => wordCountsOf(db.readText(path, { blocksize }))!), { scheduler })) as unknown[][];
      results.forEach((parts, i) => expect(mergeParts(parts), `blocksize ${sizes[i]}`).toEqual(expected));
    });

    it(`counts gzip files and latin1 text on ${scheduler}`, async () => {
      const gz = join(dir, `unicode-${scheduler}.txt.gz`);
      writeFileSync(gz, gzipSync(texts.unicode!));
      const [parts] = (await compute(wordCountsOf(db.readText([gz, paths.plain!], { blocksize: 5 }))!, { scheduler })) as unknown[][];
      expect(mergeParts(parts!)).toEqual(referenceCounts(texts.unicode!.toString("utf8") + "\n" + texts.plain!.toString("utf8")));
      const latin = join(dir, `latin1-${scheduler}.txt`);
      writeFileSync(latin, Buffer.from("café naïve\xa0café\nüber café", "latin1"));
      const [lp] = (await compute(wordCountsOf(db.readText(latin, { encoding: "latin1", blocksize: 3 }))!, { scheduler })) as unknown[][];
      expect(mergeParts(lp!)).toEqual([["café", 3], ["naïve", 1], ["über", 1]]);
    });
  }
});
