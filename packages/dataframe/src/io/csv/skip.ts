/**
 * Scanning past fields that are not converted, four bytes at a time: separators and line feeds are
 * found in 32-bit words with the zero-byte bit tricks (SWAR), which is about twice the speed of a loop
 * over bytes in JS. The caller guarantees there is no quote in the bytes scanned (a field that starts
 * with a quote may hold separators and line breaks): `lim` is the offset of the next quote (or the end
 * of the view), and words are read only below it. Anything unusual (a line break before the expected
 * separators, a quote ahead, the end of the view) returns -1 and the caller takes its byte-by-byte
 * path, which handles it as before.
 */

const ONES = 0x01010101;
const HIGH = 0x80808080 | 0;
const LOW7 = 0x7f7f7f7f;
const LFS = 10 * ONES;

/** Bit 7 of each byte of w that equals the byte repeated in `rep` (exact for every byte). */
function eqBytes(w: number, rep: number): number {
  const y = w ^ rep;
  return ~(((y & LOW7) + LOW7) | y | LOW7);
}

/** Number of bytes flagged (bit 7 set) in a mask from eqBytes. */
function countFlags(m: number): number {
  return Math.imul(m >>> 7, ONES) >>> 24;
}

/** Byte index (0..3) of the lowest flagged byte of a non-zero mask. */
function firstFlag(m: number): number {
  return (31 - Math.clz32(m & -m)) >> 3;
}

/**
 * From field start p, the offset just after the r-th separator (r >= 1): the start of the field r
 * fields on. -1 when a line feed comes first (too few fields) or the scan reaches `lim`.
 */
export function skipFields(dv: DataView, p: number, r: number, seps: number, lim: number): number {
  for (let i = p; i + 4 <= lim; i += 4) {
    const w = dv.getInt32(i, true);
    let s = eqBytes(w, seps);
    const x = w ^ LFS;
    const lf = (x - ONES) & ~x & HIGH; // lowest flag exact: the first line feed in the word
    if (lf !== 0) s &= (1 << (firstFlag(lf) << 3)) - 1;
    const c = countFlags(s);
    if (c >= r) {
      for (; r > 1; r--) s &= s - 1;
      return i + firstFlag(s) + 1;
    }
    if (lf !== 0) return -1;
    r -= c;
  }
  return -1;
}

/**
 * From field start p, the offset of the line feed that ends the row when exactly r separators come
 * before it (the row's remaining r + 1 fields); -1 otherwise (a bad row) or when the scan reaches `lim`.
 */
export function skipRest(dv: DataView, p: number, r: number, seps: number, lim: number): number {
  for (let i = p; i + 4 <= lim; i += 4) {
    const w = dv.getInt32(i, true);
    let s = eqBytes(w, seps);
    const x = w ^ LFS;
    const lf = (x - ONES) & ~x & HIGH;
    if (lf !== 0) {
      const at = firstFlag(lf);
      s &= (1 << (at << 3)) - 1;
      return countFlags(s) === r ? i + at : -1;
    }
    r -= countFlags(s);
    if (r < 0) return -1;
  }
  return -1;
}

/**
 * From p, the offset of the first byte that may end an unquoted field: a separator, or any byte below
 * 14 (LF and CR among them; the caller's byte loop goes on past the others). Stops early, at a word
 * boundary, where fewer than 4 bytes of the view remain (`end`: the view's length).
 */
export function scanField(dv: DataView, p: number, seps: number, end: number): number {
  let i = p;
  for (; i + 4 <= end; i += 4) {
    const w = dv.getInt32(i, true);
    const m = eqBytes(w, seps) | ((w - 0x0e0e0e0e) & ~w & HIGH);
    if (m !== 0) return i + firstFlag(m);
  }
  return i;
}
