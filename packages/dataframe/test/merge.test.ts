// merge: every join kind, keys with duplicates and missing values, multi-column keys, leftOn/rightOn,
// suffixes, per-partition dictionaries, empty partitions, broadcast and shuffle layouts; pandas fixtures.
import { describe, expect, it } from "vitest";
import { InvalidArgumentError, compute } from "@dask-ts/core";
import type * as A from "apache-arrow";
import { ColumnTypeError, DataFrame, UnknownColumnError, dd } from "@dask-ts/dataframe";
import { SCHEDULERS, closePoolsAfterAll } from "./helpers.js";
import { fixture, frameOf, partitionedFrame, rowArrays, sortedRows, type FixtureColumn, type FixtureResult } from "./relational-helpers.js";

closePoolsAfterAll();

type How = "inner" | "left" | "right" | "outer";

/** Computes several frames in one run. */
async function computeAll(frames: readonly DataFrame[], scheduler: string): Promise<A.Table[]> {
  return (await compute(...frames, { scheduler })) as A.Table[];
}

// Left: key k with a duplicate (2), a missing key, a key only on the left (1, 5).
const leftCols = { k: [1, 2, 2, null, 5], a: ["p", "q", "r", "s", "t"] };
// Right: duplicate 2, missing key, key only on the right (7).
const rightCols = { k: [2, 2, null, 7], b: [10.5, 20, 30, 40] };

// Expected by hand: 2 x 2 cross product of the 2s, missing meets missing (pandas), unmatched rows by kind.
const matched = [
  [2, "q", 10.5], [2, "q", 20], [2, "r", 10.5], [2, "r", 20], [null, "s", 30],
];
const expectedByHow: Record<How, unknown[][]> = {
  inner: matched,
  left: [...matched, [1, "p", null], [5, "t", null]],
  right: [...matched, [7, null, 40]],
  outer: [...matched, [1, "p", null], [5, "t", null], [7, null, 40]],
};

describe("merge: hand-made tables", () => {
  for (const scheduler of SCHEDULERS) {
    it(`every kind, broadcast and shuffle layouts agree, on ${scheduler}`, async () => {
      const layouts: [number, number, boolean | undefined][] = [[1, 1, undefined], [2, 1, undefined], [1, 2, undefined], [2, 3, undefined], [3, 2, true], [2, 2, false]];
      for (const how of ["inner", "left", "right", "outer"] as How[]) {
        const frames = layouts.map(([nl, nr, broadcast]) =>
          dd.fromColumns(leftCols, { npartitions: nl }).merge(dd.fromColumns(rightCols, { npartitions: nr }), { on: "k", how, broadcast }),
        );
        const results = await computeAll(frames, scheduler);
        for (const [i, t] of results.entries()) {
          expect(t.schema.fields.map((f) => f.name)).toEqual(["k", "a", "b"]);
          expect(sortedRows(rowArrays(t)), `${how} layout ${layouts[i]}`).toEqual(sortedRows(expectedByHow[how]));
        }
      }
    });

    it(`inner and left joins keep the left order with a broadcast right side, on ${scheduler}`, async () => {
      const l = dd.fromColumns({ k: [3, 1, 2, 1], v: [0, 1, 2, 3] }, { npartitions: 2 });
      const r = dd.fromColumns({ k: [1, 3, 1], w: ["a", "b", "c"] }, { npartitions: 1 });
      const [inner, left] = await computeAll([l.merge(r, { on: "k" }), l.merge(r, { on: "k", how: "left" })], scheduler);
      // pandas: left rows in order, each with its right matches in right order.
      expect(rowArrays(inner!)).toEqual([[3, 0, "b"], [1, 1, "a"], [1, 1, "c"], [1, 3, "a"], [1, 3, "c"]]);
      expect(rowArrays(left!)).toEqual([[3, 0, "b"], [1, 1, "a"], [1, 1, "c"], [2, 2, null], [1, 3, "a"], [1, 3, "c"]]);
    });

    it(`multi-column keys, suffixes and leftOn/rightOn, on ${scheduler}`, async () => {
      const l = dd.fromColumns({ g: ["x", "x", "y", null, "y"], n: [1, 2, 1, 1, null], v: [1, 2, 3, 4, 5] }, { npartitions: 2 });
      const r = dd.fromColumns({ n: [1, 1, null, 2], g: ["x", "y", "y", "z"], v: [10, 20, 30, 40] }, { npartitions: 3 });
      const frames = [
        l.merge(r, { on: ["g", "n"], how: "outer", suffixes: ["_l", "_r"] }),
        l.merge(r, { on: ["g", "n"], how: "inner", broadcast: false }),
        l.merge(r, { leftOn: "v", rightOn: "n", how: "left" }),
      ];
      const [outer, inner, lr] = await computeAll(frames, scheduler);
      expect(outer!.schema.fields.map((f) => f.name)).toEqual(["g", "n", "v_l", "v_r"]);
      expect(sortedRows(rowArrays(outer!))).toEqual(sortedRows([
        ["x", 1, 1, 10], ["x", 2, 2, null], ["y", 1, 3, 20], [null, 1, 4, null], ["y", null, 5, 30], ["z", 2, null, 40],
      ]));
      expect(inner!.schema.fields.map((f) => f.name)).toEqual(["g", "n", "v_x", "v_y"]);
      expect(sortedRows(rowArrays(inner!))).toEqual(sortedRows([["x", 1, 1, 10], ["y", 1, 3, 20], ["y", null, 5, 30]]));
      // Keys with other names: both kept; the overlapping non-key columns get suffixes (g, n, v on both sides).
      expect(lr!.schema.fields.map((f) => f.name)).toEqual(["g_x", "n_x", "v_x", "n_y", "g_y", "v_y"]);
      expect(sortedRows(rowArrays(lr!))).toEqual(sortedRows([
        ["x", 1, 1, 1, "x", 10], ["x", 1, 1, 1, "y", 20], ["x", 2, 2, 2, "z", 40],
        ["y", 1, 3, null, null, null], [null, 1, 4, null, null, null], ["y", null, 5, null, null, null],
      ]));
    });

    it(`string keys with a different dictionary in every partition, and empty partitions, on ${scheduler}`, async () => {
      const l = partitionedFrame({ s: "string", a: "int32" }, [
        { s: ["b", "a", "ü日本"], a: [1, 2, 3] },
        {},
        { s: ["c", null, "a"], a: [4, 5, 6] },
      ]);
      const r = partitionedFrame({ s: "category", b: "float64" }, [
        { s: ["a"], b: [0.5] },
        { s: ["ü日本", null, "zz", "c"], b: [1.5, 2.5, 3.5, 4.5] },
        {},
        {},
      ]);
      const frames = (["inner", "outer"] as How[]).flatMap((how) => [
        l.merge(r, { on: "s", how, broadcast: false }),
        l.merge(r, { on: "s", how, broadcast: true }),
      ]);
      const [innerS, innerB, outerS, outerB] = await computeAll(frames, scheduler);
      const inner = [["a", 2, 0.5], ["ü日本", 3, 1.5], ["c", 4, 4.5], [null, 5, 2.5], ["a", 6, 0.5]];
      const outer = [...inner, ["b", 1, null], ["zz", null, 3.5]];
      expect(sortedRows(rowArrays(innerS!))).toEqual(sortedRows(inner));
      expect(sortedRows(rowArrays(innerB!))).toEqual(sortedRows(inner));
      expect(sortedRows(rowArrays(outerS!))).toEqual(sortedRows(outer));
      expect(sortedRows(rowArrays(outerB!))).toEqual(sortedRows(outer));
      // string with category: the outer key is a string column; inner keeps the left's type.
      expect(frames[2]!.dtypes.s).toBe("string");
      expect(frames[0]!.dtypes.s).toBe("string");
    });

    it(`all-empty and no-match joins give empty results with the right columns, on ${scheduler}`, async () => {
      const l = partitionedFrame({ k: "int64", a: "bool" }, [{}, { k: [1, 2], a: [true, false] }]);
      const r = partitionedFrame({ k: "int64", b: "string" }, [{ k: [3n], b: ["x"] }, {}]);
      const [inner, outer] = await computeAll([l.merge(r, { on: "k" }), l.merge(r, { on: "k", how: "outer" })], scheduler);
      expect(inner!.numRows).toBe(0);
      expect(inner!.schema.fields.map((f) => f.name)).toEqual(["k", "a", "b"]);
      expect(sortedRows(rowArrays(outer!))).toEqual(sortedRows([[1, true, null], [2, false, null], [3, null, "x"]]));
    });
  }
});

describe("merge: layouts", () => {
  it("broadcasts a single-partition side when the join allows it, shuffles otherwise", () => {
    const big = dd.fromColumns({ k: [1, 2, 3, 4] }, { npartitions: 4 });
    const small = dd.fromColumns({ k: [1, 2] }, { npartitions: 1 });
    const mid = dd.fromColumns({ k: [1, 2] }, { npartitions: 2 });
    const layout = (df: DataFrame) => df._name.split("-").slice(0, 2).join("-");
    expect(layout(big.merge(small, { how: "inner" }))).toBe("merge-broadcast");
    expect(layout(big.merge(small, { how: "left" }))).toBe("merge-broadcast");
    expect(layout(small.merge(big, { how: "right" }))).toBe("merge-broadcast");
    expect(layout(big.merge(small, { how: "right" }))).toBe("merge-shuffle");
    expect(layout(big.merge(small, { how: "outer" }))).toBe("merge-shuffle");
    expect(layout(big.merge(mid, { how: "inner" }))).toBe("merge-shuffle");
    expect(layout(big.merge(mid, { how: "inner", broadcast: true }))).toBe("merge-broadcast");
    expect(layout(big.merge(mid, { how: "outer", broadcast: true }))).toBe("merge-shuffle");
    expect(layout(big.merge(small, { broadcast: false }))).toBe("merge-shuffle");
    expect(big.merge(small).npartitions).toBe(4);
    expect(big.merge(mid).npartitions).toBe(4);
    expect(big.merge(mid, { npartitions: 3 }).npartitions).toBe(3);
    expect(small.merge(big, { how: "right" }).npartitions).toBe(4);
  });

  it("knows the output schema without computing (pandas' key types)", () => {
    const l = dd.fromColumns({ k: [1, 2], a: [1, 2] }, { dtype: { k: "int32", a: "int32" } });
    const r = dd.fromColumns({ k: [1.5, 2], b: ["x", "y"] });
    expect(l.merge(r, { how: "inner" }).dtypes).toEqual({ k: "int32", a: "int32", b: "string" });
    expect(l.merge(r, { how: "right" }).dtypes).toEqual({ k: "float64", a: "int32", b: "string" });
    expect(l.merge(r, { how: "outer" }).dtypes).toEqual({ k: "float64", a: "int32", b: "string" });
  });
});

describe("merge: bad input", () => {
  const l = dd.fromColumns({ k: [1], s: ["a"], d: [new Date(0)] });
  const r = dd.fromColumns({ k: [1], s: ["a"], n: [1n] });

  it("names unknown key columns at the call", () => {
    expect(() => l.merge(r, { on: "zz" })).toThrow(UnknownColumnError);
    expect(() => l.merge(r, { on: "d" })).toThrow(/Unknown column 'd'.*'k', 's', 'n'/);
    expect(() => l.merge(r, { leftOn: "k", rightOn: "q" })).toThrow(UnknownColumnError);
  });

  it("rejects key columns of types that cannot meet, naming both", () => {
    expect(() => l.merge(r, { leftOn: "s", rightOn: "k" })).toThrow(ColumnTypeError);
    expect(() => l.merge(r, { leftOn: "s", rightOn: "k" })).toThrow(/'s' of the left frame is string.*'k' of the right frame is int32/);
    expect(() => l.merge(r, { leftOn: "d", rightOn: "n" })).toThrow(/date.*int64/);
    // int32, int64 and float64 keys compare by value.
    expect(() => l.merge(r, { leftOn: "k", rightOn: "n" })).not.toThrow();
  });

  it("rejects bad options", () => {
    expect(() => l.merge(r, { how: "cross" as never })).toThrow(InvalidArgumentError);
    expect(() => l.merge(r, { how: "cross" as never })).toThrow(/how must be one of "inner", "left", "right", "outer"; got "cross"/);
    expect(() => l.merge(r, { on: "k", leftOn: "k", rightOn: "k" })).toThrow(/either on, or leftOn and rightOn/);
    expect(() => l.merge(r, { leftOn: "k" })).toThrow(/leftOn and rightOn go together/);
    expect(() => l.merge(r, { leftOn: ["k", "s"], rightOn: ["k"] })).toThrow(/pair up/);
    expect(() => l.merge(r, { on: "k", suffixes: ["", ""] })).toThrow(/different suffixes/);
    expect(() => dd.fromColumns({ a: [1] }).merge(dd.fromColumns({ b: [1] }))).toThrow(/no column in common/);
    expect(() => l.merge({} as DataFrame)).toThrow(InvalidArgumentError);
    // a suffixed name that collides with an existing column
    expect(() => dd.fromColumns({ k: [1], v: [1], v_x: [1] }).merge(dd.fromColumns({ k: [1], v: [1] }), { on: "k" })).toThrow(/two columns named 'v_x'/);
  });
});

interface MergeCase {
  name: string;
  left: FixtureColumn[];
  right: FixtureColumn[];
  opts: { on?: string | string[]; leftOn?: string; rightOn?: string; how: How; suffixes?: [string, string] };
  expected: FixtureResult;
}

describe("merge: pandas fixtures", () => {
  const { cases } = fixture<{ cases: MergeCase[] }>("merge.json");
  for (const scheduler of SCHEDULERS) {
    it(`${cases.length} merges match pandas 1.5 in 1, broadcast and shuffle layouts, on ${scheduler}`, async () => {
      for (const c of cases) {
        const layouts: [number, number, boolean | undefined][] = [[1, 1, undefined], [3, 1, undefined], [1, 3, undefined], [4, 3, false], [3, 4, true]];
        const frames = layouts.map(([nl, nr, broadcast]) => frameOf(c.left, nl).merge(frameOf(c.right, nr), { ...c.opts, broadcast }));
        const results = await computeAll(frames, scheduler);
        for (const [i, t] of results.entries()) {
          expect(t.schema.fields.map((f) => f.name), c.name).toEqual(c.expected.columns);
          expect(sortedRows(rowArrays(t)), `${c.name}, layout ${layouts[i]}`).toEqual(sortedRows(c.expected.rows));
        }
      }
    });
  }

  it("the fixtures exercise duplicates and missing keys", () => {
    const c = cases.find((x) => x.name === "int key, inner")!;
    const keys = c.left.find((x) => x.name === "k")!.values;
    expect(keys.includes(null)).toBe(true);
    expect(new Set(keys).size).toBeLessThan(keys.length);
    expect(c.expected.rows.length).toBeGreaterThan(c.left[0]!.values.length);
  });
});
