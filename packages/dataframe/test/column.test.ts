// Kernel-side columns: Arrow round trips, row operations, hashing and sorting.
import { describe, expect, it } from "vitest";
import * as A from "apache-arrow";
import {
  columnFromValues,
  columnToValues,
  concatColumns,
  concatTables,
  makeTable,
  readColumn,
  sliceColumn,
  takeColumn,
  type Column,
} from "@dask-ts/dataframe/column";
import { hashRows } from "@dask-ts/dataframe/hash";
import { mergeSortedRuns, sortIndices } from "@dask-ts/dataframe/sort-rows";
import { hashSplit } from "@dask-ts/dataframe/kernels/shuffle";
import { rows } from "./helpers.js";

const values = {
  f: [1.5, null, NaN, -0, Infinity],
  i: [1, null, -2147483648, 2147483647, 0],
  g: [1n, null, -(2n ** 63n), 2n ** 63n - 1n, 0n],
  s: ["a", null, "日本", "", "a"],
  b: [true, null, false, true, false],
  d: [new Date(0), null, new Date(86400000 * 365), new Date(-1000), new Date(1e12)],
};
const types = { f: "float64", i: "int32", g: "int64", s: "string", b: "bool", d: "date" } as const;
const expected = {
  f: [1.5, null, null, -0, Infinity],
  i: [1, null, -2147483648, 2147483647, 0],
  g: [1n, null, -(2n ** 63n), 2n ** 63n - 1n, 0n],
  s: ["a", null, "日本", "", "a"],
  b: [true, null, false, true, false],
  d: [new Date(0), null, new Date(86400000 * 365), new Date(-1000), new Date(1e12)],
};

function table(): A.Table {
  const names = Object.keys(values) as (keyof typeof values)[];
  return makeTable(names, names.map((n) => columnFromValues(values[n], types[n])));
}

describe("columns <-> Arrow", () => {
  it("round-trips every type with missing values (NaN is missing in float columns, as pandas)", () => {
    const t = table();
    expect(t.schema.fields.map((f) => String(f.type))).toEqual(["Float64", "Int32", "Int64", "Dictionary<Int32, Utf8>", "Bool", "Date64<MILLISECOND>"]);
    for (const n of Object.keys(values) as (keyof typeof values)[]) {
      expect(columnToValues(readColumn(t, n)), n).toEqual(expected[n]);
      expect(t.getChild(n)!.nullCount, n).toBe(n === "f" ? 2 : 1);
    }
    expect(Object.is(columnToValues(readColumn(t, "f"))[3], -0)).toBe(true);
  });

  it("reads sliced and multi-batch Arrow tables (bit offsets) and plain utf8 columns", () => {
    const big = A.tableFromArrays({
      x: Int32Array.from({ length: 20 }, (_, i) => i),
      s: Array.from({ length: 20 }, (_, i) => (i % 3 === 0 ? "p" : `q${i % 2}`)),
    });
    const withNulls = new A.Table({ b: A.vectorFromArray(Array.from({ length: 20 }, (_, i) => (i % 4 === 0 ? null : i % 2 === 0)), new A.Bool()) });
    const sliced = big.slice(3, 17);
    expect(columnToValues(readColumn(sliced, "x"))).toEqual(Array.from({ length: 14 }, (_, i) => i + 3));
    expect(columnToValues(readColumn(sliced, "s"))).toEqual(Array.from({ length: 14 }, (_, k) => ((k + 3) % 3 === 0 ? "p" : `q${(k + 3) % 2}`)));
    expect(columnToValues(readColumn(withNulls.slice(5, 13), "b"))).toEqual(Array.from({ length: 8 }, (_, k) => ((k + 5) % 4 === 0 ? null : (k + 5) % 2 === 0)));
    const multi = big.slice(0, 5).concat(big.slice(15));
    expect(multi.batches.length).toBe(2);
    expect(columnToValues(readColumn(multi, "x"))).toEqual([0, 1, 2, 3, 4, 15, 16, 17, 18, 19]);
  });

  it("takes rows (-1 gives missing), slices, and concatenates string columns with different dictionaries", () => {
    const s1 = columnFromValues(["x", "y", null], "string");
    const s2 = columnFromValues(["z", "x"], "string");
    const cat = concatColumns([s1, s2]);
    expect(columnToValues(cat)).toEqual(["x", "y", null, "z", "x"]);
    const i = columnFromValues([5, 6, 7], "int32");
    expect(columnToValues(takeColumn(i, Int32Array.from([2, -1, 0])))).toEqual([7, null, 5]);
    expect(columnToValues(takeColumn(columnFromValues([1.5, 2.5], "float64"), Int32Array.from([-1, 1])))).toEqual([null, 2.5]);
    expect(columnToValues(takeColumn(columnFromValues([7n, null], "int64"), Int32Array.from([-1, 0, 1])))).toEqual([null, 7n, null]);
    expect(columnToValues(takeColumn(columnFromValues([true, false], "bool"), Int32Array.from([1, -1])))).toEqual([false, null]);
    expect(columnToValues(sliceColumn(cat, 1, 4))).toEqual(["y", null, "z"]);
    const t = concatTables([makeTable(["a"], [s1]), makeTable(["a"], [columnFromValues([], "string")]), makeTable(["a"], [s2])]);
    expect(rows(t).map((r) => r.a)).toEqual(["x", "y", null, "z", "x"]);
  });

  it("rejects values that do not fit the column type", () => {
    expect(() => columnFromValues([1.5], "int32")).toThrow(/1.5.*int32/);
    expect(() => columnFromValues([2 ** 31], "int32")).toThrow(/int32/);
    expect(() => columnFromValues(["x"], "float64")).toThrow(/float64/);
    expect(() => columnFromValues([1, "x"])).toThrow(/mixes/);
  });
});

describe("row hashes", () => {
  it("hash equal values alike across types and dictionaries", () => {
    const a = columnFromValues([1, 2, null], "int32");
    const b = columnFromValues([1, 2, null], "float64");
    const c = columnFromValues([1n, 2n, null], "int64");
    expect([...hashRows([a], 3)]).toEqual([...hashRows([b], 3)]);
    expect([...hashRows([a], 3)]).toEqual([...hashRows([c], 3)]);
    const s1 = columnFromValues(["k", "m"], "string");
    const s2 = columnFromValues(["m", "z", "k"], "string");
    const h1 = hashRows([s1], 2);
    const h2 = hashRows([s2], 3);
    expect(h1[0]).toBe(h2[2]);
    expect(h1[1]).toBe(h2[0]);
    expect(new Set(hashRows([columnFromValues(Array.from({ length: 1000 }, (_, i) => i), "int32")], 1000)).size).toBe(1000);
  });

  it("hashSplit keeps every row and puts equal keys in the same piece", () => {
    const keys = Array.from({ length: 200 }, (_, i) => `k${i % 17}`);
    const t = makeTable(["k", "v"], [columnFromValues(keys, "string"), columnFromValues(keys.map((_, i) => i), "int32")]);
    const pieces = hashSplit(t, 4, ["k"]);
    expect(pieces.reduce((s, p) => s + p.numRows, 0)).toBe(200);
    const home = new Map<unknown, number>();
    pieces.forEach((p, j) => {
      for (const r of rows(p)) {
        expect(home.get(r.k) ?? j).toBe(j);
        home.set(r.k, j);
      }
    });
    expect(home.size).toBe(17);
    const allV = pieces.flatMap((p) => rows(p).map((r) => r.v as number)).sort((x, y) => x - y);
    expect(allV).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });
});

describe("sortIndices", () => {
  const idx = (cols: Column[], asc?: boolean[]): number[] => [...sortIndices(cols, asc)];
  it("is stable, puts missing values last in both directions, orders strings by code point", () => {
    expect(idx([columnFromValues([3, null, 1, 3, NaN, 2], "float64")])).toEqual([2, 5, 0, 3, 1, 4]);
    expect(idx([columnFromValues([3, null, 1, 3, NaN, 2], "float64")], [false])).toEqual([0, 3, 5, 2, 1, 4]);
    expect(idx([columnFromValues(["b", "a", null, "B", "é", "a"], "string")])).toEqual([3, 1, 5, 0, 4, 2]);
    expect(idx([columnFromValues([2n, null, -5n], "int64")])).toEqual([2, 0, 1]);
    // Code-point order (as Python): U+1F600 sorts after U+FF21, though its UTF-16 units are smaller.
    expect(idx([columnFromValues(["😀", "Ａ", "a"], "string")])).toEqual([2, 1, 0]);
  });
  it("sorts by several keys with per-key direction", () => {
    const k1 = columnFromValues(["x", "y", "x", "y", "x"], "string");
    const k2 = columnFromValues([1, 2, 3, null, 2], "int32");
    expect(idx([k1, k2], [true, false])).toEqual([2, 4, 0, 1, 3]);
  });
});

describe("mergeSortedRuns", () => {
  it("merges sorted runs (some empty) into the order a full stable sort gives", () => {
    const runs = [[1, 4, 4, 9], [], [0, 4, null], [2], [3, 3, 10, null]];
    const flat = runs.flat();
    const starts: number[] = [];
    let at = 0;
    for (const r of runs) { starts.push(at); at += r.length; }
    const col = columnFromValues(flat, "float64");
    expect([...mergeSortedRuns([col], [], starts)]).toEqual([...sortIndices([col])]);
    const desc = [[9, 4, 1], [10, 3], [null]].flat();
    const c2 = columnFromValues(desc, "int32");
    expect([...mergeSortedRuns([c2], [false], [0, 3, 5])].map((i) => desc[i])).toEqual([10, 9, 4, 3, 1, null]);
  });
});
