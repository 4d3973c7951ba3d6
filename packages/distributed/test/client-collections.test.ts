import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CancelledError, Delayed, Literal, MissingDependencyError, Task, TaskError, TaskRef, compute, config, decode, delayed, persist, toFnRef, type ProgressReporter } from "@dask-ts/core";
import { da } from "@dask-ts/array";
import { dd } from "@dask-ts/dataframe";
import { db } from "@dask-ts/bag";
import { SchedulerServer } from "../dist/scheduler/server.js";
import { Client } from "../dist/client/client.js";
import { startTestCluster, sleep, type TestCluster } from "./helpers/test-cluster.js";
import { Future } from "../dist/client/future.js";
import { wait } from "../dist/client/wait.js";
import { FutureState } from "../dist/client/future-state.js";
import { graphToSpecs } from "../dist/client/graph-submit.js";

let s: SchedulerServer;
let client: Client;
let tc: TestCluster;

beforeAll(async () => {
  tc = await startTestCluster({ workers: [{ name: "a" }, { name: "b" }], clients: 1 });
  s = tc.s;
  [client] = tc.clients as [Client];
});

afterAll(async () => {
  await tc?.close();
});

const inc = (x: number): number => x + 1;
const add = (x: number, y: number): number => x + y;

describe("Delayed", () => {
  it("computes a Delayed to a Future of its value", async () => {
    const x = delayed(inc)(1);
    const y = delayed(add)(x, 10); // 12
    const f = client.compute(y);
    expect(f).toBeInstanceOf(Future);
    expect(f.key).toBe(y.key);
    expect(await f.result()).toBe(12);
  });

  it("persists a Delayed: the new Delayed holds a Future and computes without recomputing", async () => {
    const y = delayed(add)(delayed(inc)(5), 100); // 106
    const p = client.persist(y);
    expect(p).toBeInstanceOf(Delayed);
    const node = p.graph().get(p.key);
    expect(node).toBeInstanceOf(Literal);
    expect((node as Literal).value).toBeInstanceOf(Future);
    expect(await p.compute({ scheduler: client })).toBe(106);
    // A persisted value feeds further work: its key is referenced, not resent.
    const z = delayed(add)(p, 1);
    expect(await client.compute(z).result()).toBe(107);
    expect(await z.compute({ scheduler: client })).toBe(107);
  });

  it("computes several collections at once, passing other values through", async () => {
    const [f1, two, f3] = client.compute([delayed(inc)(1), 2, delayed(inc)(3)]);
    expect(two).toBe(2);
    expect(await client.gather([f1, f3])).toEqual([2, 4]);
  });

  it("rejects values that are not collections", () => {
    expect(() => client.compute(5 as never)).toThrow(/expected a dask collection/);
    expect(() => client.persist("x" as never)).toThrow(/expected a dask collection/);
  });

  it("takes futures as arguments of delayed calls", async () => {
    const f = client.submit(inc, 41);
    const d = delayed(add)(f as unknown as number, 1); // core's DelayedArg type does not list Future
    expect(await client.compute(d).result()).toBe(43);
  });
});

describe("core compute() on the client", () => {
  it("uses the client given as { scheduler: client }", async () => {
    const d = delayed(add)(delayed(inc)(1), delayed(inc)(2));
    expect(await d.compute({ scheduler: client })).toBe(5);
    const [r1, r2] = await compute(delayed(inc)(10), delayed(inc)(20), { scheduler: client });
    expect([r1, r2]).toEqual([11, 21]);
  });

  it("uses the client as the default scheduler", async () => {
    const c2 = await Client.connect(s.address);
    try {
      expect(config.get("scheduler")).toBe(c2);
      // The sync and local schedulers would run this here, on the main thread; a worker runs it on its thread.
      const onMain = delayed(() => (process.getBuiltinModule("node:worker_threads") as typeof import("node:worker_threads")).isMainThread)();
      expect(await onMain.compute()).toBe(false);
      expect(await onMain.compute({ scheduler: "sync" })).toBe(true);
      const [p] = await persist(delayed(inc)(1));
      expect(await (p as Delayed<number>).compute()).toBe(2);
    } finally {
      await c2.close();
    }
    expect(config.get("scheduler")).toBeUndefined();
  });

  it("wraps a task's error as a TaskError with the key", async () => {
    const bad = delayed((x: number) => {
      if (x === 1) throw new TypeError("not one");
      return x;
    }, { name: "badtask" })(1);
    const err = await bad.compute({ scheduler: client }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskError);
    expect((err as TaskError).key).toBe(bad.key);
    expect((err as Error).message).toContain("TypeError: not one");
  });

  it("cancels on an AbortSignal and reports progress", async () => {
    const slow = delayed((ms: number) => new Promise((r) => setTimeout(() => r(ms), ms)), { pure: false })(800);
    const ac = new AbortController();
    const p = slow.compute({ scheduler: client, signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await expect(p).rejects.toBeInstanceOf(CancelledError);
    // The scheduler is told: the key is released.
    await sleep(100);
    expect(await client.taskStates([slow.key])).toEqual({});

    const calls: string[] = [];
    const progress: ProgressReporter = {
      start: (n) => calls.push(`start ${n}`),
      update: (n) => calls.push(`update ${n}`),
      finish: (e) => calls.push(e === undefined ? "finish" : "finish error"),
    };
    await compute(delayed(inc)(1), delayed(inc)(2), { scheduler: client, progress });
    expect(calls).toEqual(["start 2", "update 1", "update 2", "finish"]);
    const pre = new AbortController();
    pre.abort();
    await expect(delayed(inc)(1).compute({ scheduler: client, signal: pre.signal })).rejects.toBeInstanceOf(CancelledError);
  });
});

describe("arrays, dataframes, bags", () => {
  it("computes and persists a small array with the same results as the sync scheduler", async () => {
    const x = da.arange(0, 12, 1, { chunks: 4 }).reshape([3, 4]);
    const y = x.mul(2).add(1).sum({ axis: 0 });
    const expected = await y.toArray();
    // Column j of x (3x4, values 0..11) holds j, j+4, j+8: the sum of 2x+1 is 2*(3j+12)+3 = 6j+27.
    expect(expected).toEqual([27, 33, 39, 45]);
    const f = client.compute(y);
    const got = (await f.result()) as { data: ArrayLike<number>; shape: number[] };
    expect(got.shape).toEqual([4]);
    expect(Array.from(got.data)).toEqual([27, 33, 39, 45]);
    const total = await x.sum().compute({ scheduler: client });
    expect(total).toBe(66);

    const px = client.persist(x);
    const keys = [...px.graph().keys()];
    expect(keys.length).toBe(3);
    const futures = keys.map((k) => (px.graph().get(k) as Literal).value as Future);
    expect(futures.map((f) => f.key)).toEqual(keys);
    await wait(futures);
    expect(futures.map((f) => f.status)).toEqual(["finished", "finished", "finished"]);
    const who = await client.whoHas(futures);
    for (const k of keys) expect(who[k]?.length ?? 0).toBeGreaterThan(0);
    expect(await px.sum().compute({ scheduler: client })).toBe(66);
    expect(await px.toArray({ scheduler: client })).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9, 10, 11],
    ]);
  });

  it("computes a dataframe groupby like the sync scheduler", async () => {
    const df = dd.fromColumns({ k: ["a", "b", "a", "c", "b", "a"], v: [1, 2, 3, 4, 5, 6] }, { npartitions: 3 });
    const g = df.groupby("k").sum();
    const local = (await g.compute({ scheduler: "sync" })).toArray().map((r: { toJSON(): unknown }) => r.toJSON());
    const remote = (await g.compute({ scheduler: client })).toArray().map((r: { toJSON(): unknown }) => r.toJSON());
    expect(remote).toEqual(local);
    expect(remote).toEqual([
      { k: "a", v: 10n },
      { k: "b", v: 7n },
      { k: "c", v: 4n },
    ]);
    expect(await df.len()).toBe(6);
    const f = client.compute(df.col("v").sum());
    expect(Number(await f.result())).toBe(21);
  });

  it("computes bag pipelines like the sync scheduler", async () => {
    const bag = db.fromSequence([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], { npartitions: 3 });
    const evens = bag.filter((x: number) => x % 2 === 0).map((x: number) => x * 10);
    expect(await evens.compute({ scheduler: "sync" })).toEqual([20, 40, 60, 80, 100]);
    expect(await evens.compute({ scheduler: client })).toEqual([20, 40, 60, 80, 100]);
    expect(await client.compute(bag.sum()).result()).toBe(55);
    const persisted = client.persist(bag.map((x: number) => x + 1));
    expect(await persisted.sum().compute({ scheduler: client })).toBe(65);
  });
});

describe("graph -> task specs", () => {
  const fut = (key: string): Future => new Future(key, client, new FutureState(key));
  const ref = toFnRef((x: number, y: number) => x + y);

  it("skips keys that are their own future and turns futures elsewhere into references", () => {
    const held = fut("held");
    const other = fut("other");
    const graph = new Map<string, unknown>([
      ["held", new Literal(held)],
      // persist + fusion leave Literal(future) inside task arguments
      ["sum", new Task(ref, [new TaskRef("held"), new Literal(other)])],
      ["alias", new Literal(other)],
      ["nested", new Literal({ xs: [other, 1] })],
      ["top", new Task(ref, [new TaskRef("sum"), 2])],
    ]);
    const { tasks, futures } = graphToSpecs(graph, { priority: 3 });
    expect(tasks.map((t) => t.key)).toEqual(["sum", "alias", "nested", "top"]);
    expect(futures).toEqual([held, other]);
    const byKey = new Map(tasks.map((t) => [t.key, t]));
    expect(byKey.get("sum")!.deps).toEqual(["held", "other"]);
    expect(byKey.get("alias")!.deps).toEqual(["other"]);
    expect(byKey.get("nested")!.deps).toEqual(["other"]);
    expect(byKey.get("top")!.deps).toEqual(["sum"]);
    expect(tasks.every((t) => t.priority === 3)).toBe(true);
    // Dependencies come first in the run order.
    expect(byKey.get("sum")!.order).toBeLessThan(byKey.get("top")!.order);
    const sum = decode(byKey.get("sum")!.run!) as Task;
    expect(sum).toBeInstanceOf(Task);
    expect(sum.args[0]).toBeInstanceOf(TaskRef);
    expect((sum.args[1] as TaskRef).key).toBe("other");
    expect((decode(byKey.get("alias")!.run!) as TaskRef).key).toBe("other");
    const nested = decode(byKey.get("nested")!.run!) as { xs: [TaskRef, number] };
    expect(nested.xs[0]).toBeInstanceOf(TaskRef);
    expect(nested.xs[1]).toBe(1);
  });

  it("encodes each node into its own bytes and rejects references to unknown keys", () => {
    const { tasks } = graphToSpecs(new Map<string, unknown>([["a", 1], ["b", new Task(ref, [new TaskRef("a"), 1])]]));
    expect(tasks[0]!.run!.buffer).not.toBe(tasks[1]!.run!.buffer);
    expect(decode(tasks[0]!.run!)).toBe(1);
    expect(() => graphToSpecs(new Map([["b", new Task(ref, [new TaskRef("missing"), 1])]]))).toThrow(MissingDependencyError);
  });
});
