import { afterAll, describe, expect, it, test } from "vitest";
import { readFileSync } from "node:fs";
import ndarray from "ndarray";
import fc from "fast-check";
import { closeSchedulers, compute, config, InvalidArgumentError } from "@dask-ts/core";
import { da, AxisError, ShapeError, type DType, type DaskArray } from "@dask-ts/array";
import { flatValues } from "./helpers.js";

type Num = number | null | "inf" | "-inf";
interface Input { name: string; shape: number[]; dtype: string; chunks: number[][]; data: Num[] }
interface Case {
  input: string;
  op: string;
  axis: number | number[] | null;
  keepdims?: boolean;
  ddof?: number;
  out: { shape: number[]; dtype: string; data: Num[] };
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/reductions.json", import.meta.url), "utf8")) as {
  inputs: Input[];
  cases: Case[];
};

const num = (v: Num): number => (v === null ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : v);

const ctor: Record<string, new (n: number) => { [i: number]: number | bigint; length: number }> = {
  float64: Float64Array, float32: Float32Array, int32: Int32Array, int16: Int16Array, int8: Int8Array,
  uint32: Uint32Array, uint16: Uint16Array, uint8: Uint8Array, bool: Uint8Array, int64: BigInt64Array,
};

function input(s: Input): DaskArray {
  const data = new ctor[s.dtype]!(s.data.length);
  s.data.forEach((v, i) => (data[i] = s.dtype === "int64" ? BigInt(num(v)) : num(v)));
  return da.fromArray(ndarray(data as never, s.shape) as never, { chunks: s.chunks, dtype: s.dtype as DType });
}


function close(actual: number, expected: number, tol: number): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (!Number.isFinite(expected)) return actual === expected;
  return Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected));
}

function build(x: DaskArray, c: Case): DaskArray {
  const axis = c.axis ?? undefined;
  switch (c.op) {
    case "argmin":
    case "argmax":
      return x[c.op]({ axis: axis as number | undefined, keepdims: c.keepdims } as never);
    case "cumsum":
    case "cumprod":
      return x[c.op](axis as number);
    default:
      return (x as unknown as Record<string, (o: object) => DaskArray>)[c.op]!({ axis, keepdims: c.keepdims, ddof: c.ddof });
  }
}

afterAll(() => closeSchedulers());

describe.each(["sync", "threads", "processes"])("reductions against NumPy on %s", (scheduler) => {
  it(`matches ${fixture.cases.length} NumPy results: values, shapes and dtypes`, async () => {
    const inputs = new Map(fixture.inputs.map((s) => [s.name, input(s)]));
    const exprs = fixture.cases.map((c) => build(inputs.get(c.input)!, c));
    // One merged compute per scheduler: shared input blocks are computed once.
    const results = await compute(...exprs, { scheduler: scheduler as "sync" });
    const failures: string[] = [];
    fixture.cases.forEach((c, i) => {
      const e = exprs[i]!;
      const label = `${c.op}(${c.input}, axis=${JSON.stringify(c.axis)}, keepdims=${c.keepdims ?? false}${c.ddof !== undefined ? `, ddof=${c.ddof}` : ""})`;
      if (JSON.stringify(e.shape) !== JSON.stringify(c.out.shape)) failures.push(`${label}: shape ${JSON.stringify(e.shape)} != ${JSON.stringify(c.out.shape)}`);
      if (e.dtype !== c.out.dtype) failures.push(`${label}: dtype ${e.dtype} != ${c.out.dtype}`);
      const r = results[i];
      if (c.out.shape.length === 0) {
        const want = c.out.dtype === "bool" ? "boolean" : "number";
        if (typeof r !== want) failures.push(`${label}: a 0-d result should compute to a ${want}; got ${typeof r}`);
      }
      const got = flatValues(r);
      if (got.length !== c.out.data.length) failures.push(`${label}: ${got.length} values, expected ${c.out.data.length}`);
      const tol = c.out.dtype === "float32" ? 2e-6 : 1e-10;
      c.out.data.forEach((v, j) => {
        if (!close(got[j]!, num(v), tol)) failures.push(`${label}[${j}]: ${got[j]} != ${num(v)}`);
      });
    });
    expect(failures.slice(0, 20)).toEqual([]);
  });
});

const SCHEDULERS = ["sync", "threads", "processes"] as const;

describe.each(SCHEDULERS)("reductions: closed forms and hand-computed values on %s", (scheduler) => {
  // Every compute in these tests runs on the scheduler of this block.
  const it = (name: string, fn: () => Promise<void> | void): void => {
    test(name, () => config.with({ scheduler }, fn));
  };

  it("sum, mean, var, std and prod of ranges", async () => {
    const n = 1000;
    const x = da.arange(n, { chunks: 7 });
    const [s, m, v, sd1, p, mn, mx] = await compute(
      x.sum(),
      x.mean(),
      x.var(),
      x.std({ ddof: 1 }),
      da.arange(1, 11, { chunks: 3 }).prod(),
      x.min(),
      x.max(),
    );
    expect(s).toBe((n * (n - 1)) / 2);
    expect(m).toBeCloseTo((n - 1) / 2, 12);
    expect(Math.abs((v as number) - (n * n - 1) / 12)).toBeLessThan(1e-9);
    expect(Math.abs((sd1 as number) - Math.sqrt((n * (n + 1)) / 12))).toBeLessThan(1e-9);
    expect(p).toBe(3628800);
    expect([mn, mx]).toEqual([0, n - 1]);
  });

  it("reduces one axis or several, with keepdims", async () => {
    const x = da.fromArray([[1, 2, 3], [4, 5, 6]], { chunks: [1, 2] });
    expect(await x.sum({ axis: 0 }).toArray()).toEqual([5, 7, 9]);
    expect(await x.sum({ axis: -1 }).toArray()).toEqual([6, 15]);
    expect(await x.sum({ axis: 1, keepdims: true }).toArray()).toEqual([[6], [15]]);
    expect(await x.sum({ axis: [0, 1], keepdims: true }).toArray()).toEqual([[21]]);
    expect(await x.prod({ axis: 0 }).toArray()).toEqual([4, 10, 18]);
    expect(await x.mean({ axis: 0 }).toArray()).toEqual([2.5, 3.5, 4.5]);
    expect(await x.var({ axis: 1 }).toArray()).toEqual([2 / 3, 2 / 3]);
    expect(await x.var({ axis: 0, ddof: 1 }).toArray()).toEqual([4.5, 4.5, 4.5]);
    expect(await x.min({ axis: 1 }).toArray()).toEqual([1, 4]);
    expect(await x.max({ axis: 0 }).toArray()).toEqual([4, 5, 6]);
    expect(await x.argmax({ axis: 0 }).toArray()).toEqual([1, 1, 1]);
    expect(await x.argmin({ axis: 1 }).toArray()).toEqual([0, 0]);
    expect(await x.argmax().compute()).toBe(5);
    expect(await x.gt(3).any({ axis: 1 }).toArray()).toEqual([false, true]);
    expect(await x.gt(0).all().compute()).toBe(true);
    expect(await x.gt(1).all().compute()).toBe(false);
    expect(await x.sum({ axis: [] }).toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
  });

  it("gives NumPy's dtypes, shapes and chunks", () => {
    const x = da.ones([5, 6], { chunks: [[2, 3], [4, 2]], dtype: "int32" });
    expect(x.sum().dtype).toBe("float64");
    expect(x.sum().shape).toEqual([]);
    expect(x.sum({ axis: 0 }).chunks).toEqual([[4, 2]]);
    expect(x.sum({ axis: 0, keepdims: true }).chunks).toEqual([[1], [4, 2]]);
    expect(x.mean({ axis: 1 }).chunks).toEqual([[2, 3]]);
    expect(x.astype("float32").sum().dtype).toBe("float32");
    expect(x.astype("float32").var().dtype).toBe("float32");
    expect(x.astype("int16").mean().dtype).toBe("float64");
    expect(x.astype("int16").min().dtype).toBe("int16");
    expect(x.astype("int64").max().dtype).toBe("int64");
    expect(x.any().dtype).toBe("bool");
    expect(x.argmax().dtype).toBe("int32");
    expect(x.cumsum(0).dtype).toBe("float64");
    expect(x.cumsum(1).chunks).toEqual([[2, 3], [4, 2]]);
    expect(x.astype("float32").cumprod(0).dtype).toBe("float32");
  });

  it("computes full reductions to JS numbers and booleans", async () => {
    const x = da.arange(10, { chunks: 4 });
    expect(typeof (await x.sum().compute())).toBe("number");
    expect(await x.gt(5).any().compute()).toBe(true);
    expect(await x.astype("int64").max().compute()).toBe(9);
    expect(await x.astype("uint8").min().compute()).toBe(0);
  });

  it("propagates NaN like NumPy", async () => {
    const x = da.fromArray([1, NaN, 3, NaN, -1], { chunks: 2 });
    const [s, mn, mx, m, v, amin, amax, any, all] = await compute(
      x.sum(), x.min(), x.max(), x.mean(), x.var(), x.argmin(), x.argmax(), x.any(), x.all(),
    );
    expect([s, mn, mx, m, v].every(Number.isNaN)).toBe(true);
    expect([amin, amax]).toEqual([1, 1]);
    expect([any, all]).toEqual([true, true]); // NaN is truthy
    const y = da.fromArray([[1, 2], [NaN, 0]], { chunks: 1 });
    expect(await y.min({ axis: 0 }).toArray()).toEqual([NaN, 0]);
    expect(await y.argmax({ axis: 0 }).toArray()).toEqual([1, 0]);
    expect(await y.cumsum(0).toArray()).toEqual([[1, 2], [NaN, 2]]);
  });

  it("argmin/argmax take the first of ties, across chunk boundaries", async () => {
    const x = da.fromArray([3, 1, 4, 1, 5, 9, 2, 6, 5, 9, 1, 0, 9], { chunks: 3 });
    expect(await x.argmax({ splitEvery: 2 }).compute()).toBe(5);
    expect(await x.argmin().compute()).toBe(11);
    const y = da.fromArray([[7, 7], [7, 7], [2, 2]], { chunks: 1 });
    expect(await y.argmax({ axis: 0 }).toArray()).toEqual([0, 0]);
    expect(await y.argmax().compute()).toBe(0);
    expect(await y.argmin().compute()).toBe(4);
    expect(await da.full([4, 5], 7, { chunks: 2 }).argmin().compute()).toBe(0);
    expect(await da.full([4, 5], 7, { chunks: 2 }).argmax({ axis: 1 }).toArray()).toEqual([0, 0, 0, 0]);
  });

  it("handles empty reductions: sum 0, prod 1, mean and var NaN", async () => {
    const e = da.zeros([0, 3], { chunks: [[0], [2, 1]] });
    expect(await e.sum({ axis: 0 }).toArray()).toEqual([0, 0, 0]);
    expect(await e.prod({ axis: 0 }).toArray()).toEqual([1, 1, 1]);
    expect(await e.mean({ axis: 0 }).toArray()).toEqual([NaN, NaN, NaN]);
    expect(await e.var({ axis: 0 }).toArray()).toEqual([NaN, NaN, NaN]);
    expect(await e.sum().compute()).toBe(0);
    expect(await e.any().compute()).toBe(false);
    expect(await e.all().compute()).toBe(true);
    expect(await e.max({ axis: 1 }).toArray()).toEqual([]);
  });

  it("var/std are numerically sound (Chan's parallel formula, not sums of squares)", async () => {
    // 1e9 + [0, 1, 2, 3] repeated: the naive E[x^2] - E[x]^2 loses every digit at this offset.
    const n = 4000;
    const data = Float64Array.from({ length: n }, (_, i) => 1e9 + (i % 4));
    const x = da.fromArray(data, { chunks: 37 });
    expect(Math.abs((await x.var().compute()) as number - 1.25)).toBeLessThan(1e-6);
    expect(Math.abs((await x.mean().compute()) as number - (1e9 + 1.5))).toBeLessThan(1e-6);
    expect(Math.abs((await x.std({ ddof: 1, splitEvery: 2 }).compute()) as number - Math.sqrt((1.25 * n) / (n - 1)))).toBeLessThan(1e-6);
  });

  it("ddof >= n gives inf or NaN as NumPy", async () => {
    const x = da.fromArray([1, 2], { chunks: 1 });
    expect(await x.var({ ddof: 3 }).compute()).toBe(Infinity);
    expect(await da.fromArray([1.5]).var({ ddof: 1 }).compute()).toBeNaN();
    expect(await x.var({ ddof: -1 }).compute()).toBeCloseTo(1 / 6, 14);
  });

  it("reduces constant arrays without materializing blocks", async () => {
    const big = da.ones([20000, 20000], { chunks: [2000, 2000] });
    expect(await big.sum().compute()).toBe(4e8);
    const x = da.full([10, 12], 2, { chunks: [3, 5], dtype: "float64" });
    const [s, p, m, v, mn, amax] = await compute(x.sum(), x.prod(), x.mean(), x.var(), x.min(), x.argmax());
    expect([s, p, m, v, mn, amax]).toEqual([240, 2 ** 120, 2, 0, 2, 0]);
    expect(await x.sum({ axis: 0 }).toArray()).toEqual(new Array(12).fill(20));
    expect(await da.full([3, 4], 0.5, { chunks: 2 }).cumsum(1).toArray()).toEqual(new Array(3).fill([0.5, 1, 1.5, 2]));
  });

  it("cumsum/cumprod carry totals across blocks along the axis", async () => {
    const x = da.arange(20, { chunks: [[3, 0, 7, 10]] });
    const tri = Array.from({ length: 20 }, (_, i) => (i * (i + 1)) / 2);
    expect(await x.cumsum(0).toArray()).toEqual(tri);
    expect(await x.cumsum(-1).toArray()).toEqual(tri);
    const y = da.fromArray([[1, 2, 3], [4, 5, 6], [7, 8, 9]], { chunks: 1 });
    expect(await y.cumsum(0).toArray()).toEqual([[1, 2, 3], [5, 7, 9], [12, 15, 18]]);
    expect(await y.cumprod(1).toArray()).toEqual([[1, 2, 6], [4, 20, 120], [7, 56, 504]]);
    expect(await y.cumsum(undefined as never).toArray()).toEqual([1, 3, 6, 10, 15, 21, 28, 36, 45]);
    expect(await da.arange(1, 8, { chunks: 2, dtype: "int64" }).cumprod(0).toArray()).toEqual([1, 2, 6, 24, 120, 720, 5040]);
  });

  it("any splitEvery gives the same results; splitEvery sets the tree's depth", async () => {
    const x = da.arange(100, { chunks: 1 });
    const levels = (a: DaskArray): number => [...a.dask.layers.keys()].filter((k) => k.startsWith("sum-partial")).length;
    expect(levels(x.sum({ splitEvery: 4 }))).toBe(3); // 100 -> 25 -> 7 -> 2 -> aggregate
    expect(levels(x.sum({ splitEvery: 100 }))).toBe(0);
    expect(levels(x.sum())).toBe(1); // default 16: 100 -> 7 -> aggregate
    for (const splitEvery of [2, 3, 5, 16, 1000]) {
      expect(await x.sum({ splitEvery }).compute()).toBe(4950);
      expect(await x.argmax({ splitEvery }).compute()).toBe(99);
    }
    // Two reduced axes share the fan-in: 16 -> 4 x 4.
    const y = da.ones([16, 16], { chunks: 1 });
    expect(levels(y.sum({ splitEvery: 16 }))).toBe(1);
    expect(await y.sum({ splitEvery: 2 }).compute()).toBe(256);
  });
});

describe("reductions: bad input is rejected at the call", () => {
  const x = da.ones([3, 4], { chunks: 2 });
  it("axis out of range, duplicates and non-integers -> AxisError naming the shape", () => {
    expect(() => x.sum({ axis: 2 })).toThrow(AxisError);
    expect(() => x.sum({ axis: 2 })).toThrow(/\[3, 4\]/);
    expect(() => x.mean({ axis: -3 })).toThrow(AxisError);
    expect(() => x.sum({ axis: [0, -2] })).toThrow(AxisError);
    expect(() => x.sum({ axis: [0, -2] })).toThrow(/duplicate/);
    expect(() => x.max({ axis: 0.5 })).toThrow(AxisError);
    expect(() => x.argmax({ axis: 5 })).toThrow(AxisError);
    expect(() => x.cumsum(2)).toThrow(AxisError);
    expect(() => x.cumsum(2)).toThrow(/\[3, 4\]/);
    expect(() => da.ones([], {}).sum({ axis: 0 })).toThrow(AxisError);
  });
  it("bad splitEvery, keepdims or ddof -> InvalidArgumentError", () => {
    expect(() => x.sum({ splitEvery: 1 })).toThrow(InvalidArgumentError);
    expect(() => x.sum({ splitEvery: 2.5 })).toThrow(InvalidArgumentError);
    expect(() => x.argmin({ splitEvery: 0 })).toThrow(InvalidArgumentError);
    expect(() => x.sum({ splitEvery: "4" as never })).toThrow(InvalidArgumentError);
    expect(() => x.sum({ keepdims: 1 as never })).toThrow(InvalidArgumentError);
    expect(() => x.var({ ddof: NaN })).toThrow(InvalidArgumentError);
  });
  it("min/max/argmin of an empty axis -> ShapeError at the call", () => {
    const e = da.zeros([0, 3], { chunks: [[0], [3]] });
    expect(() => e.min()).toThrow(ShapeError);
    expect(() => e.max({ axis: 0 })).toThrow(/zero-size/);
    expect(() => e.argmin()).toThrow(ShapeError);
    expect(() => e.argmax({ axis: 0 })).toThrow(ShapeError);
    expect(() => e.min({ axis: 1 })).not.toThrow();
  });
});

describe("reductions: property tests (random chunkings match one chunk)", () => {
  const rel = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  const sameValues = (a: unknown, b: unknown): boolean => {
    const fa = flatValues(a);
    const fb = flatValues(b);
    return fa.length === fb.length && fa.every((v, i) => (Number.isNaN(v) ? Number.isNaN(fb[i]!) : rel(v, fb[i]!)));
  };

  it("sum/mean/var/argmax over random axes, chunkings and splitEvery", async () => {
    const shapeArb = fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 });
    await fc.assert(
      fc.asyncProperty(
        shapeArb.chain((shape) =>
          fc.record({
            shape: fc.constant(shape),
            chunks: fc.tuple(...shape.map((n) => fc.integer({ min: 1, max: n }))),
            axis: fc.oneof(fc.constant(undefined), fc.integer({ min: -shape.length, max: shape.length - 1 })),
            splitEvery: fc.integer({ min: 2, max: 5 }),
            seed: fc.integer({ min: 0, max: 1000 }),
          }),
        ),
        async ({ shape, chunks, axis, splitEvery, seed }) => {
          const size = shape.reduce((a, b) => a * b, 1);
          const data = Float64Array.from({ length: size }, (_, i) => Math.sin(seed + i * 12.9898) * 1000);
          const nd = ndarray(data as never, shape);
          const one = da.fromArray(nd as never, { chunks: shape.map((n) => n) });
          const many = da.fromArray(nd as never, { chunks });
          const ops = (x: DaskArray): DaskArray[] => [
            x.sum({ axis, splitEvery }),
            x.mean({ axis, splitEvery }),
            x.var({ axis, splitEvery, ddof: 1 }),
            x.argmax({ axis, splitEvery }),
            x.cumsum(axis ?? 0),
          ];
          const [a, b] = await Promise.all([compute(...ops(one), { scheduler: "sync" }), compute(...ops(many), { scheduler: "sync" })]);
          a.forEach((r, i) => expect(sameValues(r, b[i]), `op ${i}: ${JSON.stringify(flatValues(r))} vs ${JSON.stringify(flatValues(b[i]))}`).toBe(true));
        },
      ),
      { numRuns: 60 },
    );
  });
});
