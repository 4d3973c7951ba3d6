// Task functions of the demo. Workers import this module (fromModule), so the functions keep their imports.
import { readFile, writeFile } from "node:fs/promises";

/** Writes a text file of `words` pseudo-random words (deterministic per seed). */
export async function makeFile(path, words, seed) {
  const vocab = ["dask", "graph", "task", "chunk", "worker", "thread", "node", "typescript", "array", "frame", "bag", "délai", "数据"];
  let s = seed >>> 0;
  const out = [];
  for (let i = 0; i < words; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    // Skewed choice so the counts differ visibly.
    out.push(vocab[Math.floor(((s / 2 ** 32) ** 2) * vocab.length)]);
    if (i % 12 === 11) out.push("\n");
  }
  await writeFile(path, out.join(" "));
  return path;
}

/** Word counts of one file. */
export async function countWords(path) {
  const text = await readFile(path, "utf8");
  const counts = {};
  for (const w of text.split(/\s+/)) if (w) counts[w] = (counts[w] ?? 0) + 1;
  return counts;
}

/** Adds several count tables. */
export function mergeCounts(tables) {
  const total = {};
  for (const t of tables) for (const [w, n] of Object.entries(t)) total[w] = (total[w] ?? 0) + n;
  return total;
}

/** The k most frequent words. */
export function topK(counts, k) {
  return Object.entries(counts).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, k);
}
