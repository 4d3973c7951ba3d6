import { afterAll, describe, expect, it } from "vitest";
import { closeSchedulers, fromModule } from "@dask-ts/core";
import { da, ShapeError } from "@dask-ts/array";

afterAll(() => closeSchedulers());

describe.each(["sync", "threads", "processes"])("rechunk and block functions on %s", (scheduler) => {
  it("rechunk keeps values for any new chunking, uneven ones included", async () => {
    const data = Array.from({ length: 7 }, (_, i) => Array.from({ length: 5 }, (_, j) => i * 10 + j));
    const x = da.fromArray(data, { chunks: [3, 2] });
    for (const c of [[[7], [5]], [[1, 6], [4, 1]], [[2, 2, 2, 1], [1, 1, 1, 1, 1]]] as number[][][]) {
      const y = x.rechunk(c);
      expect(y.chunks).toEqual(c);
      expect(await y.toArray({ scheduler })).toEqual(data);
    }
    expect(x.rechunk([[3, 3, 1], [2, 2, 1]])).toBe(x);
    expect(await da.ones([4, 4], { chunks: 1 }).rechunk(4).toArray({ scheduler })).toEqual(Array(4).fill([1, 1, 1, 1]));
  });

  it("mapBlocks applies a shipped function to every block and infers the dtype", async () => {
    const x = da.arange(10, { chunks: 4 });
    const y = x.mapBlocks((b: { data: Int32Array; size: number; shape: number[] }) => {
      const out = new Float64Array(b.size);
      for (let i = 0; i < b.size; i++) out[i] = b.data[i]! / 2;
      return { data: out, shape: b.shape, stride: [1], offset: 0, dtype: "float64", get: (i: number) => out[i], size: b.size };
    });
    expect(y.dtype).toBe("float64");
    const tasks = new URL("../../../test/fixtures/array-blocks.mjs", import.meta.url).href;
    const scaled = x.mapBlocks(fromModule(tasks, "scale"), 3);
    expect(await scaled.toArray({ scheduler })).toEqual(Array.from({ length: 10 }, (_, i) => 3 * i));
    const withOther = x.mapBlocks(fromModule(tasks, "addBlocks"), x.mul(100));
    expect(await withOther.toArray({ scheduler })).toEqual(Array.from({ length: 10 }, (_, i) => 101 * i));
  });

  it("blockwise with a contracted index passes lists of blocks", async () => {
    const tasks = new URL("../../../test/fixtures/array-blocks.mjs", import.meta.url).href;
    const x = da.fromArray([[1, 2, 3], [4, 5, 6]], { chunks: [1, 2] });
    // row sums: out index "i", input "ij": fn gets the list of blocks along j
    const sums = da.blockwise(fromModule(tasks, "rowSums"), "i", x, "ij", da.blockOptions({ dtype: "float64" }));
    expect(sums.chunks).toEqual([[1, 1]]);
    expect(await sums.toArray({ scheduler })).toEqual([6, 15]);
  });
});

describe("block function errors", () => {
  it("rejects mismatched block structures and captured variables", () => {
    const x = da.ones([4], { chunks: 2 });
    expect(() => x.mapBlocks((b: unknown, o: unknown) => b, da.ones([6], { chunks: 3 }).rechunk(1))).toThrow(ShapeError);
    const k = 2;
    expect(() => x.mapBlocks((b: unknown) => [b, k])).toThrow(/k/);
  });
});
