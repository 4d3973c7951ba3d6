/**
 * Kernels of linear algebra: the block contraction behind tensordot / dot / matmul, and the sum of partial
 * products. The matrix products themselves run in ./matmul/gemm.ts (WebAssembly SIMD, plain-JS fallback).
 */
import { registerKernel } from "@dask-ts/core";
import type { DType } from "../dtype.js";
import { floatEngine, int32Engine, type GemmEngine, type Mat, type NumericOut } from "./matmul/gemm.js";
import { allocChunk, asNumeric, copyAs, isCContiguous, sizeOf, toInt64, type Chunk } from "./nd.js";

/**
 * How the axes of one block pair take part in a contraction. Output axes are
 * [batch..., free axes of a..., free axes of b...].
 */
export interface ContractSpec {
  /** Result dtype. */
  readonly dtype: DType;
  /** Per output batch axis: the axis of a (or -1 when a lacks it; a length-1 axis broadcasts). */
  readonly aBatch: readonly number[];
  /** Per output batch axis: the axis of b (or -1). */
  readonly bBatch: readonly number[];
  /** Axes of a kept in the output (the rows of the product), in output order. */
  readonly aFree: readonly number[];
  /** Axes of a summed over, paired one to one with bSum. */
  readonly aSum: readonly number[];
  /** Axes of b summed over. */
  readonly bSum: readonly number[];
  /** Axes of b kept in the output (the columns of the product), in output order. */
  readonly bFree: readonly number[];
}

/** Sizes and strides of several axes collapsed into one, or null when their strides do not allow it. */
function collapse(x: Chunk, axes: readonly number[]): { size: number; stride: number } | null {
  let size = 1;
  let stride = 0;
  let prevStride = 0;
  let first = true;
  for (const ax of axes) {
    const n = x.shape[ax]!;
    if (n === 0) return { size: 0, stride: 1 };
    size *= n;
  }
  for (const ax of axes) {
    const n = x.shape[ax]!;
    if (n === 1) continue;
    const s = x.stride[ax]!;
    if (!first && prevStride !== s * n) return null;
    first = false;
    prevStride = s;
    stride = s;
  }
  return { size, stride };
}

/** A contiguous row-major copy of the view (rows = rowAxes, columns = colAxes) starting at `offset`. */
function copyMatrix(x: Chunk, offset: number, rowAxes: readonly number[], colAxes: readonly number[]): Mat {
  const axes = [...rowAxes, ...colAxes];
  const shape = axes.map((a) => x.shape[a]!);
  const stride = axes.map((a) => x.stride[a]!);
  const rows = sizeOf(rowAxes.map((a) => x.shape[a]!));
  const cols = sizeOf(colAxes.map((a) => x.shape[a]!));
  const out = new Float64Array(rows * cols);
  const src = x.data as unknown as ArrayLike<number>;
  let o = 0;
  const walk = (d: number, p: number): void => {
    if (d === axes.length) {
      out[o++] = src[p]!;
      return;
    }
    for (let i = 0, q = p; i < shape[d]!; i++, q += stride[d]!) walk(d + 1, q);
  };
  walk(0, offset);
  return { data: out, offset: 0, rs: cols, cs: 1, rows, cols };
}

/** The matrix of a block at a batch position: rows over rowAxes, columns over colAxes (a view when strides allow). */
function matrixOf(x: Chunk, offset: number, rowAxes: readonly number[], colAxes: readonly number[]): Mat {
  const r = collapse(x, rowAxes);
  const c = collapse(x, colAxes);
  if (r && c) return { data: x.data as unknown as ArrayLike<number>, offset, rs: r.stride, cs: c.stride, rows: r.size, cols: c.size };
  return copyMatrix(x, offset, rowAxes, colAxes);
}

function engineFor(dtype: DType): GemmEngine {
  if (dtype === "float64" || dtype === "int64") return floatEngine("f64");
  if (dtype === "float32") return floatEngine("f32");
  return int32Engine();
}

/**
 * One output block of a contraction: the sum over block pairs (a_p, b_p) of their products along the
 * summed axes, batched over the batch axes. Floats use the fast engine; int64 goes through float64 (exact
 * while values stay below 2^53); smaller integers are exact with NumPy's wrap-around; bool is "any".
 */
export function contract(spec: ContractSpec, pairs: ReadonlyArray<readonly [Chunk, Chunk]>): Chunk {
  const ps = pairs.map(([a, b]) => [asNumeric(a), asNumeric(b)] as const);
  const [a0, b0] = ps[0]!;
  const nb = spec.aBatch.length;
  const batchShape: number[] = [];
  for (let t = 0; t < nb; t++) {
    const sa = spec.aBatch[t]! >= 0 ? a0.shape[spec.aBatch[t]!]! : 1;
    const sb = spec.bBatch[t]! >= 0 ? b0.shape[spec.bBatch[t]!]! : 1;
    batchShape.push(sa === 1 ? sb : sa);
  }
  const mShape = spec.aFree.map((ax) => a0.shape[ax]!);
  const nShape = spec.bFree.map((ax) => b0.shape[ax]!);
  const M = sizeOf(mShape);
  const N = sizeOf(nShape);
  const outShape = [...batchShape, ...mShape, ...nShape];
  const dtype = spec.dtype;
  const out = allocChunk(dtype === "int64" ? "float64" : dtype, outShape);
  const boolTmp = dtype === "bool" ? new Int32Array(out.data.length) : undefined;
  const dst = (boolTmp ?? out.data) as unknown as NumericOut;
  const nBatch = sizeOf(batchShape);
  if (nBatch === 0 || M * N === 0) return dtype === "int64" ? toInt64(out) : out;
  const engine = engineFor(dtype);
  const bidx = new Array<number>(nb).fill(0);
  for (let bi = 0; bi < nBatch; bi++) {
    engine.begin(M, N);
    for (const [a, b] of ps) {
      let ao = a.offset;
      let bo = b.offset;
      for (let t = 0; t < nb; t++) {
        const xa = spec.aBatch[t]!;
        const xb = spec.bBatch[t]!;
        if (xa >= 0 && a.shape[xa]! !== 1) ao += bidx[t]! * a.stride[xa]!;
        if (xb >= 0 && b.shape[xb]! !== 1) bo += bidx[t]! * b.stride[xb]!;
      }
      engine.add(matrixOf(a, ao, spec.aFree, spec.aSum), matrixOf(b, bo, spec.bSum, spec.bFree));
    }
    engine.finish(dst, bi * M * N);
    for (let t = nb - 1; t >= 0; t--) {
      if (++bidx[t]! < batchShape[t]!) break;
      bidx[t] = 0;
    }
  }
  if (boolTmp) {
    const o = out.data as Uint8Array;
    for (let i = 0; i < boolTmp.length; i++) o[i] = boolTmp[i] !== 0 ? 1 : 0;
  }
  return dtype === "int64" ? toInt64(out) : out;
}

/** The sum of partial products (same shapes) in the result dtype: ints wrap as NumPy's, bool is "or". */
export function sumBlocks(dtype: DType, blocks: readonly Chunk[]): Chunk {
  const shape = blocks[0]!.shape.slice();
  const flat = blocks.map((b) => (isCContiguous(b) && b.offset === 0 && b.data.length === sizeOf(shape) ? b : copyAs(b, dtype)));
  const out = allocChunk(dtype, shape);
  const n = sizeOf(shape);
  if (dtype === "int64") {
    const o = out.data as BigInt64Array;
    for (const b of flat) {
      const d = b.data as BigInt64Array;
      for (let i = 0; i < n; i++) o[i] = BigInt.asIntN(64, o[i]! + d[i]!);
    }
    return out;
  }
  if (dtype === "bool") {
    const o = out.data as Uint8Array;
    for (const b of flat) {
      const d = b.data as Uint8Array;
      for (let i = 0; i < n; i++) if (d[i]) o[i] = 1;
    }
    return out;
  }
  const acc = new Float64Array(n);
  for (const b of flat) {
    const d = b.data as unknown as ArrayLike<number>;
    for (let i = 0; i < n; i++) acc[i] += d[i]!;
  }
  const o = out.data as unknown as NumericOut;
  for (let i = 0; i < n; i++) o[i] = acc[i]!;
  return out;
}

registerKernel("array.contract", contract, { stateless: true });
registerKernel("array.sumBlocks", sumBlocks, { stateless: true });
