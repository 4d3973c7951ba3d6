// The README's tour and the demo, run as written: documentation that stops working fails here.
import { afterAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { closeSchedulers, compute, config, da, delayed, persist, Delayed } from "dask-ts";

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

describe("demo", () => {
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
