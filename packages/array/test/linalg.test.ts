import { afterAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import ndarray from "ndarray";
import fc from "fast-check";
import { closeSchedulers } from "@dask-ts/core";
import { da, AxisError, ShapeError, type DType } from "@dask-ts/array";
import { computeFlat } from "./helpers.js";

interface Side { shape: number[]; dtype: string; data: number[] }
interface Case {
  op: "dot" | "matmul" | "tensordot";
  axes?: number | number[][];
  a: Side;
  b: Side;
  out: Side;
  chunkings: { a: number[][]; b: number[][] }[];
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/linalg.json", import.meta.url), "utf8")) as { cases: Case[] };

type Arr = ReturnType<typeof da.fromArray>;
const ctor: Record<string, new (n: number) => { [i: number]: number | bigint; length: number }> = {
  float64: Float64Array, float32: Float32Array, int32: Int32Array, int16: Int16Array, int8: Int8Array,
  uint32: Uint32Array, uint16: Uint16Array, uint8: Uint8Array, bool: Uint8Array, int64: Float64Array,
};

/** A dask array from fixture data with the given chunks (int64 data is converted by fromArray). */
function input(s: Side, chunks: number[][]): Arr {
  const data = new ctor[s.dtype]!(s.data.length);
  s.data.forEach((v, i) => (data[i] = v));
  return da.fromArray(ndarray(data as never, s.shape) as never, { chunks, dtype: s.dtype as DType });
}

function apply(c: Case, a: Arr, b: Arr): Arr {
  if (c.op === "dot") return a.dot(b);
  if (c.op === "matmul") return a.matmul(b);
  return da.tensordot(a, b, c.axes as never);
}


function close(actual: number, expected: number, dtype: string): boolean {
  if (dtype === "float32") return Math.abs(actual - expected) <= 1e-5 * Math.max(1, Math.abs(expected));
  if (dtype === "float64") return Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected));
  return actual === expected;
}

/** Row-major product of m x k and k x n plain arrays. */
function naive(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): number[] {
  const c = new Array<number>(m * n).fill(0);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) c[i * n + j]! += a[i * k + p]! * b[p * n + j]!;
  return c;
}

const matrix = (m: number, n: number, f: (i: number, j: number) => number): number[][] =>
  Array.from({ length: m }, (_, i) => Array.from({ length: n }, (_, j) => f(i, j)));

afterAll(() => closeSchedulers());

describe.each(["sync", "threads", "processes"])("dot / matmul / tensordot against NumPy on %s", (scheduler) => {
  const total = fixture.cases.reduce((s, c) => s + c.chunkings.length, 0);
  it(`matches ${fixture.cases.length} NumPy results in ${total} chunkings: values, shapes and dtypes`, async () => {
    const failures: string[] = [];
    const runs = fixture.cases.flatMap((c) =>
      c.chunkings.map((ch) => {
        const label = `${c.op}(${c.a.dtype}[${c.a.shape}] chunks ${JSON.stringify(ch.a)}, ${c.b.dtype}[${c.b.shape}] chunks ${JSON.stringify(ch.b)}${c.axes !== undefined ? `, axes ${JSON.stringify(c.axes)}` : ""})`;
        return { c, label, expr: apply(c, input(c.a, ch.a), input(c.b, ch.b)) };
      }),
    );
    const results = await Promise.all(runs.map((r) => computeFlat(r.expr, scheduler)));
    runs.forEach(({ c, label, expr }, i) => {
      if (JSON.stringify(expr.shape) !== JSON.stringify(c.out.shape)) failures.push(`${label}: shape ${expr.shape} != ${c.out.shape}`);
      if (expr.dtype !== c.out.dtype) failures.push(`${label}: dtype ${expr.dtype} != ${c.out.dtype}`);
      const got = results[i]!;
      if (got.length !== c.out.data.length) failures.push(`${label}: ${got.length} values, expected ${c.out.data.length}`);
      c.out.data.forEach((v, j) => {
        if (!close(got[j]!, v, c.out.dtype)) failures.push(`${label}[${j}]: ${got[j]} != ${v}`);
      });
    });
    expect(failures.slice(0, 20)).toEqual([]);
  });
});

describe("hand-computed products", () => {
  it("multiplies small matrices and vectors", async () => {
    const a = da.fromArray([[1, 2], [3, 4]], { chunks: 1 });
    const b = da.fromArray([[5, 6], [7, 8]], { chunks: [[2], [1, 1]] });
    expect(await a.dot(b).toArray()).toEqual([[19, 22], [43, 50]]);
    expect(await a.matmul(b).toArray({ scheduler: "threads" })).toEqual([[19, 22], [43, 50]]);
    const v = da.fromArray([1, -1], { chunks: 1 });
    expect(await a.dot(v).toArray()).toEqual([-1, -1]);
    expect(await v.dot(a).toArray()).toEqual([-2, -2]);
    expect(await v.dot(v).compute()).toBe(2);
    expect(v.dot(v).shape).toEqual([]);
    const f = da.fromArray([[0.5, 1.5, -2]], { chunks: [1, 2] });
    const g = da.fromArray([[2], [4], [0.25]], { chunks: [2, 1] });
    expect(await f.dot(g).toArray()).toEqual([[6.5]]);
    expect(await g.dot(f).toArray()).toEqual([[1, 3, -4], [2, 6, -8], [0.125, 0.375, -0.5]]);
  });

  it("gives x for x . I and I . x (identity matrices, uneven chunks)", async () => {
    const n = 37;
    const data = matrix(n, n, (i, j) => Math.sin(i * 3 + j) * 10);
    const eye = da.fromArray(matrix(n, n, (i, j) => (i === j ? 1 : 0)), { chunks: [[10, 20, 7], [5, 32]], dtype: "float64" });
    const x = da.fromArray(data, { chunks: [[16, 21], [30, 7]] });
    expect(await x.dot(eye).toArray()).toEqual(data);
    expect(await eye.matmul(x).toArray({ scheduler: "threads" })).toEqual(data);
  });

  it("x.dot(x.T): transposed blocks as the right operand", async () => {
    const m = 9;
    const n = 13;
    const data = matrix(m, n, (i, j) => ((i * 5 + j * 3) % 7) - 3);
    const x = da.fromArray(data, { chunks: [4, 5] });
    const expected = matrix(m, m, (i, j) => data[i]!.reduce((s, v, k) => s + v * data[j]![k]!, 0));
    expect(await x.dot(x.T).toArray()).toEqual(expected);
    expect(await da.tensordot(x, x, [[1], [1]]).toArray({ scheduler: "threads" })).toEqual(expected);
    expect(await x.T.dot(x).toArray()).toEqual(matrix(n, n, (i, j) => data.reduce((s, row) => s + row[i]! * row[j]!, 0)));
  });

  it("dot with a 0-d operand multiplies", async () => {
    const v = da.fromArray([1, 2], { chunks: 1 });
    const s = v.dot(v); // 0-d: 5
    const x = da.fromArray([[1, 2], [3, 4]], { chunks: 1 });
    expect(await s.dot(x).toArray()).toEqual([[5, 10], [15, 20]]);
    expect(await x.dot(s).toArray()).toEqual([[5, 10], [15, 20]]);
  });

  it("handles empty axes: a zero-length contraction gives zeros", async () => {
    const a = da.zeros([3, 0], { chunks: 2 });
    const b = da.zeros([0, 4], { chunks: 2 });
    const c = a.dot(b);
    expect(c.shape).toEqual([3, 4]);
    expect(await c.toArray()).toEqual(matrix(3, 4, () => 0));
    const d = da.ones([0, 3]).dot(da.ones([3, 2]));
    expect(d.shape).toEqual([0, 2]);
    expect(await d.toArray()).toEqual([]);
  });

  it("result dtypes follow NumPy's result_type", () => {
    const f64 = da.ones([2, 2]);
    const f32 = da.ones([2, 2], { dtype: "float32" });
    const i32 = da.ones([2, 2], { dtype: "int32" });
    const i16 = da.ones([2, 2], { dtype: "int16" });
    const b = da.ones([2, 2], { dtype: "bool" });
    expect(f32.dot(f32).dtype).toBe("float32");
    expect(f32.dot(i16).dtype).toBe("float32");
    expect(f32.dot(i32).dtype).toBe("float64");
    expect(i32.dot(f64).dtype).toBe("float64");
    expect(i32.matmul(i16).dtype).toBe("int32");
    expect(b.dot(b).dtype).toBe("bool");
  });
});

describe("many contracted blocks: partial products summed in a tree", () => {
  it("float64, int8 (wrap-around), bool and int64 give the one-chunk result", async () => {
    const k = 41;
    const av = matrix(3, k, (i, j) => ((i * 7 + j * 11) % 9) - 4);
    const bv = matrix(k, 2, (i, j) => ((i * 5 + j * 3) % 7) - 3);
    const expected = naive(av.flat(), bv.flat(), 3, k, 2);
    for (const dtype of ["float64", "int8", "int64", "float32"] as const) {
      const a = da.fromArray(av, { chunks: [3, 1], dtype });
      const b = da.fromArray(bv, { chunks: [1, 1], dtype });
      const c = a.dot(b);
      // 41 block pairs per output block: 6 partial products of up to 7 pairs, then their sum.
      expect(c.dask.layers.size).toBeGreaterThan(3);
      const want = dtype === "int8" ? expected.map((v) => ((((v + 128) % 256) + 256) % 256) - 128) : expected;
      const wantNested = Array.from({ length: 3 }, (_, i) => [0, 1].map((j) => (dtype === "int64" ? BigInt(want[i * 2 + j]!) : want[i * 2 + j]!)));
      expect(await c.toArray({ scheduler: "threads" })).toEqual(wantNested);
    }
    const bools = da.fromArray(matrix(2, k, (i, j) => (j === 30 + i ? 1 : 0)), { chunks: [1, 1], dtype: "bool" });
    const bb = da.fromArray(matrix(k, 2, (i, j) => (i === 31 && j === 1 ? 1 : 0)), { chunks: [1, 2], dtype: "bool" });
    expect(await bools.dot(bb).toArray()).toEqual([[false, false], [false, true]]);
  });

  it("1-d . 1-d over 100 blocks", async () => {
    const n = 1000;
    const v = da.arange(n, { chunks: 10, dtype: "float64" });
    expect(await v.dot(v).compute({ scheduler: "threads" })).toBe(((n - 1) * n * (2 * n - 1)) / 6);
  });
});

describe("float32", () => {
  it("matches a float64 product within float32 tolerance", async () => {
    const m = 60;
    const k = 300;
    const n = 45;
    const av = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i * 0.37));
    const bv = Float32Array.from({ length: k * n }, (_, i) => Math.cos(i * 0.11));
    const expected = naive(av, bv, m, k, n);
    const a = da.fromArray(ndarray(av, [m, k]) as never, { chunks: [25, 100] });
    const b = da.fromArray(ndarray(bv, [k, n]) as never, { chunks: [[150, 150], [45]] });
    const c = a.dot(b);
    expect(c.dtype).toBe("float32");
    const got = await computeFlat(c, "threads");
    const scale = Math.max(...expected.map(Math.abs));
    got.forEach((v, i) => expect(Math.abs(v - expected[i]!)).toBeLessThan(1e-5 * scale));
  });
});

describe("bad shapes raise typed errors at the call, naming both shapes", () => {
  const a = da.ones([2, 3]);
  const b = da.ones([4, 5]);
  it("dot", () => {
    expect(() => a.dot(b)).toThrow(ShapeError);
    expect(() => a.dot(b)).toThrow(/\[2, 3\].*\[4, 5\]/);
    expect(() => da.ones([3]).dot(da.ones([4]))).toThrow(ShapeError);
    expect(() => a.dot(da.ones([2, 4, 3]))).toThrow(/not aligned/);
    expect(a.dot(da.ones([2, 3, 4])).shape).toEqual([2, 2, 4]);
  });
  it("matmul", () => {
    expect(() => a.matmul(b)).toThrow(ShapeError);
    expect(() => a.matmul(b)).toThrow(/\[2, 3\].*\[4, 5\]/);
    const s = da.ones([3]).dot(da.ones([3]));
    expect(() => s.matmul(a)).toThrow(ShapeError);
    expect(() => da.ones([2, 2, 3]).matmul(da.ones([3, 3, 4]))).toThrow(/cannot be broadcast/);
  });
  it("tensordot", () => {
    expect(() => da.tensordot(a, b, 1)).toThrow(ShapeError);
    expect(() => da.tensordot(a, b, 1)).toThrow(/\[2, 3\].*\[4, 5\]/);
    expect(() => da.tensordot(a, b, [[0, 1], [0]])).toThrow(ShapeError);
    expect(() => da.tensordot(a, b, [[2], [0]])).toThrow(AxisError);
    expect(() => da.tensordot(a, b, 3)).toThrow(AxisError);
    expect(() => da.tensordot(a, a, [[0, 0], [0, 1]])).toThrow(AxisError);
    expect(() => da.tensordot(a, 3 as never)).toThrow(ShapeError);
  });
});

describe("properties", () => {
  it("random chunkings give the same product as one chunk (dot, matmul with batches, tensordot)", async () => {
    const chunkList = (n: number, seed: number): number[] => {
      const out: number[] = [];
      let left = n;
      let s = seed;
      while (left > 0) {
        s = (s * 1103515245 + 12345) % 2147483648;
        const c = Math.min(left, 1 + (s % Math.max(1, n)));
        out.push(c);
        left -= c;
      }
      return out.length ? out : [0];
    };
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 0, max: 1e6 }),
        fc.constantFrom("float64", "float32", "int32"),
        async (batch, m, k, n, seed, dtype) => {
          // Small integer values: every chunking sums exactly the same numbers.
          const av = Array.from({ length: batch }, (_, t) => matrix(m, k, (i, j) => ((i * 7 + j * 3 + t + seed) % 11) - 5));
          const bv = Array.from({ length: batch }, (_, t) => matrix(k, n, (i, j) => ((i * 5 + j * 2 + t * 3 + seed) % 9) - 4));
          const one = (x: unknown[]) => da.fromArray(x, { dtype: dtype as DType });
          const many = (x: unknown[], shape: number[], s: number) => da.fromArray(x, { dtype: dtype as DType, chunks: shape.map((d, i) => chunkList(d, s + i * 7919)) });
          const a1 = one(av);
          const b1 = one(bv);
          const am = many(av, [batch, m, k], seed);
          const bm = many(bv, [batch, k, n], seed + 1);
          const a2 = one(av[0]!);
          const a2m = many(av[0]!, [m, k], seed + 2);
          const b2 = one(bv[0]!);
          const b2m = many(bv[0]!, [k, n], seed + 3);
          const pairs: [Arr, Arr][] = [
            [a1.matmul(b1), am.matmul(bm)],
            [a2.dot(b2), a2m.dot(b2m)],
            [da.tensordot(a1, b1, [[0, 2], [0, 1]]), da.tensordot(am, bm, [[0, 2], [0, 1]])],
            [a2.matmul(b1), a2m.matmul(bm)],
          ];
          for (const [x, y] of pairs) {
            expect(y.shape).toEqual(x.shape);
            expect(await computeFlat(y, "sync")).toEqual(await computeFlat(x, "sync"));
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
