// Graceful retirement: the copy plan, the retirement procedure with a fake server, SchedulerServer.retireWorkers
// and the "retire-workers" op over real sockets, and LocalCluster.scale() down (in-process and worker processes).
import { afterEach, describe, expect, it } from "vitest";
import { SchedulerState } from "../dist/scheduler/state.js";
import { planReplicas, uniqueKeys } from "../dist/scheduler/retire-plan.js";
import { retireWorkers, type GatherReply, type RetireHost } from "../dist/scheduler/retire.js";
import { LocalCluster } from "../dist/cluster/local-cluster.js";
import { Client } from "../dist/client/client.js";
import { connect } from "../dist/comm/tcp.js";
import type { Future } from "../dist/client/future.js";
import type { TaskSpec, WhoHas, WorkerInfo } from "../dist/protocol.js";
import { sleep, startTestCluster, until, type TestCluster } from "./helpers/test-cluster.js";
import { workerInfo } from "./helpers/worker-info.js";

const RUN = new Uint8Array([1]);
type WorkerRow = ReturnType<LocalCluster["workerInfo"]>[number];
const task = (key: string, worker: string, extra: Partial<TaskSpec> = {}): TaskSpec => ({ key, run: RUN, deps: [], order: 0, workers: [worker], ...extra });
const info = workerInfo;

/** A state whose workers hold the given results: { worker: { key: nbytes } } (queuing off, tasks pinned). */
function holding(workers: Array<string | WorkerInfo>, held: Record<string, Record<string, number>>): SchedulerState {
  const s = new SchedulerState({ now: () => 100, workerSaturation: Infinity });
  for (const w of workers) s.addWorker(typeof w === "string" ? info(w) : w);
  s.addClient("c");
  for (const [w, keys] of Object.entries(held)) {
    for (const [k, n] of Object.entries(keys)) {
      if (s.tasks.get(k)?.state === "memory") {
        s.addKeys(w, [k], { [k]: n });
        continue;
      }
      s.updateGraph("c", [task(k, w)], [k], []);
      s.taskFinished(w, k, n, "number", 0, 0.1);
    }
  }
  s.validate();
  return s;
}

const plain = (p: ReturnType<typeof planReplicas>): Record<string, WhoHas> => Object.fromEntries(p.byRecipient);

describe("planReplicas (where a retiring worker's data goes)", () => {
  it("sends biggest results first to whichever worker would hold the fewest bytes", () => {
    const s = holding(["w1", "w2", "w3"], { w1: { a: 100, b: 50, c: 30, d: 10 }, w2: { d: 10 }, w3: { e: 60 } });
    expect(uniqueKeys(new Set([s.workers.get("w1")!])).map((t) => t.key).sort()).toEqual(["a", "b", "c"]);
    const p = planReplicas(s, ["w1"]);
    // w2 holds 10, w3 60: a (100) -> w2 (110); b (50) -> w3 (110); c (30) -> tie 110/110 -> w2 by address.
    expect(plain(p)).toEqual({ w2: { a: ["w1"], c: ["w1"] }, w3: { b: ["w1"] } });
    expect(p.homeless).toEqual([]);
  });

  it("prefers workers with room under their memory limit, and workers not paused for memory", () => {
    const s = holding([info("w1"), info("w2", { memoryLimit: 50 }), info("w3")], { w1: { a: 100 }, w3: { x: 500 } });
    expect(plain(planReplicas(s, ["w1"]))).toEqual({ w3: { a: ["w1"] } });
    s.setWorkerPaused("w3", true);
    // Only w2 is unpaused: it takes a even without room (better than losing it).
    expect(plain(planReplicas(s, ["w1"]))).toEqual({ w2: { a: ["w1"] } });
    s.setWorkerPaused("w2", true);
    // Everyone paused: paused workers are better than nothing; w2 has no room (100 > 50), w3 no limit: w3,
    // although it holds more bytes.
    expect(plain(planReplicas(s, ["w1"]))).toEqual({ w3: { a: ["w1"] } });
  });

  it("copies a key held only by several retiring workers once, never to a retiring worker", () => {
    const s = holding(["w1", "w2", "w3"], { w1: { a: 10 }, w2: { a: 10, b: 5 } });
    const p = planReplicas(s, ["w1", "w2"]);
    expect(plain(p)).toEqual({ w3: { a: ["w1", "w2"], b: ["w2"] } });
    s.setWorkerRetiring("w3", true);
    // a is also on w2, which stays: nothing to copy for w1 alone.
    expect(planReplicas(s, ["w1"])).toEqual({ byRecipient: new Map(), homeless: [], pinned: [] });
    expect(planReplicas(s, ["w1", "w2"]).homeless.sort()).toEqual(["a", "b"]);
  });

  it("names what cannot move: no other worker, or actors", () => {
    const s = holding(["w1"], { w1: { a: 10 } });
    expect(planReplicas(s, ["w1"])).toEqual({ byRecipient: new Map(), homeless: ["a"], pinned: [] });
    s.addWorker(info("w2"));
    s.tasks.get("a")!.actor = true;
    expect(planReplicas(s, ["w1"])).toEqual({ byRecipient: new Map(), homeless: [], pinned: ["a"] });
    expect(planReplicas(s, ["nope"])).toEqual({ byRecipient: new Map(), homeless: [], pinned: [] });
  });
});

/** A fake server: gathers succeed (the recipient "fetches" the keys) unless `fail` names the recipient. */
function fakeHost(s: SchedulerState, fail: (recipient: string) => Error | undefined = () => undefined) {
  const calls: Array<[string, WhoHas]> = [];
  const detached: Array<[string, boolean]> = [];
  const host: RetireHost = {
    state: s,
    async gather(recipient, whoHas): Promise<GatherReply> {
      calls.push([recipient, whoHas]);
      const e = fail(recipient);
      if (e) throw e;
      const nbytes: Record<string, number> = {};
      for (const k of Object.keys(whoHas)) nbytes[k] = s.tasks.get(k)!.nbytes;
      return { nbytes, missing: [] };
    },
    touch: () => undefined,
    detach: (a, close) => void detached.push([a, close]),
    isClosing: () => false,
  };
  return { host, calls, detached };
}

describe("retireWorkers (the procedure)", () => {
  it("copies unique data, removes the worker gracefully and detaches it with close", async () => {
    const s = holding(["w1", "w2"], { w1: { a: 100, b: 20 } });
    s.updateGraph("c", [task("run", "w1", { workers: ["w1", "w2"] })], ["run"], []);
    expect(s.tasks.get("run")!.processingOn!.address).toBe("w1");
    const { host, calls, detached } = fakeHost(s);
    const r = await retireWorkers(host, ["w1", "w1", "unknown"]);
    expect(r).toEqual({ retired: ["w1"], lost: [] });
    expect(calls).toEqual([["w2", { a: ["w1"], b: ["w1"] }]]);
    expect(detached).toEqual([["w1", true]]);
    s.validate();
    expect(s.workers.has("w1")).toBe(false);
    expect(s.whoHas(["a", "b"])).toEqual({ a: ["w2"], b: ["w2"] });
    expect(s.workers.get("w2")!.nbytes).toBe(120);
    const run = s.tasks.get("run")!;
    expect(run.processingOn!.address).toBe("w2");
    expect(run.suspicious).toBe(0);
    expect(s.events().at(-1)).toMatchObject({ topic: "retire-workers", workers: ["w1"], lost: [] });
  });

  it("loses data (and says so) when no other worker exists, and honours close: false", async () => {
    const s = holding(["w1"], { w1: { a: 8 } });
    const { host, calls, detached } = fakeHost(s);
    expect(await retireWorkers(host, ["w1"], { close: false })).toEqual({ retired: ["w1"], lost: ["a"] });
    expect(calls).toEqual([]);
    expect(detached).toEqual([["w1", false]]);
    expect(s.tasks.get("a")!.state).not.toBe("memory");
    expect(s.events().at(-1)).toMatchObject({ topic: "retire-workers", lost: ["a"] });
  });

  it("tries other rounds when a recipient fails, and gives up after maxRounds", async () => {
    const s = holding(["w1", "w2"], { w1: { a: 8 } });
    const { host, calls } = fakeHost(s, () => new Error("refused"));
    const t0 = Date.now();
    expect(await retireWorkers(host, ["w1"], { maxRounds: 2 })).toEqual({ retired: ["w1"], lost: ["a"] });
    expect(calls.length).toBe(2);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(s.events().filter((e) => e.topic === "retire-gather-failed").length).toBe(2);
  });

  it("only removes a worker that died meanwhile (no retirement, no close)", async () => {
    const s = holding(["w1", "w2"], { w1: { a: 8 } });
    const { host, detached } = fakeHost(s, () => {
      s.removeWorker("w1", "its connection closed");
      return new Error("closed");
    });
    expect(await retireWorkers(host, ["w1"])).toEqual({ retired: [], lost: [] });
    expect(detached).toEqual([]);
    expect(s.events().some((e) => e.topic === "remove-worker" && e.reason === "its connection closed")).toBe(true);
  });

  it("does nothing for no known worker", async () => {
    const s = holding(["w1"], {});
    const { host, calls } = fakeHost(s);
    expect(await retireWorkers(host, [])).toEqual({ retired: [], lost: [] });
    expect(await retireWorkers(host, ["tcp://nowhere:1"])).toEqual({ retired: [], lost: [] });
    expect(calls).toEqual([]);
    expect(s.isRetiring("w1")).toBe(false);
  });
});

function double(x: number): number {
  return x * 2;
}

describe("SchedulerServer.retireWorkers over real sockets", () => {
  let c: TestCluster | undefined;
  afterEach(async () => {
    await c?.close();
    c = undefined;
  });

  it("moves scattered and computed results off the retired worker, which closes", async () => {
    c = await startTestCluster({ workers: [{ name: "a" }, { name: "b" }] });
    const [w1, w2] = c.workers as [(typeof c.workers)[0], (typeof c.workers)[0]];
    const client = c.clients[0]!;
    const scattered = (await client.scatter([10, 20, 30], { workers: [w1.address] })) as Future<number>[];
    const computed = client.map(double, [1, 2, 3], { workers: [w1.address] });
    expect(await client.gather(computed)).toEqual([2, 4, 6]);
    const all = [...scattered, ...computed];
    const before = await client.whoHas(all);
    for (const f of all) expect(before[f.key]).toEqual([w1.address]);

    const r = await c.s.retireWorkers(["a"]); // by name
    expect(r).toEqual({ retired: [w1.address], lost: [] });
    await w1.closed; // told to close
    expect(c.s.workerAddresses()).toEqual([w2.address]);
    const after = await client.whoHas(all);
    for (const f of all) expect(after[f.key]).toEqual([w2.address]);
    expect(w2.keys().sort()).toEqual(all.map((f) => f.key).sort());
    expect(await client.gather(all)).toEqual([10, 20, 30, 2, 4, 6]);
    // Nothing was recomputed: each computed key reached memory once.
    const log = c.s.state.transitionLog();
    for (const f of computed) expect(log.filter((t) => t.key === f.key && t.finish === "memory").length).toBe(1);
    expect(c.s.info().workers[w2.address]).toMatchObject({ status: "running" });
  });

  it("answers the retire-workers op with { retired, lost }, choosing n workers idle-first", async () => {
    c = await startTestCluster({ workers: [{}, {}, {}] });
    const client = c.clients[0]!;
    // w1 holds data, w0 and w2 are idle and empty: n=1 picks the newest empty one (w2), then w0.
    const [w0, w1, w2] = c.workers;
    const held = (await client.scatter(7, { workers: [w1!.address] })) as Future<number>;
    const conn = await connect(c.s.address, { role: "client" });
    try {
      expect(await conn.request({ op: "retire-workers", n: 1 })).toEqual({ retired: [w2!.address], lost: [] });
      await expect(conn.request({ op: "retire-workers", n: -1 })).rejects.toThrow(/n must be a non-negative integer/);
      await expect(conn.request({ op: "retire-workers", workers: "x" })).rejects.toThrow(/workers must be an array/);
      await expect(conn.request({ op: "retire-workers", workers: [], n: 1 })).rejects.toThrow(/either workers or n/);
      expect(await conn.request({ op: "retire-workers", workers: ["tcp://127.0.0.1:1"] })).toEqual({ retired: [], lost: [] });
      expect(await conn.request({ op: "workers-to-close", n: 1 })).toEqual([w0!.address]);
      expect(await conn.request({ op: "workers-to-close", n: 2 })).toEqual([w0!.address, w1!.address]);
      await expect(conn.request({ op: "workers-to-close", n: "2" })).rejects.toThrow(/n must be a non-negative number/);
      expect(await conn.request({ op: "adaptive-target" })).toBe(1);
      expect(await conn.request({ op: "retire-workers", workers: [w1!.address] })).toEqual({ retired: [w1!.address], lost: [] });
      expect(await client.whoHas(held)).toEqual({ [held.key]: [w0!.address] });
      // The last worker: its data has nowhere to go and is reported lost.
      expect(await conn.request({ op: "retire-workers", n: 1 })).toEqual({ retired: [w0!.address], lost: [held.key] });
      expect(c.s.workerAddresses()).toEqual([]);
      expect(c.s.state.events().at(-1)).toMatchObject({ topic: "retire-workers", lost: [held.key] });
    } finally {
      conn.close();
    }
  });
});

describe("LocalCluster.scale() down retires gracefully", () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const f of cleanups.splice(0).reverse()) await f();
  });
  async function start(processes: boolean): Promise<{ cluster: LocalCluster; client: Client }> {
    const cluster = await LocalCluster.start({ nWorkers: 2, threadsPerWorker: 1, processes });
    cleanups.push(() => cluster.close());
    const client = await Client.connect(cluster, { setAsDefault: false });
    cleanups.push(() => client.close());
    return { cluster, client };
  }

  async function keepsResults(processes: boolean): Promise<LocalCluster> {
    const { cluster, client } = await start(processes);
    const [a, b] = cluster.workerInfo().map((w) => w.address) as [string, string];
    const scattered = (await client.scatter([1, 2, 3, 4])) as Future<number>[];
    const computed = client.map(double, [5, 6, 7, 8]) as Future<number>[];
    expect(await client.gather(computed)).toEqual([10, 12, 14, 16]);
    const all = [...scattered, ...computed];
    const holders = new Set(Object.values(await client.whoHas(all)).flat());
    expect(holders).toEqual(new Set([a, b])); // both workers hold some of them
    await cluster.scale(1);
    expect(cluster.workerInfo().length).toBe(1);
    const survivor = cluster.workerInfo()[0]!.address;
    expect(cluster.scheduler.workerAddresses()).toEqual([survivor]);
    const who = await client.whoHas(all);
    for (const f of all) expect(who[f.key]).toEqual([survivor]);
    expect(await client.gather(all)).toEqual([1, 2, 3, 4, 10, 12, 14, 16]);
    const log = cluster.scheduler.state.transitionLog();
    for (const f of computed) expect(log.filter((t) => t.key === f.key && t.finish === "memory").length).toBe(1);
    expect(cluster.scheduler.state.events().some((e) => e.topic === "remove-worker" && e.safe === true)).toBe(true);
    return cluster;
  }

  it("keeps every scattered and computed result (in-process workers)", async () => {
    const cluster = await keepsResults(false);
    await cluster.scale(0);
    expect(cluster.workerInfo()).toEqual([]);
    expect(cluster.scheduler.workerAddresses()).toEqual([]);
  });

  it("keeps every result with worker processes, and the retired nanny does not restart its worker", async () => {
    const cluster = await keepsResults(true);
    await sleep(500);
    expect(cluster.workerInfo().length).toBe(1);
    expect(cluster.scheduler.workerAddresses().length).toBe(1);
    expect(cluster.scheduler.state.events().filter((e) => e.topic === "add-worker").length).toBe(2);
  });

  it("client.retireWorkers with close: a worker under a nanny closes for good (no restart), its data kept", async () => {
    const { cluster, client } = await start(true);
    const [a, b] = cluster.workerInfo() as [WorkerRow, WorkerRow];
    const [x] = (await client.scatter([41], { workers: a.address })) as [Future<number>];
    const reply = await client.retireWorkers([a.name]);
    expect(reply).toEqual({ retired: [a.address], lost: [] });
    await until(() => cluster.nanny(a.name)!.pid === undefined || cluster.scheduler.workerAddresses().length === 1, 5000, "the worker to leave");
    await sleep(800); // a nanny that restarted it would have registered a new worker by now
    expect(cluster.scheduler.workerAddresses()).toEqual([b.address]);
    expect(cluster.nanny(a.name)!.restarts).toBe(0);
    expect(await x.result()).toBe(41);
    await expect(client.retireWorkers({ n: -1 })).rejects.toThrow(/n >= 0/);
  });

  it("rejects bad n and scales back up after scaling down", async () => {
    const { cluster } = await start(false);
    await expect(cluster.scale(-1)).rejects.toThrow(/non-negative integer/);
    await expect(cluster.scale(1.5)).rejects.toThrow(/non-negative integer/);
    await Promise.all([cluster.scale(1), cluster.scale(3)]); // serialized: the last one wins
    expect(cluster.workerInfo().length).toBe(3);
    await until(() => cluster.scheduler.workerAddresses().length === 3, 5000, "3 workers registered");
  });
});
