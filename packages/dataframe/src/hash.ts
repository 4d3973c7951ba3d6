/**
 * Row hashes that agree across partitions and processes: strings by their text (not their dictionary
 * code), numbers by value (int32 5, int64 5n and float64 5.0 hash alike, so keys of either type meet).
 */
import { allocTyped } from "@dask-ts/core";
import { columnLength, type Column } from "./column.js";

function hashString(s: string): number {
  // FNV-1a over UTF-16 code units, finished with a murmur3 mix.
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix(h);
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function hashNumber(x: number): number {
  if (x === 0) x = 0; // -0 and 0 alike
  if (x !== x) return 0x7ff80000; // every NaN alike (missing)
  if ((x | 0) === x) return fmix(x | 0);
  f64[0] = x;
  return fmix(u32[0]! ^ Math.imul(u32[1]!, 0x9e3779b1));
}

const MISSING_HASH = 0x2545f491;

/** Hashes of each row of a column, mixed into `out` (pass zeros for the first column). */
export function hashColumnInto(c: Column, out: Uint32Array): void {
  const n = columnLength(c);
  if (c.kind === "str") {
    const dh = new Uint32Array(c.dict.length);
    for (let j = 0; j < c.dict.length; j++) dh[j] = hashString(c.dict[j]!);
    const codes = c.codes;
    for (let i = 0; i < n; i++) {
      const code = codes[i]!;
      out[i] = fmix(Math.imul(out[i]!, 31) + (code < 0 ? MISSING_HASH : dh[code]!));
    }
    return;
  }
  const valid = c.valid;
  const v = c.values;
  if (v instanceof BigInt64Array) {
    for (let i = 0; i < n; i++) {
      const h = valid !== null && valid[i] === 0 ? MISSING_HASH : hashNumber(Number(v[i]!));
      out[i] = fmix(Math.imul(out[i]!, 31) + h);
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const x = v[i]!;
    const h = (valid !== null && valid[i] === 0) || x !== x ? MISSING_HASH : hashNumber(x);
    out[i] = fmix(Math.imul(out[i]!, 31) + h);
  }
}

/** Row hashes over several key columns. */
export function hashRows(cols: readonly Column[], n: number): Uint32Array {
  const out = allocTyped(Uint32Array, n);
  for (const c of cols) hashColumnInto(c, out);
  return out;
}
