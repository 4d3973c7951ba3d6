/**
 * String dictionaries between Arrow and kernels, cheaply.
 *
 * Partitions and partials of high-cardinality string columns carry dictionaries of ~1e5 strings from
 * task to task. Each hop would decode every string to JS and encode it back to UTF-8. Here a
 * dictionary is decoded in one piece (ASCII: one TextDecoder call and substrings), a dictionary that a
 * kernel passes on unchanged is written as the very Arrow vector it was read from (no encoding at
 * all), and dictionaries are merged by hashing their UTF-8 bytes (no JS string per entry).
 */
import * as A from "apache-arrow";
import { allocTyped } from "@dask-ts/core";
import { decodeUtf8 } from "./utf8.js";
import type { Column, StrColumn } from "./column.js";

// Decoded dictionaries per Arrow vector, and the vector each decoded (or encoded) dictionary came from.
const decoded = new WeakMap<object, string[]>();
const vectors = new WeakMap<readonly string[], A.Vector>();

const ascii8 = new TextDecoder();

/** The strings of an Arrow Utf8 vector (missing entries as ""). */
export function decodeDictionary(v: A.Vector): string[] {
  let out = decoded.get(v);
  if (out !== undefined) return out;
  out = new Array<string>(v.length);
  let i = 0;
  for (const d of v.data) {
    const offs = d.valueOffsets as Int32Array;
    const bytes = d.values as Uint8Array;
    const n = d.length;
    const start = offs[0]!, end = offs[n]!;
    let ascii = true;
    for (let k = start; k < end; k++) if (bytes[k]! >= 0x80) { ascii = false; break; }
    const hasNulls = d.nullCount > 0;
    if (ascii) {
      // One decode of the whole buffer; each entry is a substring of it.
      const all = ascii8.decode(bytes.subarray(start, end));
      for (let j = 0; j < n; j++) out[i++] = hasNulls && !d.getValid(j) ? "" : all.substring(offs[j]! - start, offs[j + 1]! - start);
    } else {
      for (let j = 0; j < n; j++) out[i++] = hasNulls && !d.getValid(j) ? "" : decodeUtf8(bytes, offs[j]!, offs[j + 1]!);
    }
  }
  decoded.set(v, out);
  vectors.set(out, v);
  return out;
}

const utf8 = new TextEncoder();

/** An Arrow Utf8 vector of strings: ASCII written byte by byte into one buffer, else TextEncoder. */
export function dictionaryVector(strings: readonly string[]): A.Vector<A.Utf8> {
  let v = vectors.get(strings);
  if (v === undefined) {
    v = encodeDictionary(strings);
    vectors.set(strings, v);
    decoded.set(v, strings as string[]);
  }
  return v as A.Vector<A.Utf8>;
}

function encodeDictionary(strings: readonly string[]): A.Vector {
  const n = strings.length;
  const offsets = new Int32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) { total += strings[i]!.length; offsets[i + 1] = total; }
  let data = new Uint8Array(total);
  let ascii = true;
  outer: for (let i = 0; i < n; i++) {
    const s = strings[i]!;
    let o = offsets[i]!;
    for (let k = 0; k < s.length; k++) {
      const c = s.charCodeAt(k);
      if (c >= 0x80) { ascii = false; break outer; }
      data[o++] = c;
    }
  }
  if (!ascii) {
    const parts = strings.map((s) => utf8.encode(s));
    total = 0;
    parts.forEach((p, i) => { total += p.length; offsets[i + 1] = total; });
    data = new Uint8Array(total);
    parts.forEach((p, i) => data.set(p, offsets[i]!));
  }
  return new A.Vector([A.makeData({ type: new A.Utf8(), length: n, valueOffsets: offsets, data })]);
}

/** The Arrow vector a decoded (or written) dictionary belongs to, if known. */
function vectorOf(dict: readonly string[]): { offs: Int32Array; bytes: Uint8Array; n: number; data: A.Data } | null {
  const v = vectors.get(dict);
  if (v === undefined || v.data.length !== 1) return null;
  const d = v.data[0]!;
  if (d.nullCount > 0 || !(d.valueOffsets instanceof Int32Array)) return null;
  return { offs: d.valueOffsets, bytes: d.values as Uint8Array, n: d.length, data: d };
}

/**
 * A dictionary being built from UTF-8 entries: an open-addressing hash table over the entries' bytes.
 * Slots hold (hash, entry) side by side: one cache miss per probe, which dominates at 1e5 entries.
 */
class ByteDictionary {
  private slots: Int32Array;
  private mask: number;
  private offsets: Int32Array;
  private bytes: Uint8Array;
  size = 0;
  constructor(expectedEntries: number) {
    let cap = 16;
    while (cap < 2 * expectedEntries) cap *= 2;
    this.slots = new Int32Array(2 * cap).fill(-1);
    this.mask = cap - 1;
    this.offsets = new Int32Array(expectedEntries + 1);
    this.bytes = new Uint8Array(Math.max(16, expectedEntries * 16));
  }
  private grow(): void {
    const old = this.slots;
    const cap = 2 * (this.mask + 1);
    const slots = new Int32Array(2 * cap).fill(-1);
    const mask = cap - 1;
    for (let s = 0; s < old.length; s += 2) {
      if (old[s + 1]! < 0) continue;
      let t = old[s]! & mask;
      while (slots[2 * t + 1]! >= 0) t = (t + 1) & mask;
      slots[2 * t] = old[s]!;
      slots[2 * t + 1] = old[s + 1]!;
    }
    this.slots = slots;
    this.mask = mask;
  }
  /** Room for one more entry of `len` bytes. */
  private reserve(len: number): void {
    if (this.size + 2 > this.offsets.length) {
      const o = new Int32Array(this.offsets.length * 2);
      o.set(this.offsets);
      this.offsets = o;
    }
    const need = this.offsets[this.size]! + len;
    if (need > this.bytes.length) {
      const b = new Uint8Array(Math.max(need, this.bytes.length * 2));
      b.set(this.bytes);
      this.bytes = b;
    }
  }
  /** Entry numbers of the entries of one Arrow Utf8 dictionary, adding the new ones. */
  addAll(offs: Int32Array, b: Uint8Array, entries: number): Int32Array {
    const remap = new Int32Array(entries);
    for (let j = 0; j < entries; j++) {
      const s = offs[j]!, e = offs[j + 1]!, len = e - s;
      let h = 0x811c9dc5;
      for (let k = s; k < e; k++) h = Math.imul(h ^ b[k]!, 0x01000193);
      h ^= h >>> 15;
      h = Math.imul(h, 0x2c1b3c6d) ^ (h >>> 12);
      const slots = this.slots, mask = this.mask;
      let slot = h & mask;
      for (;;) {
        const k = slots[2 * slot + 1]!;
        if (k < 0) {
          this.reserve(len);
          const m = this.size++;
          slots[2 * slot] = h;
          slots[2 * slot + 1] = m;
          const at = this.offsets[m]!;
          this.bytes.set(b.subarray(s, e), at);
          this.offsets[m + 1] = at + len;
          remap[j] = m;
          if (2 * this.size > mask + 1) this.grow();
          break;
        }
        if (slots[2 * slot] === h) {
          const offsets = this.offsets, bytes = this.bytes;
          const at = offsets[k]!;
          if (offsets[k + 1]! - at === len) {
            let q = 0;
            while (q < len && bytes[at + q] === b[s + q]) q++;
            if (q === len) { remap[j] = k; break; }
          }
        }
        slot = (slot + 1) & mask;
      }
    }
    return remap;
  }
  /** The entries as an Arrow Utf8 vector. */
  vector(): A.Vector {
    const m = this.size;
    return new A.Vector([A.makeData({ type: new A.Utf8(), length: m, valueOffsets: this.offsets.slice(0, m + 1), data: this.bytes.slice(0, this.offsets[m]!) })]);
  }
}

/**
 * Concatenates string columns with different dictionaries by merging the dictionaries' UTF-8 bytes
 * (hash and compare bytes: no JS string per entry). Null when a dictionary's bytes are not at hand.
 */
export function concatStrByBytes(cols: readonly StrColumn[]): StrColumn | null {
  const srcs = cols.map((c) => vectorOf(c.dict));
  if (srcs.some((s) => s === null)) return null;
  const dict = new ByteDictionary(Math.max(...srcs.map((x) => x!.n)));
  const n = cols.reduce((s, c) => s + c.codes.length, 0);
  const codes = allocTyped(Int32Array, n, { uninitialized: true });
  let o = 0;
  for (let ci = 0; ci < cols.length; ci++) {
    const src = srcs[ci]!;
    const remap = dict.addAll(src.offs, src.bytes, src.n);
    const cc = cols[ci]!.codes;
    for (let i = 0; i < cc.length; i++) { const x = cc[i]!; codes[o + i] = x < 0 ? -1 : remap[x]!; }
    o += cc.length;
  }
  return { kind: "str", dtype: cols[0]!.dtype, codes, dict: decodeDictionary(dict.vector()) };
}

/**
 * A string column whose dictionary is cut to the codes it uses, when the dictionary is much larger than
 * the column (partials travel between workers: no need to ship a whole partition's dictionary). The
 * new dictionary's Arrow vector is cut from the old one's bytes (no re-encoding).
 */
export function compactStrings(c: Column): Column {
  if (c.kind !== "str" || c.dict.length <= 2 * c.codes.length + 64) return c;
  const remap = new Int32Array(c.dict.length).fill(-1);
  const used: number[] = [];
  const codes = new Int32Array(c.codes.length);
  for (let i = 0; i < codes.length; i++) {
    const k = c.codes[i]!;
    if (k < 0) { codes[i] = -1; continue; }
    let r = remap[k]!;
    if (r < 0) { r = remap[k] = used.length; used.push(k); }
    codes[i] = r;
  }
  const dict = used.map((k) => c.dict[k]!);
  const src = vectorOf(c.dict);
  if (src !== null) {
    const offsets = new Int32Array(used.length + 1);
    let total = 0;
    for (let j = 0; j < used.length; j++) { total += src.offs[used[j]! + 1]! - src.offs[used[j]!]!; offsets[j + 1] = total; }
    const bytes = new Uint8Array(total);
    const sb = src.bytes, so = src.offs;
    for (let j = 0; j < used.length; j++) {
      const k = used[j]!;
      let o = offsets[j]!;
      for (let q = so[k]!, e = so[k + 1]!; q < e; q++) bytes[o++] = sb[q]!;
    }
    const v = new A.Vector([A.makeData({ type: new A.Utf8(), length: used.length, valueOffsets: offsets, data: bytes })]);
    vectors.set(dict, v);
    decoded.set(v, dict);
  }
  return { kind: "str", dtype: c.dtype, codes, dict };
}
