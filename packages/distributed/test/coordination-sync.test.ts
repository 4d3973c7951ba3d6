import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidArgumentError, config } from "@dask-ts/core";
import { SchedulerServer } from "../dist/scheduler/server.js";
import { Client } from "../dist/client/client.js";
import { startTestCluster, sleep, type TestCluster } from "./helpers/test-cluster.js";
import { Lock, Event, Semaphore, NotAcquiredError } from "../dist/client/coordination/index.js";

let s: SchedulerServer;
let c1: Client;
let c2: Client;
let tc: TestCluster;

beforeAll(async () => {
  tc = await startTestCluster({ workers: [], clients: 2 });
  s = tc.s;
  [c1, c2] = tc.clients as [Client, Client];
});

afterAll(async () => {
  await tc?.close();
});


describe("Lock", () => {
  it("gives mutual exclusion between two clients (timeline)", async () => {
    const timeline: string[] = [];
    const worker = async (client: Client, who: string): Promise<void> => {
      const lock = new Lock("critical", { client });
      for (let i = 0; i < 3; i++) {
        expect(await lock.acquire()).toBe(true);
        expect(lock.locked()).toBe(true);
        timeline.push(`${who}+`);
        await sleep(15);
        timeline.push(`${who}-`);
        await lock.release();
        expect(lock.locked()).toBe(false);
      }
    };
    await Promise.all([worker(c1, "a"), worker(c2, "b")]);
    expect(timeline).toHaveLength(12);
    // Never two holders: every enter is directly followed by the same holder's exit.
    for (let i = 0; i < timeline.length; i += 2) {
      expect(timeline[i]!.endsWith("+")).toBe(true);
      expect(timeline[i + 1]).toBe(`${timeline[i]![0]}-`);
    }
    expect(timeline.filter((t) => t === "a+")).toHaveLength(3);
    expect(timeline.filter((t) => t === "b+")).toHaveLength(3);
  });

  it("a waiter gets the lock when the holder releases it, not before", async () => {
    const l1 = new Lock("handoff", { client: c1 });
    const l2 = new Lock("handoff", { client: c2 });
    expect(await l1.acquire()).toBe(true);
    let got = false;
    const t0 = performance.now();
    const waiting = l2.acquire({ timeout: 3000 }).then((ok) => ((got = ok), performance.now() - t0));
    await sleep(150);
    expect(got).toBe(false);
    await l1.release();
    expect(await waiting).toBeGreaterThanOrEqual(140);
    expect(got).toBe(true);
    await l2.release();
  });

  it("non-blocking and timed acquires return false when held; not reentrant", async () => {
    const l1 = new Lock("busy", { client: c1 });
    const l2 = new Lock("busy", { client: c2 });
    expect(await l1.acquire({ blocking: false })).toBe(true);
    expect(await l2.acquire({ blocking: false })).toBe(false);
    const t0 = performance.now();
    expect(await l2.acquire({ timeout: 120 })).toBe(false);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(110);
    expect(l2.locked()).toBe(false);
    // The same Lock object acquiring again waits like anyone (Dask's lock is not reentrant).
    expect(await l1.acquire({ timeout: 50 })).toBe(false);
    expect(l1.locked()).toBe(true);
    await l1.release();
    expect(await l2.acquire({ timeout: 0 })).toBe(true);
    await l2.release();
  });

  it("a lock held by a client that disconnects goes to the next waiter", async () => {
    const c3 = await Client.connect(s.address, { setAsDefault: false });
    const l3 = new Lock("orphan", { client: c3 });
    expect(await l3.acquire()).toBe(true);
    const waiting = new Lock("orphan", { client: c2 }).acquire({ timeout: 5000 });
    await sleep(50);
    await c3.close();
    expect(await waiting).toBe(true);
  });

  it("rejects bad use with typed errors", async () => {
    const l = new Lock("bad", { client: c1 });
    await expect(l.release()).rejects.toBeInstanceOf(NotAcquiredError);
    await expect(l.acquire({ blocking: false, timeout: 10 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(l.acquire({ timeout: -1 })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(() => new Lock("", { client: c1 })).toThrow(InvalidArgumentError);
    // Another Lock object of the same name cannot release it either.
    expect(await l.acquire()).toBe(true);
    await expect(new Lock("bad", { client: c2 }).release()).rejects.toBeInstanceOf(NotAcquiredError);
    await l.release();
  });
});

describe("Event", () => {
  it("wait returns true once another client sets it, false on timeout; clear resets", async () => {
    const e1 = new Event("go", { client: c1 });
    const e2 = new Event("go", { client: c2 });
    expect(await e2.isSet()).toBe(false);
    const t0 = performance.now();
    expect(await e2.wait({ timeout: 100 })).toBe(false);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(90);

    const waiters = [e2.wait({ timeout: 3000 }), new Event("go", { client: c1 }).wait()];
    await sleep(100);
    await e1.set();
    expect(await Promise.all(waiters)).toEqual([true, true]);
    expect(await e2.isSet()).toBe(true);
    expect(await e2.wait({ timeout: 0 })).toBe(true); // already set: at once
    await e2.clear();
    expect(await e1.isSet()).toBe(false);
    expect(await e1.wait({ timeout: 50 })).toBe(false);
  });

  it("a set wakes the waiters even when cleared right after", async () => {
    const e = new Event("blink", { client: c1 });
    const w = new Event("blink", { client: c2 }).wait({ timeout: 3000 });
    await sleep(50);
    await e.set();
    await e.clear();
    expect(await w).toBe(true);
    expect(await e.isSet()).toBe(false);
  });

  it("rejects bad input", async () => {
    expect(() => new Event("", { client: c1 })).toThrow(InvalidArgumentError);
    await expect(new Event("e", { client: c1 }).wait({ timeout: "1s" as unknown as number })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe("Semaphore", () => {
  it("2 leases, 3 acquirers: the third waits for a release", async () => {
    const a = new Semaphore(2, "pool", { client: c1 });
    const b = new Semaphore(2, "pool", { client: c2 });
    const c = new Semaphore(2, "pool", { client: c2 });
    expect(await a.getValue()).toBe(0);
    expect(await a.acquire()).toBe(true);
    expect(await b.acquire()).toBe(true);
    expect(await c.getValue()).toBe(2);
    expect(await c.acquire({ timeout: 100 })).toBe(false);
    let third = false;
    const waiting = c.acquire({ timeout: 3000 }).then((ok) => (third = ok));
    await sleep(100);
    expect(third).toBe(false);
    expect(await a.release()).toBe(true);
    await waiting;
    expect(third).toBe(true);
    expect(await a.getValue()).toBe(2);
    await b.release();
    await c.release();
    expect(await a.getValue()).toBe(0);
  });

  it("never has more than maxLeases holders at once", async () => {
    let inside = 0;
    let most = 0;
    const run = async (client: Client): Promise<void> => {
      const sem = new Semaphore(2, "concurrency", { client });
      await sem.withLease(async () => {
        most = Math.max(most, ++inside);
        await sleep(20);
        inside--;
      });
    };
    await Promise.all([c1, c2, c1, c2, c1].map(run));
    expect(most).toBe(2);
    expect(await new Semaphore(2, "concurrency", { client: c1 }).getValue()).toBe(0);
  });

  it("leases of a client that disconnects are released", async () => {
    const c3 = await Client.connect(s.address, { setAsDefault: false });
    const gone = new Semaphore(1, "one", { client: c3 });
    expect(await gone.acquire()).toBe(true);
    const mine = new Semaphore(1, "one", { client: c1 });
    const waiting = mine.acquire({ timeout: 5000 });
    await sleep(50);
    await c3.close();
    expect(await waiting).toBe(true);
    expect(await mine.getValue()).toBe(1);
    await mine.release();
  });

  it("rejects bad input and releasing too often", async () => {
    expect(() => new Semaphore(0, "z", { client: c1 })).toThrow(InvalidArgumentError);
    expect(() => new Semaphore(1.5, "z", { client: c1 })).toThrow(InvalidArgumentError);
    const sem = new Semaphore(1, "twice", { client: c1 });
    await expect(sem.release()).rejects.toBeInstanceOf(NotAcquiredError);
    expect(await sem.acquire()).toBe(true);
    await sem.release();
    await expect(sem.release()).rejects.toThrow(/released too often/);
    // The same name with another maxLeases is refused by the scheduler (as Dask).
    await expect(new Semaphore(3, "twice", { client: c2 }).acquire()).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe("long-polls across windows", () => {
  it("lock, semaphore and event waits re-poll until granted, with no spurious grants", async () => {
    const prev = config.get("distributed.coordination.pollWindow");
    config.set({ "distributed.coordination.pollWindow": 30 });
    try {
      const held = new Lock("slow", { client: c1 });
      const sem = new Semaphore(1, "slow", { client: c1 });
      expect(await held.acquire()).toBe(true);
      expect(await sem.acquire()).toBe(true);
      const lockWait = new Lock("slow", { client: c2 }).acquire();
      const semWait = new Semaphore(1, "slow", { client: c2 }).acquire({ timeout: 3000 });
      const evWait = new Event("slow", { client: c2 }).wait();
      await sleep(200); // several windows
      expect(await sem.getValue()).toBe(1);
      await held.release();
      await sem.release();
      await new Event("slow", { client: c1 }).set();
      expect(await Promise.all([lockWait, semWait, evWait])).toEqual([true, true, true]);
      expect(await sem.getValue()).toBe(1); // the waiter's lease
      expect(await new Lock("slow", { client: c1 }).acquire({ blocking: false })).toBe(false);
    } finally {
      config.set({ "distributed.coordination.pollWindow": prev });
    }
  });
});
