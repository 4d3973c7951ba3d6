import { describe, expect, it } from "vitest";
import { gunzipSync } from "node:zlib";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { db } from "@dask-ts/bag";
import { InvalidArgumentError } from "@dask-ts/core";
import { SCHEDULERS, closePoolsAfterAll } from "./helpers.js";
import { tempDir, fileLines, referenceLines } from "./text-helpers.js";

closePoolsAfterAll();
const dir = tempDir("write");

const TEXT = "héllo wörld\nfoo bar\n\n中文 字符\n😀 emoji\nlast line without newline ✓";
const source = join(dir, "source.txt");
writeFileSync(source, TEXT);

/** Every file (hidden ones too) under a directory, recursively. */
function listAll(d: string): string[] {
  return readdirSync(d, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath ?? (e as { path: string }).path, e.name));
}

describe("toTextFiles", () => {
  it("rejects patterns that cannot number the partitions", async () => {
    const b = db.fromSequence(["a", "b", "c"], { npartitions: 3 });
    await expect(b.toTextFiles(join(dir, "no-star.txt"))).rejects.toThrow(InvalidArgumentError);
    await expect(b.toTextFiles(join(dir, "no-star.txt"))).rejects.toThrow(/has no '\*'/);
    await expect(b.toTextFiles(join(dir, "two-*-*.txt"))).rejects.toThrow(/2 '\*'/);
    await expect(b.toTextFiles(join(dir, "x-*.txt"), { encoding: "utf-16" } as never)).rejects.toThrow(/encoding/);
    expect(existsSync(join(dir, "no-star.txt"))).toBe(false);
  });

  for (const scheduler of SCHEDULERS) {
    it(`round-trips readText's lines unchanged on ${scheduler}`, async () => {
      const out = join(dir, `round-${scheduler}`);
      const b = db.readText(source, { blocksize: 7 });
      const paths = await b.toTextFiles(join(out, "part-*.txt"), { scheduler });
      expect(paths).toEqual(Array.from({ length: b.npartitions }, (_, i) => join(out, `part-${i}.txt`)));
      // Lines keep their "\n", which is not doubled: the files concatenate to the source.
      expect(paths.map((p) => readFileSync(p, "utf8")).join("")).toBe(TEXT);
      expect(await db.readText(paths).compute({ scheduler })).toEqual(fileLines(source));
      // No temporary file left behind.
      expect(listAll(out).sort()).toEqual([...paths].sort());
    });

    it(`writes one element per line with String(x) on ${scheduler}`, async () => {
      const out = join(dir, `values-${scheduler}`);
      const items = [1, "two\n", "three", null, { a: 1 }, "ünï😀", 2.5, ""];
      const b = db.fromSequence(items, { npartitions: 3 });
      const paths = await b.toTextFiles(join(out, "*.txt"), { scheduler });
      expect(paths.length).toBe(3);
      const parts = [items.slice(0, 3), items.slice(3, 6), items.slice(6)];
      const expected = parts.map((p) => p.map((x) => String(x)).reduce((acc, s, i) => (i === 0 || acc.endsWith("\n") ? acc + s : acc + "\n" + s), ""));
      expect(paths.map((p) => readFileSync(p, "utf8"))).toEqual(expected);
      expect(expected[0]).toBe("1\ntwo\nthree");
      // One partition needs no '*'.
      const single = join(out, "single.txt");
      expect(await db.fromSequence(["x", "y"], { npartitions: 1 }).toTextFiles(single, { scheduler })).toEqual([single]);
      expect(readFileSync(single, "utf8")).toBe("x\ny");
      // An empty partition writes an empty file.
      const empty = await db.fromSequence([]).toTextFiles(join(out, "empty-*.txt"), { scheduler });
      expect(readFileSync(empty[0]!, "utf8")).toBe("");
    });

    it(`writes and reads gzip on ${scheduler}`, async () => {
      const out = join(dir, `gz-${scheduler}`);
      const b = db.readText(source, { blocksize: 11 });
      const paths = await b.toTextFiles(join(out, "p-*.txt.gz"), { scheduler });
      expect(paths.map((p) => gunzipSync(readFileSync(p)).toString("utf8")).join("")).toBe(TEXT);
      const back = db.readText(paths, { blocksize: 3 });
      expect(back.npartitions).toBe(paths.length);
      expect(await back.compute({ scheduler })).toEqual(referenceLines(TEXT));
    });

    it(`leaves nothing when an element cannot be written on ${scheduler}`, async () => {
      const out = join(dir, `fail-elem-${scheduler}`);
      mkdirSync(out);
      // String() of an object whose toString is not a function throws TypeError (in the task of partition 2).
      const items = ["a", "b", "c", "d", { toString: "not a function" }, "f"];
      const b = db.fromSequence(items, { npartitions: 3 });
      await expect(b.toTextFiles(join(out, "*.txt"), { scheduler })).rejects.toThrow(/Cannot convert object to primitive value/);
      expect(listAll(out)).toEqual([]);
    });

    it(`leaves nothing when one file cannot be created on ${scheduler}`, async () => {
      const out = join(dir, `fail-dir-${scheduler}`);
      mkdirSync(out);
      // Partition 1's directory is a file: its write fails; partitions 0 and 2 must not appear either.
      writeFileSync(join(out, "1"), "in the way");
      const b = db.fromSequence(["a\n", "b\n", "c\n"], { npartitions: 3 });
      await expect(b.toTextFiles(join(out, "*", "data.txt"), { scheduler })).rejects.toThrow(/EEXIST|ENOTDIR/);
      expect(listAll(out)).toEqual([join(out, "1")]);
    });
  }
});
