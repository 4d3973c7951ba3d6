// The README's tour and the demo, run as written: documentation that stops working fails here.
import { afterAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Client, LocalCluster, closeSchedulers, compute, config, da, db, dd, delayed, persist, Delayed } from "dask-ts";
import { writeFile } from "node:fs/promises";

afterAll(() => closeSchedulers());

describe("README tour", () => {
  it("runs as documented", async () => {
    const inc = delayed((x: number) => x + 1, { pure: true });
    const add = delayed((a: number, b: number) => a + b, { pure: true });
    const z = add(inc(1), inc(2));
    expect(await z.compute()).toBe(5);
    expect(await z.compute({ scheduler: "sync" })).toBe(5);
    expect(await z.compute({ scheduler: "processes", numWorkers: 2 })).toBe(5);
    const [a, b] = await compute(inc(z), add(z, 10));
    expect([a, b]).toEqual([6, 15]);
    const [zp] = (await persist(z)) as [Delayed<number>];
    expect(await zp.compute()).toBe(5);
    const dir = await mkdtemp(join(tmpdir(), "dask-ts-readme-"));
    try {
      await z.visualize({ filename: join(dir, "graph.svg") });
      expect(await readFile(join(dir, "graph.svg"), "utf8")).toContain("<svg");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(await config.with({ scheduler: "sync" }, () => z.compute())).toBe(5);
  });
});

describe("README arrays", () => {
  it("runs as documented (smaller sizes)", async () => {
    const x = da.random.random([1000, 1000], { chunks: [100, 100], seed: 42 });
    const m = (await x.add(x.T).mean({ axis: 0 }).compute()) as { shape: number[]; get(i: number): number };
    expect(m.shape).toEqual([1000]);
    expect(m.get(0)).toBeGreaterThan(0.9); // the mean of the sum of two uniforms
    expect(m.get(0)).toBeLessThan(1.1);
    expect(await da.ones([2000, 2000], { chunks: 200 }).sum().compute()).toBe(4_000_000);
    expect(await da.arange(6, { chunks: 4 }).reshape([2, 3]).get(null, "::-1").toArray()).toEqual([[2, 1, 0], [5, 4, 3]]);
    const g = (await x.get(":50").dot(x.get(":50").T).sum().compute()) as number;
    expect(g).toBeGreaterThan(0);
  });
});

describe("README dataframes", () => {
  it("runs as documented (on small files)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "dask-ts-readme-df-"));
    try {
      const lines = ["id1,id3,id4,v1,v3"];
      for (let i = 0; i < 2000; i++) lines.push(`id${i % 7},id${i % 300},${i},${i % 5},${(i % 97) + 0.5}`);
      await writeFile(join(dir, "a.csv"), lines.slice(0, 1001).join("\n") + "\n");
      await writeFile(join(dir, "b.csv"), [lines[0], ...lines.slice(1001)].join("\n") + "\n");
      const df = dd.readCsv(join(dir, "*.csv"), { dtype: { id4: "int64" }, blocksize: 8000 });
      expect(df.dtypes).toEqual({ id1: "string", id3: "string", id4: "int64", v1: "int32", v3: "float64" });
      expect(df.npartitions).toBeGreaterThan(2);
      const q = await df.groupby("id1").agg({ v1: "sum", v3: ["mean", "max"] }).compute();
      expect(q.schema.fields.map((f) => f.name)).toEqual(["id1", "v1", "v3_mean", "v3_max"]);
      expect(q.numRows).toBe(7);
      const many = await df.groupby("id3", { splitOut: 4 }).col("v1").sum().compute();
      expect(many.numRows).toBe(300);
      const big = df.filter(df.col("v3").gt(50));
      const h = await big.assign({ w: big.col("v1").mul(2) }).head();
      await expect(df.filter(df.col("v3").gt(50)).assign({ w: df.col("v1") }).compute()).rejects.toThrow(/same frame after the same filters/);
      expect(h.numRows).toBe(5);
      expect(h.schema.fields.map((f) => f.name)).toEqual(["id1", "id3", "id4", "v1", "v3", "w"]);
      const mean = (await df.col("v3").mean().compute()) as number;
      expect(mean).toBeGreaterThan(40);
      const other = dd.fromColumns({ id1: ["id0", "id1"], label: ["zero", "one"] });
      const joined = await df.merge(other, { on: "id1", how: "left" }).compute();
      expect(joined.numRows).toBe(2000);
      const files = await df.sortValues("v3", { ascending: false }).toCsv(join(dir, "out", "part-*.csv"));
      expect(files.length).toBe(df.npartitions);
      expect((await dd.readCsv(join(dir, "out", "*.csv")).len())).toBe(2000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("README bags", () => {
  it("runs as documented (on small files)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "dask-ts-readme-bag-"));
    try {
      await writeFile(join(dir, "a.txt"), "the cat\nthe dog\n");
      await writeFile(join(dir, "b.txt"), "a cat and the bird");
      const lines = db.readText(join(dir, "*.txt"), { blocksize: "16MB" });
      expect(await lines.compute()).toEqual(["the cat\n", "the dog\n", "a cat and the bird"]);
      const top = await lines.str.split().flatten().frequencies().topk(2, ([, n]: [string, number]) => n).compute();
      expect(top).toEqual([["the", 3], ["cat", 2]]);
      const records = [
        { name: "ann", age: 31, city: "oslo", amount: 5 },
        { name: "bob", age: 12, city: "rome", amount: 7 },
        { name: "cy", age: 45, city: "oslo", amount: 1 },
        { name: "ann", age: 31, city: "rome", amount: 2 },
      ];
      const b = db.fromSequence(records, { npartitions: 2 });
      expect(await b.filter((r: { age: number }, min: number) => r.age >= min, 18).pluck("name").distinct().compute()).toEqual(["ann", "cy"]);
      const totals = await b.foldby((r: { city: string }) => r.city, (n: number, r: { amount: number }) => n + r.amount, 0, (x: number, y: number) => x + y, 0).compute();
      expect(new Map(totals)).toEqual(new Map([["oslo", 6], ["rome", 9]]));
      const sizes = await b.groupby((r: { city: string }) => r.city).map(([city, rs]: [string, unknown[]]) => [city, rs.length]).compute();
      expect(new Map(sizes as [string, number][])).toEqual(new Map([["oslo", 2], ["rome", 2]]));
      expect(await b.take(2)).toEqual(records.slice(0, 2));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("README cluster", () => {
  it("runs as documented", async () => {
    const cluster = await LocalCluster.start({ nWorkers: 2, threadsPerWorker: 1 });
    try {
      const client = await Client.connect(cluster);
      try {
        expect(config.get("scheduler")).toBe(client);
        const x = client.submit((n: number) => n * 2, 21);
        const ys = client.map((n: number) => n + 1, [1, 2, 3]);
        expect(await x.result()).toBe(42);
        expect(await client.gather(ys)).toEqual([2, 3, 4]);
        expect(await da.ones([4000, 4000], { chunks: [1000, 1000] }).sum().compute()).toBe(16_000_000);
        class Counter {
          n = 0;
          add(k: number): number {
            return (this.n += k);
          }
        }
        const counter = client.submit(Counter, { actor: true });
        await counter.add(2);
        expect(await counter.add(3)).toBe(5);
      } finally {
        await client.close();
      }
      expect(config.get("scheduler")).toBeUndefined();
    } finally {
      await cluster.close();
    }
  });
});

describe("demo", () => {
  it("dataframe demo: same groupby results on every scheduler", async () => {
    const script = new URL("../examples/dataframe-demo.mjs", import.meta.url).pathname;
    const { stdout } = await promisify(execFile)(process.execPath, [script], { timeout: 120_000 }).catch((e: { stderr?: string }) => {
      throw new Error(`dataframe demo failed: ${e.stderr ?? String(e)}`);
    });
    const lines = stdout.split("\n").filter((l) => l.includes("same result"));
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(["sync", "threads", "processes"]);
    expect(stdout).not.toContain("DIFFERENT");
  });

  it("gives the same word counts on every scheduler", async () => {
    const script = new URL("../examples/demo.mjs", import.meta.url).pathname;
    const { stdout } = await promisify(execFile)(process.execPath, [script], { timeout: 120_000 }).catch((e: { stderr?: string }) => {
      throw new Error(`demo failed: ${e.stderr ?? String(e)}`);
    });
    const lines = stdout.split("\n").filter((l) => l.includes("same result"));
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(["sync", "threads", "processes"]);
    expect(stdout).not.toContain("DIFFERENT");
  });
});
