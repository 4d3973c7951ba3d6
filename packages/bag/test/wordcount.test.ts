// readText(...).str.split().flatten().frequencies() counts words from the file bytes: same result as
// the element-by-element path and as a plain JS reference, on every scheduler.
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { db } from "@dask-ts/bag";
import { SCHEDULERS, closePoolsAfterAll } from "./helpers.js";

closePoolsAfterAll();
const dir = mkdtempSync(join(tmpdir(), "bag-wordcount-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Python's str.split() whitespace (incl. \x1c-\x1f, \x85, \xa0, U+2000.., U+3000), not \u200b or \ufeff.
const WS = [" ", "\t", "\n", "\r\n", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\xa0", "\u2003", "\u3000", "  "];
const WORDS = ["a", "b", "ünï", "日本", "😀x", "a\u200bb", "\ufeffz", "word", "w-o_r.d", "ß"];

function text(seed: number, n: number): string {
  let s = seed;
  const rnd = (k: number) => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8) % k;
  let out = "";
  for (let i = 0; i < n; i++) out += WORDS[rnd(WORDS.length)] + WS[rnd(WS.length)];
  return out + "tail";
}

/** Python's str.split() on each line, flattened, counted in first-seen order. */
function reference(content: string): [string, number][] {
  const counts = new Map<string, number>();
  const ws = /[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u;
  for (const w of content.split(ws)) if (w !== "") counts.set(w, (counts.get(w) ?? 0) + 1);
  return [...counts];
}

describe("word count from bytes", () => {
  const a = join(dir, "a.txt");
  const b = join(dir, "b.txt");
  writeFileSync(a, text(1, 3000));
  writeFileSync(b, text(2, 2000));
  const want = reference(text(1, 3000) + "\n" + text(2, 2000));
  for (const scheduler of SCHEDULERS) {
    it(`equals the element-by-element path and a plain reference (${scheduler})`, async () => {
      for (const blocksize of [97, 1000, undefined]) {
        const bag = db.readText(join(dir, "*.txt"), { blocksize });
        const fused = await bag.str.split().flatten().frequencies().compute({ scheduler });
        const plain = await bag.map((line: string) => line).str.split().flatten().frequencies().compute({ scheduler });
        expect(fused).toEqual(plain);
        // The fused path really runs: its tasks count words straight from the file blocks.
        expect([...bag.str.split().flatten().frequencies().graph().keys()].some((k) => k.includes("read-text-words-"))).toBe(true);
        expect([...bag.map((l: string) => l).str.split().flatten().frequencies().graph().keys()].some((k) => k.includes("read-text-words-"))).toBe(false);
        expect(new Map(fused)).toEqual(new Map(want));
        const top = await bag.str.split().flatten().frequencies().topk(3, ([, n]: [string, number]) => n).compute({ scheduler });
        expect(top.map(([, n]) => n)).toEqual([...want.map(([, n]) => n)].sort((x, y) => y - x).slice(0, 3));
      }
    });
  }
});
