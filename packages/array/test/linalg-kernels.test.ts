import { afterAll, afterEach, describe, expect, it } from "vitest";
import { closeSchedulers } from "@dask-ts/core";
import { da } from "@dask-ts/array";
import { engineByName, matmulKernel, setMatmulKernel, wasmAvailable, type Mat } from "@dask-ts/array/kernels/matmul/gemm";

afterAll(() => closeSchedulers());
afterEach(() => setMatmulKernel("auto"));

/** A deterministic value in [-1, 1). */
function val(i: number, seed: number): number {
  let x = (i * 2654435761 + seed * 40503) | 0;
  x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d);
  x ^= x >>> 12;
  return ((x >>> 0) % 2000) / 1000 - 1;
}

/** An m x n matrix stored row-major, column-major ("transposed", as x.T blocks are) or inside a bigger array. */
function makeMat(m: number, n: number, layout: "row" | "col" | "padded", seed: number, Ctor: Float64ArrayConstructor | Float32ArrayConstructor | Int32ArrayConstructor = Float64Array) {
  const values = Array.from({ length: m * n }, (_, i) => (Ctor === Int32Array ? Math.round(val(i, seed) * 1e9) : val(i, seed)));
  if (layout === "row") return { values, mat: { data: Ctor.from(values), offset: 0, rs: n, cs: 1, rows: m, cols: n } as Mat };
  if (layout === "col") {
    const d = new Ctor(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) d[j * m + i] = values[i * n + j]!;
    return { values, mat: { data: d, offset: 0, rs: 1, cs: m, rows: m, cols: n } as Mat };
  }
  // A view with offset 7 and row stride n + 3 (a sub-block of a wider array).
  const d = new Ctor(7 + m * (n + 3));
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) d[7 + i * (n + 3) + j] = values[i * n + j]!;
  return { values, mat: { data: d, offset: 7, rs: n + 3, cs: 1, rows: m, cols: n } as Mat };
}

function reference(pairs: { a: number[]; b: number[]; k: number }[], m: number, n: number, int = false): number[] {
  const c = new Array<number>(m * n).fill(0);
  for (const { a, b, k } of pairs) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s = int ? (s + Math.imul(a[i * k + p]!, b[p * n + j]!)) | 0 : s + a[i * k + p]! * b[p * n + j]!;
        c[i * n + j] = int ? (c[i * n + j]! + s) | 0 : c[i * n + j]! + s;
      }
    }
  }
  return c;
}

const engines = ["js", "int32", ...(wasmAvailable() ? (["wasm-f64", "wasm-f32"] as const) : [])] as const;
// Sizes around the register tiles (4 x 2, 4 x 4, 4 x 8), the row block (64) and the k block (256).
const shapes: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 2],
  [4, 4, 4],
  [5, 9, 7],
  [13, 17, 11],
  [67, 33, 65],
  [9, 300, 10],
  [70, 513, 18],
];

describe.each(engines)("block kernel %s", (name) => {
  const engine = engineByName(name as never);
  const Ctor = name === "int32" ? Int32Array : name === "wasm-f32" ? Float32Array : Float64Array;
  const tol = name === "wasm-f32" ? 1e-4 : name === "int32" ? 0 : 1e-12;

  it.each(shapes)("C (%i x ?) = sum of A.B over strided layouts: m=%i k=%i n=%i", (m, k, n) => {
    const layouts = ["row", "col", "padded"] as const;
    let seed = m * 1000 + k * 10 + n;
    for (const la of layouts) {
      for (const lb of layouts) {
        // Two products accumulated, with different k (as uneven chunks along the contracted axis).
        const k2 = Math.max(1, k - 2);
        const a1 = makeMat(m, k, la, seed++, Ctor);
        const b1 = makeMat(k, n, lb, seed++, Ctor);
        const a2 = makeMat(m, k2, lb, seed++, Ctor);
        const b2 = makeMat(k2, n, la, seed++, Ctor);
        const round = (v: number[]) => (Ctor === Float32Array ? Array.from(Float32Array.from(v)) : v);
        const want = reference([{ a: round(a1.values), b: round(b1.values), k }, { a: round(a2.values), b: round(b2.values), k: k2 }], m, n, name === "int32");
        const out = new Ctor(m * n + 2);
        engine.begin(m, n);
        engine.add(a1.mat, b1.mat);
        engine.add(a2.mat, b2.mat);
        engine.finish(out, 1);
        for (let i = 0; i < m * n; i++) {
          const got = out[i + 1]!;
          const w = want[i]!;
          if (!(Math.abs(got - w) <= tol * Math.max(1, Math.abs(w)) * Math.sqrt(k))) {
            throw new Error(`${name} ${m}x${k}x${n} layouts ${la}/${lb}: C[${i}] = ${got}, expected ${w}`);
          }
        }
      }
    }
  });

  it("begin() resets the accumulator", () => {
    const a = makeMat(5, 6, "row", 1, Ctor);
    const b = makeMat(6, 3, "col", 2, Ctor);
    const out1 = new Ctor(15);
    const out2 = new Ctor(15);
    engine.begin(5, 3);
    engine.add(a.mat, b.mat);
    engine.finish(out1, 0);
    engine.begin(5, 3);
    engine.add(a.mat, b.mat);
    engine.finish(out2, 0);
    expect(Array.from(out2)).toEqual(Array.from(out1));
  });
});

describe("kernel selection", () => {
  it("uses WebAssembly SIMD when available, plain JS when forced; both agree through the graph", async () => {
    expect(matmulKernel()).toBe(wasmAvailable() ? "wasm" : "js");
    const x = da.fromArray(
      Array.from({ length: 70 }, (_, i) => Array.from({ length: 90 }, (_, j) => val(i * 90 + j, 3))),
      { chunks: [[30, 40], [50, 40]] },
    );
    const y = x.T;
    const auto = (await x.dot(y).compute({ scheduler: "sync" })) as { data: Float64Array };
    setMatmulKernel("js");
    expect(matmulKernel()).toBe("js");
    const js = (await x.dot(y).compute({ scheduler: "sync" })) as { data: Float64Array };
    for (let i = 0; i < auto.data.length; i++) expect(Math.abs(auto.data[i]! - js.data[i]!)).toBeLessThan(1e-12);
    expect(() => setMatmulKernel("blas" as never)).toThrow(/unknown kernel/);
  });
});
