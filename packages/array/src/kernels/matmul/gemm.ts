/**
 * Block matrix products: C (M x N) = sum over pairs of A (M x K) . B (K x N), with A and B strided views.
 *
 * Engines (measured on 1000 x 1000 float64 blocks, one thread, AMD EPYC 2 vCPU, Node 20; see
 * benchmarks/array-matmul.mjs --kernels):
 *   - "wasm": WebAssembly SIMD (f64x2 / f32x4), packed panels, 4x4 (f64) / 4x8 (f32) register tiles,
 *     kc = 256, mc = 64: ~15-17 GFLOP/s float64, ~30-35 GFLOP/s float32. Source: gemm.wat (build-wasm.mjs).
 *   - "js": the same packing and blocking in plain JS with a 4x2 register tile: ~3.5 GFLOP/s.
 *   - a plain i-k-j loop with 128-blocking does ~0.9 GFLOP/s (kept only in the benchmark, as a reference).
 * The wasm engine is used when WebAssembly SIMD instantiates and passes a self-check; "js" is the
 * always-available fallback. DASK_TS_MATMUL=js|wasm|auto (environment, read by every worker) forces one.
 *
 * Integer products of 32 bits or less use an exact engine with 32-bit wrap-around (Math.imul), as NumPy's
 * integer matmul wraps in the result type.
 */
import { GEMM_WASM_BASE64, GEMM_WASM_BYTES } from "./gemm-wasm.js";

/** A strided matrix view: element (i, j) is data[offset + i * rs + j * cs]. */
export interface Mat {
  readonly data: ArrayLike<number>;
  readonly offset: number;
  readonly rs: number;
  readonly cs: number;
  readonly rows: number;
  readonly cols: number;
}

/** Writable numeric storage (any typed array but BigInt64Array). */
export type NumericOut = { [i: number]: number; readonly length: number };

/** Accumulates C = sum A_p . B_p for one output block. Not re-entrant: one product at a time per engine. */
export interface GemmEngine {
  readonly name: string;
  /** Starts a product of M x N with C = 0. */
  begin(M: number, N: number): void;
  /** C += A . B (A: M x K, B: K x N). */
  add(A: Mat, B: Mat): void;
  /** Writes C row-major into dst starting at `off` (converted to dst's element type). */
  finish(dst: NumericOut, off: number): void;
}

/** Which float engine is in use: "wasm" (WebAssembly SIMD) or "js" (plain JS). */
export type KernelName = "wasm" | "js";

const KC = 256;
const MC = 64;
const MR = 4;

// --- packing ---------------------------------------------------------------------------------------

/**
 * Packs rows [0, M) x columns [k0, k0 + kc) of A into panels of MR rows (rows padded with zeros to Mp),
 * each panel k-major: MR values per step of k.
 */
function packA(dst: NumericOut, o: number, A: Mat, k0: number, kc: number, Mp: number): void {
  const src = A.data;
  const rs = A.rs;
  const cs = A.cs;
  const M = A.rows;
  const base = A.offset + k0 * cs;
  for (let i0 = 0; i0 < Mp; i0 += MR) {
    const rows = M - i0;
    let p = base + i0 * rs;
    if (rows >= MR) {
      const r1 = rs;
      const r2 = 2 * rs;
      const r3 = 3 * rs;
      for (let k = 0; k < kc; k++, p += cs) {
        dst[o] = src[p]!;
        dst[o + 1] = src[p + r1]!;
        dst[o + 2] = src[p + r2]!;
        dst[o + 3] = src[p + r3]!;
        o += 4;
      }
    } else {
      for (let k = 0; k < kc; k++, p += cs) {
        for (let r = 0; r < MR; r++) dst[o++] = r < rows ? src[p + r * rs]! : 0;
      }
    }
  }
}

/**
 * Packs rows [k0, k0 + kc) x columns [0, N) of B into panels of NR columns (padded with zeros to Np),
 * each panel k-major: NR values per step of k.
 */
function packB(dst: NumericOut, o: number, B: Mat, k0: number, kc: number, Np: number, NR: number): void {
  const src = B.data;
  const rs = B.rs;
  const cs = B.cs;
  const N = B.cols;
  const base = B.offset + k0 * rs;
  for (let j0 = 0; j0 < Np; j0 += NR) {
    const cols = N - j0;
    let p = base + j0 * cs;
    if (cols >= NR && cs === 1) {
      for (let k = 0; k < kc; k++, p += rs) for (let c = 0; c < NR; c++) dst[o++] = src[p + c]!;
    } else if (cols >= NR && rs === 1) {
      // B is a transposed view (x.T): read each column contiguously, write it strided into the panel.
      for (let c = 0; c < NR; c++, p += cs) for (let k = 0, q = o + c; k < kc; k++, q += NR) dst[q] = src[p + k]!;
      o += kc * NR;
    } else if (cols >= NR) {
      for (let k = 0; k < kc; k++, p += rs) for (let c = 0, q = p; c < NR; c++, q += cs) dst[o++] = src[q]!;
    } else {
      for (let k = 0; k < kc; k++, p += rs) for (let c = 0; c < NR; c++) dst[o++] = c < cols ? src[p + c * cs]! : 0;
    }
  }
}

function roundUp(n: number, m: number): number {
  return Math.ceil(n / m) * m;
}

function checkShapes(M: number, N: number, A: Mat, B: Mat): void {
  if (A.rows !== M || B.cols !== N || A.cols !== B.rows) {
    throw new Error(`gemm: (${A.rows} x ${A.cols}) . (${B.rows} x ${B.cols}) does not make ${M} x ${N}`);
  }
}

/** Copies the padded C (row stride Np) into dst (row stride N). */
function copyOut(c: Float64Array | Float32Array, cOff: number, Np: number, M: number, N: number, dst: NumericOut, off: number): void {
  const same = (c instanceof Float64Array && dst instanceof Float64Array) || (c instanceof Float32Array && dst instanceof Float32Array);
  for (let i = 0; i < M; i++) {
    const s = cOff + i * Np;
    if (same) (dst as Float64Array).set((c as Float64Array).subarray(s, s + N), off + i * N);
    else for (let j = 0; j < N; j++) dst[off + i * N + j] = c[s + j]!;
  }
}

// --- plain JS ----------------------------------------------------------------------------------------

const JS_NR = 2;

/** C[4 x 2] += panel(A)^T panel(B) over kc steps; C row stride ldc. */
function micro4x2(ap: Float64Array, ai: number, bp: Float64Array, bi: number, kc: number, c: Float64Array, ci: number, ldc: number): void {
  let c00 = 0, c01 = 0, c10 = 0, c11 = 0, c20 = 0, c21 = 0, c30 = 0, c31 = 0;
  for (let k = 0; k < kc; k++) {
    const a0 = ap[ai]!;
    const a1 = ap[ai + 1]!;
    const a2 = ap[ai + 2]!;
    const a3 = ap[ai + 3]!;
    const b0 = bp[bi]!;
    const b1 = bp[bi + 1]!;
    c00 += a0 * b0;
    c01 += a0 * b1;
    c10 += a1 * b0;
    c11 += a1 * b1;
    c20 += a2 * b0;
    c21 += a2 * b1;
    c30 += a3 * b0;
    c31 += a3 * b1;
    ai += 4;
    bi += 2;
  }
  c[ci] += c00;
  c[ci + 1] += c01;
  ci += ldc;
  c[ci] += c10;
  c[ci + 1] += c11;
  ci += ldc;
  c[ci] += c20;
  c[ci + 1] += c21;
  ci += ldc;
  c[ci] += c30;
  c[ci + 1] += c31;
}

/** Cache-blocked, register-tiled plain-JS engine (float64 arithmetic; float32 results are rounded at the end). */
export class JsEngine implements GemmEngine {
  readonly name = "js";
  private c = new Float64Array(0);
  private ap = new Float64Array(0);
  private bp = new Float64Array(0);
  private M = 0;
  private N = 0;
  private Mp = 0;
  private Np = 0;

  begin(M: number, N: number): void {
    this.M = M;
    this.N = N;
    this.Mp = roundUp(M, MR);
    this.Np = roundUp(N, JS_NR);
    const n = this.Mp * this.Np;
    if (this.c.length < n) this.c = new Float64Array(n);
    else this.c.fill(0, 0, n);
  }

  add(A: Mat, B: Mat): void {
    checkShapes(this.M, this.N, A, B);
    const { Mp, Np } = this;
    const K = A.cols;
    if (Mp === 0 || Np === 0 || K === 0) return;
    const kcMax = Math.min(KC, K);
    if (this.ap.length < Mp * kcMax) this.ap = new Float64Array(Mp * kcMax);
    if (this.bp.length < Np * kcMax) this.bp = new Float64Array(Np * kcMax);
    const { ap, bp, c } = this;
    for (let k0 = 0; k0 < K; k0 += KC) {
      const kc = Math.min(KC, K - k0);
      packA(ap, 0, A, k0, kc, Mp);
      packB(bp, 0, B, k0, kc, Np, JS_NR);
      for (let ic = 0; ic < Mp; ic += MC) {
        const mEnd = Math.min(ic + MC, Mp);
        for (let jr = 0; jr < Np; jr += JS_NR) {
          const bi = jr * kc;
          for (let ir = ic; ir < mEnd; ir += MR) micro4x2(ap, ir * kc, bp, bi, kc, c, ir * Np + jr, Np);
        }
      }
    }
  }

  finish(dst: NumericOut, off: number): void {
    copyOut(this.c, 0, this.Np, this.M, this.N, dst, off);
  }
}

// --- WebAssembly SIMD -------------------------------------------------------------------------------

/** The parts of the WebAssembly API used here (the ES2023 lib without DOM does not declare it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

interface GemmExports {
  memory: WasmMemory;
  gemm_f64: (ab: number, bb: number, cb: number, Mp: number, Np: number, kc: number, mc: number) => void;
  gemm_f32: (ab: number, bb: number, cb: number, Mp: number, Np: number, kc: number, mc: number) => void;
}

/** Largest wasm memory the engine asks for; larger products use the JS engine. */
const WASM_MAX_BYTES = 3 * 2 ** 30;

/** The WebAssembly SIMD engine for one element type, over the module's memory: [C | A slab | B slab]. */
export class WasmEngine implements GemmEngine {
  readonly name: string;
  private readonly es: number;
  private readonly NR: number;
  private M = 0;
  private N = 0;
  private Mp = 0;
  private Np = 0;
  private aBase = 0;
  private bBase = 0;
  private view: Float64Array | Float32Array;
  /** Set when this product is too large for wasm memory: the JS engine does it. */
  private fallback: JsEngine | undefined;

  constructor(
    private readonly ex: GemmExports,
    private readonly type: "f64" | "f32",
  ) {
    this.name = `wasm-${type}`;
    this.es = type === "f64" ? 8 : 4;
    this.NR = type === "f64" ? 4 : 8;
    this.view = this.makeView();
  }

  private makeView(): Float64Array | Float32Array {
    return this.type === "f64" ? new Float64Array(this.ex.memory.buffer) : new Float32Array(this.ex.memory.buffer);
  }

  begin(M: number, N: number): void {
    this.M = M;
    this.N = N;
    this.Mp = roundUp(M, MR);
    this.Np = roundUp(N, this.NR);
    const es = this.es;
    // 16-byte aligned regions.
    this.aBase = roundUp(this.Mp * this.Np * es, 16);
    this.bBase = this.aBase + roundUp(this.Mp * KC * es, 16);
    const bytes = this.bBase + this.Np * KC * es;
    this.fallback = undefined;
    const mem = this.ex.memory;
    if (bytes > mem.buffer.byteLength) {
      try {
        if (bytes > WASM_MAX_BYTES) throw new RangeError("too large");
        mem.grow(Math.ceil((bytes - mem.buffer.byteLength) / 65536));
      } catch {
        this.fallback = sharedJs();
        this.fallback.begin(M, N);
        return;
      }
    }
    if (this.view.buffer !== mem.buffer) this.view = this.makeView();
    this.view.fill(0, 0, this.Mp * this.Np);
  }

  add(A: Mat, B: Mat): void {
    if (this.fallback) return this.fallback.add(A, B);
    checkShapes(this.M, this.N, A, B);
    const { Mp, Np, es, NR, aBase, bBase, view } = this;
    const K = A.cols;
    if (Mp === 0 || Np === 0 || K === 0) return;
    const gemm = this.type === "f64" ? this.ex.gemm_f64 : this.ex.gemm_f32;
    for (let k0 = 0; k0 < K; k0 += KC) {
      const kc = Math.min(KC, K - k0);
      packA(view, aBase / es, A, k0, kc, Mp);
      packB(view, bBase / es, B, k0, kc, Np, NR);
      gemm(aBase, bBase, 0, Mp, Np, kc, MC);
    }
  }

  finish(dst: NumericOut, off: number): void {
    if (this.fallback) return this.fallback.finish(dst, off);
    copyOut(this.view, 0, this.Np, this.M, this.N, dst, off);
  }
}

// --- exact integers ----------------------------------------------------------------------------------

/** Integer products with 32-bit wrap-around (exact NumPy semantics for int8..int32, uint8..uint32, bool counts). */
export class Int32Engine implements GemmEngine {
  readonly name = "int32";
  private c = new Int32Array(0);
  private M = 0;
  private N = 0;

  begin(M: number, N: number): void {
    this.M = M;
    this.N = N;
    if (this.c.length < M * N) this.c = new Int32Array(M * N);
    else this.c.fill(0, 0, M * N);
  }

  add(A: Mat, B: Mat): void {
    checkShapes(this.M, this.N, A, B);
    const { M, N, c } = this;
    const K = A.cols;
    const ad = A.data;
    const bd = B.data;
    const bcs = B.cs;
    for (let i = 0; i < M; i++) {
      const ci = i * N;
      for (let k = 0; k < K; k++) {
        const a = ad[A.offset + i * A.rs + k * A.cs]!;
        if (a === 0) continue;
        let q = B.offset + k * B.rs;
        for (let j = 0; j < N; j++, q += bcs) c[ci + j] = (c[ci + j]! + Math.imul(a, bd[q]!)) | 0;
      }
    }
  }

  finish(dst: NumericOut, off: number): void {
    const { M, N, c } = this;
    for (let i = 0; i < M * N; i++) dst[off + i] = c[i]!;
  }
}

// --- selection ---------------------------------------------------------------------------------------

let wasmExports: GemmExports | null | undefined;
let jsEngine: JsEngine | undefined;
let intEngine: Int32Engine | undefined;
const wasmEngines: { f64?: WasmEngine; f32?: WasmEngine } = {};
let forced: KernelName | "auto" | undefined;

function sharedJs(): JsEngine {
  return (jsEngine ??= new JsEngine());
}

function decodeBase64(b64: string): Uint8Array {
  return new Uint8Array(Buffer.from(b64, "base64"));
}

/** A small product checked against a plain loop, so a broken wasm engine is never used. */
function selfCheck(engine: GemmEngine, tol: number): boolean {
  const M = 7, N = 9, K = 11;
  const a = Float64Array.from({ length: M * K }, (_, i) => ((i * 37) % 17) / 7 - 1);
  const b = Float64Array.from({ length: K * N }, (_, i) => ((i * 53) % 19) / 5 - 2);
  const out = new Float64Array(M * N);
  engine.begin(M, N);
  // B given transposed (column-major) to exercise strided packing.
  const bt = new Float64Array(K * N);
  for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) bt[j * K + k] = b[k * N + j]!;
  engine.add({ data: a, offset: 0, rs: K, cs: 1, rows: M, cols: K }, { data: bt, offset: 0, rs: 1, cs: K, rows: K, cols: N });
  engine.finish(out, 0);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a[i * K + k]! * b[k * N + j]!;
      if (!(Math.abs(out[i * N + j]! - s) <= tol * (1 + Math.abs(s)))) return false;
    }
  }
  return true;
}

function loadWasm(): GemmExports | null {
  if (wasmExports !== undefined) return wasmExports;
  wasmExports = null;
  try {
    const bytes = decodeBase64(GEMM_WASM_BASE64);
    const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
    if (bytes.length !== GEMM_WASM_BYTES || !wasm) return null;
    const inst = new wasm.Instance(new wasm.Module(bytes), {});
    const ex = inst.exports as unknown as GemmExports;
    const f64 = new WasmEngine(ex, "f64");
    const f32 = new WasmEngine(ex, "f32");
    if (!selfCheck(f64, 1e-12) || !selfCheck(f32, 1e-5)) return null;
    wasmEngines.f64 = f64;
    wasmEngines.f32 = f32;
    wasmExports = ex;
  } catch {
    wasmExports = null;
  }
  return wasmExports;
}

function requested(): KernelName | "auto" {
  if (forced) return forced;
  const env = typeof process !== "undefined" ? process.env.DASK_TS_MATMUL : undefined;
  return env === "js" || env === "wasm" ? env : "auto";
}

/**
 * Forces the float kernel in this thread ("auto": WebAssembly SIMD when available). Workers follow the
 * DASK_TS_MATMUL environment variable instead.
 */
export function setMatmulKernel(k: KernelName | "auto"): void {
  if (k !== "wasm" && k !== "js" && k !== "auto") throw new Error(`setMatmulKernel: unknown kernel ${JSON.stringify(k)} (wasm, js or auto)`);
  forced = k;
}

/** The float kernel this thread uses: "wasm" unless forced to "js" or WebAssembly SIMD is unavailable. */
export function matmulKernel(): KernelName {
  const r = requested();
  if (r === "js") return "js";
  return loadWasm() ? "wasm" : "js";
}

/** True when the WebAssembly SIMD kernels instantiate and pass their self-check here. */
export function wasmAvailable(): boolean {
  return loadWasm() !== null;
}

/** The engine for float64 ("f64") or float32 ("f32") results. */
export function floatEngine(type: "f64" | "f32"): GemmEngine {
  if (matmulKernel() === "wasm") return wasmEngines[type]!;
  return sharedJs();
}

/** A specific engine, for tests and benchmarks. */
export function engineByName(name: "wasm-f64" | "wasm-f32" | "js" | "int32"): GemmEngine {
  if (name === "js") return sharedJs();
  if (name === "int32") return (intEngine ??= new Int32Engine());
  if (!loadWasm()) throw new Error("WebAssembly SIMD kernels are not available here");
  return wasmEngines[name === "wasm-f64" ? "f64" : "f32"]!;
}

/** The exact integer engine. */
export function int32Engine(): GemmEngine {
  return (intEngine ??= new Int32Engine());
}
