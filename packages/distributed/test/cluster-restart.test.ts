// client.restart(): every task stops, every result goes, futures are cancelled, workers come back fresh.
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "@dask-ts/core";
import { Client } from "../dist/client/client.js";
import { LocalCluster } from "../dist/cluster/local-cluster.js";
import { FutureCancelledError } from "../dist/errors.js";
import { startTestCluster, until } from "./helpers/test-cluster.js";

const spin = (ms: number): number => {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    /* busy: only killing the thread or process stops it */
  }
  return ms;
};
const pidOf = (): number => process.pid;
const inc = (x: number): number => x + 1;

describe("client.restart() on in-process workers", () => {
  it("cancels every client's futures, drops datasets and starts fresh workers", async () => {
    const cluster = await LocalCluster.start({ nWorkers: 2, threadsPerWorker: 1, processes: false });
    const a = await Client.connect(cluster, { setAsDefault: false });
    const b = await Client.connect(cluster, { setAsDefault: false });
    try {
      const done = a.submit(inc, 1);
      expect(await done.result()).toBe(2);
      const running = a.submit(spin, 60_000);
      const other = b.submit(inc, 41);
      await other.result();
      await a.publishDataset("kept", done);
      const before = cluster.workerInfo().map((w) => w.address);
      const t0 = Date.now();
      await a.restart({ timeout: 20_000 });
      expect(Date.now() - t0).toBeLessThan(15_000); // the 60 s task did not hold it up
      for (const f of [done, running, other]) expect(f.status).toBe("cancelled");
      await expect(done.result()).rejects.toBeInstanceOf(FutureCancelledError);
      expect(await a.listDatasets()).toEqual([]);
      const info = await a.schedulerInfo();
      const after = Object.keys(info.workers);
      expect(after).toHaveLength(2);
      for (const addr of after) expect(before).not.toContain(addr);
      expect(cluster.workerInfo().map((w) => w.address).sort()).toEqual([...after].sort());
      // The cluster works as before, for both clients; the same pure key computes afresh.
      expect(await a.submit(inc, 1).result()).toBe(2);
      expect(await b.submit(inc, 9).result()).toBe(10);
      expect(cluster.scheduler.state.events().some((e) => e.topic === "remove-worker")).toBe(true);
      cluster.scheduler.state.validate();
    } finally {
      await a.close();
      await b.close();
      await cluster.close();
    }
  });

  it("workers started without supervision leave and are not awaited; a bad timeout is refused", async () => {
    const tc = await startTestCluster({ workers: [{ name: "x" }], clients: 1 });
    try {
      const client = tc.clients[0]!;
      await expect(client.restart({ timeout: -1 })).rejects.toThrow(InvalidArgumentError);
      await client.restart({ timeout: 5000 });
      await until(() => tc.s.workerAddresses().length === 0, 5000, "the worker to leave");
      expect(tc.workers[0]!.restartRequested).toBe(true);
    } finally {
      await tc.close();
    }
  });
});

describe("client.restart() on worker processes", () => {
  it("kills a task stuck in a busy loop and replaces every worker process", async () => {
    const cluster = await LocalCluster.start({ nWorkers: 2, threadsPerWorker: 1 });
    const client = await Client.connect(cluster, { setAsDefault: false });
    try {
      const pidsBefore = cluster.workerInfo().map((w) => w.pid);
      const stuck = client.map(spin, [600_000, 600_001]);
      await until(() => [...cluster.scheduler.state.workers.values()].every((w) => w.processing.size > 0), 10_000, "both workers busy");
      await client.restart({ timeout: 30_000 });
      for (const f of stuck) expect(f.status).toBe("cancelled");
      const pidsAfter = cluster.workerInfo().map((w) => w.pid);
      expect(pidsAfter).toHaveLength(2);
      for (const p of pidsAfter) expect(pidsBefore).not.toContain(p);
      for (const n of [0, 1]) expect(cluster.nanny(n)!.restarts).toBe(1);
      const ran = await client.gather(client.map(pidOf, [1, 2, 3, 4], { pure: false }));
      for (const p of ran) expect(pidsAfter).toContain(p);
    } finally {
      await client.close();
      await cluster.close();
    }
  });
});
