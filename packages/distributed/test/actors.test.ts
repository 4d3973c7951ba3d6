// Actors: one instance of a class on a worker, its state kept there, its methods called through a handle.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidArgumentError, TaskError, fromModule } from "@dask-ts/core";
import { Client } from "../dist/client/client.js";
import { submitOptions, type SubmitOptions } from "../dist/client/submit-options.js";
import { ActorLostError } from "../dist/errors.js";
import { LocalCluster } from "../dist/cluster/local-cluster.js";
import { startTestCluster, until, type TestCluster } from "./helpers/test-cluster.js";

const fixture = new URL("./fixtures/in-task.mjs", import.meta.url).href;
const Counter = fromModule(fixture, "Counter");

/** The shape of the fixture's Counter, for typed handles. */
interface CounterLike {
  n: number;
  increment(by?: number): number;
  slowAppend(item: string, ms: number): Promise<number>;
  history(): string[];
  fail(message: string): never;
  whereAmI(): number;
}

describe("actors on in-process workers", () => {
  let tc: TestCluster;
  let client: Client;
  beforeAll(async () => {
    tc = await startTestCluster({ workers: [{ name: "a" }, { name: "b" }], clients: 1 });
    client = tc.clients[0]!;
  });
  afterAll(async () => {
    await tc?.close();
  });

  it("keeps state across calls; members that are not methods are read by calling them", async () => {
    const counter = client.submit<CounterLike>(Counter, 10, { actor: true });
    expect(await counter.increment()).toBe(11);
    expect(await counter.increment(5)).toBe(16);
    expect(await counter.n()).toBe(16);
    expect(typeof counter._key).toBe("string");
    expect(tc.workers.map((w) => w.address)).toContain(await counter._worker());
    counter._release();
  });

  it("two actors of one class have separate state (fresh keys, never shared like pure tasks)", async () => {
    const a = client.submit<CounterLike>(Counter, 0, { actor: true });
    const b = client.submit<CounterLike>(Counter, 0, { actor: true });
    expect(a._key).not.toBe(b._key);
    await a.increment(3);
    expect(await b.increment(1)).toBe(1);
    expect(await a.n()).toBe(3);
  });

  it("calls run in the order they are made; async methods interleave but each sees the state", async () => {
    const c = client.submit<CounterLike>(Counter, 0, { actor: true });
    const results = await Promise.all([c.slowAppend("x", 30), c.slowAppend("y", 10), c.increment()]);
    expect(results[2]).toBe(1);
    // y finished first (shorter wait): lengths are 2 for x and 1 for y.
    expect(results.slice(0, 2)).toEqual([2, 1]);
    expect(await c.history()).toEqual(["y", "x"]);
  });

  it("a method that throws rejects with a TaskError carrying the remote error; the actor lives on", async () => {
    const c = client.submit<CounterLike>(Counter, 1, { actor: true });
    const err = await c.fail("nope").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskError);
    expect((err as TaskError).message).toMatch(/TypeError: nope/);
    expect((err as TaskError).key).toBe(`${c._key}.fail`);
    expect(await c.increment()).toBe(2);
  });

  it("a constructor that throws makes every call reject with the construction error", async () => {
    const b = client.submit(fromModule(fixture, "Broken"), "no reason", { actor: true }) as unknown as { ping(): Promise<unknown> };
    await expect(b.ping()).rejects.toThrow(/cannot build: no reason/);
  });

  it("calling an unknown member is a clear remote error", async () => {
    const c = client.submit<CounterLike>(Counter, 0, { actor: true }) as unknown as { nothing(x: number): Promise<unknown> };
    await expect(c.nothing(1)).rejects.toThrow(/'nothing' of Counter is not a method/);
  });

  it("submitOptions({ actor: true, workers }) places the actor on that worker; actors are never stolen", async () => {
    const opts = submitOptions({ actor: true, workers: "b" }) as SubmitOptions & { actor: true };
    const c = client.submit<CounterLike>(Counter, 0, opts);
    expect(await c._worker()).toBe(tc.workers[1]!.address);
    expect(await c.increment()).toBe(1);
  });

  it("awaiting a handle gives the handle (it is not a thenable)", async () => {
    const c = client.submit<CounterLike>(Counter, 4, { actor: true });
    const same = await c;
    expect(await same.n()).toBe(4);
  });

  it("a released actor is dropped by its worker: a later call is ActorLostError", async () => {
    const c = client.submit<CounterLike>(Counter, 0, { actor: true });
    await c.increment();
    const key = c._key;
    c._release();
    await until(() => !tc.s.state.tasks.has(key), 5000, "the actor to be forgotten");
    await expect(c.increment()).rejects.toBeInstanceOf(ActorLostError);
  });

  it("an inline class travels as source (also one that extends a global and uses super)", async () => {
    class Acc {
      items: string[] = [];
      constructor(readonly prefix: string) {}
      add(x: string): number {
        this.items.push(this.prefix + x);
        return this.items.length;
      }
      all(): string[] {
        return this.items;
      }
    }
    const acc = client.submit(Acc, "p-", { actor: true });
    await acc.add("é");
    expect(await acc.add("日本")).toBe(2);
    expect(await acc.all()).toEqual(["p-é", "p-日本"]);
    class Tagged extends Error {
      constructor(m: string) {
        super(m);
      }
      describe(): string {
        return `${super.toString()}!`;
      }
    }
    expect(await client.submit(Tagged, "hi", { actor: true }).describe()).toBe("Error: hi!");
  });

  it("a class that captures a local variable is refused at submit, naming it", () => {
    const factor = 3;
    class Scaled {
      times(x: number): number {
        return x * factor;
      }
    }
    expect(() => client.submit(Scaled, { actor: true })).toThrow(/enclosing scope: factor/);
  });

  it("bad input: a non-class with actor: true, and a bad option value", () => {
    expect(() => client.submit(42 as never, { actor: true })).toThrow(InvalidArgumentError);
    expect(() => submitOptions({ actor: "yes" as never })).toThrow(/'actor' must be a boolean/);
  });

  it("a plain object argument with other keys is still an argument, not options", async () => {
    const f = client.submit((o: { actor: boolean; x: number }) => o.x, { actor: true, x: 3 });
    expect(await f.result()).toBe(3);
  });
});

describe("actors on worker processes", () => {
  it("state lives in the worker process; a killed worker makes calls fail with ActorLostError", async () => {
    const cluster = await LocalCluster.start({ nWorkers: 1, threadsPerWorker: 1 });
    const client = await Client.connect(cluster, { setAsDefault: false });
    try {
      const c = client.submit<CounterLike>(Counter, 100, { actor: true });
      expect(await c.increment(1)).toBe(101);
      expect(await c.whereAmI()).toBe(cluster.workerInfo()[0]!.pid);
      expect(await c.whereAmI()).not.toBe(process.pid);
      cluster.nanny(0)!.kill();
      await expect(c.increment(1)).rejects.toBeInstanceOf(ActorLostError);
    } finally {
      await client.close();
      await cluster.close();
    }
  });
});
