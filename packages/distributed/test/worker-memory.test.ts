// Worker memory management: results beyond the target go to disk and come back intact; a worker whose
// process memory passes the pause fraction stops taking tasks, and the scheduler sends work elsewhere.
import { afterEach, describe, expect, it } from "vitest";
import { config } from "@dask-ts/core";
import { SchedulerServer } from "../dist/scheduler/server.js";
import { Worker } from "../dist/worker/worker.js";
import { Client } from "../dist/client/client.js";
import { until } from "./helpers/test-cluster.js";
import { submitOptions } from "../dist/client/submit-options.js";

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  config.reset();
});


function block(i: number): Float64Array {
  const a = new Float64Array(1_000_000); // 8 MB
  for (let j = 0; j < a.length; j += 1000) a[j] = i * 1e6 + j;
  return a;
}

describe("worker memory", () => {
  it("spills least recently used results to disk beyond the target and reads them back intact", async () => {
    // Target 24 MB of a 1 GB limit; the process-memory rules are switched off for an in-process worker.
    config.set({ "distributed.worker.memory.target": 0.024, "distributed.worker.memory.spill": 100, "distributed.worker.memory.pause": 100 });
    const s = await SchedulerServer.start({ port: 0 });
    cleanups.push(() => s.close());
    const w = await Worker.start({ scheduler: s.address, nthreads: 1, memoryLimit: 1e9 });
    cleanups.push(() => w.close());
    const client = await Client.connect(s.address, { setAsDefault: false });
    cleanups.push(() => client.close());
    const fs = client.map(block, [0, 1, 2, 3, 4, 5, 6, 7]);
    await Promise.all(fs.map((f) => f.result()));
    const info = w.memoryInfo();
    expect(info.spillCount).toBeGreaterThanOrEqual(5);
    expect(info.memory).toBeLessThanOrEqual(24e6);
    expect(info.spilled).toBeGreaterThanOrEqual(40e6);
    const back = (await client.gather(fs)) as Float64Array[];
    back.forEach((a, i) => {
      expect(a).toBeInstanceOf(Float64Array);
      expect(a.length).toBe(1_000_000);
      expect(a[999_000]).toBe(i * 1e6 + 999_000);
    });
    // A task reading spilled inputs sees the same values.
    const total = client.submit((...as: Float64Array[]) => as.reduce((t, a) => t + a[5000]!, 0), ...fs);
    expect(await total.result()).toBe(28e6 + 8 * 5000);
    for (const f of fs) f.release();
    total.release();
    await until(() => w.keys().length === 0, 5000, "release");
    expect(w.memoryInfo().spilled).toBe(0);
  });

  it("pauses above the pause fraction of its memory limit; the scheduler gives its work to others", async () => {
    // Pause switched off while the cluster starts (threads and sockets raise this process's memory).
    config.set({ "distributed.worker.memory.target": 100, "distributed.worker.memory.spill": 100, "distributed.worker.memory.pause": 100 });
    const limit = 1e12;
    const s = await SchedulerServer.start({ port: 0, heartbeatInterval: 100 });
    cleanups.push(() => s.close());
    const a = await Worker.start({ scheduler: s.address, nthreads: 1, name: "a", memoryLimit: limit });
    cleanups.push(() => a.close());
    const b = await Worker.start({ scheduler: s.address, nthreads: 1, name: "b" });
    cleanups.push(() => b.close());
    const client = await Client.connect(s.address, { setAsDefault: false });
    cleanups.push(() => client.close());
    // Now pause above 1.25x the memory this process uses, and grow it by 0.6x.
    const rss = process.memoryUsage.rss();
    config.set({ "distributed.worker.memory.pause": (rss * 1.25) / limit });
    const grow = client.submit(
      (bytes: number) => {
        const g = globalThis as { __ballast?: Uint8Array };
        g.__ballast = new Uint8Array(bytes).fill(1);
        return bytes;
      },
      Math.round(rss * 0.6),
      submitOptions({ workers: ["a"], pure: false }),
    );
    await grow.result();
    cleanups.push(() => {
      config.set({ "distributed.worker.memory.pause": 100 }); // so the worker takes the clean-up task
      return client
        .submit(() => void delete (globalThis as { __ballast?: unknown }).__ballast, submitOptions({ workers: ["a"], pure: false }))
        .result({ timeout: 5000 })
        .catch(() => undefined);
    });
    await until(() => a.paused && s.state.workers.get(a.address)!.paused === true, 5000, "pause");
    const fs = client.map((x: number) => x * 3, [1, 2, 3, 4, 5, 6]);
    expect(await client.gather(fs)).toEqual([3, 6, 9, 12, 15, 18]);
    const who = await client.whoHas(fs);
    for (const f of fs) expect(who[f.key]).toEqual([b.address]);
    // Raising the pause fraction lets the worker take tasks again.
    config.set({ "distributed.worker.memory.pause": 100 });
    await until(() => !a.paused && s.state.workers.get(a.address)!.paused === false, 5000, "unpause");
    expect(await client.submit((x: number) => x + 1, 1, submitOptions({ workers: ["a"] })).result()).toBe(2);
  });
});
