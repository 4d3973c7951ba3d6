/**
 * Column operations of joins: takes with -1 for "no row", casts (an outer join on an int32 key and a
 * float64 key yields a float64 key, as pandas), and coalescing of a key both sides share.
 */
import { allocTyped } from "@dask-ts/core";
import { columnLength, takeColumn, type Column, type NumColumn, type StrColumn } from "../column.js";
import type { ColType } from "../dtypes.js";

/** `c` as a column of `dtype` (only the widenings joins produce: int -> int64/float64, string <-> category). */
export function castColumn(c: Column, dtype: ColType): Column {
  if (c.dtype === dtype) return c;
  if (c.kind === "str") {
    if (dtype === "string" || dtype === "category") return { ...c, dtype };
  } else if (c.kind === "num") {
    const n = c.values.length;
    const valid = c.valid;
    if (dtype === "float64" && (c.dtype === "int32" || c.dtype === "int64")) {
      const out = allocTyped(Float64Array, n, { uninitialized: true });
      const v = c.values;
      if (v instanceof BigInt64Array) for (let i = 0; i < n; i++) out[i] = valid !== null && valid[i] === 0 ? NaN : Number(v[i]!);
      else for (let i = 0; i < n; i++) out[i] = valid !== null && valid[i] === 0 ? NaN : v[i]!;
      return { kind: "num", dtype: "float64", values: out, valid: null };
    }
    if (dtype === "int64" && c.dtype === "int32") {
      const out = allocTyped(BigInt64Array, n, { uninitialized: true });
      const v = c.values as Int32Array;
      for (let i = 0; i < n; i++) out[i] = BigInt(v[i]!);
      return { kind: "num", dtype: "int64", values: out, valid };
    }
  }
  throw new TypeError(`cannot cast a ${c.dtype} column to ${dtype}`);
}

/** Row i from `a` where `useA[i]` is non-negative, else from `b` (same dtype, same length). */
export function coalesceColumns(a: Column, b: Column, useA: Int32Array): Column {
  const n = columnLength(a);
  if (a.kind === "str") {
    const bs = b as StrColumn;
    // Remap b's dictionary into a's (extended) once; rows then copy int codes.
    const dict: string[] = [...a.dict];
    const index = new Map<string, number>();
    for (let j = 0; j < dict.length; j++) if (!index.has(dict[j]!)) index.set(dict[j]!, j);
    const remap = new Int32Array(bs.dict.length).fill(-2);
    const codes = allocTyped(Int32Array, n, { uninitialized: true });
    const ac = a.codes, bc = bs.codes;
    for (let i = 0; i < n; i++) {
      if (useA[i]! >= 0) { codes[i] = ac[i]!; continue; }
      const c = bc[i]!;
      if (c < 0) { codes[i] = -1; continue; }
      let m = remap[c]!;
      if (m === -2) {
        const s = bs.dict[c]!;
        let k = index.get(s);
        if (k === undefined) { k = dict.length; dict.push(s); index.set(s, k); }
        m = remap[c] = k;
      }
      codes[i] = m;
    }
    return { kind: "str", dtype: a.dtype, codes, dict } satisfies StrColumn;
  }
  const an = a as NumColumn, bn = b as NumColumn;
  const Ctor = an.values.constructor as typeof Float64Array;
  const values = allocTyped(Ctor, n, { uninitialized: true }) as Float64Array;
  const av = an.values as Float64Array, bv = bn.values as Float64Array;
  for (let i = 0; i < n; i++) values[i] = useA[i]! >= 0 ? av[i]! : bv[i]!;
  let valid: Uint8Array | null = null;
  if (an.valid !== null || bn.valid !== null) {
    valid = allocTyped(Uint8Array, n, { uninitialized: true });
    const va = an.valid, vb = bn.valid;
    for (let i = 0; i < n; i++) valid[i] = useA[i]! >= 0 ? (va === null ? 1 : va[i]!) : vb === null ? 1 : vb[i]!;
  }
  return { ...an, values, valid } as Column;
}

/** Rows `idx` of a column, -1 giving a missing value (int64 handled here: takeColumn stores a number 0 into BigInt64Array for -1). */
export function takeRows(c: Column, idx: Int32Array): Column {
  if (c.kind !== "num" || !(c.values instanceof BigInt64Array)) return takeColumn(c, idx);
  const n = idx.length;
  const src = c.values;
  const sv = c.valid;
  const values = allocTyped(BigInt64Array, n);
  let valid: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const j = idx[i]!;
    if (j >= 0) values[i] = src[j]!;
    if (j < 0 || (sv !== null && sv[j] === 0)) (valid ??= new Uint8Array(n).fill(1))[i] = 0;
  }
  return { kind: "num", dtype: c.dtype, values, valid };
}
