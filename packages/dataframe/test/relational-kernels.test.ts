// Kernel-level checks of key factorization and joins: exact int64 keys, numeric keys of mixed types,
// -0 and 0, missing values, repeated dictionary entries, the int32 lookup-table path against the Map path.
import { describe, expect, it } from "vitest";
import { columnFromValues, makeTable, type Column } from "@dask-ts/dataframe/column";
import { keyIds } from "@dask-ts/dataframe/relational/keys";
import { joinTables, type JoinPlan } from "@dask-ts/dataframe/relational/join-kernel";
import { dedupeTable } from "@dask-ts/dataframe/relational/dedupe-kernel";
import { chooseBoundaries, rangeSplit, sampleKey } from "@dask-ts/dataframe/relational/range-kernel";
import { rows } from "./helpers.js";

/** Probe rows' ids as "which build row has my key" (first such row), -1 for none: comparable across id numberings. */
function partnerOf(build: Column[], probe: Column[]): number[] {
  const { build: b, probe: p } = keyIds(build, probe);
  return Array.from(p!, (id) => (id < 0 ? -1 : b.indexOf(id)));
}

describe("key factorization", () => {
  it("compares int64 keys exactly, beyond 2^53", () => {
    const big = 2n ** 60n;
    expect(partnerOf([columnFromValues([big, big + 1n, null], "int64")], [columnFromValues([big + 1n, big, big + 2n, null], "int64")])).toEqual([1, 0, -1, 2]);
  });

  it("matches int32, int64 and float64 keys by value; -0 meets 0; NaN meets a missing int", () => {
    const build = [columnFromValues([0, 5, null, 7], "int32")];
    expect(partnerOf(build, [columnFromValues([-0, 5, NaN, 7.5, 7], "float64")])).toEqual([0, 1, 2, -1, 3]);
    expect(partnerOf(build, [columnFromValues([7n, 0n, null], "int64")])).toEqual([3, 0, 2]);
  });

  it("gives the same matches through the int32 lookup table and the Map (wide range)", () => {
    const narrow = [columnFromValues([3, 1, 2, null, 3], "int32")];
    const wide = [columnFromValues([3, 1, 2, null, 2_000_000_000], "int32")];
    const probe = [columnFromValues([2, 3, 9, null, 1, -5, 2_000_000_000], "int32")];
    expect(partnerOf(narrow, probe)).toEqual([2, 0, -1, 3, 1, -1, -1]);
    expect(partnerOf(wide, probe)).toEqual([2, 0, -1, 3, 1, -1, 4]);
  });

  it("compares strings by text, whatever the dictionaries (repeated or unused entries)", () => {
    const build: Column = { kind: "str", dtype: "string", codes: Int32Array.from([0, 1, 3, -1]), dict: ["a", "a", "unused", "b"] };
    const probe: Column = { kind: "str", dtype: "category", codes: Int32Array.from([2, 1, 0, -1]), dict: ["b", "zz", "a"] };
    const ids = keyIds([build], null).build;
    expect(ids[0]).toBe(ids[1]);
    // probe rows: "a" (build row 0), "zz" (none), "b" (build row 2), missing (build row 3)
    expect(partnerOf([build], [probe])).toEqual([0, -1, 2, 3]);
  });

  it("combines several key columns", () => {
    const build = [columnFromValues(["x", "x", "y"], "string"), columnFromValues([1, 2, 1], "int32")];
    const probe = [columnFromValues(["y", "x", "x", "y"], "string"), columnFromValues([1, 1, 3, 2], "float64")];
    expect(partnerOf(build, probe)).toEqual([2, 0, -1, -1]);
  });
});

describe("join and dedupe kernels", () => {
  const left = makeTable(["k", "a"], [columnFromValues([1, 2, 2, null], "int64"), columnFromValues(["p", "q", "r", "s"], "string")]);
  const right = makeTable(["k", "b"], [columnFromValues([2, null, 9], "float64"), columnFromValues([true, false, null], "bool")]);
  const plan = (how: JoinPlan["how"]): JoinPlan => ({
    how,
    leftOn: ["k"],
    rightOn: ["k"],
    columns: [
      { name: "k", from: "both", left: "k", right: "k", dtype: how === "outer" ? "float64" : how === "right" ? "float64" : "int64" },
      { name: "a", from: "left", left: "a", dtype: "string" },
      { name: "b", from: "right", right: "b", dtype: "bool" },
    ],
  });

  it("orders pairs as pandas: left rows in order (right rows for a right join), unmatched right rows last (outer)", () => {
    expect(rows(joinTables(left, right, plan("left")))).toEqual([
      { k: 1, a: "p", b: null }, { k: 2, a: "q", b: true }, { k: 2, a: "r", b: true }, { k: null, a: "s", b: false },
    ]);
    expect(rows(joinTables(left, right, plan("right")))).toEqual([
      { k: 2, a: "q", b: true }, { k: 2, a: "r", b: true }, { k: null, a: "s", b: false }, { k: 9, a: null, b: null },
    ]);
    expect(rows(joinTables(left, right, plan("outer")))).toEqual([
      { k: 1, a: "p", b: null }, { k: 2, a: "q", b: true }, { k: 2, a: "r", b: true }, { k: null, a: "s", b: false }, { k: 9, a: null, b: null },
    ]);
    expect(joinTables(left, right, plan("outer")).schema.fields[0]!.type.toString()).toBe("Float64");
  });

  it("keeps the first or last of duplicates in row order", () => {
    const t = makeTable(["k", "i"], [columnFromValues([2, null, 2, NaN, 1], "float64"), columnFromValues([0, 1, 2, 3, 4], "int32")]);
    expect(rows(dedupeTable(t, ["k"], "first")).map((r) => r.i)).toEqual([0, 1, 4]);
    expect(rows(dedupeTable(t, ["k"], "last")).map((r) => r.i)).toEqual([2, 3, 4]);
  });
});

describe("range partitioning kernels", () => {
  it("samples include both ends; boundaries are weighted quantiles; splits put ties together and missing last", () => {
    const t = makeTable(["x"], [columnFromValues([5, null, 1, 3, 3, 3, 9, 7], "float64")]);
    const s = sampleKey(t, "x", 3);
    expect(Array.from(s.values as Float64Array)).toEqual([1, 3, 9]);
    expect(s.count).toBe(7);
    // Two partitions of 7 and 1 present rows: quantiles weight values by their partition's size.
    const other = sampleKey(makeTable(["x"], [columnFromValues([100], "float64")]), "x");
    expect(chooseBoundaries([s, other], 2)).toEqual([3]);
    const pieces = rangeSplit(t, 3, "x", [3, 7], true).map((p) => rows(p).map((r) => r.x));
    expect(pieces).toEqual([[1], [5, 3, 3, 3], [null, 9, 7]]);
    const desc = rangeSplit(t, 3, "x", [3, 7], false).map((p) => rows(p).map((r) => r.x));
    expect(desc).toEqual([[9, 7], [5, 3, 3, 3], [null, 1]]);
  });

  it("samples strings from dictionary counts, in code-point order", () => {
    const t = makeTable(["s"], [columnFromValues(["b", "a", null, "b", "\u{1F600}", "\uFF5E"], "string")]);
    expect(sampleKey(t, "s", 10).values).toEqual(["a", "b", "b", "\uFF5E", "\u{1F600}"]);
  });
});
