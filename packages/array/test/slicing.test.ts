// Basic indexing x.get(...): hand-computed cases, Dask's chunks, views, laziness, bad input, and a property test.
import { afterAll, describe, expect, it } from "vitest";
import ndarray from "ndarray";
import fc from "fast-check";
import { closeSchedulers, cull, keyName, persist, Literal } from "@dask-ts/core";
import { da, IndexError } from "@dask-ts/array";

afterAll(() => closeSchedulers());

type Arr = ReturnType<typeof da.ones>;
type Idx = number | string | null;

/** [[0, 1, 2, 3, 4], [5, ..., 9], ..., [15, ..., 19]] with blocks of rows [1, 3] and columns [2, 3]. */
function grid(): Arr {
  return da.arange(20, { chunks: 20 }).reshape([4, 5]).rechunk([[1, 3], [2, 3]]);
}
const G = Array.from({ length: 4 }, (_, i) => Array.from({ length: 5 }, (_, j) => 5 * i + j));

describe.each(["sync", "threads", "processes"])("get on %s", (scheduler) => {
  const opts = { scheduler: scheduler as "sync" };

  it("integers drop axes, negative ones count from the end", async () => {
    const x = grid();
    expect(x.get(1).shape).toEqual([5]);
    expect(x.get(1).chunks).toEqual([[2, 3]]);
    expect(await x.get(1).toArray(opts)).toEqual([5, 6, 7, 8, 9]);
    expect(await x.get(-1).toArray(opts)).toEqual([15, 16, 17, 18, 19]);
    expect(await x.get(null, -2).toArray(opts)).toEqual([3, 8, 13, 18]);
    expect(x.get(null, -2).chunks).toEqual([[1, 3]]);
    // all axes picked: a 0-d array computing to a number
    const s = x.get(2, 3);
    expect([s.shape, s.chunks, s.ndim]).toEqual([[], [], 0]);
    expect(await s.compute(opts)).toBe(13);
    expect(await x.get(-4, -5).compute(opts)).toBe(0);
  });

  it("slices with steps, negative steps, clipping, and Dask's chunks", async () => {
    const x = grid();
    const y = x.get("::-1", "::2");
    expect(await y.toArray(opts)).toEqual([[15, 17, 19], [10, 12, 14], [5, 7, 9], [0, 2, 4]]);
    // rows: blocks [1, 3] reversed -> [3, 1]; columns 0, 2, 4 fall in blocks [0] and [2, 4] -> [1, 2]
    expect(y.chunks).toEqual([[3, 1], [1, 2]]);
    expect(await x.get("1:3", "-2:").toArray(opts)).toEqual([[8, 9], [13, 14]]);
    expect(x.get("1:3", "-2:").chunks).toEqual([[2], [2]]);
    expect(await x.get("-100:100", "4:0:-3").toArray(opts)).toEqual(G.map((r) => [r[4], r[1]]));
    expect(await x.get("3:0:-2", "3:").toArray(opts)).toEqual([[18, 19], [8, 9]]);
    expect(await x.get(" 1 : 4 : 2 ").toArray(opts)).toEqual([G[1], G[3]]);
    expect(await x.get(":", ":").toArray(opts)).toEqual(G);
  });

  it("null is ':', fewer indices than axes, and '...'", async () => {
    const x = grid();
    expect(await x.get(null, 1).toArray(opts)).toEqual([1, 6, 11, 16]);
    expect(await x.get("2:").toArray(opts)).toEqual([G[2], G[3]]);
    expect(await x.get("...", 1).toArray(opts)).toEqual([1, 6, 11, 16]);
    expect(await x.get(1, "...").toArray(opts)).toEqual(G[1]);
    expect(await x.get(1, "...", 2).compute(opts)).toBe(7);
    const c = da.arange(24, { chunks: 5 }).reshape([2, 3, 4]);
    expect(await c.get("...", "::-1").get(1, 2).toArray(opts)).toEqual([23, 22, 21, 20]);
    expect(await c.get(1, "...").get(null, "1:3").toArray(opts)).toEqual([[13, 14], [17, 18], [21, 22]]);
    // a 0-d array indexes with nothing or "..."
    expect(await x.get(2, 3).get().compute(opts)).toBe(13);
    expect(await x.get(2, 3).get("...").compute(opts)).toBe(13);
  });

  it("empty results have length 0", async () => {
    const x = grid();
    const e = x.get("5:2");
    expect([e.shape, e.chunks]).toEqual([[0, 5], [[0], [2, 3]]]);
    expect(await e.toArray(opts)).toEqual([]);
    const f = x.get(null, "3:3");
    expect([f.shape, f.chunks]).toEqual([[4, 0], [[1, 3], [0]]]);
    expect(await f.toArray(opts)).toEqual([[], [], [], []]);
    expect(x.get("10:", "::-1").shape).toEqual([0, 5]);
    expect(await x.get("5:2").get("::-1").toArray(opts)).toEqual([]);
  });

  it("works on 1-d to 4-d arrays, int64 and bool data, and chained", async () => {
    const v = da.fromArray(BigInt64Array.from([1n, 2n, 3n, 4n, 5n]), { chunks: 2 });
    expect(((await v.get("::-2").toArray(opts)) as bigint[]).map(Number)).toEqual([5, 3, 1]);
    const b = da.fromArray([true, false, true, true], { chunks: 3 });
    expect([b.get("1:").dtype, await b.get("1:").toArray(opts)]).toEqual(["bool", [false, true, true]]);
    const d4 = da.arange(120, { chunks: 7 }).reshape([2, 3, 4, 5]).rechunk([1, 2, 3, 2]);
    const r = d4.get(1, "::-1", "1:3", -1);
    expect(await r.toArray(opts)).toEqual([[109, 114], [89, 94], [69, 74]]);
    expect(await d4.get("...", 0).get(0).get(0).toArray(opts)).toEqual([0, 5, 10, 15]);
  });
});

describe("get builds views of only the blocks it needs", () => {
  it("a slice inside one block reads that block only", () => {
    const x = da.arange(100, { chunks: 10 });
    const y = x.get("25:37");
    expect(y.chunks).toEqual([[5, 7]]);
    const g = cull(y.graph(), y.keys());
    const inputs = [...g.keys()].filter((k) => keyName(k) === x.name);
    expect(inputs.sort()).toEqual([x.blockKey(2), x.blockKey(3)].sort());
    const z = x.get(-1);
    expect([...cull(z.graph(), z.keys()).keys()].filter((k) => keyName(k) === x.name)).toEqual([x.blockKey(9)]);
  });

  it("whole blocks are aliases, ':' everywhere is the array itself", () => {
    const x = da.arange(30, { chunks: 10 });
    expect(x.get(":")).toBe(x);
    expect(x.get()).toBe(x);
    expect(x.get("...")).toBe(x);
    const y = x.get("10:");
    const node = y.graph().get(y.blockKey(0));
    expect(node?.constructor.name).toBe("TaskRef");
  });

  it("blocks of the result share memory with the input blocks (no copy), negative steps included", async () => {
    const data = Float64Array.from({ length: 24 }, (_, i) => i);
    const x = da.fromArray(ndarray(data, [4, 6]), { chunks: [2, 3] });
    const y = x.get("::-1", "1:5:2");
    const [yp] = (await persist(y, { scheduler: "sync" })) as [Arr];
    const inputData = new Set([...x.graph().values()].map((n) => ((n as Literal).value as { data: unknown }).data));
    for (const k of yp.keys()) {
      const block = (yp.graph().get(k) as Literal).value as { data: unknown; stride: number[] };
      expect(inputData.has(block.data)).toBe(true);
      expect(block.stride[0]).toBeLessThan(0);
    }
    expect(await yp.toArray({ scheduler: "sync" })).toEqual([[19, 21], [13, 15], [7, 9], [1, 3]]);
  });
});

describe("get rejects bad indices at the call, naming the shape", () => {
  const x = da.ones([5, 3], { chunks: 2 });
  it("out of bounds", () => {
    expect(() => x.get(5)).toThrow(IndexError);
    expect(() => x.get(5)).toThrow(/Index 5 is out of bounds for axis 0 with size 5.*\[5, 3\]/);
    expect(() => x.get(0, -4)).toThrow(/Index -4 is out of bounds for axis 1 with size 3.*\[5, 3\]/);
    expect(() => da.ones([0]).get(0)).toThrow(IndexError);
  });
  it("too many indices", () => {
    expect(() => x.get(0, 0, 0)).toThrow(IndexError);
    expect(() => x.get(0, 0, 0)).toThrow(/Too many indices.*\[5, 3\].*2-dimensional, but 3/);
    expect(() => x.get(":", ":", "...", ":")).toThrow(IndexError);
    expect(() => x.get(2, 1).get(0)).toThrow(/\[\].*0-dimensional/);
  });
  it("bad slice text, step 0, non-integers, two ellipses", () => {
    for (const bad of ["a:b", "1:2:3:4", "1.5:", "", "1,2", ":x", "--1:"]) {
      expect(() => x.get(bad), bad).toThrow(IndexError);
      expect(() => x.get(bad), bad).toThrow(/\[5, 3\]/);
    }
    expect(() => x.get("3")).toThrow(/pass the number 3/);
    expect(() => x.get("::0")).toThrow(/step 0.*\[5, 3\]/);
    expect(() => x.get(1.5)).toThrow(/not an integer.*\[5, 3\]/);
    expect(() => x.get(NaN)).toThrow(IndexError);
    expect(() => x.get("...", "...")).toThrow(/single "\.\.\."/);
    expect(() => x.get(undefined as never)).toThrow(IndexError);
    expect(() => x.get([1, 2] as never)).toThrow(IndexError);
  });
});

/** Random chunks for a length: a few block sizes summing to n. */
function chunksArb(n: number): fc.Arbitrary<number[]> {
  if (n <= 1) return fc.constant([n]);
  return fc.uniqueArray(fc.integer({ min: 1, max: n - 1 }), { maxLength: Math.min(4, n - 1) }).map((cuts) => {
    const edges = [0, ...cuts.sort((a, b) => a - b), n];
    return edges.slice(1).map((e, i) => e - edges[i]!);
  });
}

function indexArb(n: number): fc.Arbitrary<Idx> {
  const part = fc.option(fc.integer({ min: -n - 3, max: n + 3 }), { nil: undefined });
  const step = fc.option(fc.constantFrom(-5, -3, -2, -1, 1, 2, 3, 4), { nil: undefined });
  const slice = fc.tuple(part, part, step).map(([a, b, s]) => `${a ?? ""}:${b ?? ""}${s === undefined ? "" : `:${s}`}`);
  const options: fc.Arbitrary<Idx>[] = [slice, fc.constant(null)];
  if (n > 0) options.push(fc.integer({ min: -n, max: n - 1 }));
  return fc.oneof(...options);
}

describe("property: any chunking slices like one chunk", () => {
  it("x.get(...) equals slicing the single-chunk array, with chunks summing to the shape", async () => {
    const caseArb = fc
      .array(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 3 })
      .chain((shape) =>
        fc.record({
          shape: fc.constant(shape),
          chunks: fc.tuple(...shape.map(chunksArb)),
          index: fc.tuple(...shape.map(indexArb)),
          keep: fc.integer({ min: 0, max: shape.length }),
          ellipsisAt: fc.option(fc.integer({ min: 0, max: shape.length }), { nil: undefined }),
        }),
      );
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ shape, chunks, index, keep, ellipsisAt }) => {
        const size = shape.reduce((a, b) => a * b, 1);
        const one = da.arange(size, { chunks: Math.max(size, 1) }).reshape(shape);
        const many = one.rechunk(chunks);
        expect(many.chunks).toEqual(chunks);
        let idx: Idx[] = index.slice(0, keep);
        if (ellipsisAt !== undefined && ellipsisAt <= keep) {
          // the entries after "..." index the trailing axes
          const tail = index.slice(shape.length - (keep - ellipsisAt));
          idx = [...index.slice(0, ellipsisAt), "...", ...tail];
        }
        const a = one.get(...idx);
        const b = many.get(...idx);
        expect(b.shape).toEqual(a.shape);
        expect(b.chunks.map((c) => c.reduce((s, v) => s + v, 0))).toEqual(b.shape);
        const [ra, rb] = await Promise.all([a.toArray({ scheduler: "sync" }), b.toArray({ scheduler: "sync" })]);
        expect(rb).toEqual(ra);
      }),
      { numRuns: 300 },
    );
  });
});
