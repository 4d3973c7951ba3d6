// Kernel-level checks of reductions on strided chunks (transposed, reversed, offset and broadcast views),
// which array operations such as transpose and slicing hand to reductions without copying.
import { describe, expect, it } from "vitest";
import ndarray from "ndarray";
import { argChunk, cumScan, reduceAggregate, reduceChunk, type Partial } from "@dask-ts/array/kernels/reductions";

type View = ndarray.NdArray<Float64Array>;

function indices(shape: readonly number[]): number[][] {
  let out: number[][] = [[]];
  for (const n of shape) out = out.flatMap((p) => Array.from({ length: n }, (_, i) => [...p, i]));
  return out;
}

/** Brute force: the values of each output cell (reduced axes dropped), in C order of the view. */
function groups(v: View, axes: number[]): Map<string, { vals: number[]; idx: number[][] }> {
  const g = new Map<string, { vals: number[]; idx: number[][] }>();
  for (const i of indices(v.shape)) {
    const key = i.filter((_, ax) => !axes.includes(ax)).join(",");
    const e = g.get(key) ?? { vals: [], idx: [] };
    e.vals.push(v.get(...i));
    e.idx.push(i);
    g.set(key, e);
  }
  return g;
}

function values(c: { shape: number[]; get: (...i: number[]) => number }): number[] {
  return indices(c.shape).map((i) => Number(c.get(...i)));
}

const rel = (a: number, b: number): boolean => (Number.isNaN(b) ? Number.isNaN(a) : Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)));

function views(): [string, View][] {
  const shape = [3, 4, 5];
  const data = Float64Array.from({ length: 60 }, (_, i) => Math.round(Math.sin(i * 1.7) * 100) / 10);
  data[17] = NaN;
  const base = ndarray(data, shape);
  const plain = ndarray(Float64Array.from(data.map((v) => (Number.isNaN(v) ? 0.5 : v))), shape);
  return [
    ["contiguous", plain],
    ["with NaN", base],
    ["transposed", plain.transpose(2, 0, 1)],
    ["reversed", plain.step(-1, 1, -2)],
    ["offset", plain.lo(1, 1, 0).hi(2, 3, 4)],
    ["broadcast", ndarray(plain.data, [3, 4, 5], [20, 0, 1], 0)],
  ];
}

const axisSets = [[0], [1], [2], [0, 1], [0, 2], [1, 2], [0, 1, 2], []];

describe("reduction kernels on strided chunks", () => {
  for (const [label, v] of views()) {
    it(`sum, prod, min, max, mean, var and any on a ${label} view`, () => {
      for (const axes of axisSets) {
        const g = [...groups(v, axes).values()];
        const run = (op: "sum" | "prod" | "min" | "max" | "mean" | "var" | "any", ddof = 0): number[] => {
          const p: Partial = reduceChunk(op, v as never, axes);
          return values(reduceAggregate(op, [p], axes, false, "float64", ddof) as never);
        };
        const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
        const expected = {
          sum: g.map((e) => sum(e.vals)),
          prod: g.map((e) => e.vals.reduce((a, b) => a * b, 1)),
          min: g.map((e) => (e.vals.some(Number.isNaN) ? NaN : Math.min(...e.vals))),
          max: g.map((e) => (e.vals.some(Number.isNaN) ? NaN : Math.max(...e.vals))),
          mean: g.map((e) => sum(e.vals) / e.vals.length),
          var: g.map((e) => {
            const m = sum(e.vals) / e.vals.length;
            return sum(e.vals.map((x) => (x - m) ** 2)) / e.vals.length;
          }),
          any: g.map((e) => (e.vals.some((x) => x !== 0) ? 1 : 0)),
        };
        for (const [op, want] of Object.entries(expected)) {
          const got = run(op as never);
          expect(got.length, `${op} ${axes}`).toBe(want.length);
          got.forEach((x, i) => expect(rel(x, want[i]!), `${op} axes=${axes} cell ${i}: ${x} vs ${want[i]}`).toBe(true));
        }
      }
    });

    it(`argmin/argmax on a ${label} view (first occurrence, NaN first)`, () => {
      const best = (vals: number[], min: boolean): number => {
        let b = 0;
        for (let i = 1; i < vals.length; i++) {
          const x = vals[i]!;
          const y = vals[b]!;
          if (Number.isNaN(y)) break;
          if (Number.isNaN(x) || (min ? x < y : x > y)) b = i;
        }
        return b;
      };
      for (const op of ["argmin", "argmax"] as const) {
        for (const axis of [0, 1, 2, null]) {
          const axes = axis === null ? [0, 1, 2] : [axis];
          const g = [...groups(v, axes).values()];
          const want = g.map((e) => {
            const k = best(e.vals, op === "argmin");
            const at = e.idx[k]!;
            return axis === null ? (at[0]! * v.shape[1]! + at[1]!) * v.shape[2]! + at[2]! : at[axis]!;
          });
          const p = argChunk(op, v as never, axis, [0, 0, 0], v.shape);
          expect(values(reduceAggregate(op, [p], axes, false, "int32", 0) as never), `${op} axis=${axis}`).toEqual(want);
        }
      }
    });

    it(`cumsum/cumprod scans of a ${label} view`, () => {
      for (const axis of [0, 1, 2]) {
        const got = cumScan("cumsum", v as never, axis);
        const gotP = cumScan("cumprod", v as never, axis);
        for (const i of indices(v.shape)) {
          let s = 0;
          let p = 1;
          for (let t = 0; t <= i[axis]!; t++) {
            const j = i.slice();
            j[axis] = t;
            s += v.get(...j);
            p *= v.get(...j);
          }
          expect(rel(got.get(...i) as number, s), `cumsum axis ${axis} at ${i}`).toBe(true);
          expect(rel(gotP.get(...i) as number, p), `cumprod axis ${axis} at ${i}`).toBe(true);
        }
      }
    });
  }
});
