/**
 * Distinct values of a column: the rows where each value first appears (Series.unique), and the set of
 * present values (Series.nunique partials). Values compare as pandas' hash tables do: strings by text
 * (not dictionary code), NaN and null as one missing value, 0 and -0 alike.
 */
import { columnLength, type Column } from "./column.js";

/** Indices of the first row of every distinct value, in row order (one missing row included if any). */
export function firstIndices(c: Column): Int32Array {
  const n = columnLength(c);
  const idx: number[] = [];
  let sawMissing = false;
  if (c.kind === "str") {
    // Dictionaries never repeat a string (column.ts), so a code is a value.
    const seen = new Uint8Array(c.dict.length);
    for (let i = 0; i < n; i++) {
      const k = c.codes[i]!;
      if (k < 0) {
        if (!sawMissing) { sawMissing = true; idx.push(i); }
        continue;
      }
      if (!seen[k]) { seen[k] = 1; idx.push(i); }
    }
    return Int32Array.from(idx);
  }
  const valid = c.valid;
  const v = c.values;
  const seen = new Set<number | bigint>();
  for (let i = 0; i < n; i++) {
    const x = v[i]!;
    if ((valid !== null && valid[i] === 0) || x !== x) {
      if (!sawMissing) { sawMissing = true; idx.push(i); }
      continue;
    }
    if (!seen.has(x)) { seen.add(x); idx.push(i); }
  }
  return Int32Array.from(idx);
}

/** Distinct present values of a column (strings, numbers, or bigints for int64) and whether any row is missing. */
export interface DistinctPartial {
  values: (string | number | bigint)[];
  missing: boolean;
}

/** The distinct present values of one partition's column. */
export function distinctValues(c: Column): DistinctPartial {
  const n = columnLength(c);
  if (c.kind === "str") {
    const used = new Uint8Array(c.dict.length);
    let missing = false;
    for (let i = 0; i < n; i++) { const k = c.codes[i]!; if (k < 0) missing = true; else used[k] = 1; }
    const set = new Set<string>();
    for (let j = 0; j < used.length; j++) if (used[j]) set.add(c.dict[j]!);
    return { values: [...set], missing };
  }
  const valid = c.valid;
  const v = c.values;
  const set = new Set<number | bigint>();
  let missing = false;
  for (let i = 0; i < n; i++) {
    const x = v[i]!;
    if ((valid !== null && valid[i] === 0) || x !== x) missing = true;
    else set.add(x);
  }
  return { values: [...set], missing };
}

/** The union of distinct-value partials. */
export function unionDistinct(parts: readonly DistinctPartial[]): DistinctPartial {
  const set = new Set<string | number | bigint>();
  let missing = false;
  for (const p of parts) {
    for (const v of p.values) set.add(v);
    missing ||= p.missing;
  }
  return { values: [...set], missing };
}
