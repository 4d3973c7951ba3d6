// Tasks that submit tasks: getClient() inside a task, secede()/rejoin(), withWorkerClient, on in-process
// workers and on worker processes of a LocalCluster.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidArgumentError, fromModule } from "@dask-ts/core";
import { Client } from "../dist/client/client.js";
import { getClient, rejoin, secede, withWorkerClient } from "../dist/client/in-task.js";
import { LocalCluster } from "../dist/cluster/local-cluster.js";
import { startTestCluster, type TestCluster } from "./helpers/test-cluster.js";

const fixture = new URL("./fixtures/in-task.mjs", import.meta.url).href;
const fn = (name: string) => fromModule(fixture, name);

// Hand-derived: fib(0..15).
const FIB = [0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610];

describe("tasks that submit tasks (in-process workers)", () => {
  let tc: TestCluster;
  let client: Client;
  beforeAll(async () => {
    // One thread per worker: without secede() the recursion would hold every slot and wait forever.
    tc = await startTestCluster({ workers: [{ name: "a" }, { name: "b" }], clients: 1 });
    client = tc.clients[0]!;
  });
  afterAll(async () => {
    await tc?.close();
  });

  it("recursive fib submits its sub-problems from inside tasks, seceding while it waits", async () => {
    for (const n of [0, 1, 2, 7, 12]) {
      expect(await client.submit(fn("fib"), n).result({ timeout: 30_000 })).toBe(FIB[n]);
    }
  });

  it("the scheduler records the seceded tasks as long-running and they hold no slot", async () => {
    await client.submit(fn("fib"), 9).result({ timeout: 30_000 });
    const longRunning = tc.s.state.events().filter((e) => e.topic === "long-running");
    expect(longRunning.length).toBeGreaterThan(0);
    for (const ws of tc.s.state.workers.values()) expect(ws.longRunning.size).toBe(0); // all finished
    tc.s.state.validate();
  });

  it("withWorkerClient maps sub-tasks and gathers them (0^2 + ... + 19^2 = 2470)", async () => {
    expect(await client.submit(fn("sumOfSquares"), 20).result({ timeout: 30_000 })).toBe(2470);
  });

  it("a task may wait without seceding while a slot is free for its sub-tasks", async () => {
    expect(await client.submit(fn("waitWithoutSeceding"), 5).result({ timeout: 30_000 })).toBe(5);
  });

  it("a failing sub-task reaches the parent as a TaskError carrying the remote error", async () => {
    expect(await client.submit(fn("callsFailing"), 7).result({ timeout: 30_000 })).toBe("TaskError: RangeError: bad input 7");
  });

  it("many parents at once on two one-thread workers all finish (no deadlock)", async () => {
    const fs = client.map(fn("sumOfSquares"), [1, 2, 3, 4, 5, 6, 7, 8]);
    // sum_{i<n} i^2 = (n-1)n(2n-1)/6
    expect(await client.gather(fs)).toEqual([0, 1, 5, 14, 30, 55, 91, 140]);
  });
});

describe("getClient / secede / rejoin outside tasks", () => {
  it("secede and rejoin outside a task throw InvalidArgumentError saying where to call them", () => {
    expect(() => secede()).toThrow(InvalidArgumentError);
    expect(() => secede()).toThrow(/inside a task running on a dask-ts cluster worker/);
    expect(() => rejoin()).toThrow(InvalidArgumentError);
  });

  it("getClient outside a task gives the default client, or a clear error without one", async () => {
    const tc = await startTestCluster({ workers: [], clients: 0 });
    try {
      await expect(getClient()).rejects.toThrow(/Client\.connect/);
      const c = await Client.connect(tc.s.address); // becomes the default
      try {
        expect(await getClient()).toBe(c);
      } finally {
        await c.close();
      }
      await expect(getClient()).rejects.toThrow(InvalidArgumentError);
    } finally {
      await tc.close();
    }
  });

  it("withWorkerClient outside a task is refused", async () => {
    const tc = await startTestCluster({ workers: [], clients: 0 });
    const c = await Client.connect(tc.s.address);
    try {
      await expect(withWorkerClient(async () => 1)).rejects.toThrow(InvalidArgumentError);
    } finally {
      await c.close();
      await tc.close();
    }
  });
});

describe("tasks that submit tasks (worker processes)", () => {
  it("fib(10) on a LocalCluster of two one-thread worker processes", async () => {
    const cluster = await LocalCluster.start({ nWorkers: 2, threadsPerWorker: 1 });
    const client = await Client.connect(cluster, { setAsDefault: false });
    try {
      expect(await client.submit(fn("fib"), 10).result({ timeout: 60_000 })).toBe(55);
      expect(await client.submit(fn("sumOfSquares"), 10).result({ timeout: 60_000 })).toBe(285);
    } finally {
      await client.close();
      await cluster.close();
    }
  });
});
