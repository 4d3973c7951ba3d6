import { afterEach, describe, expect, it, vi } from "vitest";
import { db } from "@dask-ts/bag";
import { SCHEDULERS, closePoolsAfterAll } from "./helpers.js";

closePoolsAfterAll();

afterEach(() => {
  vi.restoreAllMocks();
});

const xs = Array.from({ length: 40 }, (_, i) => i * 3 - 7);

describe("take arguments", () => {
  it("rejects bad n and npartitions", async () => {
    const b = db.fromSequence(xs, { npartitions: 4 });
    await expect(b.take(-1)).rejects.toThrow(/non-negative integer/);
    await expect(b.take(1.5)).rejects.toThrow(/non-negative integer/);
    await expect(b.take(2, { npartitions: 0 })).rejects.toThrow(/npartitions/);
    await expect(b.take(2, { npartitions: 5 })).rejects.toThrow(/only 4 partitions/);
  });
});

for (const scheduler of SCHEDULERS) {
  describe(`take on ${scheduler}`, () => {
    it("returns the first n elements of the first partitions", async () => {
      const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
      const b = db.fromSequence(xs, { npartitions: 4 }); // partitions of 10
      expect(await b.take(3, { scheduler })).toEqual(xs.slice(0, 3));
      expect(await b.take(10, { scheduler })).toEqual(xs.slice(0, 10));
      expect(await b.take(0, { scheduler })).toEqual([]);
      expect(await b.take(25, { scheduler, npartitions: 3 })).toEqual(xs.slice(0, 25));
      expect(await b.take(40, { scheduler, npartitions: -1 })).toEqual(xs);
      expect(await b.map((x: number) => x * 2).take(4, { scheduler })).toEqual(xs.slice(0, 4).map((x) => x * 2));
      expect(warn).not.toHaveBeenCalled();
      const one = db.fromSequence(["ü", "😀"], { npartitions: 1 });
      expect(await one.take(1, { scheduler })).toEqual(["ü"]);
    });

    it("warns once and returns what there is when the partitions hold fewer than n", async () => {
      const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
      const b = db.fromSequence(xs, { npartitions: 4 });
      expect(await b.take(15, { scheduler })).toEqual(xs.slice(0, 10));
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(/Insufficient elements for `take`. 15 elements requested, only 10 elements available/);
      // Empty first partitions (emptied by a filter).
      const sparse = b.filter((x: number) => x > 100);
      expect(await sparse.take(2, { scheduler, npartitions: -1 })).toEqual(xs.filter((x) => x > 100).slice(0, 2));
      expect(await sparse.take(2, { scheduler, warn: false })).toEqual([]);
      expect(warn).toHaveBeenCalledTimes(1);
    });

    it("does not compute the other partitions", async () => {
      const b = db.fromSequence(xs, { npartitions: 4 });
      // Partitions 1..3 hold elements >= 23; computing any of them fails.
      const fragile = b.map((x: number) => {
        if (x >= 23) throw new Error(`computed ${x}`);
        return x + 1;
      });
      expect(await fragile.take(2, { scheduler })).toEqual(xs.slice(0, 2).map((x) => x + 1));
      // Also without graph optimization (nothing but take culls then).
      expect(await fragile.take(5, { scheduler, optimize: false })).toEqual(xs.slice(0, 5).map((x) => x + 1));
      await expect(fragile.take(12, { scheduler, npartitions: 2 })).rejects.toThrow(/partition 1: computed 23/);
    });
  });
}
