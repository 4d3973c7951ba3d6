// Bag reductions (fold, reduction, count, sum, mean, min, max, frequencies, distinct, topk) on every
// scheduler, against plain JS reference code: empty partitions, one partition, 50 partitions with
// splitEvery 2 (several tree levels, no task takes more than splitEvery inputs), unicode, objects.
import { describe, expect, it } from "vitest";
import { CapturedVariableError, Literal, dependenciesOf } from "@dask-ts/core";
import { Bag, Item, db } from "@dask-ts/bag";
import * as red from "@dask-ts/bag/reductions";
import { SCHEDULERS, closePoolsAfterAll, computeFailure, fromPartitions, randomParts, rng } from "./helpers.js";

closePoolsAfterAll();

/** The largest number of inputs any task of the graph takes. */
function maxFanIn(c: Bag<unknown> | Item<unknown>): number {
  let m = 0;
  for (const node of c.graph().values()) m = Math.max(m, dependenciesOf(node).length);
  return m;
}

/** Reference identity of a value: type plus JSON with sorted object keys (a different scheme from the code under test). */
function refKey(x: unknown): string {
  const sortKeys = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sortKeys) : v !== null && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])])) : v;
  return `${Array.isArray(x) ? "array" : typeof x}:${JSON.stringify(sortKeys(x))}`;
}

function refFrequencies(xs: unknown[]): Array<[unknown, number]> {
  const m = new Map<string, [unknown, number]>();
  for (const x of xs) {
    const e = m.get(refKey(x));
    if (e) e[1]++;
    else m.set(refKey(x), [x, 1]);
  }
  return [...m.values()];
}

function refDistinct(xs: unknown[], key: (x: any) => unknown = (x) => x): unknown[] {
  const seen = new Set<string>();
  return xs.filter((x) => {
    const k = refKey(key(x));
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Stable sort by key descending, first k. */
function refTopk<T>(xs: T[], k: number, key: (x: T) => any = (x) => x): T[] {
  return xs
    .map((x, i) => ({ x, i, k: key(x) }))
    .sort((a, b) => (a.k > b.k ? -1 : a.k < b.k ? 1 : a.i - b.i))
    .slice(0, k)
    .map((e) => e.x);
}

const r = rng(7);
const numbers = Array.from({ length: 2000 }, () => r(500) - 100);
const WORDS = ["apple", "Äpfel", "日本語", "e\u0301", "é", "😀smile", "naïve", "", "apple", "ß", "ÆØÅ"];
const words = Array.from({ length: 3000 }, () => WORDS[r(WORDS.length)]!);
const objects: unknown[] = Array.from({ length: 400 }, (_, i) => (i % 3 === 0 ? { name: WORDS[i % 5], n: i % 4 } : i % 3 === 1 ? { n: i % 4, name: WORDS[i % 5] } : [i % 2, WORDS[i % 3]]));

const CASES = {
  "one partition": (xs: unknown[]) => fromPartitions([xs]),
  "empty partitions": (xs: unknown[]) => fromPartitions([[], ...randomParts(xs, 7, 3), [], []]),
  "50 partitions": (xs: unknown[]) => fromPartitions(randomParts(xs, 50, 11)),
};

for (const scheduler of SCHEDULERS) {
  describe(`reductions on ${scheduler}`, () => {
    for (const [label, make] of Object.entries(CASES)) {
      it(`count, sum, mean, min, max and fold: ${label}`, async () => {
        const b = make(numbers) as Bag<number>;
        const total = numbers.reduce((a, x) => a + x, 0);
        expect(await b.count().compute({ scheduler })).toBe(numbers.length);
        expect(await b.sum().compute({ scheduler })).toBe(total);
        expect(await b.mean().compute({ scheduler })).toBeCloseTo(total / numbers.length, 12);
        expect(await b.min().compute({ scheduler })).toBe(Math.min(...numbers));
        expect(await b.max().compute({ scheduler })).toBe(Math.max(...numbers));
        expect(await b.fold((a, x) => a + x).compute({ scheduler })).toBe(total);
        expect(await b.fold((a, x) => a + x, null, 0).compute({ scheduler })).toBe(total);
        // binop and combine of different types: per partition a count of evens, then their sum.
        expect(await b.fold<number>((a, x) => a + (x % 2 === 0 ? 1 : 0), (a, c) => a + c, 0).compute({ scheduler })).toBe(numbers.filter((x) => x % 2 === 0).length);
        // A binop that mutates its accumulator: the initial value is copied per partition on every scheduler.
        const all = await b.fold<number[]>((acc, x) => (acc.push(x), acc), (a, c) => a.concat(c), []).compute({ scheduler });
        expect(all).toEqual(numbers);
      });

      it(`min and max of strings, reduction: ${label}`, async () => {
        const b = make(words) as Bag<string>;
        const sorted = [...words].sort();
        expect(await b.min().compute({ scheduler })).toBe(sorted[0]);
        expect(await b.max().compute({ scheduler })).toBe(sorted[sorted.length - 1]);
        const lengths = b.reduction(
          (part: string[]) => part.reduce((a, w) => a + w.length, 0),
          (partials: number[]) => partials.reduce((a, x) => a + x, 0),
          { splitEvery: 3 },
        );
        expect(await lengths.compute({ scheduler })).toBe(words.reduce((a, w) => a + w.length, 0));
        // Dask's reduction(perPartition, aggregate): aggregate sees lists of partials at every level.
        const longest = b.reduction(
          (part: string[]) => part.reduce((a, w) => (w.length > a.length ? w : a), ""),
          (ws: string[]) => ws.reduce((a, w) => (w.length > a.length ? w : a), ""),
        );
        expect(await longest.compute({ scheduler })).toBe(words.reduce((a, w) => (w.length > a.length ? w : a), ""));
      });

      it(`frequencies of unicode strings and of objects: ${label}`, async () => {
        const bw = make(words);
        expect(await bw.frequencies().compute({ scheduler })).toEqual(refFrequencies(words));
        const bo = make(objects);
        expect(await bo.frequencies().compute({ scheduler })).toEqual(refFrequencies(objects));
        const sorted = await bw.frequencies({ sort: true } as red.GroupOptions).compute({ scheduler });
        expect(sorted).toEqual([...refFrequencies(words)].sort((a, c) => c[1] - a[1]));
        // npartitions > 1: hash-partitioned counts, every element in exactly one output partition.
        const split = bo.frequencies({ npartitions: 4 });
        expect(split.npartitions).toBe(4);
        const parts = await split.persist({ scheduler }).then((p) => p.keys().map((k) => (p.graph().get(k) as Literal<Array<[unknown, number]>>).value));
        const byRef = (pairs: Array<[unknown, number]>) => [...pairs].sort((a, c) => (refKey(a[0]) < refKey(c[0]) ? -1 : 1));
        expect(byRef(parts.flat())).toEqual(byRef(refFrequencies(objects)));
        expect(parts.filter((p) => p.length > 0).length).toBeGreaterThan(1);
      });

      it(`distinct and topk: ${label}`, async () => {
        const bw = make(words) as Bag<string>;
        expect(await bw.distinct().compute({ scheduler })).toEqual(refDistinct(words));
        expect(await bw.distinct((w: string) => w.length).compute({ scheduler })).toEqual(refDistinct(words, (w) => w.length));
        expect(await bw.distinct("length").compute({ scheduler })).toEqual(refDistinct(words, (w) => w.length));
        const bo = make(objects);
        expect(await bo.distinct().compute({ scheduler })).toEqual(refDistinct(objects));
        const bn = make(numbers) as Bag<number>;
        expect(await bn.topk(10).compute({ scheduler })).toEqual(refTopk(numbers, 10));
        expect(await bn.topk(7, (x: number) => -x).compute({ scheduler })).toEqual(refTopk(numbers, 7, (x) => -x));
        expect(await bn.topk(5000).compute({ scheduler })).toEqual(refTopk(numbers, 5000));
        expect(await bn.topk(0).compute({ scheduler })).toEqual([]);
      });
    }

    it("topk with function, index and multi-argument keys; ties keep first-seen order", async () => {
      const pairs: Array<[string, number]> = words.map((w, i) => [w, (i * 7919) % 13]);
      const b = fromPartitions(randomParts(pairs, 9, 5));
      const expected = refTopk(pairs, 10, (p) => p[1]);
      expect(await b.topk(10, ([, n]: [string, number]) => n).compute({ scheduler })).toEqual(expected);
      expect(await b.topk(10, 1).compute({ scheduler })).toEqual(expected);
      // As Dask: a key taking several parameters is applied to the element's items.
      expect(await b.topk(10, ((_w: string, n: number) => n) as never).compute({ scheduler })).toEqual(expected);
      const recs = pairs.map(([w, n]) => ({ w, n }));
      expect(await fromPartitions(randomParts(recs, 4, 2)).topk(4, "n").compute({ scheduler })).toEqual(refTopk(recs, 4, (o) => o.n));
    });

    it("tree reductions over 50 partitions with splitEvery 2: several levels, no task with more than 2 inputs", async () => {
      const parts = randomParts(words, 50, 23);
      const b = fromPartitions(parts);
      const se = { splitEvery: 2 };
      const freq = b.frequencies(se);
      const top = red.topk(b, 5, (w: string) => w.length, se) as Bag<string>;
      const folded = red.fold(b, (a: number, w: string) => a + w.length, (a: number, c: number) => a + c, 0, se);
      const cnt = red.count(b, se);
      for (const c of [freq, top, folded, cnt]) {
        expect(maxFanIn(c)).toBeLessThanOrEqual(2);
        // 50 chunk tasks, then 25 + 13 + 7 + 4 + 2 combine tasks, then the final task.
        expect(c.graph().size).toBe(50 + 50 + 25 + 13 + 7 + 4 + 2 + 1);
      }
      expect(maxFanIn(b.frequencies())).toBeLessThanOrEqual(8);
      expect(await freq.compute({ scheduler })).toEqual(refFrequencies(words));
      expect(await top.compute({ scheduler })).toEqual(refTopk(words, 5, (w) => w.length));
      expect(await folded.compute({ scheduler })).toBe(words.reduce((a, w) => a + w.length, 0));
      expect(await cnt.compute({ scheduler })).toBe(words.length);
    });

    it("frequencies takes the counts a bag offers (offerCounts) instead of reading its elements", async () => {
      const parts = randomParts(words, 6, 31);
      const b = fromPartitions(parts);
      const countsOf = (p: string[]): [string[], Float64Array] => {
        const m = new Map<string, number>();
        for (const w of p) m.set(w, (m.get(w) ?? 0) + 1);
        return [[...m.keys()], Float64Array.from(m.values())];
      };
      const counted = fromPartitions(parts.map((p) => countsOf(p) as unknown as string[]));
      red.offerCounts(b, () => counted as never);
      const f = b.frequencies();
      const keys = [...f.graph().keys()];
      expect(keys.some((k) => k.includes(counted._name))).toBe(true);
      expect(keys.some((k) => k.includes(b._name))).toBe(false);
      expect(await f.compute({ scheduler })).toEqual(refFrequencies(words));
      const split = await b.frequencies({ npartitions: 3, sort: true } as red.GroupOptions).compute({ scheduler });
      expect([...split].sort((a, c) => (a[0] < c[0] ? -1 : 1))).toEqual(refFrequencies(words).sort((a, c) => ((a[0] as string) < (c[0] as string) ? -1 : 1)));
    });

    it("empty bags: sum 0, count 0, mean NaN, fold with initial gives it, distinct/topk/frequencies empty", async () => {
      for (const b of [db.fromSequence([]), fromPartitions<number>([[], [], [], []]), fromPartitions<number>(Array.from({ length: 20 }, () => []))]) {
        expect(await b.sum().compute({ scheduler })).toBe(0);
        expect(await b.count().compute({ scheduler })).toBe(0);
        expect(await b.mean().compute({ scheduler })).toBeNaN();
        expect(await b.fold((a: number, x: number) => a + x, null, 10).compute({ scheduler })).toBe(10);
        expect(await b.frequencies().compute({ scheduler })).toEqual([]);
        expect(await b.distinct().compute({ scheduler })).toEqual([]);
        expect(await b.topk(3).compute({ scheduler })).toEqual([]);
        // All partitions empty: aggregate([perPartition([])]), as Dask on a one-partition bag.
        expect(await b.reduction((p: number[]) => p.length, (ps: number[]) => ps.length).compute({ scheduler })).toBe(1);
      }
    });

    it("errors: min/max of an empty bag, fold of an empty bag without initial", async () => {
      const empty = fromPartitions<number>([[], [], []]);
      for (const [c, text] of [
        [empty.min(), /EmptyBagError: min: min\(\) arg is an empty sequence/],
        [empty.max(), /max\(\) arg is an empty sequence/],
        [empty.fold((a: number, x: number) => a + x), /reduce\(\) of empty sequence with no initial value.*initial/],
      ] as const) {
        const e = await c.compute({ scheduler }).then(
          () => undefined,
          (err: Error) => err,
        );
        expect(e?.message).toMatch(text);
        expect((e?.cause as Error).name).toBe("EmptyBagError");
      }
    });

    it("errors: a throwing function names the operation, the partition, the element and the cause", async () => {
      const b = fromPartitions([[1, 2], [], [3, 4, 5], [6]]);
      const fail = (c: { compute(o: object): Promise<unknown> }): Promise<string> => computeFailure(c, { scheduler });
      const binop = (a: number, x: number): number => {
        if (x === 5) throw new Error("five is bad");
        return a + x;
      };
      expect(await fail(b.fold(binop))).toMatch(/fold: the function failed on element 2 of partition 2: five is bad/);
      expect(await fail(b.topk(2, (x: number) => (x === 6 ? (null as any).boom : x)))).toMatch(/topk: the function failed on element 0 of partition 3: .*null/);
      expect(await fail(b.distinct((x: number) => (x === 1 ? JSON.parse("{") : x)))).toMatch(/distinct: the function failed on element 0 of partition 0: .*JSON/);
      expect(await fail(b.reduction((p: number[]) => p.length, (ps: number[]) => ps.map((p) => p.toFixed(-1))))).toMatch(/reduction: the combine function failed on the results of partitions 0-3: .*toFixed/);
      expect(await fail(b.fold((a, x) => a + x, (a: number, c: number) => { throw new Error(`combine ${a} ${c}`); }))).toMatch(/fold: the combine function failed on the results of partitions 0-3: combine 3 12/);
      expect(await fail(fromPartitions([[{ n: 1 }, { m: 2 }]]).topk(1, "n"))).toMatch(/topk: the function failed on element 1 of partition 0: the element \{"m":2\} has no property "n"/);
    });
  });
}

describe("reductions reject bad arguments at the call", () => {
  const b = db.fromSequence([1, 2, 3]);
  it("captured variables", () => {
    const offset = 3;
    expect(() => b.fold((a, x) => a + x + offset)).toThrow(CapturedVariableError);
    expect(() => b.fold((a, x) => a + x + offset)).toThrow(/offset/);
    expect(() => b.topk(2, (x) => x * offset)).toThrow(CapturedVariableError);
    expect(() => b.reduction((p) => p.length + offset, (ps) => ps.length)).toThrow(/offset/);
    expect(() => b.distinct((x) => x % offset)).toThrow(CapturedVariableError);
  });
  it("bad options and keys", () => {
    expect(() => b.frequencies({ splitEvery: 1 })).toThrow(/splitEvery/);
    expect(() => b.topk(-1)).toThrow(/non-negative integer/);
    expect(() => b.topk(2, {} as never)).toThrow(/key must be a function, a property name or an array index/);
    expect(() => b.frequencies({ npartitions: 0 })).toThrow(/npartitions/);
  });
});
