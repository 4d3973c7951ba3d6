import { afterAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import ndarray from "ndarray";
import fc from "fast-check";
import { computeFlat } from "./helpers.js";
import { closeSchedulers } from "@dask-ts/core";
import { da, ShapeError, DTypeError, type DType } from "@dask-ts/array";

interface Side { shape: number[]; dtype: string; data: (number | null)[] }
interface Case { op: string; a: Side; b?: Side; out: Side }
const fixture = JSON.parse(readFileSync(new URL("./fixtures/elementwise.json", import.meta.url), "utf8")) as { cases: Case[] };

const ctor: Record<string, new (n: number) => ArrayLike<number> & { [i: number]: number }> = {
  float64: Float64Array, float32: Float32Array, int32: Int32Array, int16: Int16Array, int8: Int8Array,
  uint32: Uint32Array, uint16: Uint16Array, uint8: Uint8Array, bool: Uint8Array,
};

/** A dask array from fixture data, split into uneven chunks where possible. */
function input(s: Side) {
  const data = new ctor[s.dtype]!(s.data.length);
  s.data.forEach((v, i) => (data[i] = v === null ? NaN : v));
  const nd = ndarray(data as never, s.shape);
  const chunks = s.shape.map((n) => (n > 2 ? [1, n - 1] : [n]));
  return da.fromArray(nd as never, { chunks, dtype: s.dtype as DType });
}

function close(actual: number, expected: number | null, dtype: string): boolean {
  if (expected === null) return Number.isNaN(actual);
  if (dtype === "float32") return Math.abs(actual - expected) <= 1e-5 * Math.max(1, Math.abs(expected));
  return Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected));
}


afterAll(() => closeSchedulers());

describe.each(["sync", "threads", "processes"])("elementwise against NumPy on %s", (scheduler) => {
  it(`matches ${fixture.cases.length} NumPy results: values, shapes and dtypes`, async () => {
    const failures: string[] = [];
    // One merged compute per scheduler keeps the test fast.
    const exprs = fixture.cases.map((c) => {
      const a = input(c.a);
      const b = c.b ? input(c.b) : undefined;
      const fn = (a as unknown as Record<string, (o?: unknown) => typeof a>)[c.op]!;
      return b ? fn.call(a, b) : c.op === "maximum" || c.op === "minimum" ? fn.call(a) : fn.call(a);
    });
    const results = await Promise.all(exprs.map((e) => computeFlat(e, scheduler)));
    fixture.cases.forEach((c, i) => {
      const e = exprs[i]!;
      const label = `${c.op}(${c.a.dtype}[${c.a.shape}]${c.b ? `, ${c.b.dtype}[${c.b.shape}]` : ""})`;
      if (JSON.stringify(e.shape) !== JSON.stringify(c.out.shape)) failures.push(`${label}: shape ${e.shape} != ${c.out.shape}`);
      if (e.dtype !== c.out.dtype) failures.push(`${label}: dtype ${e.dtype} != ${c.out.dtype}`);
      const got = results[i]!;
      c.out.data.forEach((v, j) => {
        if (!close(got[j]!, v, c.out.dtype)) failures.push(`${label}[${j}]: ${got[j]} != ${v}`);
      });
    });
    expect(failures.slice(0, 20)).toEqual([]);
  });
});

// maximum/minimum are functions in the namespace; give the array methods for the fixture loop above.
for (const op of ["maximum", "minimum"] as const) {
  (da.Array.prototype as unknown as Record<string, unknown>)[op] = function (this: InstanceType<typeof da.Array>, o: unknown) {
    return da[op](this, o as never);
  };
}

describe("elementwise semantics", () => {
  it("promotes scalars like NumPy 2 (NEP 50)", () => {
    const i = da.arange(4, { dtype: "int16" });
    expect(i.add(1).dtype).toBe("int16");
    expect(i.add(1.5).dtype).toBe("float64");
    expect(da.ones(3, { dtype: "float32" }).mul(2.5).dtype).toBe("float32");
    expect(da.ones(3, { dtype: "bool" }).add(1).dtype).toBe("int32");
    expect(i.div(2).dtype).toBe("float64");
    expect(i.gt(1).dtype).toBe("bool");
  });

  it("computes where, astype and NaN handling", async () => {
    const x = da.fromArray([1.5, NaN, -2.7, 0], { chunks: 3 });
    expect(await da.where(x.gt(0), x, -1).toArray()).toEqual([1.5, -1, -1, -1]);
    expect(await x.astype("int32").toArray()).toEqual([1, 0, -2, 0]);
    expect(await x.astype("bool").toArray()).toEqual([true, true, true, false]);
    expect(await x.isnan().toArray()).toEqual([false, true, false, false]);
    expect(await da.maximum(x, 0).toArray()).toEqual([1.5, NaN, 0, 0]);
    expect(da.where(x.gt(0), 1, 2).dtype).toBe("int32");
    expect(await da.where(x.gt(0), 1, 2.5).toArray({ scheduler: "sync" })).toEqual([1, 2.5, 2.5, 2.5]);
  });

  it("wraps integer overflow like typed arrays (and NumPy)", async () => {
    const x = da.full([3], 200, { dtype: "uint8" });
    expect(await x.add(x).toArray()).toEqual([144, 144, 144]);
  });

  it("rechunks operands with different chunks to a common chunking", async () => {
    const a = da.arange(10, { chunks: 3 });
    const b = da.arange(10, { chunks: [[5, 5]] }).mul(10);
    const c = a.add(b);
    expect(c.chunks).toEqual([[3, 3, 3, 1]]);
    expect(await c.toArray({ scheduler: "threads" })).toEqual(Array.from({ length: 10 }, (_, i) => 11 * i));
  });

  it("property: any chunking gives the same result as one chunk", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        async (n, m, c0, c1) => {
          const data = Array.from({ length: n }, (_, i) => Array.from({ length: m }, (_, j) => (i * 7 + j * 3) % 11 - 5));
          const one = da.fromArray(data);
          const many = da.fromArray(data, { chunks: [c0, c1] });
          const row = da.fromArray(data[0]!, { chunks: c1 });
          const expr = (x: typeof one) => x.mul(x).sub(row).div(3).add(x.gt(0).astype("float64"));
          const [r1, r2] = await Promise.all([expr(one).toArray({ scheduler: "sync" }), expr(many).toArray({ scheduler: "sync" })]);
          expect(r2).toEqual(r1);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("rejects shapes that cannot broadcast, naming them", () => {
    expect(() => da.ones([3, 4]).add(da.ones([3]))).toThrow(ShapeError);
    expect(() => da.ones([3, 4]).add(da.ones([3]))).toThrow(/\[3, 4\] and \[3\]/);
    expect(() => da.ones([2]).add("x" as never)).toThrow(ShapeError);
    expect(() => da.ones([2]).astype("complex128" as never)).toThrow(DTypeError);
  });
});
