// Array kernels on recycled chunk buffers (core memory/recycle.ts): results stay exact on every
// scheduler while dead chunks are reused, and views that outlive their source (transposes computed on
// another worker, persisted blocks) are never overwritten.
import { afterAll, describe, expect, it } from "vitest";
import { bufferPoolStats, closeSchedulers, delayed, fromModule } from "@dask-ts/core";
import { da, type DaskArray } from "@dask-ts/array";
import { flatValues } from "./helpers.js";

afterAll(() => closeSchedulers());

// 100x100 float64 blocks (80 KB) are large enough to be recycled.
const SHAPE = [600, 600];
const CHUNKS = [100, 100];
const schedulers = [
  ["sync", 1],
  ["threads", 1],
  ["threads", 2],
  ["processes", 2],
] as const;

/** x's values (computed on sync, where nothing is shared) as rows. */
async function rows(x: DaskArray): Promise<number[][]> {
  const flat = flatValues(await x.compute({ scheduler: "sync" }));
  return Array.from({ length: SHAPE[0]! }, (_, i) => flat.slice(i * SHAPE[1]!, (i + 1) * SHAPE[1]!));
}

describe.each(schedulers)("on %s (%i workers)", (scheduler, numWorkers) => {
  it("(x + x.T) reductions and elementwise results are exact while chunks are reused", async () => {
    const x = da.random.random(SHAPE, { chunks: CHUNKS, seed: 42 });
    const r = await rows(x);
    const n = SHAPE[0]!;
    const colMean = Array.from({ length: n }, (_, j) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += r[i]![j]! + r[j]![i]!;
      return s / n;
    });
    let total = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) total += r[i]![j]! + r[j]![i]!;
    for (let rep = 0; rep < 3; rep++) {
      const [mean, sum, sq] = await Promise.all([
        x.add(x.T).mean({ axis: 0 }).compute({ scheduler, numWorkers }),
        x.add(x.T).sum().compute({ scheduler, numWorkers }),
        x.mul(x).add(x.T).compute({ scheduler, numWorkers }),
      ]);
      const m = flatValues(mean);
      for (let j = 0; j < n; j++) expect(m[j]).toBeCloseTo(colMean[j]!, 10);
      expect(Math.abs((sum as number) - total)).toBeLessThan(1e-9 * total);
      const q = flatValues(sq);
      for (let i = 0; i < n; i += 7) for (let j = 0; j < n; j += 5) expect(q[i * n + j]).toBe(r[i]![j]! * r[i]![j]! + r[j]![i]!);
    }
  });

  it("persisted transposes (views of chunks that were released) survive later computations", async () => {
    const x = da.random.random(SHAPE, { chunks: CHUNKS, seed: 7 });
    const r = await rows(x);
    // x's chunks are intermediates here: released (and possibly recycled) while the views live on.
    const t = await x.T.persist({ scheduler, numWorkers });
    const tt = await x.T.T.persist({ scheduler, numWorkers });
    for (let rep = 0; rep < 3; rep++) {
      const y = da.random.random(SHAPE, { chunks: CHUNKS, seed: 100 + rep });
      await y.add(y.T).mul(3).sum().compute({ scheduler, numWorkers });
    }
    const n = SHAPE[0]!;
    const gt = flatValues(await t.compute({ scheduler: "sync" }));
    const gtt = flatValues(await tt.compute({ scheduler: "sync" }));
    let bad = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (gt[i * n + j] !== r[j]![i]) bad++;
        if (gtt[i * n + j] !== r[i]![j]) bad++;
      }
    }
    expect(bad).toBe(0);
  });
});

describe("chunk buffers are reused", () => {
  it("on the main thread (sync) and on a worker thread", async () => {
    const x = da.random.random(SHAPE, { chunks: CHUNKS, seed: 3 });
    const before = bufferPoolStats().reused;
    await x.add(x.T).sum().compute({ scheduler: "sync" });
    expect(bufferPoolStats().reused - before).toBeGreaterThan(20);
    await x.add(x.T).sum().compute({ scheduler: "threads", numWorkers: 1 });
    // Ask the worker itself: its pool is its own.
    const stats = delayed(fromModule(new URL("./fixtures/pool-stats.mjs", import.meta.url).href, "poolStats"));
    const worker = (await stats().compute({ scheduler: "threads", numWorkers: 1 })) as { reused: number };
    expect(worker.reused).toBeGreaterThan(20);
  });
});
