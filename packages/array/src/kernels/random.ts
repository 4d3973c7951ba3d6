/**
 * Kernels of random arrays: a counter-based generator, so every element depends only on
 * (seed, distribution, the element's global flat index) and never on the chunking or the scheduler.
 *
 * Generator: SplitMix64 used as a counter-based generator. Element `i` of a stream with 64-bit key `k`
 * is `mix64(k + (i + 1) * GAMMA)` (mod 2^64), the same values a SplitMix64 sequence seeded with `k`
 * yields (it passes BigCrush). Keys come from the seed and the distribution (`streamKey`).
 *
 * Two bit-identical implementations: a small WebAssembly module (native 64-bit multiplies, about
 * 10x faster; the module is assembled below from its instructions, no binary blob) and plain JS
 * on 32-bit halves (the fallback when WebAssembly is unavailable). Tests check both against a
 * BigInt reference.
 *
 *   uniform  [0, 1): the top 53 bits of the 64-bit output times 2^-53.
 *   normal   Box-Muller on pairs: elements 2p and 2p+1 use the uniforms at counters 2p and 2p+1
 *            (r = sqrt(-2 ln(1 - u1)), θ = 2π u2; r cos θ and r sin θ).
 *   randint  unbiased (Lemire's multiply-shift with rejection) on 32-bit words: element i draws the
 *            low then the high half of its 64-bit output, then (rarely) outputs of derived keys.
 */
import { registerKernel } from "@dask-ts/core";
import { allocChunk, cStrides, sizeOf, type Chunk } from "./nd.js";

/** Distributions, each its own stream for a given seed. */
export const DIST_UNIFORM = 1;
export const DIST_NORMAL = 2;
export const DIST_RANDINT = 3;

const TWO32 = 4294967296;
const TWO_M53 = 2 ** -53;
const GAMMA_HI = 0x9e3779b9;
const GAMMA_LO = 0x7f4a7c15;
const M1_HI = 0xbf58476d;
const M1_LO = 0x1ce4e5b9;
const M2_HI = 0x94d049bb;
const M2_LO = 0x133111eb;

// ---------------------------------------------------------------------------------------------
// Plain JS on 32-bit halves (the fallback, and the single-value path).

/** High 32 bits of the 64-bit product of two uint32 (exact: every partial product stays below 2^53). */
function mulhi32(a: number, b: number): number {
  return Math.floor((a * (b >>> 16) + Math.floor((a * (b & 0xffff)) / 65536)) / 65536) >>> 0;
}

/** (aHi:aLo) * (bHi:bLo) mod 2^64, as [hi, lo]. */
function mul64(aHi: number, aLo: number, bHi: number, bLo: number): [number, number] {
  const lo = Math.imul(aLo, bLo) >>> 0;
  const hi = (mulhi32(aLo, bLo) + Math.imul(aLo, bHi) + Math.imul(aHi, bLo)) >>> 0;
  return [hi, lo];
}

/** The Weyl state key + (i + 1) * GAMMA for a counter i < 2^53, as [hi, lo]. */
function weylState(keyHi: number, keyLo: number, i: number): [number, number] {
  const c = i + 1;
  const cLo = c % TWO32 >>> 0;
  const cHi = Math.floor(c / TWO32) >>> 0;
  const [pHi, pLo] = mul64(cHi, cLo, GAMMA_HI, GAMMA_LO);
  const lo = (pLo + keyLo) >>> 0;
  const hi = (pHi + keyHi + (lo < pLo ? 1 : 0)) >>> 0;
  return [hi, lo];
}

/** SplitMix64's output function on a state, as [hi, lo]. */
function mix64(sHi: number, sLo: number): [number, number] {
  let xl = (sLo ^ ((sLo >>> 30) | (sHi << 2))) >>> 0;
  let xh = (sHi ^ (sHi >>> 30)) >>> 0;
  let [zh, zl] = mul64(xh, xl, M1_HI, M1_LO);
  xl = (zl ^ ((zl >>> 27) | (zh << 5))) >>> 0;
  xh = (zh ^ (zh >>> 27)) >>> 0;
  [zh, zl] = mul64(xh, xl, M2_HI, M2_LO);
  return [(zh ^ (zh >>> 31)) >>> 0, (zl ^ ((zl >>> 31) | (zh << 1))) >>> 0];
}

/** The 64-bit output at counter i of the stream with key (keyHi, keyLo), as [hi, lo]. */
export function output64(keyHi: number, keyLo: number, i: number): [number, number] {
  const [sHi, sLo] = weylState(keyHi, keyLo, i);
  return mix64(sHi, sLo);
}

/** The stream key of a seed (a non-negative integer below 2^53) and a distribution, as [hi, lo]. */
export function streamKey(seed: number, dist: number): [number, number] {
  // The dist-th output of the SplitMix64 sequence seeded with `seed`.
  return output64(Math.floor(seed / TWO32) >>> 0, seed % TWO32 >>> 0, dist);
}

/** JS fallback: uniforms of counters start..start+n-1 into out[at..at+n). Same bits as the WebAssembly path. */
function uniformJS(out: Float64Array, at: number, n: number, start: number, keyHi: number, keyLo: number): void {
  let [sHi, sLo] = weylState(keyHi, keyLo, start);
  for (let j = 0; j < n; j++) {
    let xl = (sLo ^ ((sLo >>> 30) | (sHi << 2))) >>> 0;
    let xh = (sHi ^ (sHi >>> 30)) >>> 0;
    let zl = Math.imul(xl, M1_LO) >>> 0;
    let zh = (mulhi32(xl, M1_LO) + Math.imul(xl, M1_HI) + Math.imul(xh, M1_LO)) >>> 0;
    xl = (zl ^ ((zl >>> 27) | (zh << 5))) >>> 0;
    xh = (zh ^ (zh >>> 27)) >>> 0;
    zl = Math.imul(xl, M2_LO) >>> 0;
    zh = (mulhi32(xl, M2_LO) + Math.imul(xl, M2_HI) + Math.imul(xh, M2_LO)) >>> 0;
    xh = (zh ^ (zh >>> 31)) >>> 0;
    xl = (zl ^ ((zl >>> 31) | (zh << 1))) >>> 0;
    out[at + j] = (xh * 2097152 + (xl >>> 11)) * TWO_M53;
    const nl = (sLo + GAMMA_LO) >>> 0;
    sHi = (sHi + GAMMA_HI + (nl < sLo ? 1 : 0)) >>> 0;
    sLo = nl;
  }
}

/** JS fallback: 64-bit outputs of counters start..start+n-1 as (lo, hi) uint32 pairs into out[2*at..). */
function wordsJS(out: Uint32Array, at: number, n: number, start: number, keyHi: number, keyLo: number): void {
  for (let j = 0; j < n; j++) {
    const [hi, lo] = output64(keyHi, keyLo, start + j);
    out[2 * (at + j)] = lo;
    out[2 * (at + j) + 1] = hi;
  }
}

// ---------------------------------------------------------------------------------------------
// WebAssembly: the same generator with native i64 arithmetic, writing into a scratch buffer.

/** Elements per WebAssembly call: 16 KiB of doubles, so the scratch stays in L1 while it is copied out. */
const BATCH = 2048;

function uleb(n: number): number[] {
  const b: number[] = [];
  do {
    let x = n & 0x7f;
    n >>>= 7;
    if (n) x |= 0x80;
    b.push(x);
  } while (n);
  return b;
}

function sleb64(value: bigint): number[] {
  let v = BigInt.asIntN(64, value);
  const b: number[] = [];
  for (;;) {
    const x = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && !(x & 0x40)) || (v === -1n && x & 0x40)) {
      b.push(x);
      return b;
    }
    b.push(x | 0x80);
  }
}

function f64const(x: number): number[] {
  const d = new DataView(new ArrayBuffer(8));
  d.setFloat64(0, x, true);
  return [0x44, ...new Uint8Array(d.buffer)];
}

/**
 * The module, as bytes. Two functions `(out: i32, n: i32, start: f64, keyLo: i32, keyHi: i32)`:
 * `uniform` stores n doubles at byte offset `out`, `words` stores n raw 64-bit outputs. Body:
 *
 *   s = (u64(start) + 1) * GAMMA + (keyHi << 32 | keyLo); end = out + 8n
 *   while (out < end) { z = s; z = (z ^ z >> 30) * M1; z = (z ^ z >> 27) * M2; z ^= z >> 31;
 *                       store(out, uniform ? f64(z >> 11) * 2^-53 : z); s += GAMMA; out += 8 }
 */
function moduleBytes(): Uint8Array {
  const I32 = 0x7f;
  const I64 = 0x7e;
  const F64 = 0x7c;
  const get = (i: number) => [0x20, i];
  const set = (i: number) => [0x21, i];
  const tee = (i: number) => [0x22, i];
  const i64 = (v: bigint) => [0x42, ...sleb64(v)];
  const [OUT, N, START, KLO, KHI, S, Z, END] = [0, 1, 2, 3, 4, 5, 6, 7];
  const GAMMA = 0x9e3779b97f4a7c15n;
  const op = {
    block: 0x02, loop: 0x03, end: 0x0b, brIf: 0x0d, void: 0x40,
    i32Const: 0x41, i32GeU: 0x4f, i32LtU: 0x49, i32Add: 0x6a, i32Shl: 0x74,
    i64Add: 0x7c, i64Mul: 0x7e, i64Or: 0x84, i64Xor: 0x85, i64Shl: 0x86, i64ShrU: 0x88,
    i64ExtendI32U: 0xad, i64TruncF64U: 0xb1, f64ConvertI64U: 0xba, f64Mul: 0xa2,
    i64Store: 0x37, f64Store: 0x39,
  };
  const body = (store: number[]) => [
    ...get(START), op.i64TruncF64U, ...i64(1n), op.i64Add, ...i64(GAMMA), op.i64Mul,
    ...get(KHI), op.i64ExtendI32U, ...i64(32n), op.i64Shl, ...get(KLO), op.i64ExtendI32U, op.i64Or, op.i64Add, ...set(S),
    ...get(OUT), ...get(N), op.i32Const, 3, op.i32Shl, op.i32Add, ...set(END),
    op.block, op.void, ...get(OUT), ...get(END), op.i32GeU, op.brIf, 0,
    op.loop, op.void,
    ...get(S), ...get(S), ...i64(30n), op.i64ShrU, op.i64Xor, ...i64(0xbf58476d1ce4e5b9n), op.i64Mul, ...tee(Z),
    ...get(Z), ...i64(27n), op.i64ShrU, op.i64Xor, ...i64(0x94d049bb133111ebn), op.i64Mul, ...tee(Z),
    ...get(Z), ...i64(31n), op.i64ShrU, op.i64Xor, ...set(Z),
    ...store,
    ...get(S), ...i64(GAMMA), op.i64Add, ...set(S),
    ...get(OUT), op.i32Const, 8, op.i32Add, ...tee(OUT), ...get(END), op.i32LtU, op.brIf, 0,
    op.end, op.end,
  ];
  const storeUniform = [...get(OUT), ...get(Z), ...i64(11n), op.i64ShrU, op.f64ConvertI64U, ...f64const(TWO_M53), op.f64Mul, op.f64Store, 3, 0];
  const storeWord = [...get(OUT), ...get(Z), op.i64Store, 3, 0];
  const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
  const section = (id: number, bytes: number[]) => [id, ...uleb(bytes.length), ...bytes];
  const name = (s: string) => vec([...s].map((c) => [c.charCodeAt(0)]));
  const code = (b: number[]) => {
    const f = [...vec([[2, I64], [1, I32]]), ...b, op.end];
    return [...uleb(f.length), ...f];
  };
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec([[I32], [I32], [F64], [I32], [I32]]), ...vec([])]])),
    ...section(3, vec([[0], [0]])),
    ...section(5, vec([[0x00, ...uleb(1)]])),
    ...section(7, vec([[...name("uniform"), 0, 0], [...name("words"), 0, 1], [...name("memory"), 2, 0]])),
    ...section(10, vec([code(body(storeUniform)), code(body(storeWord))])),
  ]);
}

type WasmFill = (out: number, n: number, start: number, keyLo: number, keyHi: number) => void;
interface Wasm {
  uniform: WasmFill;
  words: WasmFill;
  f64: Float64Array;
  u32: Uint32Array;
}

interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: { uniform: WasmFill; words: WasmFill; memory: { buffer: ArrayBuffer } } };
}

let wasm: Wasm | null | undefined;
let backend: "wasm" | "js" = "wasm";

function getWasm(): Wasm | null {
  if (wasm === undefined) {
    try {
      // The lib typings of this project carry no WebAssembly declarations: describe what is used.
      const WA = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;
      if (!WA) throw new Error("no WebAssembly");
      const ex = new WA.Instance(new WA.Module(moduleBytes()), {}).exports;
      wasm = { uniform: ex.uniform, words: ex.words, f64: new Float64Array(ex.memory.buffer, 0, BATCH), u32: new Uint32Array(ex.memory.buffer, 0, 2 * BATCH) };
    } catch {
      wasm = null;
    }
  }
  return backend === "wasm" ? wasm : null;
}

/** Which implementation the kernels in this thread use ("wasm" unless WebAssembly is unavailable). For tests. */
export function setRandomBackend(b: "wasm" | "js"): void {
  backend = b;
}

/** The implementation in use in this thread. */
export function randomBackend(): "wasm" | "js" {
  return getWasm() ? "wasm" : "js";
}

// ---------------------------------------------------------------------------------------------
// Filling runs of consecutive counters.

const scratchF = new Float64Array(BATCH);
const scratchW = new Uint32Array(2 * BATCH);

/** out[at..at+n) = uniforms at counters start..start+n-1 of the stream (keyHi, keyLo). */
export function fillUniform(out: Float64Array, at: number, n: number, start: number, keyHi: number, keyLo: number): void {
  const w = getWasm();
  if (!w) return uniformJS(out, at, n, start, keyHi, keyLo);
  for (let o = 0; o < n; o += BATCH) {
    const m = Math.min(BATCH, n - o);
    w.uniform(0, m, start + o, keyLo, keyHi);
    out.set(m === BATCH ? w.f64 : w.f64.subarray(0, m), at + o);
  }
}

/** Calls fn(buf, m, start') for batches of uniforms covering counters start..start+n-1 (buf valid until the next call). */
function uniformBatches(n: number, start: number, keyHi: number, keyLo: number, fn: (buf: Float64Array, m: number, first: number) => void): void {
  const w = getWasm();
  for (let o = 0; o < n; o += BATCH) {
    const m = Math.min(BATCH, n - o);
    if (w) w.uniform(0, m, start + o, keyLo, keyHi);
    else uniformJS(scratchF, 0, m, start + o, keyHi, keyLo);
    fn(w ? w.f64 : scratchF, m, start + o);
  }
}

/** Calls fn(buf, m, start') for batches of 64-bit outputs as (lo, hi) uint32 pairs. */
function wordBatches(n: number, start: number, keyHi: number, keyLo: number, fn: (buf: Uint32Array, m: number, first: number) => void): void {
  const w = getWasm();
  for (let o = 0; o < n; o += BATCH) {
    const m = Math.min(BATCH, n - o);
    if (w) w.words(0, m, start + o, keyLo, keyHi);
    else wordsJS(scratchW, 0, m, start + o, keyHi, keyLo);
    fn(w ? w.u32 : scratchW, m, start + o);
  }
}

/** out[at..at+n) = loc + scale * N(0, 1) for global elements start..start+n-1 (Box-Muller on pairs). */
export function fillNormal(out: Float64Array, at: number, n: number, start: number, keyHi: number, keyLo: number, loc: number, scale: number): void {
  if (n <= 0) return;
  const p0 = Math.floor(start / 2);
  const p1 = Math.ceil((start + n) / 2);
  const end = start + n;
  const TWO_PI = 2 * Math.PI;
  // Counters 2p0 .. 2p1-1; BATCH is even, so each batch holds whole pairs.
  uniformBatches(2 * (p1 - p0), 2 * p0, keyHi, keyLo, (u, m, first) => {
    for (let j = 0; j < m; j += 2) {
      const e = first + j; // the global element of the pair's first value
      const r = Math.sqrt(-2 * Math.log(1 - u[j]!));
      const t = TWO_PI * u[j + 1]!;
      if (e >= start) out[at + e - start] = loc + scale * (r * Math.cos(t));
      if (e + 1 < end) out[at + e + 1 - start] = loc + scale * (r * Math.sin(t));
    }
  });
}

/**
 * The integer in [0, range) a 32-bit word x maps to, or -1 when x must be rejected: Lemire's
 * multiply-shift, floor(x * range / 2^32), accepting only when (x * range) mod 2^32 >= 2^32 mod range,
 * which makes every result equally likely. range in [1, 2^32).
 */
function lemire(x: number, range: number, threshold: number): number {
  if (range <= 2097152) {
    const m = x * range; // below 2^53: exact
    const hi = Math.floor(m / TWO32);
    return m - hi * TWO32 >= threshold ? hi : -1;
  }
  const lo = Math.imul(x, range) >>> 0;
  return lo >= threshold ? mulhi32(x, range) : -1;
}

/** out[at..at+n) = integers in [low, low + range) for global elements start..start+n-1; range in [1, 2^32]. */
export function fillRandint(out: Int32Array, at: number, n: number, start: number, keyHi: number, keyLo: number, low: number, range: number): void {
  if (range === TWO32) {
    // Every word is a value.
    wordBatches(n, start, keyHi, keyLo, (w, m, first) => {
      const base = at + first - start;
      for (let j = 0; j < m; j++) out[base + j] = low + w[2 * j]!;
    });
    return;
  }
  const threshold = (TWO32 - range) % range; // 2^32 mod range
  wordBatches(n, start, keyHi, keyLo, (w, m, first) => {
    const base = at + first - start;
    if (range <= 2097152) {
      // Small ranges (the common case): the product is exact in a double.
      for (let j = 0; j < m; j++) {
        const mm = w[2 * j]! * range;
        const hi = Math.floor(mm / TWO32);
        out[base + j] = low + (mm - hi * TWO32 >= threshold ? hi : accept(w[2 * j + 1]!, keyHi, keyLo, first + j, range, threshold));
      }
    } else {
      for (let j = 0; j < m; j++) {
        const v = lemire(w[2 * j]!, range, threshold);
        out[base + j] = low + (v >= 0 ? v : accept(w[2 * j + 1]!, keyHi, keyLo, first + j, range, threshold));
      }
    }
  });
}

/**
 * Element i's value when its first word was rejected: its second word, then (rarely) the words of
 * outputs at counter i of keys derived from the stream key, one per attempt.
 */
function accept(second: number, keyHi: number, keyLo: number, i: number, range: number, threshold: number): number {
  let v = lemire(second, range, threshold);
  for (let attempt = 1; v < 0; attempt++) {
    // Derived keys: outputs at counters 2^53 - 1 - attempt, which no element uses (sizes stay below 2^52).
    const [dHi, dLo] = output64(keyHi, keyLo, 2 ** 53 - 1 - attempt);
    const [hi, lo] = output64(dHi, dLo, i);
    v = lemire(lo, range, threshold);
    if (v < 0) v = lemire(hi, range, threshold);
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Block kernels.

/**
 * Calls fn(at, n, start) for each run of a block whose elements have consecutive global flat
 * indices: `at` is the run's position in the block (C order), `start` its first global index.
 * Trailing axes the block spans fully merge into one run.
 */
export function forEachRun(shape: readonly number[], blockStart: readonly number[], globalShape: readonly number[], fn: (at: number, n: number, start: number) => void): void {
  const nd = shape.length;
  const total = sizeOf(shape);
  if (total === 0) return;
  if (nd === 0) return fn(0, 1, 0);
  const gStride = cStrides(globalShape);
  // k: the first axis of the merged run; every axis after it is spanned fully.
  let k = nd - 1;
  while (k > 0 && shape[k] === globalShape[k]) k--;
  let runLen = 1;
  for (let a = k; a < nd; a++) runLen *= shape[a]!;
  let base = 0;
  for (let a = 0; a < nd; a++) base += blockStart[a]! * gStride[a]!;
  const idx = new Array<number>(k).fill(0);
  let start = base;
  for (let at = 0; at < total; at += runLen) {
    fn(at, runLen, start);
    let ax = k - 1;
    while (ax >= 0) {
      idx[ax]!++;
      start += gStride[ax]!;
      if (idx[ax]! < shape[ax]!) break;
      start -= gStride[ax]! * shape[ax]!;
      idx[ax] = 0;
      ax--;
    }
  }
}

/**
 * A float64 block on shared memory (the copy out of the WebAssembly scratch is about 2x faster into it
 * than into an ArrayBuffer, and threads share it), left uninitialized: every element is written.
 */
function sharedFloat64(shape: readonly number[]): Chunk {
  return allocChunk("float64", shape, { shared: true, uninitialized: true });
}

/** Block of uniforms in [0, 1). */
export function randomUniform(keyHi: number, keyLo: number, shape: number[], blockStart: number[], globalShape: number[]): Chunk {
  const out = sharedFloat64(shape);
  const d = out.data as Float64Array;
  forEachRun(shape, blockStart, globalShape, (at, n, start) => fillUniform(d, at, n, start, keyHi, keyLo));
  return out;
}

/** Block of Normal(loc, scale) values. */
export function randomNormal(keyHi: number, keyLo: number, loc: number, scale: number, shape: number[], blockStart: number[], globalShape: number[]): Chunk {
  const out = allocChunk("float64", shape, { uninitialized: true }); // every element is written
  const d = out.data as Float64Array;
  forEachRun(shape, blockStart, globalShape, (at, n, start) => fillNormal(d, at, n, start, keyHi, keyLo, loc, scale));
  return out;
}

/** Block of int32 values in [low, high). */
export function randomInt(keyHi: number, keyLo: number, low: number, high: number, shape: number[], blockStart: number[], globalShape: number[]): Chunk {
  const out = allocChunk("int32", shape, { uninitialized: true }); // every element is written
  const d = out.data as Int32Array;
  const range = high - low;
  forEachRun(shape, blockStart, globalShape, (at, n, start) => fillRandint(d, at, n, start, keyHi, keyLo, low, range));
  return out;
}

registerKernel("array.random.uniform", randomUniform, { stateless: true });
registerKernel("array.random.normal", randomNormal, { stateless: true });
registerKernel("array.random.randint", randomInt, { stateless: true });
