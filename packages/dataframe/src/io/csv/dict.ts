/**
 * Dictionary encoding of string fields straight from bytes: an open-addressing hash table keyed by the
 * field's bytes, so a value seen before costs a hash and a compare. No JS strings are made: the
 * distinct values' bytes become the Arrow dictionary as they are (readers decode it once, lazily). Bytes are hashed and compared four at a time (unaligned reads through a
 * DataView); stored values are kept as zero-padded 32-bit words beside their hash and length.
 */
import { decodeUtf8 } from "../../column.js";

const encoder = new TextEncoder();
const GOLD = 0x9e3779b1 | 0;

/** A DataView over the bytes of a Uint8Array (for the `dv` argument of ByteDict.code). */
export function viewOf(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** The last len & 3 bytes of [s, e) as a little-endian word (0 when len is a multiple of 4). */
function tailWord(b: Uint8Array, from: number, e: number): number {
  let w = 0;
  for (let t = 0; from + t < e; t++) w |= b[from + t]! << (8 * t);
  return w;
}

/** Hash of bytes [s, e): words mixed in four bytes at a time, then a final avalanche. */
function hashOf(b: Uint8Array, dv: DataView, s: number, e: number): number {
  const full = s + ((e - s) & ~3);
  let h = e - s;
  for (let j = s; j < full; j += 4) {
    h = Math.imul(h ^ dv.getInt32(j, true), GOLD);
    h = (h << 13) | (h >>> 19);
  }
  h = Math.imul(h ^ (full < e ? tailWord(b, full, e) : 0), GOLD);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  return h ^ (h >>> 13);
}

/** Int32s per slot: hash, byte length + 1 (0 = empty), code, first overflow word, then 4 inline words. */
const STRIDE = 8;
const INLINE = 4;

/**
 * Byte strings to dictionary codes; markers of missing values map to -1. A slot holds a value's
 * first 16 bytes itself, so a lookup of a short value touches one cache line of the table: with many
 * distinct values (a table beyond the caches) that is what a lookup costs.
 */
export class ByteDict {
  private slots: Int32Array;
  private mask: number;
  /** Words beyond the first 16 bytes of long values. */
  private words: Int32Array;
  private nwords = 0;
  private n = 0;
  /** The distinct values' UTF-8 bytes in code order: value c is bytes[offsets[c], offsets[c + 1]). */
  private bytes = new Uint8Array(1024);
  private offsets = new Int32Array(257);
  /** Number of distinct values (codes 0 .. size-1). */
  size = 0;

  constructor(missing: readonly string[] = []) {
    this.slots = new Int32Array(256 * STRIDE);
    this.mask = 255;
    this.words = new Int32Array(64);
    for (const s of missing) {
      const b = encoder.encode(s);
      this.code(b, viewOf(b), 0, b.length, -1);
    }
  }

  /**
   * The code of bytes b[s, e) (`dv` views the same bytes), adding the value when new: with the next
   * code, or with `as` when given (-1 registers a missing-value marker).
   */
  code(b: Uint8Array, dv: DataView, s: number, e: number, as?: number): number {
    return this.lookup(b, dv, s, e, hashOf(b, dv, s, e), as);
  }

  /**
   * Codes of many values at once: value k is bytes b[pend[2k], pend[2k+1]) and its code goes to
   * out[at + k]; entries with pend[2k] < 0 are skipped (already coded). Hashing all values first and
   * probing in a tight loop lets the CPU overlap the cache misses of independent lookups, which is what
   * a lookup in a large table costs.
   */
  codes(b: Uint8Array, dv: DataView, pend: Int32Array, n: number, out: Int32Array, at: number): void {
    let hs = this.hs;
    if (hs.length < n) hs = this.hs = new Int32Array(Math.max(n, hs.length * 2));
    // Pass 1: hashes, and a load of each value's first slot. The loads do not depend on each other, so
    // the CPU overlaps their cache misses; pass 2 then finds the slots in cache.
    const slots = this.slots;
    const mask = this.mask;
    let touch = 0;
    for (let k = 0; k < n; k++) {
      const s = pend[2 * k]!;
      if (s < 0) continue;
      const h = hashOf(b, dv, s, pend[2 * k + 1]!);
      hs[k] = h;
      touch ^= slots[(h & mask) * STRIDE]!;
    }
    this.touched = touch;
    for (let k = 0; k < n; k++) {
      const s = pend[2 * k]!;
      if (s >= 0) out[at + k] = this.lookup(b, dv, s, pend[2 * k + 1]!, hs[k]!);
    }
  }

  private hs = new Int32Array(0);
  /** Keeps pass 1's loads from being optimized away. */
  touched = 0;

  private lookup(b: Uint8Array, dv: DataView, s: number, e: number, h: number, as?: number): number {
    const len = e - s;
    const full = s + (len & ~3);
    const tail = full < e ? tailWord(b, full, e) : 0;
    const slots = this.slots;
    const mask = this.mask;
    let i = h & mask;
    for (;;) {
      const o = i * STRIDE;
      const l1 = slots[o + 1]!;
      if (l1 === 0) break;
      if (slots[o] === h && l1 === len + 1 && this.same(slots, o, dv, s, full, e, tail)) return slots[o + 2]!;
      i = (i + 1) & mask;
    }
    if (as !== undefined && as >= 0) throw new Error("ByteDict: explicit codes must be -1");
    const c = as ?? this.size;
    if (c >= 0) this.append(b, s, e);
    this.insert(i, h, len, c, dv, s, full, tail);
    return c;
  }

  /** Whether the slot at offset o holds bytes [s, e) (`full`: end of the whole words, `tail`: the rest as a word). */
  private same(slots: Int32Array, o: number, dv: DataView, s: number, full: number, e: number, tail: number): boolean {
    let j = s;
    let w = o + 4;
    const inlineEnd = o + 4 + INLINE;
    while (j < full && w < inlineEnd) {
      if (dv.getInt32(j, true) !== slots[w]) return false;
      j += 4;
      w++;
    }
    if (j === full) return full === e || (w < inlineEnd ? slots[w] === tail : this.words[slots[o + 3]!] === tail);
    const words = this.words;
    let k = slots[o + 3]!;
    while (j < full) {
      if (dv.getInt32(j, true) !== words[k]) return false;
      j += 4;
      k++;
    }
    return full === e || words[k] === tail;
  }

  private append(b: Uint8Array, s: number, e: number): void {
    const at = this.offsets[this.size]!;
    if (at + e - s > this.bytes.length) {
      const x = new Uint8Array(Math.max(this.bytes.length * 2, at + e - s));
      x.set(this.bytes.subarray(0, at));
      this.bytes = x;
    }
    for (let j = s; j < e; j++) this.bytes[at + j - s] = b[j]!;
    if (this.size + 2 > this.offsets.length) {
      const x = new Int32Array(this.offsets.length * 2);
      x.set(this.offsets);
      this.offsets = x;
    }
    this.offsets[++this.size] = at + e - s;
  }

  /** The distinct values as Arrow Utf8 buffers (views): offsets (size + 1) and bytes. */
  utf8(): { offsets: Int32Array; data: Uint8Array } {
    return { offsets: this.offsets.subarray(0, this.size + 1), data: this.bytes.subarray(0, this.offsets[this.size]) };
  }

  /** The distinct values as JS strings, in code order. */
  strings(): string[] {
    const out = new Array<string>(this.size);
    for (let c = 0; c < this.size; c++) out[c] = decodeUtf8(this.bytes, this.offsets[c]!, this.offsets[c + 1]!);
    return out;
  }

  private insert(i: number, h: number, len: number, code: number, dv: DataView, s: number, full: number, tail: number): void {
    if ((this.n + 1) * 4 > (this.mask + 1) * 3) {
      this.grow();
      i = h & this.mask;
      while (this.slots[i * STRIDE + 1] !== 0) i = (i + 1) & this.mask;
    }
    const slots = this.slots;
    const o = i * STRIDE;
    slots[o] = h;
    slots[o + 1] = len + 1;
    slots[o + 2] = code;
    let j = s;
    let w = o + 4;
    for (; j < full && w < o + 4 + INLINE; j += 4) slots[w++] = dv.getInt32(j, true);
    const rest = (full - j) >> 2;
    if (w < o + 4 + INLINE) slots[w] = full < s + len ? tail : 0;
    else if (rest > 0 || full < s + len) {
      const need = rest + 1;
      if (this.nwords + need > this.words.length) {
        const x = new Int32Array(Math.max(this.words.length * 2, this.nwords + need));
        x.set(this.words.subarray(0, this.nwords));
        this.words = x;
      }
      slots[o + 3] = this.nwords;
      for (; j < full; j += 4) this.words[this.nwords++] = dv.getInt32(j, true);
      this.words[this.nwords++] = tail;
    }
    this.n++;
  }

  private grow(): void {
    const old = this.slots;
    const cap = (this.mask + 1) * 2;
    const slots = new Int32Array(cap * STRIDE);
    const mask = cap - 1;
    for (let o = 0; o < old.length; o += STRIDE) {
      if (old[o + 1] === 0) continue;
      let i = old[o]! & mask;
      while (slots[i * STRIDE + 1] !== 0) i = (i + 1) & mask;
      const to = i * STRIDE;
      for (let w = 0; w < STRIDE; w++) slots[to + w] = old[o + w]!;
    }
    this.slots = slots;
    this.mask = mask;
  }
}
