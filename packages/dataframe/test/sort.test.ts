// sortValues and setIndex: global order across partitions (stable, missing last, descending, several
// keys), pandas fixtures, divisions of setIndex, strings with per-partition dictionaries, bad input.
import { describe, expect, it } from "vitest";
import { InvalidArgumentError, LayeredGraph, Literal, Task, kernel, registerKernel, type Graph } from "@dask-ts/core";
import { DataFrame, UnknownColumnError, dd, type ColType } from "@dask-ts/dataframe";
import { columnFromValues, makeTable } from "@dask-ts/dataframe/column";
import { SCHEDULERS, closePoolsAfterAll, rows } from "./helpers.js";
import { fixture, frameOf, lcg, partitionedFrame, partitionsOf, rowArrays, type FixtureColumn, type FixtureResult } from "./relational-helpers.js";

closePoolsAfterAll();

type Row = Record<string, unknown>;

/** Comparison of one key as pandas sorts: missing last in either direction. */
function cmpKey(a: unknown, b: unknown, asc: boolean): number {
  if (a === null || b === null) return a === null ? (b === null ? 0 : 1) : -1;
  const r = (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  return asc ? r : -r;
}

/** The expected order, by JS's stable Array.prototype.sort on plain rows (independent of the code under test). */
function expectedSort(data: Row[], by: string[], asc: boolean[]): Row[] {
  return [...data].sort((x, y) => {
    for (let k = 0; k < by.length; k++) {
      const c = cmpKey(x[by[k]!], y[by[k]!], asc[k]!);
      if (c !== 0) return c;
    }
    return 0;
  });
}

/** Random rows: float key with missing values and ties, small int key, string key (ASCII and BMP), row number. */
function randomRows(n: number, seed: number): Row[] {
  const r = lcg(seed);
  const words = ["pear", "Apple", "été", "zeta", "日本", "", "b", "ä"];
  return Array.from({ length: n }, (_, i) => ({
    f: r() < 0.07 ? null : Math.round(r() * 60) / 2 - 10,
    i: r() < 0.05 ? null : Math.floor(r() * 5),
    s: r() < 0.05 ? null : words[Math.floor(r() * words.length)]!,
    row: i,
  }));
}

const dtypes: Record<string, ColType> = { f: "float64", i: "int32", s: "string", row: "int32" };

function frameOfRows(data: Row[], npartitions: number): DataFrame {
  const cols = Object.fromEntries(Object.keys(dtypes).map((k) => [k, data.map((r) => r[k])]));
  return dd.fromColumns(cols, { npartitions, dtype: dtypes });
}

describe("sortValues", () => {
  const data = randomRows(700, 7);
  const specs: [string[], boolean[], number, number | undefined][] = [
    [["f"], [true], 5, undefined],
    [["f"], [false], 4, 7],
    [["s"], [true], 6, 3],
    [["i", "f"], [true, false], 5, undefined],
    [["s", "i", "f"], [false, true, false], 3, 1],
    [["i"], [false], 1, 4],
  ];
  for (const scheduler of SCHEDULERS) {
    it(`sorts globally across partitions, stably, missing last, on ${scheduler}`, async () => {
      for (const [by, asc, nin, nout] of specs) {
        const df = frameOfRows(data, nin).sortValues(by, { ascending: asc.length === 1 ? asc[0] : asc, npartitions: nout });
        expect(df.npartitions).toBe(nout ?? nin);
        const parts = await partitionsOf(df, scheduler);
        expect(parts.length).toBe(nout ?? nin);
        const got = parts.flatMap((p) => rows(p));
        expect(got, `${by} ${asc}`).toEqual(expectedSort(data, by, asc));
        // Range partitioning did the work: with several outputs the rows are spread, not all in one.
        if ((nout ?? nin) > 2) expect(Math.max(...parts.map((p) => p.numRows))).toBeLessThan(data.length * 0.8);
      }
    });

    it(`sorts strings with a different dictionary per partition, empty partitions, int64 and dates, on ${scheduler}`, async () => {
      const df = partitionedFrame({ s: "string", g: "int64", d: "date" }, [
        { s: ["m", "b", null], g: [3n, -(2n ** 60n), null], d: [new Date(5), new Date(1), null] },
        {},
        { s: ["a", "m", "ü", "c"], g: [2n ** 60n, 0n, 3n, 1n], d: [new Date(3), null, new Date(-4), new Date(2)] },
        {},
      ]);
      const [byS, byG, byD] = await Promise.all([
        df.sortValues("s").compute({ scheduler }),
        df.sortValues("g", { ascending: false }).compute({ scheduler }),
        df.sortValues(["d"], { npartitions: 2 }).compute({ scheduler }),
      ]);
      expect(rows(byS!).map((r) => r.s)).toEqual(["a", "b", "c", "m", "m", "ü", null]);
      expect(rows(byG!).map((r) => r.g)).toEqual([2 ** 60, 3, 3, 1, 0, -(2 ** 60), null]);
      expect(rows(byD!).map((r) => r.d)).toEqual([-4, 1, 2, 3, 5, null, null]);
    });

    it(`handles all-missing keys, one row and empty frames, on ${scheduler}`, async () => {
      const allNull = dd.fromColumns({ x: [null, null, null], y: [1, 2, 3] }, { npartitions: 3, dtype: { x: "float64" } });
      expect(rows(await allNull.sortValues("x").compute({ scheduler })).map((r) => r.y)).toEqual([1, 2, 3]);
      const one = dd.fromColumns({ x: [4] });
      expect(rows(await one.sortValues("x", { npartitions: 3 }).compute({ scheduler }))).toEqual([{ x: 4 }]);
      const empty = partitionedFrame({ x: "int32" }, [{}, {}]);
      expect((await empty.sortValues("x").compute({ scheduler })).numRows).toBe(0);
    });
  }

  it("rejects bad input at the call", () => {
    const df = dd.fromColumns({ a: [1], b: ["x"] });
    expect(() => df.sortValues("zz")).toThrow(UnknownColumnError);
    expect(() => df.sortValues(["a", "zz"])).toThrow(/Unknown column 'zz'/);
    expect(() => df.sortValues([])).toThrow(InvalidArgumentError);
    expect(() => df.sortValues(["a", "b"], { ascending: [true] })).toThrow(/one boolean per sort column \(2\)/);
    expect(() => df.sortValues("a", { npartitions: 0 })).toThrow(/npartitions must be a positive integer/);
  });
});

interface SortFixture {
  data: FixtureColumn[];
  cases: { name: string; by: string[]; ascending: boolean[]; expected: FixtureResult }[];
}

describe("sortValues: pandas fixtures", () => {
  const fx = fixture<SortFixture>("sort.json");
  for (const scheduler of SCHEDULERS) {
    it(`${fx.cases.length} sorts match pandas 1.5 (stable, NaN last) in 1, 4 and 9 partitions, on ${scheduler}`, async () => {
      for (const c of fx.cases) {
        for (const [nin, nout] of [[1, 1], [4, 4], [9, 3]] as const) {
          const t = await frameOf(fx.data, nin).sortValues(c.by, { ascending: c.ascending, npartitions: nout }).compute({ scheduler });
          expect(t.schema.fields.map((f) => f.name)).toEqual(c.expected.columns);
          expect(rowArrays(t), `${c.name}, ${nin} -> ${nout} partitions`).toEqual(c.expected.rows);
        }
      }
    });
  }
});

/** Checks divisions against the partitions: partition i holds divisions[i] <= v < divisions[i+1] (the last closed), missing last. */
function checkDivisions(parts: readonly Row[][], col: string, divisions: readonly unknown[], values: readonly unknown[]): void {
  const present = values.filter((v) => v !== null) as (number | string)[];
  const sorted = [...present].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  expect(divisions.length).toBe(parts.length + 1);
  expect(divisions[0]).toBe(sorted[0]);
  expect(divisions[divisions.length - 1]).toBe(sorted[sorted.length - 1]);
  for (let i = 0; i + 2 < divisions.length; i++) expect((divisions[i] as number) < (divisions[i + 1] as number)).toBe(true);
  parts.forEach((p, i) => {
    const lo = divisions[i] as number, hi = divisions[i + 1] as number;
    const last = i === parts.length - 1;
    for (const r of p) {
      const v = r[col] as number | null;
      if (v === null) {
        expect(last, "missing values go to the last partition").toBe(true);
        continue;
      }
      expect(v >= lo && (last ? v <= hi : v < hi), `${v} in partition ${i} [${lo}, ${hi}${last ? "]" : ")"}`).toBe(true);
    }
  });
}

describe("setIndex", () => {
  const data = randomRows(500, 11);
  for (const scheduler of SCHEDULERS) {
    it(`sorts on the column and records correct divisions, on ${scheduler}`, async () => {
      for (const [col, nin, nout] of [["f", 4, undefined], ["s", 3, 5], ["i", 6, undefined]] as const) {
        const df = frameOfRows(data, nin).setIndex(col, { npartitions: nout });
        expect(df.state.index).toBe(col);
        expect(df.knownDivisions).toBe(true);
        const parts = (await partitionsOf(df, scheduler)).map((p) => rows(p));
        expect(parts.length).toBe(df.npartitions);
        checkDivisions(parts, col, df.divisions!, data.map((r) => r[col]));
        expect(parts.flat()).toEqual(expectedSort(data, [col], [true]));
        // The index column stays a column.
        expect(df.columns).toEqual(["f", "i", "s", "row"]);
      }
    });
  }

  it("gives fewer partitions when the column has few distinct values (divisions stay strictly increasing)", async () => {
    const df = dd.fromColumns({ k: [1, 1, 1, 2, 2, 2, 2, 1, null], v: [0, 1, 2, 3, 4, 5, 6, 7, 8] }, { npartitions: 3 }).setIndex("k", { npartitions: 3 });
    // Quantiles 1/3 and 2/3 of four 1s and four 2s are 1 and 2: the boundary 1 (the minimum) would leave partition 0 empty.
    expect(df.divisions).toEqual([1, 2, 2]);
    expect(df.npartitions).toBe(2);
    const parts = (await partitionsOf(df, "sync")).map((p) => rows(p));
    expect(parts.map((p) => p.map((r) => r.v))).toEqual([[0, 1, 2, 7], [3, 4, 5, 6, 8]]);
    const few = dd.fromColumns({ k: [1, 1, 1, 2, 2, 1, 1, 1] }, { npartitions: 3 }).setIndex("k", { npartitions: 3 });
    expect(few.divisions).toEqual([1, 2]);
    expect(few.npartitions).toBe(1);
    const same = dd.fromColumns({ k: ["a", "a"] }, { npartitions: 2 }).setIndex("k");
    expect(same.divisions).toEqual(["a", "a"]);
    expect(same.npartitions).toBe(1);
  });

  it("falls back to lazy boundaries (unknown divisions) when the input cannot be computed synchronously", async () => {
    registerKernel("test.relational.asyncPartition", async (t: unknown) => t);
    const parts = [[5, 1, 4], [3, null, 2]].map((v) => makeTable(["x"], [columnFromValues(v, "float64")]));
    const name = "async-source-test";
    const tasks: Graph = new Map();
    parts.forEach((p, i) => tasks.set(JSON.stringify([name, i]), new Task(kernel("test.relational.asyncPartition"), [new Literal(p)])));
    const df = new DataFrame(LayeredGraph.fromLayer(name, tasks), name, [{ name: "x", dtype: "float64" }], 2);
    const indexed = df.setIndex("x");
    expect(indexed.state.index).toBe("x");
    expect(indexed.knownDivisions).toBe(false);
    // The test's kernel lives in this process only: the sync scheduler runs it.
    expect(rows(await indexed.compute({ scheduler: "sync" })).map((r) => r.x)).toEqual([1, 2, 3, 4, 5, null]);
  });

  it("rejects unknown columns and bad options at the call", () => {
    const df = dd.fromColumns({ a: [1] });
    expect(() => df.setIndex("zz")).toThrow(UnknownColumnError);
    expect(() => df.setIndex("a", { npartitions: 1.5 })).toThrow(/npartitions must be a positive integer/);
  });
});
