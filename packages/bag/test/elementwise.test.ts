import { describe, expect, it } from "vitest";
import { CapturedVariableError, delayed, fromModule } from "@dask-ts/core";
import { Bag, BagFunctionError, db } from "@dask-ts/bag";
import { SCHEDULERS, closePoolsAfterAll } from "./helpers.js";

closePoolsAfterAll();

const fns = new URL("./fixtures/elementwise-fns.mjs", import.meta.url).href;

/** Plain JS partitioning as fromSequence does with npartitions (reference for per-partition checks). */
function chunks<T>(xs: T[], n: number): T[][] {
  const size = Math.max(1, Math.ceil(xs.length / n));
  const out: T[][] = [];
  for (let s = 0; s < xs.length; s += size) out.push(xs.slice(s, s + size));
  return out.length ? out : [[]];
}

const nums = Array.from({ length: 103 }, (_, i) => (i * 37) % 101 - 20);

describe("element-wise graphs", () => {
  it("keeps the partition count and names layers deterministically", () => {
    const b = db.fromSequence(nums, { npartitions: 7 });
    const m = b.map((x: number) => x + 1);
    expect(m).toBeInstanceOf(Bag);
    expect(m.npartitions).toBe(b.npartitions);
    expect(b.map((x: number) => x + 1)._name).toBe(m._name);
    expect(b.map((x: number, k: number) => x + k, 2)._name).not.toBe(b.map((x: number, k: number) => x + k, 3)._name);
    expect(b.filter((x: number) => x > 0).npartitions).toBe(7);
    expect(m.graph().size).toBe(14);
  });

  it("rejects a captured variable at the call, naming it", () => {
    const b = db.fromSequence([1, 2, 3]);
    const offset = 10;
    expect(() => b.map((x: number) => x + offset)).toThrow(CapturedVariableError);
    expect(() => b.map((x: number) => x + offset)).toThrow(/offset/);
    expect(() => b.filter((x: number) => x > offset)).toThrow(/offset/);
    expect(() => b.mapPartitions((p: number[]) => p.map((x) => x + offset))).toThrow(/offset/);
    expect(() => b.map(Math.sqrt)).toThrow(/built-in/);
  });

  it("rejects bad arguments when the graph is built", () => {
    const b = db.fromSequence([1, 2, 3], { npartitions: 3 });
    expect(() => b.map((x: number, y: number) => x + y, db.fromSequence([1, 2], { npartitions: 2 }) as never)).toThrow(/partitioned identically/);
    expect(() => b.pluck(null as never)).toThrow(/key/);
    expect(() => b.map(42 as never)).toThrow(/function/);
  });
});

for (const scheduler of SCHEDULERS) {
  describe(`element-wise operations on ${scheduler}`, () => {
    it("map, with and without extra arguments, on one and many partitions", async () => {
      for (const np of [1, 4, 50]) {
        const b = db.fromSequence(nums, { npartitions: np });
        expect(await b.map((x: number) => x * 2).compute({ scheduler })).toEqual(nums.map((x) => x * 2));
        expect(await b.map((x: number, k: number) => x * k, 3).compute({ scheduler })).toEqual(nums.map((x) => x * 3));
        expect(await b.map((x: number, k: number, s: string) => `${s}${x * k}`, -1, "v").compute({ scheduler })).toEqual(nums.map((x) => `v${-x}`));
        // A big argument travels once per task, untouched.
        const table = Array.from({ length: 200 }, (_, i) => i * i);
        expect(await b.map((x: number, t: number[]) => t[Math.abs(x)], table).compute({ scheduler })).toEqual(nums.map((x) => table[Math.abs(x)]));
      }
      // Objects and unicode pass through unchanged.
      const recs = [{ s: "ünï😀" }, { s: "ß" }, { s: "" }];
      expect(await db.fromSequence(recs, { npartitions: 2 }).map((r: { s: string }) => [...r.s].length).compute({ scheduler })).toEqual(recs.map((r) => [...r.s].length));
    });

    // Bag.map types its extra arguments as the function's parameters, so collections passed in their place need a cast.
    it("map with an Item, a Delayed value and an identically partitioned bag as arguments", async () => {
      const b = db.fromSequence([1, 2, 3, 4, 5], { npartitions: 3 });
      const other = b.map((x: number) => x * 100);
      expect(await b.map((x: number, y: number) => x + y, other as never).compute({ scheduler })).toEqual([101, 202, 303, 404, 505]);
      const item = db.fromSequence([7]).map((x: number) => x * 2);
      // An Item: a one-partition value (built by hand here so this test does not depend on reductions).
      const { Item } = await import("@dask-ts/bag");
      const it = new Item<number>(item.dask, item._name);
      const single = await b.map((x: number, arr: number[]) => x + arr[0]!, it as never).compute({ scheduler });
      expect(single).toEqual([15, 16, 17, 18, 19]);
      const d = delayed((a: number) => a * 3)(4);
      expect(await b.map((x: number, k: number) => x * k, d as never).compute({ scheduler })).toEqual([12, 24, 36, 48, 60]);
      const unequal = db.fromSequence([1, 2, 3, 4, 5, 6], { npartitions: 3 });
      await expect(b.map((x: number, y: number) => x + y, unequal as never).compute({ scheduler })).rejects.toThrow(/same partition lengths/);
    });

    it("filter, including partitions it empties", async () => {
      for (const np of [1, 5, 50]) {
        const b = db.fromSequence(nums, { npartitions: np });
        expect(await b.filter((x: number) => x > 60).compute({ scheduler })).toEqual(nums.filter((x) => x > 60));
        expect(await b.filter((x: number, lo: number, hi: number) => x >= lo && x < hi, 0, 10).compute({ scheduler })).toEqual(nums.filter((x) => x >= 0 && x < 10));
        expect(await b.filter(() => false).compute({ scheduler })).toEqual([]);
        // Truthiness as Python: 0 and "" are dropped.
        expect(await b.filter((x: number) => x % 3).compute({ scheduler })).toEqual(nums.filter((x) => x % 3));
      }
      // Chained element-wise steps over emptied partitions.
      const b = db.fromSequence(nums, { npartitions: 20 });
      const got = await b.filter((x: number) => x > 70).map((x: number) => x - 70).filter((x: number) => x % 2 === 0).compute({ scheduler });
      expect(got).toEqual(nums.filter((x) => x > 70).map((x) => x - 70).filter((x) => x % 2 === 0));
    });

    it("flatten: arrays, strings (as characters), other iterables, empty elements", async () => {
      const items: unknown[] = [[1, 2], [], ["a"], "hé😀", new Set([9, 8]), [[3]], ""];
      const expected: unknown[] = [];
      for (const x of items) for (const y of x as Iterable<unknown>) expected.push(y);
      for (const np of [1, 3, 7]) {
        expect(await db.fromSequence(items, { npartitions: np }).flatten().compute({ scheduler })).toEqual(expected);
      }
      const nested = Array.from({ length: 60 }, (_, i) => Array.from({ length: i % 4 }, (_, j) => i * 10 + j));
      expect(await db.fromSequence(nested, { npartitions: 50 }).flatten().compute({ scheduler })).toEqual(nested.flat());
      expect(await db.fromSequence([[[1], [2]], [[3]]]).flatten().flatten().compute({ scheduler })).toEqual([1, 2, 3]);
      await expect(db.fromSequence([[1], [2], 3], { npartitions: 3 }).flatten().compute({ scheduler })).rejects.toThrow(/partition 2.*not iterable/);
    });

    it("pluck: keys, indexes, lists of keys, defaults, and missing keys", async () => {
      const recs = Array.from({ length: 30 }, (_, i) => ({ id: i, name: `n${i}`, tags: [i, -i], ...(i % 4 === 0 ? { opt: i } : {}) }));
      const b = db.fromSequence(recs, { npartitions: 6 });
      expect(await b.pluck("name").compute({ scheduler })).toEqual(recs.map((r) => r.name));
      expect(await b.pluck(["id", "name"]).compute({ scheduler })).toEqual(recs.map((r) => [r.id, r.name]));
      expect(await b.pluck("opt", { default: null }).compute({ scheduler })).toEqual(recs.map((r) => r.opt ?? null));
      expect(await b.pluck(["opt", "id"], { default: -1 }).compute({ scheduler })).toEqual(recs.map((r) => [r.opt ?? -1, r.id]));
      expect(await b.pluck("tags").pluck(1).compute({ scheduler })).toEqual(recs.map((r) => r.tags[1]));
      expect(await b.pluck("tags").pluck(-2).compute({ scheduler })).toEqual(recs.map((r) => r.tags[0]));
      expect(await db.fromSequence([new Map([["k", 1]]), new Map([["k", 2]])]).pluck("k").compute({ scheduler })).toEqual([1, 2]);
      // Only record 13 lacks "tags": element 3 of partition 2.
      const holed = db.fromSequence(recs.map((r) => (r.id === 13 ? { id: 13 } : r)), { npartitions: 6 });
      const err = await holed.pluck("tags").compute({ scheduler }).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(/element 3 of partition 2/);
      expect((err as Error).message).toMatch(/'tags' is not a key/);
      await expect(db.fromSequence([[1, 2], [3]], { npartitions: 2 }).pluck(1).compute({ scheduler })).rejects.toThrow(/element 0 of partition 1/);
    });

    it("mapPartitions: arrays, generators, extra arguments, async functions", async () => {
      const parts = chunks(nums, 6);
      const b = db.fromSequence(nums, { npartitions: 6 });
      expect(b.npartitions).toBe(parts.length);
      expect(await b.mapPartitions((p: number[]) => [p.length]).compute({ scheduler })).toEqual(parts.map((p) => p.length));
      expect(await b.mapPartitions((p: number[], k: number) => p.map((x) => x + k), 5).compute({ scheduler })).toEqual(nums.map((x) => x + 5));
      expect(await b.mapPartitions(function* (p: number[]) { for (const x of p) if (x > 0) yield x; }).compute({ scheduler })).toEqual(nums.filter((x) => x > 0));
      expect(await b.mapPartitions((async (p: number[]) => p.slice(0, 1)) as never).compute({ scheduler })).toEqual(parts.map((p) => p[0]));
      // Another bag as argument: its partition i.
      const lens = await b.mapPartitions((p: number[], q: number[]) => [p.length === q.length], b.map((x: number) => -x) as never).compute({ scheduler });
      expect(lens).toEqual(parts.map(() => true));
      // Only partition 1 (the one holding nums[parts[0].length]) returns a non-iterable.
      const first = parts[1]![0]!;
      await expect(b.mapPartitions(((p: number[], x: number) => (p[0] === x ? 42 : p)) as never, first).compute({ scheduler })).rejects.toThrow(/partition 1: .*iterable/);
    });

    it("functions from a module (fromModule), with extra arguments", async () => {
      const b = db.fromSequence(nums, { npartitions: 5 });
      expect(await b.map(fromModule(fns, "affine"), 2, 1).compute({ scheduler })).toEqual(nums.map((x) => x * 2 + 1));
      expect(await b.filter(fromModule(fns, "isEven")).compute({ scheduler })).toEqual(nums.filter((x) => x % 2 === 0));
      const parts = chunks(nums, 5);
      expect(await b.mapPartitions(fromModule(fns, "reverseWithLength")).compute({ scheduler })).toEqual(parts.flatMap((p) => [...p].reverse().concat([p.length])));
      expect(await b.mapPartitions(fromModule(fns, "twice")).compute({ scheduler })).toEqual(nums.flatMap((x) => [x, x]));
    });

    it("a throwing function: the error names the partition, the element and the original message", async () => {
      const b = db.fromSequence([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], { npartitions: 5 });
      const boom = (x: number) => {
        if (x === 7) throw new Error("seven is bad");
        return x;
      };
      const err = (await b.map(boom).compute({ scheduler }).catch((e: Error) => e)) as Error;
      expect(err).toBeInstanceOf(Error);
      expect(err.message).toMatch(/element 1 of partition 3/);
      expect(err.message).toMatch(/seven is bad/);
      // The original error is kept as the cause chain: the BagFunctionError, then the user's Error.
      const bagErr = (err instanceof BagFunctionError ? err : err.cause) as Error & { cause?: Error };
      expect(bagErr.message).toMatch(/map: the function failed on element 1 of partition 3/);
      expect(bagErr.cause?.message).toBe("seven is bad");
      await expect(b.filter(boom).compute({ scheduler })).rejects.toThrow(/filter: .*partition 3: seven is bad/);
      const boomAll = (p: number[]) => {
        if (p.includes(7)) throw new Error("seven is bad");
        return p;
      };
      await expect(b.mapPartitions(boomAll).compute({ scheduler })).rejects.toThrow(/mapPartitions: .*partition 3: seven is bad/);
      const neg = db.fromSequence([1, 2, -3], { npartitions: 3 });
      await expect(neg.map(fromModule(fns, "noNegatives")).compute({ scheduler })).rejects.toThrow(/partition 2: negative value -3/);
    });
  });
}
