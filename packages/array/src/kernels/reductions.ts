/**
 * Kernels of reductions and scans.
 *
 * Tree reductions pass *partials* between tasks: `{ n, a, b?, c? }` where `n` is the number of input
 * elements behind every output cell (the same for all cells of a partial, since there is no NaN
 * skipping), and `a`, `b`, `c` are float64 chunks of the output block's shape with the reduced axes kept
 * as length 1:
 *
 * - sum, mean: a = sum;  prod: a = product;  min/max: a = extreme;  any/all: a = 0/1
 * - var, std: a + c = mean (c is the small remainder a double cannot hold, so that differences of means
 *   stay exact for data far from 0), b = M2 (sum of squared deviations from the mean), combined with
 *   Chan et al.'s parallel formula
 * - argmin/argmax: a = best value, b = its index (along the axis, or flat C-order index), -1 for none
 *
 * Partials of constant (zero-stride) blocks are constant chunks themselves, so reducing `da.ones`
 * never touches more than one element per block.
 */
import { registerKernel } from "@dask-ts/core";
import ndarray from "ndarray";
import type { DType } from "../dtype.js";
import { allocChunk, asNumeric, broadcastView, constantChunk, copyAs, copyInto, cStrides, forEachRow, isConstant, sizeOf, type Chunk } from "./nd.js";

/** Reductions of `reduce`. */
export type ReduceOp = "sum" | "prod" | "mean" | "min" | "max" | "std" | "var" | "any" | "all";
/** Reductions of `argReduce`. */
export type ArgOp = "argmin" | "argmax";
/** Scans of `cumulative`. */
export type CumOp = "cumsum" | "cumprod";

/** A partial result of a tree reduction (see the module comment). */
export interface Partial {
  n: number;
  a: Chunk;
  b?: Chunk;
  c?: Chunk;
}

// --- compiled row loops -------------------------------------------------------------------------

/** The element-level reductions the chunk kernel runs: accumulator `a`, element `x`, cell mean `m`. */
const BASIC: Record<string, { init: number; step: string; additive?: string }> = {
  sum: { init: 0, step: "a += x;", additive: "x" },
  prod: { init: 1, step: "a *= x;" },
  min: { init: Infinity, step: "if (x < a || x !== x) a = x;" },
  max: { init: -Infinity, step: "if (x > a || x !== x) a = x;" },
  any: { init: 0, step: "if (x !== 0) a = 1;" },
  all: { init: 1, step: "if (x === 0) a = 0;" },
  // Sum of deviations from the cell's mean: the remainder of the mean (var/std).
  dev: { init: 0, step: "a += x - m;", additive: "(x - m)" },
  // Sum of squared deviations from the cell's mean (var/std).
  m2: { init: 0, step: "{ const t = x - m; a += t * t; }", additive: "(x - m) * (x - m)" },
};
type BasicOp = keyof typeof BASIC;

/** (data, p, stride, n, acc, mean) => acc: reduces one strided row to one value. */
type ScalarRow = (d: ArrayLike<number>, p: number, s: number, n: number, a: number, m: number) => number;
/** (out, po, so, data, p, s, n, means): folds one row into a row of output cells. */
type VectorRow = (o: Float64Array, po: number, so: number, d: ArrayLike<number>, p: number, s: number, n: number, md: Float64Array | null) => void;
type VectorRow4 = (o: Float64Array, po: number, so: number, d: ArrayLike<number>, p: number, s: number, n: number, md: Float64Array | null, s1: number) => void;
/** Arg row loops: values o, indices b; ix = index of the first element, is = index step. */
type ArgScalarRow = (d: ArrayLike<number>, p: number, s: number, n: number, o: Float64Array, b: Float64Array, po: number, ix: number, is: number) => void;
type ArgVectorRow = (d: ArrayLike<number>, p: number, s: number, n: number, o: Float64Array, b: Float64Array, po: number, so: number, ix: number, is: number) => void;

// One compiled function per (op, variant, storage type), so that each loop stays monomorphic.
const compiled = new Map<string, unknown>();

function compile<T>(id: string, params: string[], body: string): T {
  let f = compiled.get(id) as T | undefined;
  if (!f) {
    f = new Function(...params, body) as T;
    compiled.set(id, f);
  }
  return f;
}

function scalarRow(op: BasicOp, d: ArrayLike<number>, unit: boolean): ScalarRow {
  const spec = BASIC[op]!;
  const id = `s:${op}:${unit ? 1 : "n"}:${d.constructor.name}`;
  let body: string;
  if (unit && spec.additive) {
    // Two accumulators over absolute indices: the fastest form measured on V8 (more do not help).
    const e = (k: string): string => spec.additive!.replace(/x/g, `d[${k}]`);
    body = `let a1 = 0; const e = p + n; let i = p;
      for (; i + 1 < e; i += 2) { a += ${e("i")}; a1 += ${e("i + 1")}; }
      if (i < e) a += ${e("i")};
      return a + a1;`;
  } else if (unit) {
    body = `const e = p + n; for (let i = p; i < e; i++) { const x = d[i]; ${spec.step} } return a;`;
  } else {
    body = `for (let i = 0; i < n; i++, p += s) { const x = d[p]; ${spec.step} } return a;`;
  }
  return compile<ScalarRow>(id, ["d", "p", "s", "n", "a", "m"], body);
}

function vectorRow(op: BasicOp, d: ArrayLike<number>, unit: boolean): VectorRow {
  const spec = BASIC[op]!;
  const id = `v:${op}:${unit ? 1 : "n"}:${d.constructor.name}`;
  const mean = op === "m2" || op === "dev" ? "const m = md[q];" : "";
  const body = unit
    ? `const e = p + n; for (let q = po; p < e; p++, q++) { const x = d[p]; ${mean} let a = o[q]; ${spec.step} o[q] = a; }`
    : `for (let i = 0, q = po; i < n; i++, q += so, p += s) { const x = d[p]; ${mean} let a = o[q]; ${spec.step} o[q] = a; }`;
  return compile<VectorRow>(id, ["o", "po", "so", "d", "p", "s", "n", "md"], body);
}

/** Like vectorRow, folding four rows (p, p + s1, p + 2 s1, p + 3 s1) into the same output row at once. */
function vectorRow4(op: BasicOp, d: ArrayLike<number>, unit: boolean): VectorRow4 {
  const spec = BASIC[op]!;
  const id = `v4:${op}:${unit ? 1 : "n"}:${d.constructor.name}`;
  const mean = op === "m2" || op === "dev" ? "const m = md[q];" : "";
  const at = (k: number): string => (k === 0 ? "d[p]" : `d[p + ${k} * s1]`);
  const fold = spec.additive
    ? `a += (${spec.additive.replace(/x/g, at(0))} + ${spec.additive.replace(/x/g, at(1))}) + (${spec.additive.replace(/x/g, at(2))} + ${spec.additive.replace(/x/g, at(3))});`
    : [0, 1, 2, 3].map((k) => `{ const x = ${at(k)}; ${spec.step} }`).join(" ");
  const body = unit
    ? `const e = p + n; for (let q = po; p < e; p++, q++) { ${mean} let a = o[q]; ${fold} o[q] = a; }`
    : `for (let i = 0, q = po; i < n; i++, q += so, p += s) { ${mean} let a = o[q]; ${fold} o[q] = a; }`;
  return compile<VectorRow4>(id, ["o", "po", "so", "d", "p", "s", "n", "md", "s1"], body);
}

/** Condition "x at index ix is a better candidate than (bv, bi)" scanning in increasing index order. */
function argCond(op: ArgOp): string {
  // First element always; NaN beats every number (first NaN wins, as NumPy); otherwise strictly better.
  return `bi < 0 || x ${op === "argmin" ? "<" : ">"} bv || (x !== x && bv === bv)`;
}

function argScalarRow(op: ArgOp, d: ArrayLike<number>): ArgScalarRow {
  const body = `let bv = o[po], bi = b[po];
    for (let i = 0; i < n; i++, p += s, ix += is) { const x = d[p]; if (${argCond(op)}) { bv = x; bi = ix; } }
    o[po] = bv; b[po] = bi;`;
  return compile<ArgScalarRow>(`as:${op}:${d.constructor.name}`, ["d", "p", "s", "n", "o", "b", "po", "ix", "is"], body);
}

function argVectorRow(op: ArgOp, d: ArrayLike<number>): ArgVectorRow {
  const body = `for (let i = 0; i < n; i++, p += s, po += so, ix += is) {
      const x = d[p]; const bv = o[po], bi = b[po]; if (${argCond(op)}) { o[po] = x; b[po] = ix; } }`;
  return compile<ArgVectorRow>(`av:${op}:${d.constructor.name}`, ["d", "p", "s", "n", "o", "b", "po", "so", "ix", "is"], body);
}

// --- helpers --------------------------------------------------------------------------------------

/** The shape with the reduced axes set to 1. */
function keptShape(shape: readonly number[], red: readonly boolean[]): number[] {
  return shape.map((s, i) => (red[i] ? 1 : s));
}

/** Flags of the reduced axes. */
function reducedFlags(nd: number, axes: readonly number[]): boolean[] {
  const red = new Array<boolean>(nd).fill(false);
  for (const a of axes) red[a] = true;
  return red;
}

/**
 * Simplifies a loop nest: drops length-1 axes and merges neighbours that every array walks as one
 * (stride[i] === stride[i+1] * shape[i+1]). A contiguous full reduction becomes a single row.
 * Always returns at least one axis.
 */
function coalesce(shape: readonly number[], strides: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let i = 0; i < shape.length; i++) {
    const n = shape[i]!;
    if (n === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, k) => outStrides[k]![last] === s[i]! * n)) {
      outShape[last]! *= n;
      strides.forEach((s, k) => (outStrides[k]![last] = s[i]!));
    } else {
      outShape.push(n);
      strides.forEach((s, k) => outStrides[k]!.push(s[i]!));
    }
  }
  if (outShape.length === 0) {
    outShape.push(1);
    outStrides.forEach((s) => s.push(0));
  }
  return { shape: outShape, strides: outStrides };
}

/** Loop order for order-insensitive reductions: the input's smallest strides innermost (cache-friendly). */
function loopOrder(stride: readonly number[]): number[] {
  return stride
    .map((s, i) => [Math.abs(s), i] as const)
    .sort((p, q) => q[0] - p[0] || p[1] - q[1])
    .map((p) => p[1]);
}

/** Reduces a numeric (non-BigInt) chunk with a basic op over `axes` into a float64 chunk (reduced axes kept as 1). */
function reduceBlock(op: BasicOp, c: Chunk, axes: readonly number[], mean?: Chunk): Chunk {
  const nd = c.shape.length;
  const red = reducedFlags(nd, axes);
  const outShape = keptShape(c.shape, red);
  const out = allocChunk("float64", outShape);
  const o = out.data as Float64Array;
  const init = BASIC[op]!.init;
  if (init !== 0) o.fill(init);
  if (sizeOf(c.shape) === 0) return out;
  const ost = cStrides(outShape).map((s, i) => (red[i] ? 0 : s));
  const order = loopOrder(c.stride);
  const { shape, strides } = coalesce(
    order.map((i) => c.shape[i]!),
    [order.map((i) => c.stride[i]!), order.map((i) => ost[i]!)],
  );
  const [ist, os] = strides as [number[], number[]];
  const last = shape.length - 1;
  const s = ist[last]!;
  const so = os[last]!;
  const d = c.data as unknown as ArrayLike<number>;
  const md = mean ? (mean.data as Float64Array) : null;
  if (so === 0) {
    const loop = scalarRow(op, d, s === 1);
    forEachRow(shape, [{ offset: c.offset, stride: ist }, { offset: 0, stride: os }], (offs, n) => {
      const po = offs[1]!;
      o[po] = loop(d, offs[0]!, s, n, o[po]!, md ? md[po]! : 0);
    });
  } else if (last >= 1 && os[last - 1] === 0 && shape[last - 1]! >= 4) {
    // Rows of the output fed by the axis before: fold four input rows per pass over the output row.
    const unit = s === 1 && so === 1;
    const loop = vectorRow(op, d, unit);
    const loop4 = vectorRow4(op, d, unit);
    const s1 = ist[last - 1]!;
    const len = shape[last]!;
    forEachRow(shape.slice(0, last), [{ offset: c.offset, stride: ist.slice(0, last) }, { offset: 0, stride: os.slice(0, last) }], (offs, rows) => {
      const po = offs[1]!;
      let p = offs[0]!;
      let r = 0;
      for (; r + 3 < rows; r += 4, p += 4 * s1) loop4(o, po, so, d, p, s, len, md, s1);
      for (; r < rows; r++, p += s1) loop(o, po, so, d, p, s, len, md);
    });
  } else {
    const loop = vectorRow(op, d, s === 1 && so === 1);
    forEachRow(shape, [{ offset: c.offset, stride: ist }, { offset: 0, stride: os }], (offs, n) => {
      loop(o, offs[1]!, so, d, offs[0]!, s, n, md);
    });
  }
  return out;
}

/** The value a basic reduction gives for `count` copies of `v`. */
function constantReduce(op: BasicOp | "mean", v: number, count: number): number {
  if (count === 0) return op === "mean" ? 0 : BASIC[op]!.init;
  switch (op) {
    case "sum":
    case "mean":
      return v * count;
    case "prod":
      return v ** count;
    case "min":
    case "max":
      return v;
    case "any":
    case "all":
      return v !== 0 ? 1 : 0;
    default:
      return Number.isFinite(v) ? 0 : NaN;
  }
}

/** A float64 chunk's cells as a contiguous Float64Array (a fresh copy unless it already is one). */
function cellsOf(c: Chunk, owned = false): Float64Array {
  const size = sizeOf(c.shape);
  if (!owned && c.data instanceof Float64Array && c.offset === 0 && c.data.length === size && isContiguous(c)) return c.data;
  const out = new Float64Array(size);
  if (isConstant(c)) out.fill(Number(c.data[c.offset]));
  else copyInto(ndarray(out as never, c.shape.slice(), cStrides(c.shape), 0) as Chunk, c.shape.map(() => 0), c);
  return out;
}

function isContiguous(c: Chunk): boolean {
  const st = cStrides(c.shape);
  return c.shape.every((n, i) => n <= 1 || c.stride[i] === st[i]);
}

function chunkOf(data: Float64Array, shape: readonly number[]): Chunk {
  return ndarray(data as never, shape.slice(), cStrides(shape), 0) as Chunk;
}

// --- reduce: chunk, combine, aggregate --------------------------------------------------------------

/** The partial of one block: reduce it over `axes`, keeping them as length 1. */
export function reduceChunk(op: ReduceOp, block: Chunk, axes: number[]): Partial {
  const c = asNumeric(block);
  const red = reducedFlags(c.shape.length, axes);
  const outShape = keptShape(c.shape, red);
  let count = 1;
  for (const a of axes) count *= c.shape[a]!;
  const basic: BasicOp = op === "mean" || op === "var" || op === "std" ? "sum" : op;
  if (isConstant(c) && sizeOf(c.shape) > 0) {
    const v = Number(c.data[c.offset]);
    if (op === "var" || op === "std") {
      const zero = constantChunk(0, "float64", outShape);
      return { n: count, a: constantChunk(count ? v : NaN, "float64", outShape), b: constantChunk(constantReduce("m2", v, count), "float64", outShape), c: zero };
    }
    return { n: count, a: constantChunk(constantReduce(basic, v, count), "float64", outShape) };
  }
  const a = reduceBlock(basic, c, axes);
  if (op !== "var" && op !== "std") return { n: count, a };
  // Three passes per block: the mean m, the remainder c = sum(x - m) / n of the mean (m + c is the mean
  // to twice double precision), and M2 = sum((x - m)^2) - n c^2 (the corrected two-pass algorithm).
  const m = a.data as Float64Array;
  for (let i = 0; i < m.length; i++) m[i] = m[i]! / count;
  if (count === 0) return { n: 0, a, b: constantChunk(0, "float64", outShape), c: constantChunk(0, "float64", outShape) };
  const rem = reduceBlock("dev", c, axes, a);
  const m2 = reduceBlock("m2", c, axes, a);
  const r = rem.data as Float64Array;
  const q = m2.data as Float64Array;
  for (let i = 0; i < r.length; i++) {
    const ci = r[i]! / count;
    r[i] = ci;
    q[i] = q[i]! - count * ci * ci;
  }
  return { n: count, a, b: m2, c: rem };
}

/** Folds partials of one group (all of the same shape) into one. */
export function combinePartials(op: ReduceOp | ArgOp, parts: Partial[]): Partial {
  if (parts.length === 1) return parts[0]!;
  const shape = parts[0]!.a.shape;
  const allConst = parts.every((p) => isConstant(p.a) && (!p.b || isConstant(p.b)) && (!p.c || isConstant(p.c)));
  const cells = allConst ? 1 : sizeOf(shape);
  const get = (c: Chunk): Float64Array => (allConst ? Float64Array.of(Number(c.data[c.offset])) : cellsOf(c));
  const a = allConst ? get(parts[0]!.a) : cellsOf(parts[0]!.a, true);
  const hasB = parts[0]!.b !== undefined;
  const b = hasB ? (allConst ? get(parts[0]!.b!) : cellsOf(parts[0]!.b!, true)) : null;
  const hasC = op === "var" || op === "std";
  const zeros = (): Float64Array => new Float64Array(cells);
  const c = hasC ? (parts[0]!.c ? (allConst ? get(parts[0]!.c) : cellsOf(parts[0]!.c, true)) : zeros()) : null;
  let n = parts[0]!.n;
  for (let k = 1; k < parts.length; k++) {
    const p = parts[k]!;
    const pa = get(p.a);
    const pb = hasB ? get(p.b!) : null;
    const pc = hasC ? (p.c ? get(p.c) : zeros()) : null;
    switch (op) {
      case "sum":
      case "mean":
        for (let i = 0; i < cells; i++) a[i]! += pa[i]!;
        break;
      case "prod":
        for (let i = 0; i < cells; i++) a[i]! *= pa[i]!;
        break;
      case "min":
        for (let i = 0; i < cells; i++) {
          const x = pa[i]!;
          if (x < a[i]! || x !== x) a[i] = x;
        }
        break;
      case "max":
        for (let i = 0; i < cells; i++) {
          const x = pa[i]!;
          if (x > a[i]! || x !== x) a[i] = x;
        }
        break;
      case "any":
        for (let i = 0; i < cells; i++) if (pa[i] !== 0) a[i] = 1;
        break;
      case "all":
        for (let i = 0; i < cells; i++) if (pa[i] === 0) a[i] = 0;
        break;
      case "var":
      case "std": {
        // Chan, Golub & LeVeque: merge (n, mean, M2) of two disjoint sets.
        const nb = p.n;
        if (nb === 0) break;
        const na = n;
        const nt = na + nb;
        const wb = nb / nt;
        const wab = (na * nb) / nt;
        for (let i = 0; i < cells; i++) {
          if (na === 0) {
            a[i] = pa[i]!;
            b![i] = pb![i]!;
            c![i] = pc![i]!;
            continue;
          }
          const ma = a[i]!;
          // Difference of the means including their remainders (ma - mb is exact when they are close).
          const delta = pa[i]! - ma + (pc![i]! - c![i]!);
          // New mean = ma + t, kept as a rounded sum plus its rounding error (TwoSum).
          const t = delta * wb;
          const s = ma + t;
          const bv = s - ma;
          a[i] = s;
          c![i] = c![i]! + ((ma - (s - bv)) + (t - bv));
          b![i] = b![i]! + pb![i]! + delta * delta * wab;
        }
        break;
      }
      case "argmin":
      case "argmax": {
        const min = op === "argmin";
        for (let i = 0; i < cells; i++) {
          const ib = pb![i]!;
          if (ib < 0) continue;
          const ia = b![i]!;
          const va = a[i]!;
          const vb = pa[i]!;
          let take: boolean;
          if (ia < 0) take = true;
          else if (va !== va) take = vb !== vb && ib < ia;
          else if (vb !== vb) take = true;
          else take = (min ? vb < va : vb > va) || (vb === va && ib < ia);
          if (take) {
            a[i] = vb;
            b![i] = ib;
          }
        }
        break;
      }
    }
    n += p.n;
  }
  const wrap = (d: Float64Array): Chunk => (allConst ? constantChunk(d[0]!, "float64", shape) : chunkOf(d, shape));
  if (c) return { n, a: wrap(a), b: wrap(b!), c: wrap(c) };
  return b ? { n, a: wrap(a), b: wrap(b) } : { n, a: wrap(a) };
}

/** Combines a group of partials into one partial (an inner level of the tree). */
export function reduceCombine(op: ReduceOp | ArgOp, parts: Partial[]): Partial {
  return combinePartials(op, parts);
}

/** The final values of a reduction from its last group of partials, in `dtype`, with or without the reduced axes. */
export function reduceAggregate(op: ReduceOp | ArgOp, parts: Partial[], axes: number[], keepdims: boolean, dtype: DType, ddof: number): Chunk {
  const p = combinePartials(op, parts);
  const kept = p.a.shape;
  const red = reducedFlags(kept.length, axes);
  const shape = keepdims ? kept.slice() : kept.filter((_, i) => !red[i]);
  const value = (v: number, m2: number): number => {
    switch (op) {
      case "mean":
        return v / p.n;
      case "var":
        return m2 / Math.max(p.n - ddof, 0);
      case "std":
        return Math.sqrt(m2 / Math.max(p.n - ddof, 0));
      default:
        return v;
    }
  };
  const src = op === "argmin" || op === "argmax" ? p.b! : p.a;
  const second = op === "var" || op === "std" ? p.b! : null;
  if (isConstant(src) && (!second || isConstant(second))) {
    const v = value(Number(src.data[src.offset]), second ? Number(second.data[second.offset]) : 0);
    return constantChunk(v, dtype, shape);
  }
  const vs = cellsOf(src);
  const ms = second ? cellsOf(second) : null;
  const out = allocChunk(dtype, shape);
  const d = out.data;
  if (d instanceof BigInt64Array) {
    for (let i = 0; i < vs.length; i++) d[i] = BigInt(Math.trunc(value(vs[i]!, 0)));
  } else if (op === "sum" || op === "prod" || op === "min" || op === "max" || op === "any" || op === "all" || op === "argmin" || op === "argmax") {
    (d as Float64Array).set(vs);
  } else {
    const o = d as Float64Array;
    for (let i = 0; i < vs.length; i++) o[i] = value(vs[i]!, ms ? ms[i]! : 0);
  }
  return out;
}

// --- argmin / argmax --------------------------------------------------------------------------------

/**
 * The partial of one block for argmin/argmax over `axis` (null: the flattened array). `start` is the
 * block's position in the array and `fullShape` the array's shape (for flat indices).
 */
export function argChunk(op: ArgOp, block: Chunk, axis: number | null, start: number[], fullShape: number[]): Partial {
  const c = asNumeric(block);
  const nd = c.shape.length;
  const axes = axis === null ? c.shape.map((_, i) => i) : [axis];
  const red = reducedFlags(nd, axes);
  const outShape = keptShape(c.shape, red);
  // The index of element (i0, i1, ...) of the block is ix0 + sum(i_k * is[k]).
  const fullStrides = cStrides(fullShape);
  const is = axis === null ? fullStrides : c.shape.map((_, i) => (i === axis ? 1 : 0));
  let ix0 = 0;
  for (let i = 0; i < nd; i++) ix0 += start[i]! * is[i]!;
  let count = 1;
  for (const a of axes) count *= c.shape[a]!;
  if (isConstant(c) && count > 0) {
    return { n: count, a: constantChunk(Number(c.data[c.offset]), "float64", outShape), b: constantChunk(ix0, "float64", outShape) };
  }
  const vals = allocChunk("float64", outShape);
  const idx = allocChunk("float64", outShape);
  const o = vals.data as Float64Array;
  const b = idx.data as Float64Array;
  b.fill(-1);
  if (sizeOf(c.shape) === 0) return { n: count, a: vals, b: idx };
  const ost = cStrides(outShape).map((s, i) => (red[i] ? 0 : s));
  // C order (no reordering): each cell sees its elements in increasing index order, so ties keep the first.
  const { shape, strides } = coalesce(c.shape, [c.stride, ost, is]);
  const [ist, os, xs] = strides as [number[], number[], number[]];
  const last = shape.length - 1;
  const s = ist[last]!;
  const so = os[last]!;
  const step = xs[last]!;
  const d = c.data as unknown as ArrayLike<number>;
  const arrays = [
    { offset: c.offset, stride: ist },
    { offset: 0, stride: os },
    { offset: ix0, stride: xs },
  ];
  if (so === 0) {
    const loop = argScalarRow(op, d);
    forEachRow(shape, arrays, (offs, n) => loop(d, offs[0]!, s, n, o, b, offs[1]!, offs[2]!, step));
  } else {
    const loop = argVectorRow(op, d);
    forEachRow(shape, arrays, (offs, n) => loop(d, offs[0]!, s, n, o, b, offs[1]!, so, offs[2]!, step));
  }
  return { n: count, a: vals, b: idx };
}

// --- cumulative scans ---------------------------------------------------------------------------------

/** cumsum/cumprod of one block along `axis`, in float64. */
export function cumScan(op: CumOp, block: Chunk, axis: number): Chunk {
  const c = asNumeric(block);
  const shape = c.shape;
  const len = shape[axis]!;
  if (isConstant(c) && sizeOf(shape) > 0) {
    // A constant block's scan varies only along the axis: one vector, broadcast over the other axes.
    const v = Number(c.data[c.offset]);
    const vec = allocChunk("float64", [len]).data as Float64Array;
    let acc = op === "cumsum" ? 0 : 1;
    for (let t = 0; t < len; t++) vec[t] = acc = op === "cumsum" ? acc + v : acc * v;
    return ndarray(vec as never, shape.slice(), shape.map((_, i) => (i === axis ? 1 : 0)), 0) as Chunk;
  }
  const out = copyAs(c, "float64");
  const d = out.data as Float64Array;
  const inner = cStrides(shape)[axis]!;
  const outer = sizeOf(shape.slice(0, axis));
  const span = len * inner;
  if (inner === 1) {
    // Scans along the last axis: one running value per row.
    for (let q = 0; q < outer && len > 0; q++) {
      const base = q * span;
      let acc = d[base]!;
      if (op === "cumsum") for (let p = base + 1; p < base + len; p++) d[p] = acc += d[p]!;
      else for (let p = base + 1; p < base + len; p++) d[p] = acc *= d[p]!;
    }
    return out;
  }
  for (let q = 0; q < outer; q++) {
    const base = q * span;
    for (let t = 1; t < len; t++) {
      const p = base + t * inner;
      if (op === "cumsum") for (let i = 0; i < inner; i++) d[p + i]! += d[p - inner + i]!;
      else for (let i = 0; i < inner; i++) d[p + i]! *= d[p - inner + i]!;
    }
  }
  return out;
}

/** Applies op elementwise: out = a op b (b broadcast to a's shape), into a new float64 chunk. */
function combineInto(op: CumOp, a: Chunk, b: Chunk, dtype: DType): Chunk {
  const shape = a.shape;
  const out = allocChunk(dtype, shape);
  const bv = broadcastView(b, shape);
  const nd = shape.length;
  const o = out.data as Float64Array;
  const ad = a.data as Float64Array;
  const bd = b.data as Float64Array;
  const sa = nd ? a.stride[nd - 1]! : 1;
  const sb = nd ? bv.stride[nd - 1]! : 1;
  const so = nd ? out.stride[nd - 1]! : 1;
  forEachRow(shape, [out, a, bv], (offs, n) => {
    let po = offs[0]!;
    let pa = offs[1]!;
    let pb = offs[2]!;
    if (op === "cumsum") for (let i = 0; i < n; i++, po += so, pa += sa, pb += sb) o[po] = ad[pa]! + bd[pb]!;
    else for (let i = 0; i < n; i++, po += so, pa += sa, pb += sb) o[po] = ad[pa]! * bd[pb]!;
  });
  return out;
}

/**
 * The running total entering block j along the axis: prevCarry (entering block j-1, null for j-1 = 0)
 * combined with the last slice of block j-1's scan. Reduced axis kept as length 1.
 */
export function cumCarry(op: CumOp, prevCarry: Chunk | null, prevScan: Chunk, axis: number): Chunk {
  const len = prevScan.shape[axis]!;
  const shape = prevScan.shape.map((s, i) => (i === axis ? 1 : s));
  if (len === 0) return prevCarry ?? constantChunk(op === "cumsum" ? 0 : 1, "float64", shape);
  const lo = prevScan.shape.map((_, i) => (i === axis ? len - 1 : 0));
  const lastSlice = prevScan.lo(...lo).hi(...shape) as Chunk;
  if (!prevCarry) return copyAs(lastSlice, "float64");
  return combineInto(op, lastSlice, prevCarry, "float64");
}

/** A block of the scan's result: its own scan combined with the carry from the blocks before it. */
export function cumApply(op: CumOp, carry: Chunk | null, scan: Chunk, dtype: DType): Chunk {
  if (!carry) return dtype === "float64" ? scan : copyAs(scan, dtype);
  return combineInto(op, scan, carry, dtype);
}

/** A block as a 1-d array in C order (flattened scans). */
export function ravelBlock(block: Chunk, dtype: DType): Chunk {
  const c = isContiguous(block) ? block : copyAs(block, dtype);
  const n = sizeOf(block.shape);
  return ndarray(c.data as never, [n], [1], c.offset) as Chunk;
}

registerKernel("array.reduce.chunk", reduceChunk, { stateless: true });
registerKernel("array.reduce.combine", reduceCombine, { stateless: true });
registerKernel("array.reduce.aggregate", reduceAggregate, { stateless: true });
registerKernel("array.reduce.argchunk", argChunk, { stateless: true });
registerKernel("array.cum.scan", cumScan, { stateless: true });
registerKernel("array.cum.carry", cumCarry, { stateless: true });
registerKernel("array.cum.apply", cumApply, { stateless: true });
registerKernel("array.cum.ravel", ravelBlock, { stateless: true });
