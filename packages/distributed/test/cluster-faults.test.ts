// Fault injection on a real LocalCluster of worker processes: kill -9, crashing tasks, lost data,
// vanished clients, workers that stop answering (SIGSTOP).
import { afterEach, describe, expect, it } from "vitest";
import { LocalCluster } from "../dist/cluster/local-cluster.js";
import { Client } from "../dist/client/client.js";
import { until } from "./helpers/test-cluster.js";
import { submitOptions } from "../dist/client/submit-options.js";
import { KilledWorker } from "../dist/errors.js";

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(opts: Parameters<typeof LocalCluster.start>[0] = {}): Promise<{ cluster: LocalCluster; client: Client }> {
  const cluster = await LocalCluster.start({ nWorkers: 2, threadsPerWorker: 1, ...opts });
  cleanups.push(() => cluster.close());
  const client = await Client.connect(cluster, { setAsDefault: false });
  cleanups.push(() => client.close());
  return { cluster, client };
}


// Task functions travel as source: no captured variables.
function slowInc(x: number): number {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 40);
  return x + 1;
}
function total(...xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
function crash(): number {
  process.kill(process.pid, "SIGKILL");
  return 0;
}
function sleepMs(ms: number): number {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  return ms;
}

describe("LocalCluster fault tolerance", () => {
  it("gives the right result when a worker is killed -9 mid-graph", async () => {
    const { cluster, client } = await start();
    const xs = client.map(slowInc, Array.from({ length: 40 }, (_, i) => i));
    const sum = client.submit(total, ...xs);
    await until(() => cluster.scheduler.state.transitionLog().filter((r) => r.finish === "memory").length >= 6, 10_000, "some results");
    const victim = cluster.nanny(0)!;
    const pid = victim.pid!;
    process.kill(pid, "SIGKILL");
    // 1 + 2 + ... + 40
    expect(await sum.result()).toBe(820);
    // The nanny replaced the dead process.
    await until(() => victim.pid !== pid && victim.restarts === 1, 10_000, "restart");
    const log = cluster.scheduler.state.events();
    expect(log.some((e) => e.topic === "remove-worker")).toBe(true);
  });

  it("recomputes a result whose only copy died with its worker", async () => {
    const { cluster, client } = await start();
    const w0 = cluster.workerInfo()[0]!.address;
    const x = client.submit(slowInc, 41, submitOptions({ workers: [w0], allowOtherWorkers: true }));
    expect(await x.result()).toBe(42);
    expect(Object.values(await client.whoHas([x]))[0]).toEqual([w0]);
    process.kill(cluster.nanny(0)!.pid!, "SIGKILL");
    await until(() => !cluster.scheduler.state.workers.has(w0), 10_000, "worker removal");
    const y = client.submit(slowInc, x);
    expect(await y.result()).toBe(43);
    expect(cluster.scheduler.state.story(x.key).some((r) => r.start === "memory" && r.finish === "released")).toBe(true);
  });

  it("fails a task that kills its worker every time with KilledWorker after the allowed failures", async () => {
    const { client } = await start({ scheduler: { allowedFailures: 1 } });
    const f = client.submit(crash, submitOptions({ pure: false }));
    const e = await f.result().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(KilledWorker);
    expect((e as Error).message).toContain(f.key);
    expect((e as KilledWorker).workers.length).toBe(2);
    // The cluster still works.
    expect(await client.submit(slowInc, 1).result()).toBe(2);
  });

  it("releases the tasks of a client that disconnects", async () => {
    const { cluster } = await start();
    const other = await Client.connect(cluster, { setAsDefault: false });
    const fs = other.map(sleepMs, [200, 201, 202, 203, 204, 205]);
    await until(() => cluster.scheduler.state.tasks.size >= 6, 5000, "tasks submitted");
    await other.close();
    await until(() => [...cluster.scheduler.state.tasks.keys()].every((k) => !fs.some((f) => f.key === k)), 10_000, "release");
  });

  it("removes a worker that stops answering (SIGSTOP) after the heartbeat timeout", async () => {
    const { cluster, client } = await start({ scheduler: { workerTTL: 1500, heartbeatInterval: 200 } });
    const [a, b] = cluster.workerInfo();
    process.kill(b!.pid!, "SIGSTOP");
    cleanups.push(() => {
      try {
        process.kill(b!.pid!, "SIGCONT");
      } catch {
        /* already gone */
      }
    });
    const t0 = Date.now();
    const results = await Promise.all(client.map(slowInc, [1, 2, 3, 4, 5, 6]).map((f) => f.result()));
    expect(results).toEqual([2, 3, 4, 5, 6, 7]);
    await until(() => !cluster.scheduler.state.workers.has(b!.address), 10_000, "removal of the stopped worker");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(cluster.scheduler.state.workers.has(a!.address)).toBe(true);
  });
});
