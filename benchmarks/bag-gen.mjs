// Data for the bag word-count benchmark: lines of words drawn from a fixed vocabulary, written by a
// seeded PRNG so every run writes the same bytes.
//
//   vocabulary  10,000 distinct lowercase words of 2..10 letters (uniform lengths)
//   words       Zipf-distributed over the vocabulary (rank r drawn with weight 1/r), as natural text
//   lines       1..15 words each (uniform, 8 on average), separated by one space, ending in "\n"
//
// 1e6 lines is ~8M words, ~53 MB. Lines are written in blocks to a temporary file renamed at the end,
// so a file that is present is complete. Beside it, <name>.json holds the line, word and byte counts,
// the seed and the expected answer (the 10 most frequent words with their counts, computed here from
// the generator's own draws, independently of the code under test).
//
// Usage:
//   node benchmarks/bag-gen.mjs                 # 1e6 lines into benchmarks/data/words-1e6.txt
//   options: --lines N (default 1e6), --seed N (default 5), --out DIR, --force (rewrite even if present)
// Import { ensureWordData } to generate from another script.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const DEFAULT_SEED = 5;
export const VOCABULARY = 10_000;
export const DATA_DIR = fileURLToPath(new URL("./data/", import.meta.url));

/** "1e6" for powers of ten, the plain number otherwise. */
export function linesLabel(n) {
  const e = Math.round(Math.log10(n));
  return n === 10 ** e && e >= 3 ? `1e${e}` : String(n);
}

/** Paths of the text file and its .json sidecar for a line count. */
export function wordPaths(lines, dir = DATA_DIR) {
  const base = join(dir, `words-${linesLabel(lines)}`);
  return { txt: `${base}.txt`, meta: `${base}.json` };
}

/** mulberry32: a small seeded PRNG, one float in [0, 1) per call. */
function makeRng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Distinct random words of 2..10 letters, in rank order (rank 0 the most frequent). */
function vocabulary(rng, n) {
  const seen = new Set();
  while (seen.size < n) {
    const len = 2 + Math.floor(rng() * 9);
    let w = "";
    for (let i = 0; i < len; i++) w += String.fromCharCode(97 + Math.floor(rng() * 26));
    seen.add(w);
  }
  return [...seen];
}

/**
 * Writes `lines` lines to `txt` (via a temporary file) and returns the sidecar record.
 * @param {number} lines
 * @param {{ seed?: number, txt: string }} opts
 */
export function writeWords(lines, { seed = DEFAULT_SEED, txt }) {
  const rng = makeRng(seed);
  const vocab = vocabulary(rng, VOCABULARY);
  // Zipf(1) cumulative weights; a draw is a binary search of a uniform number.
  const cum = new Float64Array(VOCABULARY);
  let acc = 0;
  for (let r = 0; r < VOCABULARY; r++) cum[r] = acc += 1 / (r + 1);
  const counts = new Float64Array(VOCABULARY);
  const tmp = `${txt}.${process.pid}.tmp`;
  const fd = openSync(tmp, "w");
  let bytes = 0;
  let words = 0;
  try {
    let buf = "";
    for (let l = 0; l < lines; l++) {
      const k = 1 + Math.floor(rng() * 15);
      for (let j = 0; j < k; j++) {
        const u = rng() * acc;
        let lo = 0;
        let hi = VOCABULARY - 1;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (cum[mid] < u) lo = mid + 1;
          else hi = mid;
        }
        counts[lo]++;
        buf += j === 0 ? vocab[lo] : " " + vocab[lo];
      }
      buf += "\n";
      words += k;
      if (buf.length >= 1 << 20) {
        bytes += writeSync(fd, buf);
        buf = "";
      }
    }
    if (buf.length) bytes += writeSync(fd, buf);
    closeSync(fd);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  renameSync(tmp, txt);
  const order = Array.from({ length: VOCABULARY }, (_, i) => i).sort((a, b) => counts[b] - counts[a]);
  const top10 = order.slice(0, 10).map((i) => [vocab[i], counts[i]]);
  const distinct = order.filter((i) => counts[i] > 0).length;
  return { lines, words, bytes, seed, vocabulary: VOCABULARY, distinct, top10 };
}

/**
 * The text file for `lines` lines, generated unless present with the sidecar of the same seed.
 * @returns {{ txt: string, meta: string, lines: number, words: number, bytes: number, top10: [string, number][] }}
 */
export function ensureWordData(lines = 1e6, { seed = DEFAULT_SEED, dir = DATA_DIR, force = false, log = () => {} } = {}) {
  const p = wordPaths(lines, dir);
  if (!force && existsSync(p.txt) && existsSync(p.meta)) {
    const m = JSON.parse(readFileSync(p.meta, "utf8"));
    if (m.seed === seed && m.lines === lines) return { ...p, ...m };
  }
  mkdirSync(dir, { recursive: true });
  log(`# generating ${p.txt} (${linesLabel(lines)} lines, seed ${seed})`);
  const t0 = performance.now();
  const m = writeWords(lines, { seed, txt: p.txt });
  writeFileSync(p.meta, JSON.stringify(m, null, 1) + "\n");
  log(`# wrote ${(m.bytes / 1e6).toFixed(1)} MB, ${m.words} words in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { ...p, ...m };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (n, d) => (args.includes(n) ? args[args.indexOf(n) + 1] : d);
  const m = ensureWordData(Number(opt("--lines", "1e6")), {
    seed: Number(opt("--seed", DEFAULT_SEED)), dir: opt("--out", DATA_DIR), force: args.includes("--force"), log: (s) => console.error(s),
  });
  console.log(JSON.stringify({ txt: m.txt, lines: m.lines, words: m.words, bytes: m.bytes, top10: m.top10 }));
}
