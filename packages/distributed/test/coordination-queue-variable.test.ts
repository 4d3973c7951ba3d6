import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidArgumentError, config } from "@dask-ts/core";
import { SchedulerServer } from "../dist/scheduler/server.js";
import { Worker } from "../dist/worker/worker.js";
import { Client } from "../dist/client/client.js";
import { startTestCluster, sleep, type TestCluster } from "./helpers/test-cluster.js";
import { Future } from "../dist/client/future.js";
import { Queue, Variable, CoordinationTimeoutError, NoClientError } from "../dist/client/coordination/index.js";

let s: SchedulerServer;
let w: Worker;
let c1: Client;
let c2: Client;
let tc: TestCluster;

beforeAll(async () => {
  tc = await startTestCluster({ workers: [{ name: "w" }], clients: 2 });
  s = tc.s;
  [w] = tc.workers as [Worker];
  [c1, c2] = tc.clients as [Client, Client];
});

afterAll(async () => {
  await tc?.close();
});

async function until(cond: () => boolean, ms = 5000, what = "condition"): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
/** Who the scheduler says wants a key (client ids), or undefined when it forgot the key. */
function wanters(key: string): string[] | undefined {
  const ts = s.state.tasks.get(key);
  return ts ? [...ts.whoWants].map((cs) => cs.id).sort() : undefined;
}
const inc = (x: number): number => x + 1;

describe("Queue", () => {
  it("carries data from a producer client to a consumer client, in order", async () => {
    const qp = new Queue<unknown>("jobs", { client: c1 });
    const qc = new Queue<unknown>("jobs", { client: c2 });
    for (const v of [1, "two", { three: [3] }, null]) await qp.put(v);
    expect(await qc.qsize()).toBe(4);
    expect(await qc.get()).toBe(1);
    expect(await qc.get()).toBe("two");
    expect(await qc.get()).toEqual({ three: [3] });
    expect(await qc.get()).toBeNull();
    expect(await qp.qsize()).toBe(0);
  });

  it("get waits for a later put (long-poll) and times out on an empty queue", async () => {
    const qc = new Queue<number>("later", { client: c2 });
    const t0 = performance.now();
    const got = qc.get({ timeout: 2000 });
    await sleep(100);
    await new Queue<number>("later", { client: c1 }).put(7);
    expect(await got).toBe(7);
    const waited = performance.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(90);
    expect(waited).toBeLessThan(1500);

    const t1 = performance.now();
    await expect(qc.get({ timeout: 150 })).rejects.toBeInstanceOf(CoordinationTimeoutError);
    expect(performance.now() - t1).toBeGreaterThanOrEqual(140);
    // timeout 0: only what is there now.
    await expect(qc.get({ timeout: 0 })).rejects.toBeInstanceOf(CoordinationTimeoutError);
  });

  it("several waiting consumers are served first come, first served", async () => {
    const a = new Queue<string>("fifo-getters", { client: c1 }).get({ timeout: 2000 });
    await sleep(30);
    const b = new Queue<string>("fifo-getters", { client: c2 }).get({ timeout: 2000 });
    await sleep(30);
    const q = new Queue<string>("fifo-getters", { client: c1 });
    await q.put("first");
    await q.put("second");
    expect(await a).toBe("first");
    expect(await b).toBe("second");
  });

  it("maxsize: put waits while full and times out", async () => {
    const q = new Queue<number>("bounded", { client: c1, maxsize: 2 });
    await q.put(1);
    await q.put(2);
    await expect(q.put(3, { timeout: 100 })).rejects.toBeInstanceOf(CoordinationTimeoutError);
    expect(await q.qsize()).toBe(2);
    const blocked = q.put(4, { timeout: 3000 });
    let done = false;
    void blocked.then(() => (done = true));
    await sleep(100);
    expect(done).toBe(false);
    const qc = new Queue<number>("bounded", { client: c2 });
    expect(await qc.get()).toBe(1);
    await blocked;
    // 3 was never put; 4 went in after 1 left.
    expect(await qc.get({ batch: true })).toEqual([2, 4]);
  });

  it("batch true takes everything there (maybe nothing); batch n waits for n", async () => {
    const q = new Queue<number>("batches", { client: c1 });
    expect(await q.get({ batch: true })).toEqual([]);
    const three = new Queue<number>("batches", { client: c2 }).get({ batch: 3 });
    await q.put(10);
    await q.put(20);
    await sleep(50);
    expect(await q.qsize()).toBe(0); // taken by the waiting batch get
    await q.put(30);
    await q.put(40);
    expect(await three).toEqual([10, 20, 30]);
    expect(await q.get({ batch: true })).toEqual([40]);
  });

  it("keeps a queued future's key alive after the producer released it; the consumer gets its own Future", async () => {
    const qp = new Queue<Future<number>>("futures", { client: c1 });
    const f = c1.submit(inc, 41);
    expect(await f.result()).toBe(42);
    const key = f.key;
    await qp.put(f);
    f.release();
    await sleep(100);
    expect(s.state.tasks.get(key)?.state).toBe("memory");
    expect(wanters(key)).toEqual(["~queue-futures"]);

    const g = await new Queue<Future<number>>("futures", { client: c2 }).get();
    expect(g).toBeInstanceOf(Future);
    expect(g.key).toBe(key);
    expect(g.client).toBe(c2);
    expect(await g.result()).toBe(42);
    expect(g.status).toBe("finished");
    // The consumer holds it now, the queue no longer does.
    await until(() => (wanters(key) ?? []).join() === c2.id, 2000, "hand-over");
    g.release();
    await until(() => wanters(key) === undefined, 3000, "the key to be forgotten");
  });

  it("a future nested in a structure and a future queued twice are both held", async () => {
    const q = new Queue<unknown>("nested", { client: c1 });
    const f = c1.submit(inc, 1);
    await q.put({ label: "x", f });
    await q.put(f);
    f.release();
    await sleep(100);
    expect(wanters(f.key)).toEqual(["~queue-nested"]);
    const got = (await new Queue<{ label: string; f: Future<number> }>("nested", { client: c2 }).get());
    expect(got.label).toBe("x");
    expect(await got.f.result()).toBe(2);
    // Still queued once more: the queue keeps holding it.
    await until(() => (wanters(f.key) ?? []).join() === [c2.id, "~queue-nested"].sort().join(), 2000, "both holders");
    const again = (await new Queue<Future<number>>("nested", { client: c2 }).get());
    expect(await again.result()).toBe(2);
    await until(() => (wanters(f.key) ?? []).join() === c2.id, 2000, "queue let go");
    got.f.release();
    again.release();
    await until(() => wanters(f.key) === undefined, 3000, "forgotten");
  });

  it("rejects bad input with typed errors", async () => {
    expect(() => new Queue("", { client: c1 })).toThrow(InvalidArgumentError);
    expect(() => new Queue("q", { client: c1, maxsize: -1 })).toThrow(InvalidArgumentError);
    expect(() => new Queue("q", { client: {} as Client })).toThrow(InvalidArgumentError);
    const q = new Queue<unknown>("bad", { client: c1 });
    await expect(q.get({ batch: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(q.get({ batch: 2, timeout: 10 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(q.put(1, { timeout: -5 })).rejects.toBeInstanceOf(InvalidArgumentError);
    // A future whose key the scheduler has forgotten cannot be queued.
    const f = c1.submit(inc, 1000);
    await f.result();
    f.release();
    await until(() => !s.state.tasks.has(f.key), 3000, "forgotten");
    await expect(q.put(f)).rejects.toThrow(/knows no key/);
    expect(await q.qsize()).toBe(0);
  });

  it("uses the default client, and says to connect one when there is none", async () => {
    const prev = config.get("scheduler");
    try {
      config.set({ scheduler: undefined });
      expect(() => new Queue("x")).toThrow(NoClientError);
      expect(() => new Variable("x")).toThrow(/connect one first/);
      config.set({ scheduler: c1 });
      const q = new Queue();
      expect(q.client).toBe(c1);
      expect(q.name.startsWith("queue-")).toBe(true);
      expect(new Queue().name).not.toBe(q.name);
    } finally {
      config.set({ scheduler: prev });
    }
  });
});

describe("Variable", () => {
  it("get waits until another client sets it; then returns the latest value", async () => {
    const v2 = new Variable<number>("x", { client: c2 });
    const t0 = performance.now();
    const got = v2.get({ timeout: 3000 });
    await sleep(100);
    const v1 = new Variable<number>("x", { client: c1 });
    await v1.set(1);
    expect(await got).toBe(1);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(90);
    await v1.set(2);
    expect(await v2.get()).toBe(2);
    expect(await v2.get()).toBe(2); // get does not consume
  });

  it("times out when never set, and after delete", async () => {
    const v = new Variable("never", { client: c1 });
    const t0 = performance.now();
    await expect(v.get({ timeout: 120 })).rejects.toBeInstanceOf(CoordinationTimeoutError);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(110);
    await v.set("here");
    expect(await v.get({ timeout: 0 })).toBe("here");
    await v.delete();
    await expect(v.get({ timeout: 50 })).rejects.toBeInstanceOf(CoordinationTimeoutError);
    await v.delete(); // deleting an unset variable is fine
  });

  it("keeps a future alive while set, lets it go on a new set or delete", async () => {
    const v1 = new Variable<unknown>("fut", { client: c1 });
    const f = c1.submit(inc, 9);
    await v1.set(f);
    f.release();
    await sleep(100);
    expect(wanters(f.key)).toEqual(["~variable-fut"]);
    const g = (await new Variable<Future<number>>("fut", { client: c2 }).get()) as Future<number>;
    expect(g.client).toBe(c2);
    expect(await g.result()).toBe(10);
    await until(() => (wanters(f.key) ?? []).join() === [c2.id, "~variable-fut"].sort().join(), 2000, "getter desires");
    // A new value: the variable lets go of the old key; the getter still holds it.
    await v1.set("plain");
    await until(() => (wanters(f.key) ?? []).join() === c2.id, 2000, "variable let go");
    g.release();
    await until(() => wanters(f.key) === undefined, 3000, "forgotten");

    const h = c1.submit(inc, 99);
    await v1.set(h);
    h.release();
    await sleep(50);
    expect(wanters(h.key)).toEqual(["~variable-fut"]);
    await v1.delete();
    await until(() => wanters(h.key) === undefined, 3000, "forgotten after delete");
  });

  it("rejects bad input", async () => {
    expect(() => new Variable(42 as unknown as string, { client: c1 })).toThrow(InvalidArgumentError);
    await expect(new Variable("v", { client: c1 }).get({ timeout: Number.NaN })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe("long-polls and disconnects", () => {
  it("waits span several poll windows without losing values", async () => {
    const prev = config.get("distributed.coordination.pollWindow");
    config.set({ "distributed.coordination.pollWindow": 40 });
    try {
      const q = new Queue<string>("windows", { client: c2 });
      const got = q.get({ timeout: 2000 });
      const v = new Variable<string>("windows", { client: c2 }).get();
      const batch = q.get({ batch: 2 });
      await sleep(200); // about five windows
      const p = new Queue<string>("windows", { client: c1 });
      await p.put("a");
      await p.put("b");
      await p.put("c");
      await new Variable<string>("windows", { client: c1 }).set("set late");
      expect(await got).toBe("a");
      expect(await batch).toEqual(["b", "c"]);
      expect(await v).toBe("set late");
      const t0 = performance.now();
      await expect(q.get({ timeout: 150 })).rejects.toBeInstanceOf(CoordinationTimeoutError);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    } finally {
      config.set({ "distributed.coordination.pollWindow": prev });
    }
  });

  it("items taken by a batch get whose client disconnects go back to the front of the queue", async () => {
    const c3 = await Client.connect(s.address, { setAsDefault: false });
    const partial = new Queue<number>("returned", { client: c3 }).get({ batch: 3 });
    partial.catch(() => undefined);
    const q = new Queue<number>("returned", { client: c1 });
    await q.put(1);
    await q.put(2);
    await sleep(50);
    expect(await q.qsize()).toBe(0); // held by the waiting batch get
    await c3.close();
    await expect(partial).rejects.toThrow();
    await q.put(3);
    expect(await q.get({ batch: true })).toEqual([1, 2, 3]);
  });
});
