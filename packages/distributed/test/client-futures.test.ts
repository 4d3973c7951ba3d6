import { mkdtempSync, readFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CapturedVariableError, InvalidArgumentError, TaskError, config } from "@dask-ts/core";
import { SchedulerServer } from "../dist/scheduler/server.js";
import { Worker } from "../dist/worker/worker.js";
import { Client } from "../dist/client/client.js";
import { startTestCluster, sleep, type TestCluster } from "./helpers/test-cluster.js";
import { Future } from "../dist/client/future.js";
import { submitOptions } from "../dist/client/submit-options.js";
import { asCompleted } from "../dist/client/as-completed.js";
import { wait } from "../dist/client/wait.js";
import { fireAndForget } from "../dist/client/fire-and-forget.js";
import { FutureTimeoutError } from "../dist/client/errors.js";
import { FutureCancelledError } from "../dist/errors.js";

let s: SchedulerServer;
let a: Worker;
let b: Worker;
let client: Client;
const dir = mkdtempSync(join(tmpdir(), "dask-client-futures-"));
let tc: TestCluster;

beforeAll(async () => {
  tc = await startTestCluster({ workers: [{ name: "a" }, { name: "b", resources: { GPU: 1 } }], clients: 1 });
  s = tc.s;
  [a, b] = tc.workers as [Worker, Worker];
  [client] = tc.clients as [Client];
});

afterAll(async () => {
  await tc?.close();
  rmSync(dir, { recursive: true, force: true });
});

const inc = (x: number): number => x + 1;
const add = (x: number, y: number): number => x + y;

describe("submit and result", () => {
  it("runs a function on a worker and returns its value", async () => {
    const f = client.submit(inc, 41);
    expect(f).toBeInstanceOf(Future);
    expect(f.client).toBe(client);
    expect(f.key.startsWith("inc-")).toBe(true);
    expect(await f.result()).toBe(42);
    expect(f.status).toBe("finished");
    expect(f.done()).toBe(true);
    expect(await f.exception()).toBeUndefined();
  });

  it("chains futures: futures in arguments become dependencies, also nested in arrays and objects", async () => {
    const x = client.submit(inc, 1); // 2
    const y = client.submit(add, x, 10); // 12
    const z = client.submit(add, y, x); // 14
    const total = client.submit((o: { xs: number[]; k: number }) => o.xs.reduce((p, q) => p + q, 0) * o.k, { xs: [x, y, z], k: 2 });
    expect(await z.result()).toBe(14);
    expect(await total.result()).toBe((2 + 12 + 14) * 2);
  });

  it("maps 1,000 items in one graph", async () => {
    const items = Array.from({ length: 1000 }, (_, i) => i);
    const fs = client.map((x: number) => x * x, items);
    expect(fs).toHaveLength(1000);
    expect(new Set(fs.map((f) => f.key)).size).toBe(1000);
    const out = await client.gather(fs);
    expect(out[0]).toBe(0);
    expect(out[999]).toBe(998001);
    // Sum of squares 0..999 = 999*1000*1999/6.
    expect(out.reduce((p, q) => p + q, 0)).toBe(332833500);
    for (const f of fs) f.release();
  });

  it("map accepts a key prefix and a list of keys", async () => {
    const fs = client.map(inc, [1, 2], { key: "myinc" });
    expect(fs.every((f) => f.key.startsWith("myinc-"))).toBe(true);
    const gs = client.map(inc, [5, 6], { key: ["k-five", "k-six"] });
    expect(gs.map((f) => f.key)).toEqual(["k-five", "k-six"]);
    expect(await client.gather([...fs, ...gs])).toEqual([2, 3, 6, 7]);
    expect(() => client.map(inc, [1, 2], { key: ["only-one"] })).toThrow(InvalidArgumentError);
    expect(() => client.map(inc, 5 as unknown as number[])).toThrow(InvalidArgumentError);
  });

  it("gathers nested structures of futures and leaves other values alone", async () => {
    const [p, q] = [client.submit(inc, 100), client.submit(inc, 200)];
    const out = await client.gather({ a: [p, 1, { b: q }], c: "text", d: null });
    expect(out).toEqual({ a: [101, 1, { b: 201 }], c: "text", d: null });
    expect(await client.gather(p)).toBe(101);
    expect(await client.gather([])).toEqual([]);
  });

  it("gives pure calls the same key and computes them once", async () => {
    const file = join(dir, "pure-count.txt");
    const count = (path: string, x: number): number => {
      const fs = process.getBuiltinModule("node:fs") as typeof import("node:fs");
      fs.appendFileSync(path, "x");
      return x * 2;
    };
    const f1 = client.submit(count, file, 21);
    const f2 = client.submit(count, file, 21);
    expect(f2.key).toBe(f1.key);
    expect(await f1.result()).toBe(42);
    expect(await f2.result()).toBe(42);
    expect(readFileSync(file, "utf8")).toBe("x");
    const impure1 = client.submit(inc, 1, submitOptions({ pure: false }));
    const impure2 = client.submit(inc, 1, submitOptions({ pure: false }));
    expect(impure1.key).not.toBe(impure2.key);
    const named = client.submit(inc, 1, submitOptions({ key: "my-own-key" }));
    expect(named.key).toBe("my-own-key");
    expect(await client.gather([impure1, impure2, named])).toEqual([2, 2, 2]);
  });

  it("treats a plain trailing object as an argument, and only submitOptions() as options", async () => {
    const f = client.submit((o: { key: string }) => o.key.toUpperCase(), { key: "abc" });
    expect(await f.result()).toBe("ABC");
    expect(() => submitOptions({ retries: -1 })).toThrow(InvalidArgumentError);
    expect(() => submitOptions({ bogus: 1 } as never)).toThrow(/unknown option 'bogus'/);
  });

  it("rejects a function that captures variables at submit, naming them", () => {
    const offset = 5;
    const scale = 2;
    expect(() => client.submit((x: number) => x * scale + offset, 1)).toThrow(CapturedVariableError);
    try {
      client.submit((x: number) => x * scale + offset, 1);
    } catch (e) {
      expect((e as Error).message).toMatch(/offset/);
      expect((e as Error).message).toMatch(/scale/);
    }
    expect(() => client.map((x: number) => x + offset, [1])).toThrow(CapturedVariableError);
  });
});

describe("errors", () => {
  it("rejects result() with a TaskError naming the key and keeping the remote stack", async () => {
    const boom = function explode(x: number): number {
      throw new RangeError(`bad value ${x}`);
    };
    const f = client.submit(boom, 7);
    const err = await f.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskError);
    expect((err as TaskError).key).toBe(f.key);
    expect((err as Error).message).toContain("RangeError: bad value 7");
    expect((err as TaskError).remoteStack).toContain("explode");
    expect(((err as Error).cause as Error).name).toBe("RangeError");
    expect(f.status).toBe("error");
    expect(await f.exception()).toBeInstanceOf(TaskError);
  });

  it("errs every dependent of a failed task with the original error", async () => {
    const bad = client.submit((x: number) => {
      if (x > 0) throw new Error("upstream failed");
      return x;
    }, 3);
    const mid = client.submit(inc, bad);
    const last = client.submit(add, mid, 1);
    const err = await last.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskError);
    expect((err as Error).message).toContain("upstream failed");
    expect(mid.status).toBe("error");
    await expect(client.gather([mid, last])).rejects.toThrow(/upstream failed/);
  });

  it("retries a task that fails the first time", async () => {
    const marker = join(dir, "retry-marker");
    const flaky = (path: string): string => {
      const fs = process.getBuiltinModule("node:fs") as typeof import("node:fs");
      if (!fs.existsSync(path)) {
        fs.writeFileSync(path, "1");
        throw new Error("first attempt fails");
      }
      return "second attempt";
    };
    const f = client.submit(flaky, marker, submitOptions({ retries: 1 }));
    expect(await f.result()).toBe("second attempt");
    expect(existsSync(marker)).toBe(true);
    // Without retries the same failure reaches the future.
    const marker2 = join(dir, "retry-marker-2");
    const g = client.submit(flaky, marker2);
    await expect(g.result()).rejects.toThrow(/first attempt fails/);
  });
});

describe("cancel and release", () => {
  it("cancels a running task: status cancelled, result rejects with FutureCancelledError", async () => {
    const f = client.submit(
      (ms: number) => new Promise((r) => setTimeout(r, ms)),
      400,
      submitOptions({ pure: false }),
    );
    await f.cancel();
    expect(f.status).toBe("cancelled");
    const err = await f.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FutureCancelledError);
    expect((err as FutureCancelledError).key).toBe(f.key);
    await expect(f.exception()).rejects.toBeInstanceOf(FutureCancelledError);
  });

  it("cancels for every client with force", async () => {
    const other = await Client.connect(s.address, { setAsDefault: false });
    try {
      const nap = (ms: number, tag: string): Promise<string> => new Promise((r) => setTimeout(() => r(tag), ms));
      const mine = client.submit(nap, 300, "shared-nap");
      const theirs = other.submit(nap, 300, "shared-nap");
      expect(theirs.key).toBe(mine.key);
      const plain = other.submit(nap, 300, "not-forced");
      await sleep(30);
      await mine.cancel({ force: true });
      await expect(theirs.result()).rejects.toBeInstanceOf(FutureCancelledError);
      expect(theirs.status).toBe("cancelled");
      // Without force only the cancelling client lets go.
      const mirror = client.submit(nap, 300, "not-forced");
      await mirror.cancel();
      expect(await plain.result()).toBe("not-forced");
    } finally {
      await other.close();
    }
  });

  it("releases a key when its last future is released: the scheduler forgets it", async () => {
    const f1 = client.submit(inc, 999);
    const f2 = client.submit(inc, 999); // same key, second reference
    await f1.result();
    expect(await client.taskStates([f1.key])).toEqual({ [f1.key]: "memory" });
    f1.release();
    f1.release(); // idempotent: must not drop f2's reference
    await sleep(100);
    expect(await client.taskStates([f1.key])).toEqual({ [f1.key]: "memory" });
    expect(await f2.result()).toBe(1000);
    f2.release();
    await sleep(100);
    expect(await client.taskStates([f1.key])).toEqual({});
  });

  it("resubmits a released key as a new task", async () => {
    const f = client.submit(inc, 555);
    await f.result();
    f.release();
    await sleep(50);
    const g = client.submit(inc, 555);
    expect(await g.result()).toBe(556);
  });
});

describe("asCompleted, wait, fireAndForget", () => {
  const delay = (ms: number, v: number): Promise<number> => new Promise((r) => setTimeout(() => r(v), ms));

  it("yields futures in the order they finish, including added ones", async () => {
    const slow = client.submit(delay, 300, 1);
    const fast = client.submit(delay, 10, 2);
    const ac = asCompleted([slow, fast]);
    const seen: number[] = [];
    let added = false;
    for await (const f of ac) {
      seen.push((await f.result()) as number);
      if (!added) {
        added = true;
        ac.add(client.submit(delay, 50, 3));
      }
    }
    expect(seen).toEqual([2, 3, 1]);
    expect(ac.isEmpty()).toBe(true);
  });

  it("yields erred futures too", async () => {
    const bad = client.submit(() => {
      throw new Error("nope");
    });
    const out: string[] = [];
    for await (const f of asCompleted([bad])) out.push(f.status);
    expect(out).toEqual(["error"]);
  });

  it("waits for the first, for all, and times out", async () => {
    const slow = client.submit(delay, 400, 1);
    const fast = client.submit(delay, 20, 2);
    const first = await wait([slow, fast], { returnWhen: "FIRST_COMPLETED" });
    expect([...first.done]).toEqual([fast]);
    expect([...first.notDone]).toEqual([slow]);
    await expect(wait([slow], { timeout: 50 })).rejects.toBeInstanceOf(FutureTimeoutError);
    const all = await wait([slow, fast]);
    expect(all.done.size).toBe(2);
    expect(all.notDone.size).toBe(0);
    await expect(wait([slow], { returnWhen: "SOME" as never })).rejects.toThrow(InvalidArgumentError);
    const never = client.submit(delay, 600, 5, submitOptions({ pure: false }));
    await expect(never.result({ timeout: 30 })).rejects.toBeInstanceOf(FutureTimeoutError);
    await never.cancel();
  });

  it("runs a fire-and-forget task although no future of it is kept", async () => {
    const file = join(dir, "fire-and-forget.txt");
    const write = async (path: string): Promise<void> => {
      await new Promise((r) => setTimeout(r, 150));
      const fs = process.getBuiltinModule("node:fs") as typeof import("node:fs");
      fs.writeFileSync(path, "written");
    };
    const f = client.submit(write, file);
    fireAndForget(f);
    f.release();
    const deadline = Date.now() + 5000;
    while (!existsSync(file) && Date.now() < deadline) await sleep(25);
    expect(readFileSync(file, "utf8")).toBe("written");
  });
});

describe("scheduling options", () => {
  it("runs higher priority first on a busy single thread", async () => {
    const busy = (ms: number, tag: string): [string, number] => {
      const end = Date.now() + ms;
      while (Date.now() < end);
      return [tag, Date.now()];
    };
    const onA = { workers: ["a"], pure: false };
    const blockers = [client.submit(busy, 300, "block1", submitOptions(onA)), client.submit(busy, 20, "block2", submitOptions(onA))];
    await sleep(100);
    const lows = [1, 2, 3].map((i) => client.submit(busy, 15, `low${i}`, submitOptions({ ...onA, priority: 0 })));
    const high = client.submit(busy, 15, "high", submitOptions({ ...onA, priority: 10 }));
    const results = (await client.gather([...blockers, ...lows, high])) as Array<[string, number]>;
    const at = new Map(results);
    for (const l of ["low1", "low2", "low3"]) expect(at.get("high")!).toBeLessThan(at.get(l)!);
  });

  it("honours resource and worker restrictions", async () => {
    const gpu = client.submit(inc, 1, submitOptions({ resources: { GPU: 1 }, pure: false }));
    const onA = client.submit(inc, 2, submitOptions({ workers: "a", pure: false }));
    const byAddress = client.submit(inc, 3, submitOptions({ workers: [b.address], pure: false }));
    expect(await client.gather([gpu, onA, byAddress])).toEqual([2, 3, 4]);
    const who = await client.whoHas([gpu, onA, byAddress]);
    expect(who[gpu.key]).toEqual([b.address]);
    expect(who[onA.key]).toEqual([a.address]);
    expect(who[byAddress.key]).toEqual([b.address]);
    // No worker has 5 GPUs: the task waits.
    const stuck = client.submit(inc, 4, submitOptions({ resources: { GPU: 5 }, pure: false }));
    await sleep(200);
    expect(stuck.status).toBe("pending");
    expect(await client.taskStates([stuck.key])).toEqual({ [stuck.key]: "no-worker" });
    await stuck.cancel();
  });
});

describe("client lifecycle", () => {
  it("becomes the default scheduler and undoes it on close", async () => {
    const c2 = await Client.connect({ schedulerAddress: s.address });
    try {
      expect(config.get("scheduler")).toBe(c2);
      expect(await c2.submit(inc, 1).result()).toBe(2);
    } finally {
      await c2.close();
    }
    expect(config.get("scheduler")).toBeUndefined();
    expect(c2.status).toBe("closed");
    expect(() => c2.submit(inc, 1)).toThrow(/closed/);
  });

  it("cancels pending futures when it is closed", async () => {
    const c2 = await Client.connect(s.address, { setAsDefault: false });
    const f = c2.submit((ms: number) => new Promise((r) => setTimeout(r, ms)), 1000);
    await c2.close();
    expect(f.status).toBe("cancelled");
    await expect(f.result()).rejects.toBeInstanceOf(FutureCancelledError);
  });

  it("rejects bad connect arguments", async () => {
    await expect(Client.connect("" as string)).rejects.toThrow(InvalidArgumentError);
    await expect(Client.connect({} as { schedulerAddress: string })).rejects.toThrow(InvalidArgumentError);
  });
});
