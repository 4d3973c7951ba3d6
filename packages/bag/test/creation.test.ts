import { describe, expect, it } from "vitest";
import { db, Bag } from "@dask-ts/bag";
import { SCHEDULERS, closePoolsAfterAll } from "./helpers.js";

closePoolsAfterAll();

describe("creation", () => {
  it("splits sequences as Dask does", () => {
    expect(db.fromSequence([1, 2, 3]).npartitions).toBe(3);
    expect(db.fromSequence(Array.from({ length: 1000 }, (_, i) => i)).npartitions).toBe(100);
    expect(db.fromSequence(Array.from({ length: 10 }, (_, i) => i), { npartitions: 3 }).npartitions).toBe(3);
    expect(db.fromSequence(Array.from({ length: 10 }, (_, i) => i), { partitionSize: 4 }).npartitions).toBe(3);
    expect(db.fromSequence([]).npartitions).toBe(1);
    expect(() => db.fromSequence(3 as never)).toThrow(/iterable/);
    expect(() => db.range(5, { npartitions: 0 })).toThrow(/npartitions/);
  });

  for (const scheduler of SCHEDULERS) {
    it(`computes elements in order, persists, and makes ranges on ${scheduler}`, async () => {
      const items = [1, "two", { three: 3 }, [4], null, "ünï😀"];
      const b = db.fromSequence(items, { npartitions: 4 });
      expect(await b.compute({ scheduler })).toEqual(items);
      const p = await b.persist({ scheduler });
      expect(p).toBeInstanceOf(Bag);
      expect(await p.compute({ scheduler })).toEqual(items);
      expect(await db.range(10, { npartitions: 3 }).compute({ scheduler })).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(await db.range(0, { npartitions: 3 }).compute({ scheduler })).toEqual([]);
      expect(await db.fromSequence([]).compute({ scheduler })).toEqual([]);
    });
  }
});
