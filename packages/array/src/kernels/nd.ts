/** Chunk-level helpers for kernels: allocation, broadcasting views, strided iteration, conversions. */
import { allocTyped, type AllocOptions, type TypedArrayConstructor } from "@dask-ts/core";
import ndarray, { type NdArray } from "ndarray";
import { storage, type DType, type TypedArray } from "../dtype.js";

/** A chunk: an ndarray view over a typed array (the ndarray typings reject BigInt64Array on shared memory). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Chunk = NdArray<any> & { data: TypedArray };

/** Product of a shape. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** C-order strides of a shape. */
export function cStrides(shape: readonly number[]): number[] {
  const st = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    st[i] = s;
    s *= Math.max(shape[i]!, 1);
  }
  return st;
}

/**
 * A new contiguous chunk (shared memory on worker threads, so it crosses back without a copy). Zeroed,
 * unless `opts.uninitialized` (the caller then writes every element before reading any).
 */
export function allocChunk(dtype: DType, shape: readonly number[], opts?: AllocOptions): Chunk {
  const data = allocTyped(storage(dtype) as unknown as TypedArrayConstructor, sizeOf(shape), opts) as unknown as TypedArray;
  return ndarray(data as never, [...shape], cStrides(shape), 0) as Chunk;
}

/** A chunk of one repeated value that allocates one element (all strides 0), as Dask's broadcast_to. */
export function constantChunk(value: number | bigint, dtype: DType, shape: readonly number[]): Chunk {
  const data = new (storage(dtype) as unknown as new (n: number) => TypedArray)(1);
  (data as unknown as { [i: number]: number | bigint })[0] = dtype === "int64" ? BigInt(Math.trunc(Number(value))) : (value as number);
  return ndarray(data as never, [...shape], shape.map(() => 0), 0) as Chunk;
}

/** True when every stride is 0: the chunk is one value repeated. */
export function isConstant(a: Chunk): boolean {
  return a.stride.every((s) => s === 0);
}

/** True when the chunk's elements are contiguous in C order starting at `offset`. */
export function isCContiguous(a: Chunk): boolean {
  const st = cStrides(a.shape);
  for (let i = 0; i < a.shape.length; i++) if (a.shape[i]! > 1 && a.stride[i] !== st[i]) return false;
  return true;
}

/** A view of `a` broadcast to `shape` (NumPy rules; axes added on the left get stride 0). */
export function broadcastView(a: Chunk, shape: readonly number[]): Chunk {
  const nd = shape.length;
  const pad = nd - a.shape.length;
  const stride = new Array<number>(nd);
  for (let i = 0; i < nd; i++) {
    const j = i - pad;
    if (j < 0) stride[i] = 0;
    else stride[i] = a.shape[j] === 1 && shape[i] !== 1 ? 0 : a.stride[j]!;
  }
  return ndarray(a.data as never, [...shape], stride, a.offset) as Chunk;
}

/** Broadcast shape of several shapes (caller has validated them). */
export function broadcastShapes(shapes: readonly (readonly number[])[]): number[] {
  const nd = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(nd).fill(1);
  for (const s of shapes) {
    const pad = nd - s.length;
    for (let j = 0; j < s.length; j++) {
      const v = s[j]!;
      if (v !== 1) out[j + pad] = v;
    }
  }
  return out;
}

/**
 * Calls `row(offsets, n)` for every run along the last axis of `shape`, where offsets[k] is the start of
 * that run in array k (given its offset and strides). This is the outer loop of every strided kernel:
 * the inner loop over one row is the kernel's own, so it can be specialized.
 */
export function forEachRow(
  shape: readonly number[],
  arrays: readonly { offset: number; stride: readonly number[] }[],
  row: (offsets: number[], n: number) => void,
): void {
  const nd = shape.length;
  const k = arrays.length;
  const offs = arrays.map((a) => a.offset);
  if (nd === 0) {
    row(offs, 1);
    return;
  }
  if (sizeOf(shape) === 0) return;
  const n = shape[nd - 1]!;
  const idx = new Array<number>(nd).fill(0);
  for (;;) {
    row(offs.slice(), n);
    let ax = nd - 2;
    while (ax >= 0) {
      idx[ax]!++;
      for (let q = 0; q < k; q++) offs[q]! += arrays[q]!.stride[ax]!;
      if (idx[ax]! < shape[ax]!) break;
      for (let q = 0; q < k; q++) offs[q]! -= arrays[q]!.stride[ax]! * shape[ax]!;
      idx[ax] = 0;
      ax--;
    }
    if (ax < 0) return;
  }
}

/** The chunk's values as float64 when they are stored as BigInt64Array (int64), else the chunk itself. */
export function asNumeric(a: Chunk): Chunk {
  if (!(a.data instanceof BigInt64Array)) return a;
  const src = a.data;
  const out = new Float64Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = Number(src[i]!);
  return ndarray(out as never, a.shape.slice(), a.stride.slice(), a.offset) as Chunk;
}

/** Copies float values into an int64 (BigInt64Array) chunk, truncating toward zero. */
export function toInt64(a: Chunk): Chunk {
  const out = allocChunk("int64", a.shape);
  const dst = out.data as BigInt64Array;
  let i = 0;
  forEachRow(a.shape, [a], ([o], n) => {
    const s = a.stride[a.shape.length - 1] ?? 0;
    let p = o!;
    for (let j = 0; j < n; j++, p += s) {
      const v = a.data[p] as number;
      dst[i++] = Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
    }
  });
  return out;
}

/** Copies `src` into `dst` starting at element position `at` (one start index per axis). */
export function copyInto(dst: Chunk, at: readonly number[], src: Chunk): void {
  const nd = src.shape.length;
  let dOff = dst.offset;
  for (let i = 0; i < nd; i++) dOff += at[i]! * dst.stride[i]!;
  const d = dst.data as unknown as { [i: number]: number | bigint };
  const s = src.data as unknown as { [i: number]: number | bigint };
  const sameKind = (dst.data instanceof BigInt64Array) === (src.data instanceof BigInt64Array);
  const dstBig = dst.data instanceof BigInt64Array;
  const ds = nd ? dst.stride[nd - 1]! : 1;
  const ss = nd ? src.stride[nd - 1]! : 1;
  forEachRow(src.shape, [{ offset: dOff, stride: dst.stride }, src], ([po, ps], n) => {
    let p = po!;
    let q = ps!;
    if (sameKind) {
      if (ds === 1 && ss === 1 && !(dst.data instanceof BigInt64Array) && n > 16) {
        (dst.data as Float64Array).set((src.data as Float64Array).subarray(q, q + n), p);
        return;
      }
      for (let j = 0; j < n; j++, p += ds, q += ss) d[p] = s[q]!;
    } else if (dstBig) for (let j = 0; j < n; j++, p += ds, q += ss) d[p] = BigInt(Math.trunc(Number(s[q])));
    else for (let j = 0; j < n; j++, p += ds, q += ss) d[p] = Number(s[q]);
  });
}

/** A contiguous copy of a chunk in a given dtype. */
export function copyAs(a: Chunk, dtype: DType): Chunk {
  const out = allocChunk(dtype, a.shape);
  copyInto(out, a.shape.map(() => 0), a);
  return out;
}
