import { afterAll, describe, expect, it } from "vitest";
import ndarray from "ndarray";
import { closeSchedulers, config } from "@dask-ts/core";
import { da, normalizeChunks, ChunkError, ShapeError, DTypeError } from "@dask-ts/array";

afterAll(() => closeSchedulers());

describe("chunks", () => {
  it("normalizes ints, per-axis sizes, explicit lists and -1", () => {
    expect(normalizeChunks(3, [7, 2])).toEqual([[3, 3, 1], [2]]);
    expect(normalizeChunks([2, -1], [5, 4])).toEqual([[2, 2, 1], [4]]);
    expect(normalizeChunks([[1, 4], [2, 2]], [5, 4])).toEqual([[1, 4], [2, 2]]);
    expect(normalizeChunks([null, 3], [2, 4])).toEqual([[2], [3, 1]]);
    expect(normalizeChunks(4, [0, 3])).toEqual([[0], [3]]);
    expect(normalizeChunks(5, [])).toEqual([]);
  });

  it("'auto' targets config array.chunkSize bytes, as square as possible", () => {
    expect(normalizeChunks("auto", [100, 100])).toEqual([[100], [100]]);
    config.with({ "array.chunkSize": 8 * 100 }, () => {
      expect(normalizeChunks("auto", [100, 100])).toEqual([Array(10).fill(10), Array(10).fill(10)]);
      // a short axis stays whole, the long one takes the rest of the budget
      expect(normalizeChunks("auto", [2, 1000], "float64")).toEqual([[2], Array(20).fill(50)]);
    });
  });

  it("rejects chunks that do not fit the shape, with the numbers", () => {
    expect(() => normalizeChunks([[2, 2]], [5])).toThrow(ChunkError);
    expect(() => normalizeChunks([[2, 2]], [5])).toThrow(/sum to 4.*has 5/);
    expect(() => normalizeChunks([2], [5, 5])).toThrow(/1 axes but the shape \[5, 5\] has 2/);
    expect(() => normalizeChunks(0, [5])).toThrow(ChunkError);
    expect(() => normalizeChunks(2.5, [5])).toThrow(ChunkError);
  });
});

describe.each(["sync", "threads", "processes"])("creation on %s", (scheduler) => {
  it("ones/zeros/full/empty with metadata", async () => {
    const x = da.ones([5, 3], { chunks: [2, 2] });
    expect([x.shape, x.chunks, x.numblocks, x.ndim, x.size, x.nbytes, x.dtype]).toEqual([[5, 3], [[2, 2, 1], [2, 1]], [3, 2], 2, 15, 120, "float64"]);
    expect(await x.toArray({ scheduler })).toEqual(Array(5).fill([1, 1, 1]));
    expect(await da.zeros([2], { dtype: "int32" }).toArray({ scheduler })).toEqual([0, 0]);
    expect(await da.full([2, 2], 7.5).toArray({ scheduler })).toEqual([[7.5, 7.5], [7.5, 7.5]]);
    expect(await da.empty([0, 3]).toArray({ scheduler })).toEqual([]);
    expect(da.full([1], true).dtype).toBe("bool");
  });

  it("arange and linspace, including negative and fractional steps", async () => {
    expect(await da.arange(5).toArray({ scheduler })).toEqual([0, 1, 2, 3, 4]);
    expect(await da.arange(2, 11, 3, { chunks: 2 }).toArray({ scheduler })).toEqual([2, 5, 8]);
    expect(await da.arange(5, 0, -2).toArray({ scheduler })).toEqual([5, 3, 1]);
    expect(await da.arange(0, 1, 0.25, { chunks: 3 }).toArray({ scheduler })).toEqual([0, 0.25, 0.5, 0.75]);
    expect(da.arange(0, 1, 0.25).dtype).toBe("float64");
    expect(await da.arange(3, 3).toArray({ scheduler })).toEqual([]);
    expect(await da.linspace(0, 1, 5, { chunks: 2 }).toArray({ scheduler })).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(await da.linspace(0, 1, 4, { endpoint: false }).toArray({ scheduler })).toEqual([0, 0.25, 0.5, 0.75]);
    expect(await da.linspace(2, 2, 1).toArray({ scheduler })).toEqual([2]);
  });

  it("fromArray from nested arrays, typed arrays and strided ndarrays", async () => {
    const nested = da.fromArray([[1, 2, 3], [4, 5, 6]], { chunks: [1, 2] });
    expect(nested.dtype).toBe("int32");
    expect(await nested.toArray({ scheduler })).toEqual([[1, 2, 3], [4, 5, 6]]);
    const typed = da.fromArray(new Float32Array([0.5, 1.5, 2.5]), { chunks: 2 });
    expect([typed.dtype, await typed.toArray({ scheduler })]).toEqual(["float32", [0.5, 1.5, 2.5]]);
    const base = ndarray(new Float64Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    const transposedView = base.transpose(1, 0);
    expect(await da.fromArray(transposedView, { chunks: 2 }).toArray({ scheduler })).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(await da.fromArray([true, false]).toArray({ scheduler })).toEqual([true, false]);
    expect(await da.fromArray(new BigInt64Array([5n, -6n]), { chunks: 1 }).add(1).toArray({ scheduler })).toEqual([6n, -5n]);
  });

  it("computes 0-d results to numbers and arrays to ndarrays", async () => {
    const v = await da.ones([3, 3], { chunks: 2 }).add(1).compute({ scheduler });
    expect(typeof v).toBe("object");
    expect((v as { shape: number[] }).shape).toEqual([3, 3]);
  });
});

describe("bad input at the call", () => {
  it("rejects bad shapes, dtypes and ragged nested arrays", () => {
    expect(() => da.ones([-1])).toThrow(ShapeError);
    expect(() => da.ones([2], { dtype: "float16" as never })).toThrow(DTypeError);
    expect(() => da.fromArray([[1, 2], [3]])).toThrow(/ragged/);
    expect(() => da.fromArray([["a"]] as never)).toThrow(ShapeError);
    expect(() => da.arange(0, 5, 0)).toThrow(/step/);
    expect(() => da.ones([4], { chunks: [[1, 1]] })).toThrow(ChunkError);
  });
});
