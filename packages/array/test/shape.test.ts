// transpose, reshape, concatenate and stack: hand-computed cases, chunks, views, bad input, properties.
import { afterAll, describe, expect, it } from "vitest";
import ndarray from "ndarray";
import fc from "fast-check";
import { closeSchedulers, persist, Literal } from "@dask-ts/core";
import { da, AxisError, ShapeError } from "@dask-ts/array";
import { reshapeRechunk, expandTuple, contractTuple } from "@dask-ts/array/reshape";
import { view, transposeBlock, reshapeBlock, expandDims } from "@dask-ts/array/kernels/shape";

afterAll(() => closeSchedulers());

type Arr = ReturnType<typeof da.ones>;
function range(n: number): number[];
function range<T>(n: number, f: (i: number) => T): T[];
function range(n: number, f: (i: number) => unknown = (i) => i): unknown[] {
  return Array.from({ length: n }, (_, i) => f(i));
}

/** 0..n-1 in a given shape and chunks. */
function arange(shape: number[], chunks: number[][] | number[] | number): Arr {
  const size = shape.reduce((a, b) => a * b, 1);
  return da.fromArray(ndarray(Float64Array.from(range(size)), shape), { chunks });
}

describe.each(["sync", "threads", "processes"])("shape operations on %s", (scheduler) => {
  const opts = { scheduler: scheduler as "sync" };

  it("transpose: T reverses axes, chunks permuted, negative axes", async () => {
    const x = arange([2, 3], [[1, 1], [2, 1]]);
    expect(x.T.shape).toEqual([3, 2]);
    expect(x.T.chunks).toEqual([[2, 1], [1, 1]]);
    expect(await x.T.toArray(opts)).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(await x.transpose([-1, 0]).toArray(opts)).toEqual([[0, 3], [1, 4], [2, 5]]);
    const y = arange([2, 3, 4], [[1, 1], [2, 1], [3, 1]]);
    const t = y.transpose([1, 2, 0]);
    expect([t.shape, t.chunks]).toEqual([[3, 4, 2], [[2, 1], [3, 1], [1, 1]]]);
    // t[i][j][k] = y[k][i][j] = 12k + 4i + j
    expect(await t.toArray(opts)).toEqual(range(3, (i) => range(4, (j) => range(2, (k) => 12 * k + 4 * i + j))));
    expect(await y.T.get(3, 2, 1).compute(opts)).toBe(12 + 8 + 3);
    // transposing twice gives the array back; T of 1-d and 0-d is the array itself
    expect(await y.T.T.toArray(opts)).toEqual(await y.toArray(opts));
    const v = arange([4], 3);
    expect(v.T).toBe(v);
    expect(x.transpose([0, 1])).toBe(x);
    // transposed blocks feed other operations
    expect(await x.add(x.T.T.mul(10)).toArray(opts)).toEqual([[0, 11, 22], [33, 44, 55]]);
    const sq = arange([3, 3], 2);
    expect(await sq.add(sq.T).toArray(opts)).toEqual(range(3, (i) => range(3, (j) => 3 * i + j + 3 * j + i)));
  });

  it("reshape: splits, merges, mixed, -1, 1-d to 4-d", async () => {
    const v = arange([12], 4);
    const m = v.reshape([3, 4]);
    expect([m.shape, m.chunks]).toEqual([[3, 4], [[1, 1, 1], [4]]]);
    expect(await m.toArray(opts)).toEqual(range(3, (i) => range(4, (j) => 4 * i + j)));
    const n = v.reshape([2, -1]);
    // Dask's contract_tuple((4, 4, 4), 6) = (6, 6): blocks of one row of 6
    expect([n.shape, n.chunks]).toEqual([[2, 6], [[1, 1], [6]]]);
    expect(await n.toArray(opts)).toEqual([range(6), range(6, (i) => i + 6)]);
    const x = arange([4, 6], [[2, 2], [3, 3]]);
    const f = x.reshape([24]);
    expect(f.chunks).toEqual([[6, 6, 6, 6]]);
    expect(await f.toArray(opts)).toEqual(range(24));
    expect(await x.reshape([-1]).toArray(opts)).toEqual(range(24));
    // (4, 6) -> (6, 4) is neither a merge nor a split: whole rows regrouped by lcm(6, 4)
    const s = x.reshape([6, 4]);
    expect(s.chunks).toEqual([[3, 3], [4]]);
    expect(await s.toArray(opts)).toEqual(range(6, (i) => range(4, (j) => 4 * i + j)));
    const d4 = x.reshape([2, 2, 3, 2]);
    expect(await d4.toArray(opts)).toEqual(range(2, (a) => range(2, (b) => range(3, (c) => range(2, (d) => 12 * a + 6 * b + 2 * c + d)))));
    expect(await d4.reshape([4, 6]).toArray(opts)).toEqual(await x.toArray(opts));
    expect(await x.reshape([1, 24, 1]).get(0, "20:", 0).toArray(opts)).toEqual([20, 21, 22, 23]);
    // size-1 and 0-d
    const one = arange([1], 1);
    expect(await one.reshape([]).compute(opts)).toBe(0);
    expect(await one.reshape([]).reshape([1, 1]).toArray(opts)).toEqual([[0]]);
    expect(x.reshape([4, 6])).toBe(x);
    // empty arrays
    const e = da.ones([0, 4], { chunks: 2 });
    expect([e.reshape([2, 0]).shape, await e.reshape([2, 0, 3]).toArray(opts)]).toEqual([[2, 0], [[], []]]);
    // transposed (non-contiguous) blocks are copied before reshaping
    expect(await x.T.reshape([24]).toArray(opts)).toEqual(range(24, (k) => (k % 4) * 6 + Math.floor(k / 4)));
    // a reversed view too
    expect(await v.get("::-1").reshape([2, 6]).toArray(opts)).toEqual([range(6, (i) => 11 - i), range(6, (i) => 5 - i)]);
  });

  it("concatenate: along any axis, unified chunks, dtype promotion, empty arrays", async () => {
    const a = da.arange(5, { chunks: 2 }); // int32
    const b = da.fromArray([0.5, 1.5], { chunks: 2 }); // float64
    const c = da.concatenate([a, b]);
    expect([c.shape, c.chunks, c.dtype]).toEqual([[7], [[2, 2, 1, 2]], "float64"]);
    expect(await c.toArray(opts)).toEqual([0, 1, 2, 3, 4, 0.5, 1.5]);
    const p = arange([2, 3], [[1, 1], [2, 1]]);
    const q = arange([2, 2], [[2], [1, 1]]);
    const r = da.concatenate([p, q], 1);
    // q's rows are rechunked to p's
    expect([r.shape, r.chunks]).toEqual([[2, 5], [[1, 1], [2, 1, 1, 1]]]);
    expect(await r.toArray(opts)).toEqual([[0, 1, 2, 0, 1], [3, 4, 5, 2, 3]]);
    expect(await da.concatenate([p, p.mul(-1)], -2).toArray(opts)).toEqual([[0, 1, 2], [3, 4, 5], [-0, -1, -2], [-3, -4, -5]]);
    expect(da.concatenate([p])).toBe(p);
    const empty = da.ones([0, 3]);
    const z = da.concatenate([empty, p, empty]);
    expect([z.shape, z.chunks]).toEqual([[2, 3], [[1, 1], [2, 1]]]);
    expect(await z.toArray(opts)).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(await da.concatenate([empty, empty]).toArray(opts)).toEqual([]);
    const u8 = da.fromArray(Uint8Array.from([200, 1]));
    const i8 = da.fromArray(Int8Array.from([-100, 2]));
    const mixed = da.concatenate([u8, i8]);
    expect([mixed.dtype, await mixed.toArray(opts)]).toEqual(["int16", [200, 1, -100, 2]]);
  });

  it("stack: a new axis anywhere, dtype promotion, unified chunks", async () => {
    const p = arange([2, 3], [[1, 1], [2, 1]]);
    const q = arange([2, 3], 2).add(10);
    const s0 = da.stack([p, q]);
    expect([s0.shape, s0.chunks]).toEqual([[2, 2, 3], [[1, 1], [1, 1], [2, 1]]]);
    expect(await s0.toArray(opts)).toEqual([[[0, 1, 2], [3, 4, 5]], [[10, 11, 12], [13, 14, 15]]]);
    const s1 = da.stack([p, q], 1);
    expect(s1.chunks).toEqual([[1, 1], [1, 1], [2, 1]]);
    expect(await s1.toArray(opts)).toEqual([[[0, 1, 2], [10, 11, 12]], [[3, 4, 5], [13, 14, 15]]]);
    const s2 = da.stack([p, q, p], -1);
    expect([s2.shape, s2.chunks]).toEqual([[2, 3, 3], [[1, 1], [2, 1], [1, 1, 1]]]);
    expect(await s2.get(1, 2).toArray(opts)).toEqual([5, 15, 5]);
    const ints = da.arange(3, { chunks: 2 });
    const st = da.stack([ints, ints.astype("float32")]);
    expect([st.dtype, await st.toArray(opts)]).toEqual(["float64", [[0, 1, 2], [0, 1, 2]]]);
    // 0-d arrays stack into a 1-d array
    expect(await da.stack([p.get(0, 0), p.get(1, 2)]).toArray(opts)).toEqual([0, 5]);
  });
});

describe("Dask's reshape_rechunk (dask/array/tests/test_reshape.py)", () => {
  const table: [number[], number[], number[][], number[][], number[][]][] = [
    [[4], [4], [[2, 2]], [[2, 2]], [[2, 2]]],
    [[4], [2, 2], [[2, 2]], [[2, 2]], [[1, 1], [2]]],
    [[4], [4, 1], [[2, 2]], [[2, 2]], [[2, 2], [1]]],
    [[4], [1, 4], [[2, 2]], [[2, 2]], [[1], [2, 2]]],
    [[1, 4], [4], [[1], [2, 2]], [[1], [2, 2]], [[2, 2]]],
    [[4, 1], [4], [[2, 2], [1]], [[2, 2], [1]], [[2, 2]]],
    [[4, 1, 4], [4, 4], [[2, 2], [1], [2, 2]], [[2, 2], [1], [2, 2]], [[2, 2], [2, 2]]],
    [[4, 4], [4, 1, 4], [[2, 2], [2, 2]], [[2, 2], [2, 2]], [[2, 2], [1], [2, 2]]],
    [[2, 2], [4], [[2], [2]], [[2], [2]], [[4]]],
    [[2, 2], [4], [[1, 1], [2]], [[1, 1], [2]], [[2, 2]]],
    [[2, 2], [4], [[2], [1, 1]], [[1, 1], [2]], [[2, 2]]],
    [[64], [4, 4, 4], [[8, 8, 8, 8, 8, 8, 8, 8]], [[16, 16, 16, 16]], [[1, 1, 1, 1], [4], [4]]],
    [[64], [4, 4, 4], [[32, 32]], [[32, 32]], [[2, 2], [4], [4]]],
    [[64], [4, 4, 4], [[16, 48]], [[16, 48]], [[1, 3], [4], [4]]],
    [[64], [4, 4, 4], [[20, 44]], [[16, 48]], [[1, 3], [4], [4]]],
    [[64, 4], [8, 8, 4], [[16, 16, 16, 16], [2, 2]], [[16, 16, 16, 16], [2, 2]], [[2, 2, 2, 2], [8], [2, 2]]],
    // leading axes chunked by one: blocks only move
    [[2, 3, 4], [6, 4], [[1, 1], [1, 2], [2, 2]], [[1, 1], [1, 2], [2, 2]], [[1, 2, 1, 2], [2, 2]]],
    [[2, 2, 3, 4], [4, 3, 4], [[1, 1], [2], [1, 2], [4]], [[1, 1], [2], [1, 2], [4]], [[2, 2], [1, 2], [4]]],
    [[2, 3, 4], [24], [[1, 1], [1, 1, 1], [2, 2]], [[1, 1], [1, 1, 1], [2, 2]], [range(12, () => 2)]],
    [[2, 3, 4], [2, 12], [[1, 1], [1, 1, 1], [4]], [[1, 1], [1, 1, 1], [4]], [[1, 1], [4, 4, 4]]],
    // the second axis is not chunked by one: merge
    [[2, 3, 4], [24], [[1, 1], [1, 2], [2, 2]], [[1, 1], [3], [4]], [[12, 12]]],
  ];
  it.each(table)("%j -> %j with chunks %j", (inshape, outshape, pre, inchunks, outchunks) => {
    const r = reshapeRechunk(inshape, outshape, pre);
    expect(r.inchunks).toEqual(inchunks);
    expect(r.outchunks).toEqual(outchunks);
  });

  it("reshape results have those chunks and the right values", async () => {
    for (const [inshape, outshape, pre, , outchunks] of table) {
      const x = arange(inshape, pre).reshape(outshape);
      expect(x.chunks).toEqual(outchunks);
      const flat = (await x.reshape([-1]).toArray({ scheduler: "sync" })) as number[];
      expect(flat).toEqual(range(flat.length));
    }
  });

  it("expand_tuple and contract_tuple", () => {
    expect(expandTuple([2, 4], 2)).toEqual([1, 1, 2, 2]);
    expect(expandTuple([2, 4], 3)).toEqual([1, 1, 1, 1, 2]);
    expect(expandTuple([3, 4], 2)).toEqual([1, 2, 2, 2]);
    expect(expandTuple([7, 4], 3)).toEqual([2, 2, 3, 1, 1, 2]);
    expect(contractTuple([1, 1, 2, 3, 1], 2)).toEqual([2, 2, 2, 2]);
    expect(contractTuple([1, 1, 2, 5, 1], 2)).toEqual([2, 2, 4, 2]);
    expect(contractTuple([2, 4], 2)).toEqual([2, 4]);
    expect(contractTuple([2, 4], 3)).toEqual([6]);
  });
});

describe("block kernels are views, not copies", () => {
  const data = Float64Array.from(range(24));
  const c = ndarray(data, [4, 6]) as never;
  it("view, transpose, expandDims and contiguous reshape share the memory", () => {
    const v = view(c, [[3, 2, -2] as const, 1]) as unknown as { data: unknown; shape: number[]; get: (i: number) => number };
    expect([v.data === data, v.shape, v.get(0), v.get(1)]).toEqual([true, [2], 19, 7]);
    const t = transposeBlock(c, [1, 0]) as unknown as { data: unknown; shape: number[]; get: (i: number, j: number) => number };
    expect([t.data === data, t.shape, t.get(5, 1)]).toEqual([true, [6, 4], 11]);
    const e = expandDims(c, 1) as unknown as { data: unknown; shape: number[]; get: (i: number, j: number, k: number) => number };
    expect([e.data === data, e.shape, e.get(2, 0, 3)]).toEqual([true, [4, 1, 6], 15]);
    const r = reshapeBlock(c, [2, 12], "float64") as unknown as { data: unknown; get: (i: number, j: number) => number };
    expect([r.data === data, r.get(1, 11)]).toEqual([true, 23]);
    // a transposed block cannot be reshaped in place: it is copied
    const rt = reshapeBlock(transposeBlock(c, [1, 0]), [24], "float64") as unknown as { data: unknown; get: (i: number) => number };
    expect([rt.data === data, rt.get(1), rt.get(4)]).toEqual([false, 6, 1]);
  });

  it("persisted transposed and stacked blocks point into the input blocks", async () => {
    const x = arange([4, 6], [2, 3]);
    const inputs = new Set([...x.graph().values()].map((n) => ((n as Literal).value as { data: unknown }).data));
    for (const y of [x.T, da.stack([x, x], 1), x.get("1:", "::-2"), x.transpose([1, 0]).get(2)]) {
      const [yp] = (await persist(y, { scheduler: "sync" })) as [Arr];
      for (const k of yp.keys()) expect(inputs.has(((yp.graph().get(k) as Literal).value as { data: unknown }).data)).toBe(true);
    }
    // a single contiguous block reshapes in place
    const one = arange([4, 6], [[4], [6]]);
    const oneData = ((one.graph().values().next().value as Literal).value as { data: unknown }).data;
    const [rp] = (await persist(one.reshape([2, 2, 6]), { scheduler: "sync" })) as [Arr];
    expect(((rp.graph().values().next().value as Literal).value as { data: unknown }).data).toBe(oneData);
  });
});

describe("shape operations reject bad input at the call, naming the shapes", () => {
  const x = da.ones([5, 3], { chunks: 2 });
  it("transpose with axes that are not a permutation", () => {
    for (const axes of [[0, 0], [0], [0, 1, 2], [0, 2], [-3, 0], [0.5, 1]]) {
      expect(() => x.transpose(axes), JSON.stringify(axes)).toThrow(AxisError);
      expect(() => x.transpose(axes), JSON.stringify(axes)).toThrow(/\[5, 3\]/);
    }
  });
  it("impossible reshape", () => {
    expect(() => x.reshape([4, 4])).toThrow(ShapeError);
    expect(() => x.reshape([4, 4])).toThrow(/shape \[5, 3\] \(size 15\) into shape \[4, 4\]/);
    expect(() => x.reshape([-1, 4])).toThrow(/\[5, 3\].*\[-1, 4\]/);
    expect(() => x.reshape([-1, -1])).toThrow(/only infer one/);
    expect(() => x.reshape([3, -2])).toThrow(ShapeError);
    expect(() => x.reshape([15.5])).toThrow(ShapeError);
    expect(() => da.ones([0, 3]).reshape([-1, 0])).toThrow(ShapeError);
  });
  it("concatenate and stack with mismatched shapes, bad axes, nothing to join", () => {
    const y = da.ones([5, 4], { chunks: 2 });
    expect(() => da.concatenate([x, y])).toThrow(ShapeError);
    expect(() => da.concatenate([x, y])).toThrow(/\[5, 3\].*\[5, 4\]/);
    expect(() => da.concatenate([x, da.ones([15])])).toThrow(/\[5, 3\].*\[15\]/);
    expect(() => da.concatenate([x, y], 2)).toThrow(AxisError);
    expect(() => da.concatenate([x, y], -3)).toThrow(/axis -3.*\[5, 3\]/);
    expect(() => da.concatenate([])).toThrow(ShapeError);
    expect(() => da.concatenate([x, [1, 2] as never])).toThrow(ShapeError);
    expect(() => da.concatenate([x.get(0, 0), x.get(1, 1)])).toThrow(/zero-dimensional/);
    expect(() => da.stack([x, y])).toThrow(ShapeError);
    expect(() => da.stack([x, y])).toThrow(/\[5, 3\].*\[5, 4\]/);
    expect(() => da.stack([x, x], 3)).toThrow(AxisError);
    expect(() => da.stack([x, x], -4)).toThrow(/\[5, 3\]/);
    expect(() => da.stack([])).toThrow(ShapeError);
  });
});

/** Random block sizes summing to n. */
function chunksArb(n: number): fc.Arbitrary<number[]> {
  if (n <= 1) return fc.constant([n]);
  return fc.uniqueArray(fc.integer({ min: 1, max: n - 1 }), { maxLength: Math.min(4, n - 1) }).map((cuts) => {
    const edges = [0, ...cuts.sort((a, b) => a - b), n];
    return edges.slice(1).map((e, i) => e - edges[i]!);
  });
}

/** A random shape with `size` elements and k axes. */
function factorArb(size: number, k: number): fc.Arbitrary<number[]> {
  if (k === 1) return fc.constant([size]);
  const divs = range(size, (i) => i + 1).filter((d) => size % d === 0);
  return fc.constantFrom(...divs).chain((d) => factorArb(size / d, k - 1).map((rest) => [d, ...rest]));
}

describe("properties: any chunking gives what one chunk gives", () => {
  it("reshape to any shape of the same size", async () => {
    const arb = fc
      .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.constantFrom(12, 24, 30, 36, 16, 7))
      .chain(([kin, kout, size]) =>
        fc.tuple(factorArb(size, kin), factorArb(size, kout)).chain(([inshape, outshape]) =>
          fc.record({ inshape: fc.constant(inshape), outshape: fc.constant(outshape), chunks: fc.tuple(...inshape.map(chunksArb)) }),
        ),
      );
    await fc.assert(
      fc.asyncProperty(arb, async ({ inshape, outshape, chunks }) => {
        const x = arange(inshape, chunks);
        const y = x.reshape(outshape);
        expect(y.shape).toEqual(outshape);
        expect(y.chunks.map((c) => c.reduce((a, b) => a + b, 0))).toEqual(outshape);
        const flat = (await y.reshape([-1]).toArray({ scheduler: "sync" })) as number[];
        expect(flat).toEqual(range(flat.length));
        const direct = await y.toArray({ scheduler: "sync" });
        expect(direct).toEqual(await arange(inshape, inshape.map((n) => [n])).reshape(outshape).toArray({ scheduler: "sync" }));
      }),
      { numRuns: 150 },
    );
  });

  it("transpose by any permutation", async () => {
    const arb = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }).chain((shape) =>
      fc.record({
        shape: fc.constant(shape),
        chunks: fc.tuple(...shape.map(chunksArb)),
        perm: fc.shuffledSubarray(range(shape.length), { minLength: shape.length, maxLength: shape.length }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ({ shape, chunks, perm }) => {
        const y = arange(shape, chunks).transpose(perm);
        expect(y.chunks).toEqual(perm.map((a) => chunks[a]));
        const one = arange(shape, shape.map((n) => [n])).transpose(perm);
        expect(await y.toArray({ scheduler: "sync" })).toEqual(await one.toArray({ scheduler: "sync" }));
      }),
      { numRuns: 80 },
    );
  });
});
