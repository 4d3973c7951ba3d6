/**
 * Writing one partition as CSV text that readCsv and pandas read back to the same values: fields with
 * the separator, a quote, CR or LF are quoted (quotes doubled); missing values are empty fields; the
 * empty string is `""` (so a reader can tell it from missing; also a lone missing field, as a blank line
 * would be skipped); floats keep full precision and a ".0"
 * when integral (so they read back as floats), inf as pandas writes it; int64 exactly; bools as
 * True/False (pandas); dates as ISO 8601 in UTC.
 */
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type * as A from "apache-arrow";
import { columnNames, readColumns, type Column } from "../column.js";

/** A field quoted when it must be. */
export function quoteField(s: string, sep: string): string {
  if (s === "") return '""';
  if (s.includes(sep) || s.includes('"') || s.includes("\n") || s.includes("\r")) return `"${s.replaceAll('"', '""')}"`;
  return s;
}

/** A float with every digit it needs to read back to the same number. */
export function formatFloat(x: number): string {
  if (x !== x) return "";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const s = String(x);
  // Integral values below 1e21 print without a point; keep one so they read back as floats.
  return Number.isInteger(x) && !s.includes("e") ? `${s}.0` : s;
}

/** Per row, the text of one column's field. */
function fieldFormatter(c: Column, sep: string): (i: number) => string {
  switch (c.kind) {
    case "str": {
      // Quote each dictionary entry once; rows look their code up.
      const dict = c.dict.map((s) => quoteField(s, sep));
      const codes = c.codes;
      return (i) => { const k = codes[i]!; return k < 0 ? "" : dict[k]!; };
    }
    case "bool": {
      const v = c.values, valid = c.valid;
      return (i) => (valid !== null && valid[i] === 0 ? "" : v[i] ? "True" : "False");
    }
    case "num": {
      const valid = c.valid;
      if (c.dtype === "float64") { const v = c.values as Float64Array; return (i) => formatFloat(v[i]!); }
      if (c.dtype === "date") { const v = c.values as Float64Array; return (i) => (v[i] !== v[i] ? "" : new Date(v[i]!).toISOString()); }
      const v = c.values;
      return (i) => (valid !== null && valid[i] === 0 ? "" : String(v[i]));
    }
  }
}

/** Text is flushed to the file in pieces of about this many characters. */
const FLUSH_CHARS = 1 << 20;

/**
 * Writes partition `t` to `path` (creating its directory), with a header line unless `header` is false.
 * On failure the partial file is removed and the error rethrown.
 */
export function writeCsvFile(t: A.Table, path: string, sep: string, header: boolean): void {
  mkdirSync(dirname(path), { recursive: true });
  const names = columnNames(t);
  const fmts = readColumns(t, names).map((c) => fieldFormatter(c, sep));
  const fd = openSync(path, "w");
  try {
    let buf = header ? names.map((n) => quoteField(n, sep)).join(sep) + "\n" : "";
    const n = t.numRows;
    const k = fmts.length;
    for (let i = 0; i < n; i++) {
      let line = k > 0 ? fmts[0]!(i) : "";
      for (let j = 1; j < k; j++) line += sep + fmts[j]!(i);
      // A blank line is skipped by CSV readers: a lone missing field is written quoted.
      buf += (line === "" ? '""' : line) + "\n";
      if (buf.length >= FLUSH_CHARS) {
        writeSync(fd, buf);
        buf = "";
      }
    }
    if (buf.length > 0) writeSync(fd, buf);
    closeSync(fd);
  } catch (e) {
    try { closeSync(fd); } catch { /* already closed */ }
    rmSync(path, { force: true });
    throw e;
  }
}
