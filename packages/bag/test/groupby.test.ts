// foldby (tree reduction, or a shuffle with npartitions) and groupby (always a shuffle) on every
// scheduler, against plain JS reference code: empty partitions, one partition, many partitions, many
// keys, unicode and object keys, property-name keys, each key in exactly one output partition.
import { describe, expect, it } from "vitest";
import { CapturedVariableError, Literal, dependenciesOf } from "@dask-ts/core";
import { Bag, db } from "@dask-ts/bag";
import { SCHEDULERS, closePoolsAfterAll, computeFailure, fromPartitions, randomParts, rng } from "./helpers.js";

closePoolsAfterAll();

/** The partitions of a computed bag, each on its own. */
async function partitionsOf<T>(b: Bag<T>, scheduler: string): Promise<T[][]> {
  const p = await b.persist({ scheduler: scheduler as "sync" });
  return p.keys().map((k) => (p.graph().get(k) as Literal<T[]>).value);
}

/** Reference grouping: [key, elements in order] in first-seen key order (keys compared as JSON). */
function refGroups<T, K>(xs: T[], key: (x: T) => K): Array<[K, T[]]> {
  const m = new Map<string, [K, T[]]>();
  for (const x of xs) {
    const k = key(x);
    const id = `${typeof k}:${JSON.stringify(k)}`;
    const g = m.get(id);
    if (g) g[1].push(x);
    else m.set(id, [k, [x]]);
  }
  return [...m.values()];
}

/** Order-free comparison of [key, value] results. */
function byKey<T extends [unknown, unknown]>(pairs: T[]): T[] {
  const id = (k: unknown): string => `${typeof k}:${JSON.stringify(k)}`;
  return [...pairs].sort((a, b) => (id(a[0]) < id(b[0]) ? -1 : id(a[0]) > id(b[0]) ? 1 : 0));
}

const r = rng(42);
const NAMES = ["Alice", "Bob", "Zoë", "李雷", "😀", "Ñandú", "bob"];
const records = Array.from({ length: 1500 }, (_, i) => ({ name: NAMES[r(NAMES.length)]!, amount: r(100), id: i }));
const ints = Array.from({ length: 3000 }, () => r(100_000));

const CASES = {
  "one partition": <T>(xs: T[]) => fromPartitions([xs]),
  "empty partitions": <T>(xs: T[]) => fromPartitions([[], ...randomParts(xs, 6, 9), []]),
  "40 partitions": <T>(xs: T[]) => fromPartitions(randomParts(xs, 40, 13)),
};

for (const scheduler of SCHEDULERS) {
  describe(`foldby on ${scheduler}`, () => {
    for (const [label, make] of Object.entries(CASES)) {
      it(`sums and maxima by key, tree and shuffled: ${label}`, async () => {
        const b = make(records);
        const sums = refGroups(records, (x) => x.name).map(([k, xs]): [string, number] => [k, xs.reduce((a, x) => a + x.amount, 0)]);
        // With and without initial values: the key as a property name and as a function.
        const a = b.foldby("name", (acc: number, x: { amount: number }) => acc + x.amount, 0, (p: number, q: number) => p + q, 0);
        expect(await a.compute({ scheduler })).toEqual(sums);
        const maxima = refGroups(records, (x) => x.name).map(([k, xs]): [string, (typeof records)[0]] => [k, xs.reduce((m, x) => (x.amount > m.amount ? x : m))]);
        const m = b.foldby(
          (x: { name: string }) => x.name,
          (acc: { amount: number }, x: { amount: number }) => (x.amount > acc.amount ? x : acc),
        );
        expect(await m.compute({ scheduler })).toEqual(maxima);
        const s = b.foldby("name", (acc: number, x: { amount: number }) => acc + x.amount, 0, (p: number, q: number) => p + q, undefined, { npartitions: 3 });
        expect(s.npartitions).toBe(3);
        expect(byKey(await s.compute({ scheduler }))).toEqual(byKey(sums));
        const parts = await partitionsOf(s, scheduler);
        for (const [k] of sums) expect(parts.filter((p) => p.some(([pk]) => pk === k)).length).toBe(1);
      });
    }

    it("many keys, array keys, mutable accumulators, combineInitial, splitEvery", async () => {
      const b = fromPartitions(randomParts(ints, 25, 3));
      // Array keys are grouped by value: [x % 7, x % 2 === 0].
      const key = (x: number): [number, boolean] => [x % 7, x % 2 === 0];
      const expected = refGroups(ints, key).map(([k, xs]): [[number, boolean], number[]] => [k, xs]);
      const lists = b.foldby(key, (acc: number[], x: number) => (acc.push(x), acc), [], (p: number[], q: number[]) => p.concat(q), undefined, { splitEvery: 2 });
      for (const node of lists.graph().values()) expect(dependenciesOf(node).length).toBeLessThanOrEqual(2);
      expect(await lists.compute({ scheduler })).toEqual(expected);
      // combineInitial starts every combine of partials (as Dask's reduceby with combine_initial).
      const counts = b.foldby((x: number) => x % 1000, (acc: number) => acc + 1, 0, (p: number, q: number) => p + q, 0, { npartitions: 7 });
      const ref = refGroups(ints, (x) => x % 1000).map(([k, xs]): [number, number] => [k, xs.length]);
      expect(byKey(await counts.compute({ scheduler }))).toEqual(byKey(ref));
    });

    it("empty bag gives no groups", async () => {
      for (const b of [db.fromSequence([] as number[]), fromPartitions<number>([[], [], []])]) {
        expect(await b.foldby((x: number) => x, (a: number, x: number) => a + x, 0).compute({ scheduler })).toEqual([]);
        expect(await b.foldby((x: number) => x, (a: number, x: number) => a + x, 0, undefined, undefined, { npartitions: 2 }).compute({ scheduler })).toEqual([]);
        expect(await b.groupby((x: number) => x).compute({ scheduler })).toEqual([]);
      }
    });
  });

  describe(`groupby on ${scheduler}`, () => {
    for (const [label, make] of Object.entries(CASES)) {
      it(`groups in input order, each key in one partition: ${label}`, async () => {
        const b = make(ints);
        const key = (x: number): number => x % 997;
        const expected = refGroups(ints, key);
        for (const npartitions of [1, 5]) {
          const g = b.groupby(key, { npartitions });
          expect(g.npartitions).toBe(npartitions);
          const parts = await partitionsOf(g, scheduler);
          const flat = parts.flat();
          expect(byKey(flat)).toEqual(byKey(expected));
          const where = new Map<number, number>();
          parts.forEach((p, i) => p.forEach(([k]) => {
            expect(where.has(k)).toBe(false);
            where.set(k, i);
          }));
          expect(where.size).toBe(expected.length);
        }
        // Default: as many output partitions as input partitions.
        expect(b.groupby(key).npartitions).toBe(b.npartitions);
      });
    }

    it("by property name and index, unicode and object keys", async () => {
      const b = fromPartitions(randomParts(records, 11, 4));
      expect(byKey(await b.groupby("name").compute({ scheduler }))).toEqual(byKey(refGroups(records, (x) => x.name)));
      const tuples = records.map((x): [string, number] => [x.name, x.amount]);
      const bt = fromPartitions(randomParts(tuples, 6, 8));
      expect(byKey(await bt.groupby(0, { npartitions: 3 }).compute({ scheduler }))).toEqual(byKey(refGroups(tuples, (t) => t[0])));
      // Object keys group by content ({a, b} and {b, a} are one key).
      const objKey = (x: { name: string; amount: number }) => (x.amount % 2 ? { even: false, len: x.name.length } : { len: x.name.length, even: true });
      const got = await b.groupby(objKey, { npartitions: 4 }).compute({ scheduler });
      const ref = refGroups(records, (x) => ({ even: !(x.amount % 2), len: x.name.length }));
      const norm = (pairs: Array<[any, unknown[]]>) => byKey(pairs.map(([k, xs]): [string, unknown[]] => [`${k.even}/${k.len}`, xs]));
      expect(norm(got)).toEqual(norm(ref));
    });

    it("is a shuffle: one split task per input partition and one gather per output partition", async () => {
      const b = fromPartitions(randomParts(ints, 30, 6));
      const g = b.groupby((x: number) => x % 10, { npartitions: 4 });
      // Gather tasks take every split (core's shuffleLayer); no single task groups all the data.
      const tasks = [...g.graph().keys()];
      expect(tasks.filter((k) => k.includes("groupby-shuffle")).length).toBe(30 + 4);
      expect(byKey(await g.compute({ scheduler }))).toEqual(byKey(refGroups(ints, (x) => x % 10)));
    });

    it("errors: a throwing key names the partition and element; missing properties too", async () => {
      const b = fromPartitions([[1, 2], [], [3, 4], [5]]);
      const fail = (c: { compute(o: object): Promise<unknown> }): Promise<string> => computeFailure(c, { scheduler });
      const bad = (x: number): number => {
        if (x === 4) throw new TypeError("no key for 4");
        return x % 2;
      };
      expect(await fail(b.groupby(bad))).toMatch(/groupby \(key\): the function failed on element 1 of partition 2: no key for 4/);
      expect(await fail(b.foldby(bad, (a: number, x: number) => a + x, 0))).toMatch(/foldby \(key\): the function failed on element 1 of partition 2: no key for 4/);
      expect(await fail(b.foldby((x: number) => x % 2, (a: number, x: number) => (x === 5 ? (undefined as any).x : a + x), 0))).toMatch(/foldby: the function failed on element 0 of partition 3/);
      const combineFails = b.foldby((x: number) => x % 2, (a: number, x: number) => a + x, 0, () => {
        throw new Error("no combining");
      }, undefined, { npartitions: 2 });
      expect(await fail(combineFails)).toMatch(/foldby: the combine function failed on output partition \d: no combining/);
      expect(await fail(fromPartitions([[{ k: 1 }], [{ j: 2 }]]).groupby("k"))).toMatch(/partition 1: the element \{"j":2\} has no property "k"/);
    });
  });
}

describe("groupby and foldby reject bad arguments at the call", () => {
  const b = db.fromSequence([1, 2, 3]);
  it("captured variables, bad keys and options", () => {
    const modulus = 2;
    expect(() => b.groupby((x) => x % modulus)).toThrow(CapturedVariableError);
    expect(() => b.foldby((x) => x, (a: number, x) => a + x * modulus, 0)).toThrow(/modulus/);
    expect(() => b.groupby(Symbol("k"))).toThrow(/key must be a function, a property name or an array index/);
    expect(() => b.groupby((x) => x, { npartitions: 1.5 })).toThrow(/npartitions must be a positive integer/);
  });
});
