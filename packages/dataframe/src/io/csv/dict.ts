/**
 * Dictionary encoding of string fields straight from bytes: open-addressing hash tables keyed by the
 * field's bytes, so a value seen before costs a hash and a compare. No JS strings are made: the
 * distinct values' bytes become the Arrow dictionary as they are (readers decode it once, lazily).
 *
 * Values of up to 8 bytes (most keys: "id001", codes, short names) are two zero-padded 32-bit words
 * read with two unaligned loads; they live in a table of 16-byte slots (length, code, the two words),
 * compared word to word, with a hash of the two words. Longer values live in a table of 32-byte slots
 * that hold their first 16 bytes: values of 9 to 16 bytes (e.g. "id0000012345") are four words,
 * hashed and compared as such; beyond that, hashed and compared four bytes at a time. A word is read
 * with one unaligned load and the bytes past the value masked off (the buffer holds them: the caller's
 * chunk has a sentinel and more), byte by byte only at the very end of a buffer.
 */
import { decodeUtf8 } from "../../column.js";

const encoder = new TextEncoder();
const GOLD = 0x9e3779b1 | 0;

/** A DataView over the bytes of a Uint8Array (for the `dv` argument of ByteDict.code). */
export function viewOf(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** MASK[n]: the low n bytes of a word (n = 0..4). */
const MASK = new Int32Array([0, 0xff, 0xffff, 0xffffff, -1]);

/** The bytes [from, e) (at most 4) as a little-endian word, zero-padded (0 when from >= e). */
function tailWord(b: Uint8Array, from: number, e: number): number {
  let w = 0;
  for (let t = 0; from + t < e; t++) w |= b[from + t]! << (8 * t);
  return w;
}

/** Bytes [at, at + n) (n = 0..4) as a zero-padded word: one load when the view has 4 bytes there. */
function wordAt(b: Uint8Array, dv: DataView, at: number, n: number): number {
  return at + 4 <= dv.byteLength ? dv.getInt32(at, true) & MASK[n]! : tailWord(b, at, at + n);
}

/** Hash of a value of up to 8 bytes given as its two zero-padded words. */
function hashShort(w0: number, w1: number, len: number): number {
  let h = Math.imul(w0, GOLD) ^ Math.imul(w1 + len, 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 12);
}

/** Word k (0..3) of bytes [s, s + len), zero-padded (0 past the end). */
function wordOf(b: Uint8Array, dv: DataView, s: number, len: number, k: number): number {
  const n = len - 4 * k;
  return n <= 0 ? 0 : wordAt(b, dv, s + 4 * k, n < 4 ? n : 4);
}

/** Hash of a value of 9 to 16 bytes given as its four zero-padded words. */
function hashMid(w0: number, w1: number, w2: number, w3: number, len: number): number {
  let h = Math.imul(w0, GOLD) ^ Math.imul(w1, 0x85ebca6b) ^ Math.imul(w2 + len, 0xc2b2ae35) ^ Math.imul(w3, 0x27d4eb2f);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 12);
}

/**
 * Hash of bytes [s, e) (longer than 8): up to 16 bytes, from their four words; longer, words mixed in
 * four bytes at a time, then a final avalanche.
 */
function hashLong(b: Uint8Array, dv: DataView, s: number, e: number): number {
  const len = e - s;
  if (len <= MID) return hashMid(wordOf(b, dv, s, len, 0), wordOf(b, dv, s, len, 1), wordOf(b, dv, s, len, 2), wordOf(b, dv, s, len, 3), len);
  const full = s + ((e - s) & ~3);
  let h = e - s;
  for (let j = s; j < full; j += 4) {
    h = Math.imul(h ^ dv.getInt32(j, true), GOLD);
    h = (h << 13) | (h >>> 19);
  }
  h = Math.imul(h ^ (full < e ? wordAt(b, dv, full, e - full) : 0), GOLD);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  return h ^ (h >>> 13);
}

/** Values whose slots ByteDict.codes loads before looking them up: more than the CPU keeps misses in flight for, few enough to stay in L1. */
const TOUCH = 64;
/** No slot to load (ByteDict.codes). */
const NONE = -0x80000000;

/** Values up to this many bytes go to the short table. */
const SHORT = 8;
/** Values up to this many bytes are held whole in a long slot's inline words (compared word to word). */
const MID = 16;
/** Int32s per short slot: byte length + 1 (0 = empty), code, the two words. */
const SSTRIDE = 4;

/** Int32s per slot: hash, byte length + 1 (0 = empty), code, first overflow word, then 4 inline words. */
const STRIDE = 8;
const INLINE = 4;

/**
 * Byte strings to dictionary codes; markers of missing values map to -1. A slot holds a value's
 * first 8 (short table) or 16 bytes itself, so a lookup touches one cache line of a table: with many
 * distinct values (a table beyond the caches) that is what a lookup costs.
 */
export class ByteDict {
  /** Values of up to 8 bytes: SSTRIDE int32s per slot. */
  private sslots: Int32Array;
  private smask: number;
  private sn = 0;
  /** Longer values: STRIDE int32s per slot. */
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
  /** Per value of a batch (codes): its hash, and the offset of its first slot. */
  private hs = new Int32Array(0);
  private ix = new Int32Array(0);
  /** Keeps pass 1's loads from being optimized away. */
  touched = 0;

  constructor(missing: readonly string[] = []) {
    this.sslots = new Int32Array(256 * SSTRIDE);
    this.smask = 255;
    this.slots = new Int32Array(64 * STRIDE);
    this.mask = 63;
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
    const len = e - s;
    if (len > SHORT) return this.lookup(b, dv, s, e, hashLong(b, dv, s, e), as);
    const w0 = wordAt(b, dv, s, len < 4 ? len : 4);
    const w1 = len > 4 ? wordAt(b, dv, s + 4, len - 4) : 0;
    return this.lookupShort(w0, w1, len, hashShort(w0, w1, len), b, s, as);
  }

  /**
   * Codes of many values at once: value k is bytes b[pend[2k], pend[2k+1]) and its code goes to
   * out[at + k]; entries with pend[2k] < 0 are skipped (already coded). With tables beyond the caches,
   * hashing all values first and probing in a second loop lets the CPU overlap the cache misses of
   * independent lookups, which is what a lookup then costs; a small short table is probed at once.
   * A short value equal to the one before (runs in sorted data) reuses its code.
   */
  codes(b: Uint8Array, dv: DataView, pend: Int32Array, n: number, out: Int32Array, at: number): void {
    if (this.hs.length < n) {
      this.hs = new Int32Array(Math.max(n, this.hs.length * 2));
      this.ix = new Int32Array(this.hs.length);
    }
    const hs = this.hs;
    const lim = dv.byteLength - 8, lim16 = lim - 8;
    // Short tables up to 256 kB (16k slots) stay in cache: no first pass for their values.
    const bigShort = this.smask >= 16384;
    // Pass 1: hashes and the offsets of the values' first slots (ix: >= 0 in the long table, ~o in the
    // short one). A tight loop then loads each slot: the loads do not depend on each other, so the CPU
    // keeps many cache misses in flight; pass 2 then finds the slots in cache.
    const ix = this.ix;
    let loads = 0;
    for (let k = 0; k < n; k++) {
      const s = pend[2 * k]!;
      ix[k] = NONE;
      if (s < 0) continue;
      loads++;
      const len = pend[2 * k + 1]! - s;
      if (len > MID) {
        const h = hashLong(b, dv, s, s + len);
        hs[k] = h;
        ix[k] = (h & this.mask) * STRIDE;
      } else if (len > SHORT) {
        let h: number;
        if (s <= lim16) {
          let w2 = dv.getInt32(s + 8, true), w3 = dv.getInt32(s + 12, true);
          if (len < 12) { w2 &= MASK[len - 8]!; w3 = 0; } else w3 &= MASK[len - 12]!;
          h = hashMid(dv.getInt32(s, true), dv.getInt32(s + 4, true), w2, w3, len);
        } else h = hashLong(b, dv, s, s + len);
        hs[k] = h;
        ix[k] = (h & this.mask) * STRIDE;
      } else if (!bigShort) loads--;
      else {
        let w0: number, w1: number;
        if (s <= lim) {
          w0 = dv.getInt32(s, true);
          w1 = dv.getInt32(s + 4, true);
          if (len < 4) { w0 &= MASK[len]!; w1 = 0; } else w1 &= MASK[len - 4]!;
        } else {
          w0 = tailWord(b, s, s + (len < 4 ? len : 4));
          w1 = len > 4 ? tailWord(b, s + 4, s + len) : 0;
        }
        const h = hashShort(w0, w1, len);
        hs[k] = h;
        ix[k] = ~((h & this.smask) * SSTRIDE);
      }
    }
    // In blocks of TOUCH values, which stay in L1: load the slots, then the lookups (short ones inline).
    let touch = 0;
    let sslots = this.sslots, smask = this.smask;
    let pl = -1, p0 = 0, p1 = 0, pc = 0; // the previous short value and its code
    for (let k0 = 0; k0 < n; k0 += TOUCH) {
      const k1 = Math.min(n, k0 + TOUCH);
      const ls = this.slots;
      if (loads > 0) for (let k = k0; k < k1; k++) {
        const o = ix[k]!;
        if (o >= 0) touch ^= ls[o]!;
        else if (o !== NONE) touch ^= sslots[~o]!;
      }
      for (let k = k0; k < k1; k++) {
        const s = pend[2 * k]!;
        if (s < 0) continue;
        const len = pend[2 * k + 1]! - s;
        if (len > MID) {
          out[at + k] = this.lookup(b, dv, s, s + len, hs[k]!);
          continue;
        }
        if (len > SHORT) {
          // 9 to 16 bytes: the four words against a slot's inline words (zero-padded alike).
          let w0: number, w1: number, w2: number, w3: number;
          if (s <= lim16) {
            w0 = dv.getInt32(s, true);
            w1 = dv.getInt32(s + 4, true);
            w2 = dv.getInt32(s + 8, true);
            w3 = dv.getInt32(s + 12, true);
            if (len < 12) { w2 &= MASK[len - 8]!; w3 = 0; } else w3 &= MASK[len - 12]!;
          } else {
            w0 = wordOf(b, dv, s, len, 0);
            w1 = wordOf(b, dv, s, len, 1);
            w2 = wordOf(b, dv, s, len, 2);
            w3 = wordOf(b, dv, s, len, 3);
          }
          const h = hs[k]!;
          const slots = this.slots, mask = this.mask, l1 = len + 1;
          let i = h & mask;
          let c = -2;
          for (;;) {
            const o = i * STRIDE;
            const l = slots[o + 1]!;
            if (l === 0) break;
            if (l === l1 && slots[o] === h && slots[o + 4] === w0 && slots[o + 5] === w1 && slots[o + 6] === w2 && slots[o + 7] === w3) { c = slots[o + 2]!; break; }
            i = (i + 1) & mask;
          }
          out[at + k] = c !== -2 ? c : this.lookup(b, dv, s, s + len, h);
          continue;
        }
        // Two loads; the bytes past the value (still inside the buffer) are masked off.
        let w0: number, w1: number;
        if (s <= lim) {
          w0 = dv.getInt32(s, true);
          w1 = dv.getInt32(s + 4, true);
          if (len < 4) { w0 &= MASK[len]!; w1 = 0; } else w1 &= MASK[len - 4]!;
        } else {
          w0 = tailWord(b, s, s + (len < 4 ? len : 4));
          w1 = len > 4 ? tailWord(b, s + 4, s + len) : 0;
        }
        if (len === pl && w0 === p0 && w1 === p1) {
          out[at + k] = pc;
          continue;
        }
        const h = bigShort ? hs[k]! : hashShort(w0, w1, len);
        const l1 = len + 1;
        let i = h & smask;
        let c: number;
        for (;;) {
          const o = i * SSTRIDE;
          const l = sslots[o]!;
          if (l === l1 && sslots[o + 2] === w0 && sslots[o + 3] === w1) { c = sslots[o + 1]!; break; }
          if (l === 0) {
            c = this.addShort(i, w0, w1, len, h, b, s, undefined);
            sslots = this.sslots;
            smask = this.smask;
            break;
          }
          i = (i + 1) & smask;
        }
        out[at + k] = c;
        pl = len;
        p0 = w0;
        p1 = w1;
        pc = c;
      }
    }
    this.touched = touch;
  }

  /** The code of a value of up to 8 bytes (its words w0, w1; its bytes b[s, s + len) when new). */
  private lookupShort(w0: number, w1: number, len: number, h: number, b: Uint8Array, s: number, as?: number): number {
    const slots = this.sslots;
    const mask = this.smask;
    let i = h & mask;
    for (;;) {
      const o = i * SSTRIDE;
      const l = slots[o]!;
      if (l === 0) break;
      if (l === len + 1 && slots[o + 2] === w0 && slots[o + 3] === w1) return slots[o + 1]!;
      i = (i + 1) & mask;
    }
    return this.addShort(i, w0, w1, len, h, b, s, as);
  }

  /** Adds a short value at empty slot i (its probe's end) with the next code, or `as` (-1); returns the code. */
  private addShort(i: number, w0: number, w1: number, len: number, h: number, b: Uint8Array, s: number, as: number | undefined): number {
    if (as !== undefined && as >= 0) throw new Error("ByteDict: explicit codes must be -1");
    const c = as ?? this.size;
    if (c >= 0) this.append(b, s, s + len);
    // Small tables at most a quarter full, larger ones half: most lookups find their value in the first slot.
    if ((this.sn + 1) * (this.smask < 8192 ? 4 : 2) > this.smask + 1) {
      this.growShort();
      i = h & this.smask;
      while (this.sslots[i * SSTRIDE] !== 0) i = (i + 1) & this.smask;
    }
    const o = i * SSTRIDE;
    const t = this.sslots;
    t[o] = len + 1;
    t[o + 1] = c;
    t[o + 2] = w0;
    t[o + 3] = w1;
    this.sn++;
    return c;
  }

  private growShort(): void {
    const old = this.sslots;
    const cap = (this.smask + 1) * 2;
    const slots = new Int32Array(cap * SSTRIDE);
    const mask = cap - 1;
    for (let o = 0; o < old.length; o += SSTRIDE) {
      const l1 = old[o]!;
      if (l1 === 0) continue;
      let i = hashShort(old[o + 2]!, old[o + 3]!, l1 - 1) & mask;
      while (slots[i * SSTRIDE] !== 0) i = (i + 1) & mask;
      slots.set(old.subarray(o, o + SSTRIDE), i * SSTRIDE);
    }
    this.sslots = slots;
    this.smask = mask;
  }

  private lookup(b: Uint8Array, dv: DataView, s: number, e: number, h: number, as?: number): number {
    const len = e - s;
    const full = s + (len & ~3);
    const tail = full < e ? wordAt(b, dv, full, e - full) : 0;
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
