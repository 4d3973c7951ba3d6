import { describe, expect, it } from "vitest";
import { gzipSync } from "node:zlib";
import { writeFileSync, statSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { db, Bag, FileNotFoundError } from "@dask-ts/bag";
import { compute, InvalidArgumentError } from "@dask-ts/core";
import { SCHEDULERS, closePoolsAfterAll } from "./helpers.js";
import { tempDir, referenceLines, fileLines } from "./text-helpers.js";

closePoolsAfterAll();
const dir = tempDir("read");

// Multi-byte characters (2, 3 and 4 bytes in UTF-8) at every position relative to the block edges,
// empty lines, a line longer than many blocks, and no trailing newline.
const UNICODE =
  "héllo wörld\n" + "\n" + "中文 字符 测试\n" + "😀😃😄 emoji 😁\n" + "a\n" + "é\n" + "😀\n" + "\n\n" +
  "long line " + "ÿ€😀中".repeat(20) + "\n" + "ünïcödé without newline at the end 😀";
const files = {
  unicode: join(dir, "unicode.txt"),
  trailing: join(dir, "trailing.txt"),
  empty: join(dir, "empty.txt"),
  crlf: join(dir, "crlf.txt"),
  oneLine: join(dir, "one-line.txt"),
  newlines: join(dir, "newlines.txt"),
};
writeFileSync(files.unicode, UNICODE);
writeFileSync(files.trailing, "first\nsecond line\nthird ✓\n");
writeFileSync(files.empty, "");
writeFileSync(files.crlf, "one\r\ntwo\r\n\r\nthree\rfour\nfive\r\nlast ✓");
writeFileSync(files.oneLine, "a single line without any newline ✓✓✓");
writeFileSync(files.newlines, "\n\n\n\n");

/** Every block size from 1 byte to the file's size (plus one larger). */
function allBlocksizes(path: string): number[] {
  const size = statSync(path).size;
  return Array.from({ length: size + 1 }, (_, i) => i + 1);
}

describe("readText", () => {
  it("references whole-file lines with their newline (as Dask)", () => {
    expect(referenceLines("a\nb\r\nc\rd")).toEqual(["a\n", "b\n", "c\n", "d"]);
    expect(fileLines(files.trailing)).toEqual(["first\n", "second line\n", "third ✓\n"]);
  });

  it("makes one partition per file, or one per block; reads files in the tasks", () => {
    expect(db.readText(files.unicode).npartitions).toBe(1);
    expect(db.readText([files.unicode, files.trailing]).npartitions).toBe(2);
    const size = statSync(files.unicode).size;
    expect(db.readText(files.unicode, { blocksize: 10 }).npartitions).toBe(Math.floor(size / 10));
    expect(db.readText(files.unicode, { blocksize: "1kB" }).npartitions).toBe(1);
    // No file contents in the graph: tasks carry paths and byte ranges.
    const graph = JSON.stringify([...db.readText(files.unicode, { blocksize: 7 }).graph().values()].map((t) => (t as { args?: unknown }).args));
    expect(graph).not.toContain("héllo");
    expect(graph).toContain("unicode.txt");
  });

  it("rejects missing paths, empty globs, directories and bad options at the call", () => {
    const missing = () => db.readText(join(dir, "missing.txt"));
    expect(missing).toThrow(FileNotFoundError);
    expect(missing).toThrow(/readText: file not found/);
    try {
      db.readText(join(dir, "nothing-*.txt"));
      expect.unreachable();
    } catch (e) {
      expect((e as Error).name).toBe("FileNotFoundError");
      expect((e as Error).message).toMatch(/no file matches the pattern/);
    }
    expect(() => db.readText([files.unicode, join(dir, "gone.txt")])).toThrow(FileNotFoundError);
    expect(() => db.readText(dir)).toThrow(/is a directory/);
    expect(() => db.readText([])).toThrow(InvalidArgumentError);
    expect(() => db.readText(files.unicode, { blocksize: 0 })).toThrow(InvalidArgumentError);
    expect(() => db.readText(files.unicode, { blocksize: "lots" })).toThrow(/blocksize/);
    expect(() => db.readText(files.unicode, { encoding: "utf-16le" })).toThrow(/encoding/);
    expect(() => db.readText(files.unicode, { blocksise: 10 } as never)).toThrow(/unknown option 'blocksise'/);
  });

  for (const scheduler of SCHEDULERS) {
    it(`gives exactly the lines of a single read for every block size on ${scheduler}`, async () => {
      for (const path of Object.values(files)) {
        const expected = fileLines(path);
        const sizes = allBlocksizes(path);
        const bags = sizes.map((blocksize) => db.readText(path, { blocksize }));
        const results = (await compute(db.readText(path), ...bags, { scheduler })) as string[][];
        expect(results[0], `${path} whole`).toEqual(expected);
        results.slice(1).forEach((r, i) => expect(r, `${path} blocksize ${sizes[i]}`).toEqual(expected));
      }
    });

    it(`reads lines longer than a block and its look-ahead on ${scheduler}`, async () => {
      // Blocks read 64 KiB past their end to finish their last line; these lines are longer.
      const path = join(dir, `long-${scheduler}.txt`);
      const long = (c: string, n: number) => c.repeat(n);
      writeFileSync(path, `short\n${long("é", 150_000)}\n${long("x", 70_000)}\nmid\n${long("😀", 40_000)}\nend without newline ${long("y", 100_000)}`);
      const expected = fileLines(path);
      const sizes = [1000, 65_535, 65_536, 65_537, 100_000, 200_000, 300_001, statSync(path).size];
      const results = (await compute(...sizes.map((blocksize) => db.readText(path, { blocksize })), { scheduler })) as string[][];
      results.forEach((r, i) => expect(r, `blocksize ${sizes[i]}`).toEqual(expected));
    });

    it(`keeps empty files and blocks as empty partitions on ${scheduler}`, async () => {
      expect(await db.readText(files.empty).compute({ scheduler })).toEqual([]);
      const blocked = db.readText(files.empty, { blocksize: 4 });
      expect(blocked.npartitions).toBe(1);
      expect(await blocked.compute({ scheduler })).toEqual([]);
      // Many blocks inside one long line: all empty but the first.
      const b = db.readText(files.oneLine, { blocksize: 3 });
      expect(b.npartitions).toBeGreaterThan(5);
      expect(await b.compute({ scheduler })).toEqual(["a single line without any newline ✓✓✓"]);
      expect(await db.readText([files.empty, files.trailing], { blocksize: 5 }).compute({ scheduler })).toEqual(fileLines(files.trailing));
    });

    it(`reads globs and lists of files in order on ${scheduler}`, async () => {
      const sub = join(dir, `glob-${scheduler}`);
      mkdirSync(sub);
      const names = ["part-0.txt", "part-1.txt", "part-10.txt", "part-2.txt"];
      names.forEach((n, i) => writeFileSync(join(sub, n), `file ${n} ✓\n`.repeat(i + 1) + `end of ${n}`));
      writeFileSync(join(sub, "other.csv"), "not matched\n");
      // Sorted by name, as Dask's glob: part-10 comes before part-2.
      const sorted = [...names].sort();
      const expected = sorted.flatMap((n) => fileLines(join(sub, n)));
      const b = db.readText(join(sub, "part-*.txt"));
      expect(b.npartitions).toBe(4);
      expect(await b.compute({ scheduler })).toEqual(expected);
      expect(await db.readText(join(sub, "part-*.txt"), { blocksize: 6 }).compute({ scheduler })).toEqual(expected);
      const listed = [names[3]!, names[0]!].map((n) => join(sub, n));
      expect(await db.readText(listed, { blocksize: 9 }).compute({ scheduler })).toEqual(listed.flatMap(fileLines));
    });

    it(`reads gzip files whole (one partition each) on ${scheduler}`, async () => {
      const gz = join(dir, `unicode-${scheduler}.txt.gz`);
      writeFileSync(gz, gzipSync(Buffer.from(UNICODE, "utf8")));
      const b = db.readText([gz, files.trailing], { blocksize: 5 });
      expect(b.npartitions).toBe(1 + Math.floor(statSync(files.trailing).size / 5));
      expect(await b.compute({ scheduler })).toEqual([...referenceLines(UNICODE), ...fileLines(files.trailing)]);
    });

    it(`decodes latin1 on ${scheduler}`, async () => {
      const path = join(dir, `latin1-${scheduler}.txt`);
      writeFileSync(path, Buffer.from("café\nnaïve\nüber", "latin1"));
      expect(await db.readText(path, { encoding: "latin1", blocksize: 3 }).compute({ scheduler })).toEqual(["café\n", "naïve\n", "über"]);
    });

    it(`is a Bag whose tasks fail with the path when a file vanished on ${scheduler}`, async () => {
      const path = join(dir, `vanishing-${scheduler}.txt`);
      writeFileSync(path, "x\n");
      const b = db.readText(path);
      expect(b).toBeInstanceOf(Bag);
      const { rmSync } = await import("node:fs");
      rmSync(path);
      await expect(b.compute({ scheduler })).rejects.toThrow(/vanishing/);
    });
  }
});
