import { createServer, type AddressInfo } from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidArgumentError, delayed, type Delayed } from "@dask-ts/core";
import { da } from "@dask-ts/array";
import { SchedulerServer } from "../dist/scheduler/server.js";
import { Worker } from "../dist/worker/worker.js";
import { Client } from "../dist/client/client.js";
import { startTestCluster, sleep, type TestCluster } from "./helpers/test-cluster.js";
import { Future } from "../dist/client/future.js";
import { submitOptions } from "../dist/client/submit-options.js";
import { NoWorkersError } from "../dist/client/errors.js";
import { CommClosedError, ConnectTimeoutError } from "../dist/errors.js";

let s: SchedulerServer;
let a: Worker;
let b: Worker;
let client: Client;
let tc: TestCluster;

beforeAll(async () => {
  tc = await startTestCluster({ workers: [{ name: "a" }, { name: "b" }], clients: 1 });
  s = tc.s;
  [a, b] = tc.workers as [Worker, Worker];
  [client] = tc.clients as [Client];
});

afterAll(async () => {
  await tc?.close();
});

const double = (x: number): number => x * 2;

describe("scatter", () => {
  it("scatters a single value to one Future whose key is the type plus a content hash", async () => {
    const f = await client.scatter(21);
    expect(f).toBeInstanceOf(Future);
    expect(f.key.startsWith("number-")).toBe(true);
    expect(f.status).toBe("finished");
    expect(await f.result()).toBe(21);
    expect(await client.submit(double, f).result()).toBe(42);
    const again = await client.scatter(21);
    expect(again.key).toBe(f.key);
    const text = await client.scatter("hello");
    expect(text.key.startsWith("string-")).toBe(true);
    const who = await client.whoHas([f]);
    expect(who[f.key]).toHaveLength(1);
  });

  it("scatters a list round-robin over the workers", async () => {
    const fs = await client.scatter([10, 20, 30, 40]);
    expect(fs).toHaveLength(4);
    expect(await client.gather(fs)).toEqual([10, 20, 30, 40]);
    const who = await client.whoHas(fs);
    const holders = fs.map((f) => who[f.key]!);
    for (const h of holders) expect(h).toHaveLength(1);
    // Sorted worker addresses, alternating: items 0 and 2 on one worker, 1 and 3 on the other.
    expect(holders[0]).toEqual(holders[2]);
    expect(holders[1]).toEqual(holders[3]);
    expect(holders[0]).not.toEqual(holders[1]);
    expect(new Set(holders.flat())).toEqual(new Set([a.address, b.address]));
  });

  it("scatters a record to a record of Futures", async () => {
    const r = await client.scatter({ x: 1, y: [1, 2, 3] });
    expect(Object.keys(r)).toEqual(["x", "y"]);
    expect(r.x).toBeInstanceOf(Future);
    expect(r.y.key.startsWith("object-")).toBe(true);
    expect(await client.gather(r)).toEqual({ x: 1, y: [1, 2, 3] });
    const total = client.submit((xs: number[], k: number) => xs.reduce((p, q) => p + q, 0) + k, r.y, r.x);
    expect(await total.result()).toBe(7);
  });

  it("broadcasts to every worker, and targets workers by name", async () => {
    const f = await client.scatter(new Map([["big", "table"]]), { broadcast: true });
    expect(f).toBeInstanceOf(Future);
    expect(f.key.startsWith("object-")).toBe(true);
    const who = await client.whoHas([f]);
    expect(new Set(who[f.key]!)).toEqual(new Set([a.address, b.address]));
    expect(await f.result()).toEqual(new Map([["big", "table"]]));
    const both = await client.scatter([5, 6], { broadcast: true, hash: false });
    const whoBoth = await client.whoHas(both);
    for (const g of both) expect(new Set(whoBoth[g.key]!)).toEqual(new Set([a.address, b.address]));
    const onB = await client.scatter([1, 2, 3], { workers: "b", hash: false });
    const whoB = await client.whoHas(onB);
    for (const g of onB) expect(whoB[g.key]).toEqual([b.address]);
    await expect(client.scatter(1, { workers: ["nobody"], timeout: 100 })).rejects.toBeInstanceOf(NoWorkersError);
    await expect(client.scatter(f as never)).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe("datasets", () => {
  it("publishes futures and collections, and a second client gets, lists and unpublishes them", async () => {
    const f = client.submit(double, 50);
    const x = client.persist(da.arange(0, 6, 1, { chunks: 3 }));
    await f.result();
    await client.publishDataset("numbers", { answer: f, list: [f, 7], arr: x });
    await expect(client.publishDataset("numbers", f)).rejects.toThrow(/already published/);
    await client.publishDataset("numbers", { answer: f, list: [f, 7], arr: x }, { override: true });
    expect(await client.listDatasets()).toEqual(["numbers"]);

    const other = await Client.connect(s.address, { setAsDefault: false });
    try {
      const got = await other.getDataset<{ answer: Future<number>; list: [Future<number>, number]; arr: typeof x }>("numbers");
      expect(got.answer).toBeInstanceOf(Future);
      expect(got.answer.client).toBe(other);
      expect(got.answer.key).toBe(f.key);
      expect(got.list[1]).toBe(7);
      expect(await got.answer.result()).toBe(100);
      expect(await other.gather(got.list)).toEqual([100, 7]);
      expect(await got.arr.sum().compute({ scheduler: other })).toBe(15);

      // The dataset keeps the keys alive after the publisher lets go of its futures.
      f.release();
      await sleep(100);
      expect(await client.taskStates([f.key])).toEqual({ [f.key]: "memory" });

      await expect(other.getDataset("nope")).rejects.toThrow(/numbers/);
      await expect(other.getDataset("nope")).rejects.toBeInstanceOf(InvalidArgumentError);
      await other.unpublishDataset("numbers");
      expect(await other.listDatasets()).toEqual([]);
      // `other` still holds a future of the key, so it stays until that is released too.
      got.answer.release();
      got.list[0].release();
      await sleep(100);
      expect(await client.taskStates([f.key])).toEqual({});
    } finally {
      await other.close();
    }
  });

  it("refuses collections that are not persisted and bad names", async () => {
    const d = delayed(double)(1) as Delayed<number>;
    await expect(client.publishDataset("lazy", d)).rejects.toThrow(/persist/);
    await expect(client.publishDataset("", 1)).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe("failures", () => {
  it("recomputes a result lost with its worker, and gather fetches the new copy", async () => {
    const c = await Worker.start({ scheduler: s.address, nthreads: 1, name: "c" });
    try {
      const f = client.submit(double, 1234, submitOptions({ workers: "c", allowOtherWorkers: true }));
      expect(await f.result()).toBe(2468);
      expect((await client.whoHas([f]))[f.key]).toEqual([c.address]);
      await c.close();
      expect(await f.result()).toBe(2468);
      const holders = (await client.whoHas([f]))[f.key]!;
      expect(holders.length).toBe(1);
      expect([a.address, b.address]).toContain(holders[0]);
    } finally {
      await c.close();
    }
  });

  it("rejects with ConnectTimeoutError when nobody listens, after the timeout", async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = createServer();
      srv.listen(0, "127.0.0.1", () => {
        const p = (srv.address() as AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    const t0 = performance.now();
    const err = await Client.connect(`tcp://127.0.0.1:${port}`, { timeout: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectTimeoutError);
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(250);
  });

  it("marks futures lost and rejects waiters with CommClosedError when the scheduler goes away", async () => {
    const s2 = await SchedulerServer.start({ port: 0 });
    const w = await Worker.start({ scheduler: s2.address, nthreads: 1 });
    const c2 = await Client.connect(s2.address, { setAsDefault: false });
    try {
      const slow = c2.submit((ms: number) => new Promise((r) => setTimeout(r, ms)), 300);
      const pending = slow.result().catch((e: unknown) => e);
      await sleep(50);
      await s2.close();
      const err = await pending;
      expect(err).toBeInstanceOf(CommClosedError);
      expect((err as Error).message).toContain(s2.address);
      expect(slow.status).toBe("lost");
      expect(c2.status).toBe("lost");
      expect(() => c2.submit(double, 1)).toThrow(CommClosedError);
      await expect(c2.schedulerInfo()).rejects.toBeInstanceOf(CommClosedError);
    } finally {
      await c2.close();
      await w.close();
      await s2.close();
    }
  });

  it("releases the key of a garbage-collected future", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    let key = "";
    await (async () => {
      const f = client.submit(double, 4321);
      key = f.key;
      expect(await f.result()).toBe(8642);
    })();
    expect(await client.taskStates([key])).toEqual({ [key]: "memory" });
    for (let i = 0; i < 20; i++) {
      gc();
      await sleep(25);
      const st = await client.taskStates([key]);
      if (!(key in st)) break;
    }
    expect(await client.taskStates([key])).toEqual({});
  });
});

describe("scheduler info", () => {
  it("lists the workers with their names and threads", async () => {
    const info = await client.schedulerInfo();
    expect(info.address).toBe(s.address);
    expect(info.workers[a.address]!.name).toBe("a");
    expect(info.workers[b.address]!.nthreads).toBe(1);
    expect(await client.who_has([])).toEqual({});
  });
});
