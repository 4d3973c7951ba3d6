/**
 * Column names from the header and column types from a sample of the first file (Dask reads the
 * first 256 kB and lets pandas infer; the same rules here): int32 when every sampled value is an
 * integer in int32 range, int64 when some integer is beyond it, float64 when every value is a number,
 * bool for true/false words, string otherwise. Missing values do not count (an int column may hold
 * them: int columns have validity bytes); a column with no value in the sample is float64, as pandas.
 */
import { closeSync, openSync } from "node:fs";
import type { ColType } from "../../dtypes.js";
import { SAMPLE_BYTES } from "./options.js";
import { readFully } from "@dask-ts/core";
import { splitRecords } from "./records.js";
import { fitsInt32, fitsInt64, parseBoolText, parseFloatText, parseIntText } from "./values.js";

/** What the header and sample tell. */
export interface CsvSchema {
  /** Every field of a row, in file order. */
  readonly names: string[];
  /** Inferred type of each field. */
  readonly dtypes: ColType[];
  /** Average bytes per data row in the sample (64 when it has none). */
  readonly rowBytes: number;
}

/** pandas' names for empty and repeated header fields: "Unnamed: 3", "a.1". */
export function mangleNames(raw: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  raw.forEach((r, i) => {
    let n = r === "" ? `Unnamed: ${i}` : r;
    if (seen.has(n)) {
      let k = 1;
      while (seen.has(`${n}.${k}`)) k++;
      n = `${n}.${k}`;
    }
    seen.add(n);
    out.push(n);
  });
  return out;
}

/** The type a column's sampled values suggest (see the module comment). */
export function inferType(values: readonly string[], na: ReadonlySet<string>): ColType {
  if (values.length === 0) return "string";
  let any = false, allInt = true, allFloat = true, allBool = true, beyond32 = false, beyond64 = false;
  for (const v of values) {
    if (na.has(v)) continue;
    any = true;
    if (allInt) {
      const i = parseIntText(v);
      if (i === undefined) allInt = false;
      else if (!fitsInt32(i)) {
        beyond32 = true;
        if (!fitsInt64(i)) beyond64 = true;
      }
    }
    if (allFloat && !allInt && parseFloatText(v) === undefined) allFloat = false;
    if (allBool && parseBoolText(v) === undefined) allBool = false;
    if (!allInt && !allFloat && !allBool) return "string";
  }
  if (!any) return "float64";
  if (allInt) return beyond64 ? "string" : beyond32 ? "int64" : "int32";
  if (allFloat) return "float64";
  return allBool ? "bool" : "string";
}

/** Reads the header and the sample of a file and infers names and types. */
export function inferSchema(path: string, fileSize: number, sep: number, header: boolean, naValues: readonly string[]): CsvSchema {
  const fd = openSync(path, "r");
  let buf: Buffer;
  let len: number;
  try {
    let want = Math.min(fileSize, SAMPLE_BYTES);
    buf = Buffer.allocUnsafe(want);
    len = readFully(fd, buf, 0, want, 0);
    // A header longer than the sample: read on until it is complete.
    for (;;) {
      const start = bom(buf, len);
      const atEof = len >= fileSize;
      if (atEof || splitRecords(buf, start, len, sep, false, 1).records.length > 0) break;
      want = Math.min(fileSize, want * 2);
      const bigger = Buffer.allocUnsafe(want);
      buf.copy(bigger, 0, 0, len);
      buf = bigger;
      const got = readFully(fd, buf, len, want - len, len);
      len += got;
      if (got === 0) break; // the file is shorter than its size said
    }
  } finally {
    closeSync(fd);
  }
  const { records, offsets, next } = splitRecords(buf, bom(buf, len), len, sep, len >= fileSize);
  if (records.length === 0) return { names: [], dtypes: [], rowBytes: 64 };
  const first = records[0]!;
  const names = header ? mangleNames(first) : first.map((_, i) => String(i));
  const data = header ? records.slice(1) : records;
  const dataStart = header ? (offsets[1] ?? next) : offsets[0]!;
  const na = new Set(naValues);
  const dtypes = names.map((_, c) => {
    const vals: string[] = [];
    for (const r of data) if (r.length === names.length) vals.push(r[c]!);
    return inferType(vals, na);
  });
  const rowBytes = data.length > 0 ? Math.max(1, (next - dataStart) / data.length) : 64;
  return { names, dtypes, rowBytes };
}

function bom(buf: Uint8Array, len: number): number {
  return len >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
}
