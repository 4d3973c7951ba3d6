/**
 * Word counts of a text block straight from its bytes: what `readText(...).str.split().flatten()
 * .frequencies()` computes for one partition, without a string per line or per word. Words are runs of
 * non-whitespace (Python's str.split() whitespace set, as pystr.ts); they are counted in a hash table
 * of their UTF-8 bytes, and only the distinct words become strings. The result has the shape of the
 * frequencies chunk kernel (reductions/count-kernels.ts): distinct words, first seen first, and counts.
 *
 * Splitting UTF-8 bytes gives the words of the decoded text: every whitespace character is ASCII or
 * begins with a lead byte (C2, E1, E2, E3), which a decoder never takes as part of an earlier sequence,
 * so decoding a word's bytes alone yields the same characters as decoding the whole text.
 */
import { readBlockBytes } from "./lines.js";

/** Distinct words (first seen first) and how often each occurs (reductions/count-kernels.ts's Counts). */
export type WordCounts = [words: string[], counts: Float64Array];

// Byte classes: 0 inside a word, 1 ASCII whitespace of Python's str.split() (\t \n \v \f \r,
// \x1c-\x1f, space), 2 a lead byte that may begin a non-ASCII whitespace character (see wideSpace).
const CLASS = new Uint8Array(256);
for (const c of [9, 10, 11, 12, 13, 28, 29, 30, 31, 32]) CLASS[c] = 1;
for (const c of [0xc2, 0xe1, 0xe2, 0xe3]) CLASS[c] = 2;

/**
 * Bytes of the non-ASCII whitespace at buf[i] (a lead byte >= 0xC2), or 0: U+0085, U+00A0 (C2 xx),
 * U+1680 (E1 9A 80), U+2000-U+200A, U+2028, U+2029, U+202F, U+205F (E2 ..), U+3000 (E3 80 80).
 */
function wideSpace(buf: Uint8Array, i: number, n: number): number {
  const b = buf[i]!;
  if (b === 0xc2) {
    const c = i + 1 < n ? buf[i + 1]! : 0;
    return c === 0x85 || c === 0xa0 ? 2 : 0;
  }
  if (b < 0xe1 || b > 0xe3 || i + 2 >= n) return 0;
  const c = buf[i + 1]!;
  const d = buf[i + 2]!;
  if (b === 0xe1) return c === 0x9a && d === 0x80 ? 3 : 0;
  if (b === 0xe3) return c === 0x80 && d === 0x80 ? 3 : 0;
  if (c === 0x80) return (d >= 0x80 && d <= 0x8a) || d === 0xa8 || d === 0xa9 || d === 0xaf ? 3 : 0;
  return c === 0x81 && d === 0x9f ? 3 : 0;
}

/**
 * Counts the words of UTF-8 bytes. The table keeps each distinct word's bytes in a compact arena (so
 * comparing a word touches a few cached lines, not its first occurrence far back in the block), and
 * each slot holds the hash beside the entry number, so a probe reads one place until hashes match.
 */
export function countWordsUtf8(bytes: Buffer): WordCounts {
  // A plain Uint8Array view: element loads on it stay monomorphic.
  const buf = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  const n = buf.length;
  let cap = 1 << 14;
  let mask = cap - 1;
  let slots = new Int32Array(cap * 2); // [hash, entry + 1] pairs; entry 0 = empty
  let arena = new Uint8Array(1 << 16);
  let used = 0;
  let entries = new Int32Array(1024 * 3); // [arena start, length, count] per distinct word
  let wide = new Uint8Array(1024); // the word has a non-ASCII byte
  let size = 0;
  let i = 0;
  while (i < n) {
    // Skip whitespace.
    let b = buf[i]!;
    let cls = CLASS[b]!;
    if (cls === 1) { i++; continue; }
    if (cls === 2) {
      const w = wideSpace(buf, i, n);
      if (w !== 0) { i += w; continue; }
    }
    // A word: hash its bytes (FNV-1a) up to the next whitespace.
    const start = i;
    let h = 0x811c9dc5 | 0;
    let high = 0;
    for (;;) {
      h = Math.imul(h ^ b, 0x01000193);
      high |= b;
      if (++i === n) break;
      b = buf[i]!;
      cls = CLASS[b]!;
      if (cls !== 0 && (cls === 1 || wideSpace(buf, i, n) !== 0)) break;
    }
    const len = i - start;
    // Find or add the word.
    let s = h & mask;
    for (;;) {
      const e = slots[2 * s + 1]! - 1;
      if (e < 0) {
        if (size * 3 === entries.length) {
          entries = grow(entries, entries.length * 2);
          wide = grow(wide, wide.length * 2);
        }
        if (used + len > arena.length) arena = grow(arena, Math.max(arena.length * 2, used + len));
        arena.set(buf.subarray(start, i), used);
        entries[3 * size] = used;
        entries[3 * size + 1] = len;
        entries[3 * size + 2] = 1;
        wide[size] = high >= 128 ? 1 : 0;
        used += len;
        slots[2 * s] = h;
        slots[2 * s + 1] = ++size;
        if (size * 2 > cap) {
          cap *= 2;
          mask = cap - 1;
          const old = slots;
          slots = new Int32Array(cap * 2);
          for (let t = 0; t < old.length; t += 2) {
            if (old[t + 1] === 0) continue;
            let u = old[t]! & mask;
            while (slots[2 * u + 1] !== 0) u = (u + 1) & mask;
            slots[2 * u] = old[t]!;
            slots[2 * u + 1] = old[t + 1]!;
          }
        }
        break;
      }
      if (slots[2 * s] === h && entries[3 * e + 1] === len) {
        const a = entries[3 * e]!;
        let k = 0;
        while (k < len && arena[a + k] === buf[start + k]) k++;
        if (k === len) {
          entries[3 * e + 2]++;
          break;
        }
      }
      s = (s + 1) & mask;
    }
  }
  const words = new Array<string>(size);
  const counts = new Float64Array(size);
  const text = Buffer.from(arena.buffer, arena.byteOffset, used);
  let invalid = false;
  for (let k = 0; k < size; k++) {
    const a = entries[3 * k]!;
    // ASCII words decode faster as latin1 (the same characters).
    const w = text.toString(wide[k] === 1 ? "utf8" : "latin1", a, a + entries[3 * k + 1]!);
    if (wide[k] === 1 && w.includes("\ufffd")) invalid = true;
    words[k] = w;
    counts[k] = entries[3 * k + 2]!;
  }
  // Invalid UTF-8: different bytes may decode to the same word; count by the decoded text.
  return invalid ? mergeByText([words, counts]) : [words, counts];
}

function grow<A extends Int32Array | Uint8Array>(a: A, m: number): A {
  const b = new (a.constructor as new (n: number) => A)(m);
  b.set(a);
  return b;
}

function mergeByText([words, counts]: WordCounts): WordCounts {
  const index = new Map<string, number>();
  const ws: string[] = [];
  const cs: number[] = [];
  for (let k = 0; k < words.length; k++) {
    const j = index.get(words[k]!);
    if (j === undefined) {
      index.set(words[k]!, ws.length);
      ws.push(words[k]!);
      cs.push(counts[k]!);
    } else cs[j] += counts[k]!;
  }
  return [ws, Float64Array.from(cs)];
}

/** Python whitespace, for texts of other encodings (see pystr.ts). */
const PY_SPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

/** Counts the words of a decoded text (encodings other than UTF-8). */
export function countWordsText(text: string): WordCounts {
  const index = new Map<string, number>();
  const ws: string[] = [];
  const cs: number[] = [];
  for (const w of text.split(PY_SPACE)) {
    if (w === "") continue;
    const j = index.get(w);
    if (j === undefined) {
      index.set(w, ws.length);
      ws.push(w);
      cs.push(1);
    } else cs[j]++;
  }
  return [ws, Float64Array.from(cs)];
}

/**
 * The word counts of one readText partition (the same arguments as its bag.readText task): a whole
 * file, a gzip file, or the lines starting in bytes [start, end).
 */
export function readTextWordCounts(path: string, start: number | null, end: number | null, encoding: BufferEncoding, gzip: boolean): WordCounts {
  const bytes = readBlockBytes(path, start, end, gzip);
  return encoding === "utf8" ? countWordsUtf8(bytes) : countWordsText(bytes.toString(encoding));
}
