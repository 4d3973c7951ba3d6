// Column projection into readCsv (optimizeFrameGraph): parse tasks whose every user selects columns
// convert only those columns; results do not change.
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LayeredGraph, Task, compute, type Graph } from "@dask-ts/core";
import { dd, type DataFrame, type Series } from "@dask-ts/dataframe";
import { optimizeFrameGraph } from "@dask-ts/dataframe/optimize";
import { SCHEDULERS, closePoolsAfterAll, columnsOf, rows } from "./helpers.js";

closePoolsAfterAll();
const dir = mkdtempSync(join(tmpdir(), "dask-ts-csv-opt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const path = join(dir, "t.csv");
writeFileSync(path, 'a,b,c\n1,x,1.5\n2,"y,z",2.5\n3,,3.5\n4,x,4.5\n5,"q""r",5.5\n6,y,6.5\n');

/** The column lists of the CSV parse tasks of a graph, by key. */
function parseColumns(g: Graph): string[][] {
  const out: string[][] = [];
  for (const node of g.values()) {
    if (node instanceof Task && node.fn.spec.kind === "kernel" && node.fn.spec.name === "dataframe.csvParse") {
      out.push([...(node.args[0] as { columns: string[] }).columns]);
    }
  }
  return out;
}

function optimized(...cs: (DataFrame | Series)[]): Graph {
  const g = LayeredGraph.merge(...cs.map((c) => c.dask)).materialize();
  return optimizeFrameGraph(g, cs.flatMap((c) => c.keys()));
}

describe("optimizeFrameGraph: column projection into readCsv", () => {
  const df = () => dd.readCsv(path, { blocksize: 20 });

  it("narrows parse tasks to the selected columns, in file order", () => {
    const f = df();
    expect(f.npartitions).toBe(4);
    expect(parseColumns(optimized(f.col("b")))).toEqual(Array(4).fill(["b"]));
    expect(parseColumns(optimized(f.select(["c", "a"])))).toEqual(Array(4).fill(["a", "c"]));
    // Two selections: their union.
    expect(parseColumns(optimized(f.col("c"), f.col("a")))).toEqual(Array(4).fill(["a", "c"]));
  });

  it("keeps every column when the frame itself is an output or another operation uses it whole", () => {
    const f = df();
    expect(parseColumns(optimized(f.col("a"), f))).toEqual(Array(4).fill(["a", "b", "c"]));
    expect(parseColumns(optimized(f.assign({ d: 1 }).col("d")))).toEqual(Array(4).fill(["a", "b", "c"]));
    const g = f.dask.materialize();
    expect(optimizeFrameGraph(g, f.keys())).toBe(g); // nothing to do: the same graph
  });

  it("returns a new graph and leaves the input's tasks as they were", () => {
    const s = df().col("b");
    const g = s.dask.materialize();
    const before = parseColumns(g);
    const out = optimizeFrameGraph(g, s.keys());
    expect(out).not.toBe(g);
    expect(parseColumns(g)).toEqual(before);
    expect(before[0]).toEqual(["a", "b", "c"]);
  });

  it("a groupby parses only its key and value columns (q1)", () => {
    const q = df().groupby("b").col("a").sum();
    expect(parseColumns(optimized(q as never))).toEqual(Array(4).fill(["a", "b"]));
  });

  for (const scheduler of SCHEDULERS) {
    it(`results do not change on ${scheduler}`, async () => {
      const f = df();
      expect(columnsOf(await f.select(["c", "b"]).compute({ scheduler }))).toEqual({
        c: [1.5, 2.5, 3.5, 4.5, 5.5, 6.5],
        b: ["x", "y,z", null, "x", 'q"r', "y"],
      });
      const [a, whole] = (await compute(f.col("a"), f, { scheduler })) as [unknown, Parameters<typeof rows>[0]];
      expect(Array.from(a as Iterable<number>)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(rows(whole)[2]).toEqual({ a: 3, b: null, c: 3.5 });
      const sums = await f.groupby("b").col("a").sum().compute({ scheduler });
      expect(rows(sums as never)).toEqual([
        { b: 'q"r', a: 5 },
        { b: "x", a: 5 },
        { b: "y", a: 6 },
        { b: "y,z", a: 2 },
      ]);
    });
  }
});
