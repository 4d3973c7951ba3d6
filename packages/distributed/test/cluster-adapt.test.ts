// Adaptive scaling: the scheduler's adaptive target, workers_to_close, the wait-count policy, the Adaptive
// loop with a fake cluster, and LocalCluster.adapt() end to end (in-process workers, real sockets).
import { afterEach, describe, expect, it, vi } from "vitest";
import { InvalidArgumentError } from "@dask-ts/core";
import { SchedulerState } from "../dist/scheduler/state.js";
import { workersToClose } from "../dist/scheduler/workers-to-close.js";
import { clampTarget, ScalingPolicy } from "../dist/cluster/adaptive-policy.js";
import { Adaptive, type AdaptiveBackend } from "../dist/cluster/adaptive.js";
import { LocalCluster } from "../dist/cluster/local-cluster.js";
import { Client } from "../dist/client/client.js";
import type { TaskSpec, WorkerInfo } from "../dist/protocol.js";
import { sleep, until } from "./helpers/test-cluster.js";
import { workerInfo } from "./helpers/worker-info.js";

const RUN = new Uint8Array([1]);
const task = (key: string, extra: Partial<TaskSpec> = {}): TaskSpec => ({ key, run: RUN, deps: [], order: 0, ...extra });
const info = workerInfo;
const inc = (i: number): string => `["inc",${i}]`;

function state(workers: Array<string | WorkerInfo>, opts: ConstructorParameters<typeof SchedulerState>[0] = {}): SchedulerState {
  const s = new SchedulerState({ now: () => 100, ...opts });
  for (const w of workers) s.addWorker(typeof w === "string" ? info(w) : w);
  s.addClient("c");
  return s;
}

/** Makes the "inc" prefix's duration known: one task that took `seconds` on `worker`. */
function learnDuration(s: SchedulerState, worker: string, seconds: number): void {
  s.updateGraph("c", [task(inc(-1), { workers: [worker] })], [inc(-1)], []);
  s.taskFinished(worker, inc(-1), 8, "number", 10, 10 + seconds);
  s.clientReleasesKeys("c", [inc(-1)]);
}

describe("adaptiveTarget (Dask's Scheduler.adaptive_target)", () => {
  it("wants no worker when idle and nothing is held (the minimum then decides)", () => {
    const s = state(["w1", "w2", "w3"]);
    expect(s.adaptiveTarget()).toBe(0);
    expect(clampTarget(s.adaptiveTarget(), 1, 3)).toBe(1);
  });

  it("asks for (occupancy + queued work) / targetDuration workers for 100 tasks of known duration", () => {
    const s = state(["w1"]);
    learnDuration(s, "w1", 2);
    expect(s.prefixes.get("inc")!.durationAverage).toBe(2);
    s.updateGraph("c", Array.from({ length: 100 }, (_, i) => task(inc(i))), Array.from({ length: 100 }, (_, i) => inc(i)), []);
    // One thread, saturation 1.1: 2 processing (2 * 2 s occupancy), 98 queued (98 * 2 s).
    expect(s.workers.get("w1")!.processing.size).toBe(2);
    expect(s.queued.size).toBe(98);
    s.validate();
    expect(s.adaptiveTarget(5)).toBe(40); // 200 s / 5 s
    expect(s.adaptiveTarget(10)).toBe(20);
    expect(s.adaptiveTarget(3)).toBe(67); // ceil(66.67)
    expect(s.adaptiveTarget(1000)).toBe(1); // ceil(0.2)
    // Exact quotients stay exact: 30 tasks of 0.3 s in 5 s is 2 workers (0.3 * 30 / 5 = 1.8 -> 2), not more.
    const t = state(["w1"]);
    learnDuration(t, "w1", 0.3);
    t.updateGraph("c", Array.from({ length: 50 }, (_, i) => task(inc(i))), Array.from({ length: 50 }, (_, i) => inc(i)), []);
    expect(t.adaptiveTarget(1.5)).toBe(10); // 50 * 0.3 / 1.5 = 10 (floating 10.000000000000002)
  });

  it("extrapolates more than 100 queued tasks from a sample", () => {
    const s = state(["w1"]);
    learnDuration(s, "w1", 2);
    s.updateGraph("c", Array.from({ length: 252 }, (_, i) => task(inc(i))), Array.from({ length: 252 }, (_, i) => inc(i)), []);
    expect(s.queued.size).toBe(250);
    expect(s.adaptiveTarget(5)).toBe(101); // (4 + 250 * 2) / 5 = 100.8
  });

  it("uses the default estimate (0.5 s) for queued tasks of unknown duration", () => {
    const s = state(["w1"]);
    s.updateGraph("c", Array.from({ length: 30 }, (_, i) => task(inc(i))), Array.from({ length: 30 }, (_, i) => inc(i)), []);
    expect(s.adaptiveTarget(5)).toBe(3); // 30 * 0.5 / 5
  });

  it("does not let a few long tasks ask for more workers than there are tasks", () => {
    const s = state(["w1", "w2"]);
    learnDuration(s, "w1", 100);
    s.updateGraph("c", [task(inc(0)), task(inc(1))], [inc(0), inc(1)], []);
    expect(s.adaptiveTarget(5)).toBe(2); // cpu would be 40
  });

  it("wants 1 worker for tasks waiting with no worker at all (no-worker or queued)", () => {
    const s = state([], { workerSaturation: Infinity });
    s.updateGraph("c", [task("a")], ["a"], []);
    expect(s.tasks.get("a")!.state).toBe("no-worker");
    expect(s.adaptiveTarget(1e6)).toBe(1);
    const q = state([]);
    q.updateGraph("c", [task("a")], ["a"], []);
    expect(q.tasks.get("a")!.state).toBe("queued");
    expect(q.adaptiveTarget(1e6)).toBe(1);
    // With a worker that cannot run it (resources) the no-worker task asks for nothing (as Dask 2022.12).
    const r = state(["w1"]);
    r.updateGraph("c", [task("g", { resources: { GPU: 1 } })], ["g"], []);
    expect(r.tasks.get("g")!.state).toBe("no-worker");
    expect(r.adaptiveTarget()).toBe(0);
  });

  it("doubles the workers when held bytes pass 60% of the memory limits", () => {
    const s = state([info("w1", { memoryLimit: 1000 }), info("w2", { memoryLimit: 1000 })]);
    s.updateGraph("c", [task("a"), task("b")], ["a", "b"], []);
    s.taskFinished("w1", "a", 700, "x", 0, 0.1);
    s.taskFinished("w2", "b", 500, "x", 0, 0.1);
    // 1200 bytes is exactly 60% of 2000: not above it, and closing either worker would leave < 2 * 1200.
    expect(s.adaptiveTarget()).toBe(2);
    s.updateGraph("c", [task("c", { workers: ["w2"] })], ["c"], []);
    s.taskFinished("w2", "c", 1, "x", 0, 0.1);
    expect(s.adaptiveTarget()).toBe(4); // 1201 > 1200: twice the workers
    // A worker without a limit makes memory plentiful: no memory reason to grow. But it is the one that
    // makes memory plentiful, so it may not go either (w1 + w2 alone have 2000 < 2 * 1201): stay at 3.
    s.addWorker(info("w3"));
    expect(s.adaptiveTarget()).toBe(3);
  });

  it("keeps enough memory for the held bytes when scaling down (memory ratio 2)", () => {
    const s = state([info("w1", { memoryLimit: 1000 }), info("w2", { memoryLimit: 1000 }), info("w3", { memoryLimit: 1000 })]);
    s.updateGraph("c", [task("a", { workers: ["w1"] })], ["a"], []);
    s.taskFinished("w1", "a", 900, "x", 0, 0.1);
    // 900 bytes held: closing w3 leaves 2000 >= 1800, closing w2 too would leave 1000 < 1800.
    expect(s.workersToClose()).toEqual(["w3"]);
    expect(s.adaptiveTarget()).toBe(2);
  });

  it("never closes the last worker holding data when memory is unlimited", () => {
    const s = state(["w1", "w2"]);
    s.updateGraph("c", [task("a", { workers: ["w2"] })], ["a"], []);
    s.taskFinished("w2", "a", 8, "x", 0, 0.1);
    expect(s.workersToClose()).toEqual(["w1"]);
    expect(s.adaptiveTarget()).toBe(1);
  });

  it("rejects a non-positive targetDuration", () => {
    const s = state(["w1"]);
    expect(() => s.adaptiveTarget(0)).toThrow(RangeError);
    expect(() => s.adaptiveTarget(Number.NaN)).toThrow(RangeError);
  });
});

describe("workersToClose (Dask's Scheduler.workers_to_close)", () => {
  /** w1 busy with 0 bytes, w2 idle 500 bytes, w3 idle 100 bytes, w4 idle 100 bytes. */
  function mixed(): SchedulerState {
    const s = state(["w1", "w2", "w3", "w4"], { workerSaturation: Infinity });
    s.updateGraph(
      "c",
      [task("b2", { workers: ["w2"] }), task("b3", { workers: ["w3"] }), task("b4", { workers: ["w4"] }), task("busy", { workers: ["w1"] })],
      ["b2", "b3", "b4", "busy"],
      [],
    );
    s.taskFinished("w2", "b2", 500, "x", 0, 1);
    s.taskFinished("w3", "b3", 100, "x", 0, 1);
    s.taskFinished("w4", "b4", 100, "x", 0, 1);
    return s;
  }

  it("closes idle workers first, fewest bytes first, newest first among equals", () => {
    const s = mixed();
    expect(s.workersToClose({ n: 1 })).toEqual(["w4"]);
    expect(s.workersToClose({ n: 3 })).toEqual(["w4", "w3", "w2"]);
    expect(s.workersToClose({ n: 4 })).toEqual(["w4", "w3", "w2", "w1"]);
    expect(s.workersToClose({ n: 9 })).toEqual(["w4", "w3", "w2", "w1"]);
    expect(s.workersToClose({ target: 2 })).toEqual(["w4", "w3"]);
    expect(s.workersToClose({ n: 0 })).toEqual([]);
    expect(s.workersToClose({ n: -2 })).toEqual([]);
  });

  it("without n closes only idle workers, and respects minimum", () => {
    const s = mixed();
    // Memory is unlimited and the busy w1 stays: every idle worker may go.
    expect(s.workersToClose()).toEqual(["w4", "w3", "w2"]);
    expect(s.workersToClose({ minimum: 2 })).toEqual(["w4", "w3"]);
    expect(s.workersToClose({ n: 3, minimum: 3 })).toEqual(["w4"]);
  });

  it("closes nothing without n when every worker is busy, and nothing of an empty list", () => {
    const s = state(["w1"]);
    s.updateGraph("c", [task("a")], ["a"], []);
    expect(s.workersToClose()).toEqual([]);
    expect(s.workersToClose({ n: 1 })).toEqual(["w1"]);
    expect(workersToClose([], {})).toEqual([]);
    expect(workersToClose([], { n: 2 })).toEqual([]);
  });
});

describe("ScalingPolicy (Dask's AdaptiveCore.recommendations)", () => {
  const plan = ["a", "b", "c"];

  it("scales up at once and says same when on target", () => {
    const p = new ScalingPolicy(3);
    expect(p.recommend(5, plan, [], () => [])).toEqual({ status: "up", n: 5 });
    expect(p.recommend(3, plan, [], () => [])).toEqual({ status: "same" });
  });

  it("scales down only after waitCount rounds in a row choose the same workers", () => {
    const p = new ScalingPolicy(3);
    const toClose = vi.fn((t: number) => (t === 1 ? ["c", "b"] : ["c"]));
    expect(p.recommend(1, plan, [], toClose)).toEqual({ status: "same" });
    expect(p.recommend(1, plan, [], toClose)).toEqual({ status: "same" });
    expect(p.counts()).toEqual(new Map([["c", 2], ["b", 2]]));
    expect(p.recommend(1, plan, [], toClose)).toEqual({ status: "down", workers: ["c", "b"] });
    expect(toClose).toHaveBeenCalledWith(1);
    expect(p.counts().size).toBe(0);
  });

  it("starts over when a round wants as many workers, or stops choosing a worker", () => {
    const p = new ScalingPolicy(2);
    expect(p.recommend(2, plan, [], () => ["c"])).toEqual({ status: "same" });
    expect(p.recommend(3, plan, [], () => ["c"])).toEqual({ status: "same" }); // back on target: counts cleared
    expect(p.recommend(2, plan, [], () => ["c"])).toEqual({ status: "same" });
    expect(p.recommend(2, plan, [], () => ["b"])).toEqual({ status: "same" }); // c not chosen: its count goes
    expect(p.counts()).toEqual(new Map([["b", 1]]));
    expect(p.recommend(2, plan, [], () => ["b"])).toEqual({ status: "down", workers: ["b"] });
  });

  it("closes workers that never arrived first, without asking the scheduler", () => {
    const p = new ScalingPolicy(1);
    const toClose = vi.fn(() => ["a"]);
    expect(p.recommend(2, plan, ["c"], toClose)).toEqual({ status: "down", workers: ["c"] });
    expect(toClose).not.toHaveBeenCalled();
    expect(p.recommend(1, plan, ["c"], toClose)).toEqual({ status: "down", workers: ["c", "a"] });
  });

  it("waitCount 1 acts at once; bad waitCounts throw", () => {
    expect(new ScalingPolicy(1).recommend(0, plan, [], () => ["a", "b", "c"])).toEqual({ status: "down", workers: ["a", "b", "c"] });
    expect(() => new ScalingPolicy(0)).toThrow(RangeError);
    expect(() => new ScalingPolicy(1.5)).toThrow(RangeError);
  });

  it("clamps targets to [minimum, maximum]", () => {
    expect(clampTarget(40, 1, 3)).toBe(3);
    expect(clampTarget(0, 1, 3)).toBe(1);
    expect(clampTarget(2, 1, 3)).toBe(2);
    expect(clampTarget(7, 0, Infinity)).toBe(7);
  });
});

/** A fake cluster of named workers whose target is set by the test. */
function fakeBackend(n: number): AdaptiveBackend & { workers: string[]; want: number; ups: number[]; downs: string[][]; fail: boolean; gate?: Promise<void> } {
  const b = {
    workers: Array.from({ length: n }, (_, i) => `w${i}`),
    want: n,
    ups: [] as number[],
    downs: [] as string[][],
    fail: false,
    gate: undefined as Promise<void> | undefined,
    target: () => b.want,
    plan: () => [...b.workers],
    notYetArrived: () => [],
    workersToClose: (t: number) => b.workers.slice(t).reverse(),
    async scaleUp(k: number) {
      b.ups.push(k);
      await b.gate;
      if (b.fail) throw new Error("no capacity");
      while (b.workers.length < k) b.workers.push(`w${b.workers.length}`);
    },
    async scaleDown(ws: string[]) {
      b.downs.push(ws);
      b.workers = b.workers.filter((w) => !ws.includes(w));
    },
  };
  return b;
}

describe("Adaptive (the loop)", () => {
  it("validates its options with InvalidArgumentError", () => {
    const b = fakeBackend(1);
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ minimum: 3, maximum: 1 }, /minimum \(3\) must not exceed maximum \(1\)/],
      [{ minimum: -1 }, /minimum must be a non-negative integer/],
      [{ minimum: 1.5 }, /minimum must be a non-negative integer/],
      [{ maximum: 2.5 }, /maximum must be a non-negative integer or Infinity/],
      [{ maximum: "3" }, /maximum/],
      [{ interval: 0 }, /interval must be a positive number/],
      [{ interval: Number.NaN }, /interval/],
      [{ targetDuration: -5 }, /targetDuration/],
      [{ waitCount: 0 }, /waitCount must be a positive integer/],
    ];
    for (const [opts, msg] of bad) {
      expect(() => new Adaptive(b, opts)).toThrow(InvalidArgumentError);
      expect(() => new Adaptive(b, opts)).toThrow(msg);
    }
    const a = new Adaptive(b, {});
    expect([a.minimum, a.maximum, a.interval, a.targetDuration, a.waitCount]).toEqual([0, Infinity, 1000, 5000, 3]);
  });

  it("clamps, scales up at once, down after waitCount rounds, and logs changes", async () => {
    const b = fakeBackend(2);
    const a = new Adaptive(b, { minimum: 1, maximum: 4, waitCount: 2 });
    b.want = 10;
    await a.adapt();
    expect(b.ups).toEqual([4]);
    expect(b.workers.length).toBe(4);
    b.want = 0;
    await a.adapt();
    expect(b.downs).toEqual([]);
    await a.adapt();
    expect(b.downs).toEqual([["w3", "w2", "w1"]]);
    expect(b.workers).toEqual(["w0"]);
    expect(a.log.map((e) => [e.target, e.recommendation.status])).toEqual([[4, "up"], [1, "down"]]);
  });

  it("passes targetDuration to the scheduler in seconds", async () => {
    const b = fakeBackend(1);
    const target = vi.spyOn(b, "target");
    await new Adaptive(b, { targetDuration: 2500 }).adapt();
    expect(target).toHaveBeenCalledWith(2.5);
  });

  it("never runs two scalings at once, and logs scaling errors instead of throwing", async () => {
    const b = fakeBackend(1);
    let open!: () => void;
    b.gate = new Promise((r) => (open = r));
    b.want = 3;
    b.fail = true;
    const err = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const a = new Adaptive(b, { maximum: 5 });
      const first = a.adapt();
      await a.adapt(); // returns at once: the first round is still scaling
      expect(b.ups).toEqual([3]);
      open();
      await expect(first).resolves.toBeUndefined();
      expect(err).toHaveBeenCalledTimes(1);
      expect(String(err.mock.calls[0]![0])).toMatch(/scaling failed.*no capacity/);
      b.fail = false;
      await a.adapt();
      expect(b.workers.length).toBe(3);
    } finally {
      err.mockRestore();
    }
  });

  it("runs on its timer until stopped", async () => {
    const b = fakeBackend(1);
    b.want = 2;
    const a = new Adaptive(b, { interval: 20 }).start();
    await until(() => b.workers.length === 2, 2000, "scale-up by the timer");
    a.stop();
    expect(a.running).toBe(false);
    b.want = 4;
    await sleep(80);
    expect(b.workers.length).toBe(2);
  });
});

// Task functions travel as source: no captured variables.
function sleepy(x: number): number {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
  return x * 2;
}
function double(x: number): number {
  return x * 2;
}

describe("LocalCluster.adapt (in-process workers)", () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  async function start(nWorkers: number): Promise<{ cluster: LocalCluster; client: Client }> {
    const cluster = await LocalCluster.start({ nWorkers, threadsPerWorker: 1, processes: false });
    cleanups.push(() => cluster.close());
    const client = await Client.connect(cluster, { setAsDefault: false });
    cleanups.push(() => client.close());
    return { cluster, client };
  }

  it("grows under a burst of slow tasks and shrinks back to the minimum, keeping every result", async () => {
    const { cluster, client } = await start(1);
    // targetDuration 1 s: 30 tasks want 3 workers (15 s at the 0.5 s estimate, 9 s once 0.3 s is measured),
    // so growth does not depend on which round sees the first durations.
    const a = cluster.adapt({ minimum: 1, maximum: 3, interval: 100, targetDuration: 1000 });
    const futures = client.map(sleepy, Array.from({ length: 30 }, (_, i) => i));
    let most = 0;
    const watch = setInterval(() => (most = Math.max(most, cluster.workerInfo().length)), 20);
    try {
      await until(() => cluster.workerInfo().length === 3, 5000, "growth to 3 workers");
      const values = await client.gather(futures);
      expect(values).toEqual(Array.from({ length: 30 }, (_, i) => i * 2));
      await until(() => cluster.workerInfo().length === 1 && cluster.scheduler.workerAddresses().length === 1, 5000, "shrink to 1");
    } finally {
      clearInterval(watch);
    }
    expect(most).toBe(3);
    // The results held by the retired workers were moved to the survivor, not recomputed.
    const survivor = cluster.workerInfo()[0]!.address;
    const who = await client.whoHas(futures);
    for (const f of futures) expect(who[f.key]).toEqual([survivor]);
    expect(await client.gather(futures)).toEqual(Array.from({ length: 30 }, (_, i) => i * 2));
    const log = cluster.scheduler.state.transitionLog();
    expect(log.filter((r) => r.finish === "memory" && r.stimulus === "task-finished").length).toBe(30);
    expect(a.log.some((e) => e.recommendation.status === "up")).toBe(true);
    expect(a.log.some((e) => e.recommendation.status === "down")).toBe(true);
    expect(cluster.scheduler.state.events().filter((e) => e.topic === "retire-workers").every((e) => (e.lost as string[]).length === 0)).toBe(true);
  });

  it("works with minimum 0: starts a worker for waiting tasks and closes it when nothing is held", async () => {
    const { cluster, client } = await start(0);
    cluster.adapt({ minimum: 0, maximum: 2, interval: 50, waitCount: 2 });
    const f = client.submit(double, 21);
    expect(await f.result()).toBe(42);
    expect(cluster.workerInfo().length).toBeGreaterThanOrEqual(1);
    // The result is held: the last worker stays while it is.
    await sleep(300);
    expect(cluster.workerInfo().length).toBe(1);
    f.release();
    await until(() => cluster.workerInfo().length === 0 && cluster.scheduler.workerAddresses().length === 0, 5000, "shrink to 0");
  });

  it("throws on bad arguments; scale(), a new adapt() and close() stop adaptivity", async () => {
    const { cluster } = await start(1);
    expect(() => cluster.adapt({ minimum: 3, maximum: 1 })).toThrow(InvalidArgumentError);
    expect(() => cluster.adapt({ minimum: -1 })).toThrow(/minimum must be a non-negative integer/);
    expect(() => cluster.adapt({ maximum: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => cluster.adapt({ interval: -1 })).toThrow(InvalidArgumentError);
    const a1 = cluster.adapt({ minimum: 1, maximum: 2 });
    const a2 = cluster.adapt({ minimum: 1, maximum: 2 });
    expect(a1.running).toBe(false);
    expect(a2.running).toBe(true);
    await cluster.scale(2);
    expect(a2.running).toBe(false);
    expect(cluster.workerInfo().length).toBe(2);
    // Adaptivity is off: the idle cluster keeps its 2 workers.
    await sleep(200);
    expect(cluster.workerInfo().length).toBe(2);
    const a3 = cluster.adapt({ minimum: 2, interval: 50 });
    await cluster.close();
    expect(a3.running).toBe(false);
    expect(() => cluster.adapt()).toThrow(/closed/);
  });
});
