// ByteDict (the CSV reader's string dictionary) against a Map of JS strings: codes in order of first
// appearance, missing markers -1, the same code from the batch path (codes) and the single-value path
// (code), whatever the length (short values are compared as two words, 9 to 16 bytes as four, longer
// ones word by word), the bytes around the value, or where it lies in the buffer.
import { describe, expect, it } from "vitest";
import { ByteDict, viewOf } from "@dask-ts/dataframe/io/csv/dict";

const NA = ["", "NA", "null"];

/** The expected codes of `values`: index of first appearance among non-missing values; -1 for markers. */
function reference(values: readonly string[]): { codes: number[]; distinct: string[] } {
  const seen = new Map<string, number>();
  const codes = values.map((v) => {
    if (NA.includes(v)) return -1;
    let c = seen.get(v);
    if (c === undefined) seen.set(v, (c = seen.size));
    return c;
  });
  return { codes, distinct: [...seen.keys()] };
}

/**
 * The values written one after another (separated by `sep`, or packed with no separator) into a buffer
 * that ends right after the last value, with their byte ranges.
 */
function layout(values: readonly string[], sep: string): { buf: Buffer; ranges: Int32Array } {
  const parts: Buffer[] = [];
  const ranges = new Int32Array(2 * values.length);
  let at = 0;
  values.forEach((v, i) => {
    const b = Buffer.from(v);
    ranges[2 * i] = at;
    ranges[2 * i + 1] = at + b.length;
    parts.push(b, Buffer.from(i < values.length - 1 ? sep : ""));
    at += b.length + (i < values.length - 1 ? Buffer.byteLength(sep) : 0);
  });
  return { buf: Buffer.concat(parts), ranges };
}

/** Codes of every value through ByteDict.codes in batches of `batch`, some entries pre-coded with code(). */
function encode(values: readonly string[], sep: string, batch: number, single: (i: number) => boolean = () => false): { codes: number[]; dict: ByteDict } {
  const { buf, ranges } = layout(values, sep);
  const dv = viewOf(buf);
  const dict = new ByteDict(NA);
  const out = new Int32Array(values.length).fill(-7);
  for (let k = 0; k < values.length; k += batch) {
    const m = Math.min(batch, values.length - k);
    const pend = Int32Array.from(ranges.subarray(2 * k, 2 * (k + m)));
    for (let j = 0; j < m; j++) {
      if (!single(k + j)) continue;
      // As the parser's slow path does: code it now and mark it done for the batch.
      out[k + j] = dict.code(buf, dv, pend[2 * j]!, pend[2 * j + 1]!);
      pend[2 * j] = -1;
    }
    dict.codes(buf, dv, pend, m, out, k);
  }
  return { codes: Array.from(out), dict };
}

/**
 * Without single-value coding, codes follow first appearance exactly. With it (values coded before
 * their batch, as the parser's slow path does) the order may differ: then every code must name its
 * value, and there must be one code per distinct value.
 */
function check(values: readonly string[], sep = ",", batch = 512, single?: (i: number) => boolean): void {
  const want = reference(values);
  const { codes, dict } = encode(values, sep, batch, single);
  expect(dict.size).toBe(want.distinct.length);
  if (single === undefined) {
    expect(codes).toEqual(want.codes);
    expect(dict.strings()).toEqual(want.distinct);
  } else {
    const strings = dict.strings();
    expect(codes.map((c) => (c < 0 ? null : strings[c]))).toEqual(values.map((v) => (NA.includes(v) ? null : v)));
  }
}

describe("ByteDict", () => {
  it("short values: every length 0 to 8, runs, markers, unicode, values with the same first bytes", () => {
    const vals = ["a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdefg", "abcdefgh", "", "NA", "null", "nul", "NAN", "é", "日本", "😀", "é\u0000", "\u0000", "\u0000\u0000"];
    const seq: string[] = [];
    for (let i = 0; i < 3000; i++) seq.push(vals[(i * 7) % vals.length]!, vals[(i * 7) % vals.length]!, vals[(i * 13 + 5) % vals.length]!);
    for (const sep of [",", "", "xxxxxxxxx"]) for (const batch of [1, 3, 512]) check(seq, sep, batch);
  });

  it("values of 9 to 16 and more bytes that share their first 8, 12 or 16 bytes", () => {
    const base = "abcdefghijklmnopqrstuvwxyz0123456789";
    const vals: string[] = [];
    for (let len = 9; len <= 36; len++) {
      vals.push(base.slice(0, len));
      vals.push(base.slice(0, len - 1) + "Z"); // differs in the last byte only
      vals.push("Z" + base.slice(1, len)); // differs in the first byte only
    }
    vals.push("id0000012345", "id0000012346", "id0000112345", "id00000123456", "id000001234", "日本語のテキスト", "日本語のテキストé", "😀😀😀😀", "😀😀😀😀😀");
    const seq: string[] = [];
    for (let i = 0; i < 4000; i++) seq.push(vals[(i * 11) % vals.length]!);
    for (const sep of [",", ""]) for (const batch of [1, 64, 512]) check(seq, sep, batch);
  });

  it("the batch path and the single-value path give one code, also for values at the very end of the buffer", () => {
    const vals = ["x", "xy", "id001", "abcdefgh", "abcdefghi", "id0000012345", "a much longer value of forty bytes or so", "é", ""];
    // Each length last in its own buffer (no bytes after it to read past), coded both ways in turn.
    for (const v of vals) {
      const seq = [...vals.filter((w) => w !== v), v, v];
      check(seq, ",", 512, (i) => i % 2 === 0);
      check(seq, ",", 2, (i) => i % 2 === 1);
      check([v], "", 1);
      check([v], "", 1, () => true);
    }
  });

  it("grows across batches: 200,000 distinct values of 5, 12 and 20 bytes, seen again after growing", () => {
    const n = 200_000;
    const seq: string[] = [];
    for (let i = 0; i < n; i++) {
      const v = i % 3 === 0 ? `k${String(i % 99_991).padStart(4, "0")}` : i % 3 === 1 ? `id${String(i).padStart(10, "0")}` : `value-${String(i).padStart(14, "0")}`;
      seq.push(v);
    }
    // Then the first values again, in another order.
    for (let i = 0; i < 30_000; i++) seq.push(seq[(i * 7919) % n]!);
    check(seq, ",", 512);
  });
});
