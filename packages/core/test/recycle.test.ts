// Reuse of dead chunk buffers (memory/alloc.ts, memory/recycle.ts) and the engine's part in it: a buffer is
// reused only when nothing can read it any more, whatever the scheduler.
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import {
  LayeredGraph,
  Literal,
  Task,
  TaskRef,
  allocTyped,
  bufferPoolStats,
  closeSchedulers,
  compute,
  fromModule,
  kernel,
  makePlan,
  registerKernel,
  registerWorkerModule,
  setBufferPoolLimit,
  type DaskCollection,
  type Graph,
} from "@dask-ts/core";
import { kernelInfo, isStatelessKernel } from "@dask-ts/core/fn/registry";
import { MIN_RECYCLED_BYTES, clearBufferPool, recycleBuffer } from "@dask-ts/core/memory/alloc";
import { ALIASES_INPUTS, MAY_KEEP_INPUTS, ResultMemory } from "@dask-ts/core/memory/recycle";
import { GraphRun } from "@dask-ts/core/schedulers/graph-run";
import { evaluate } from "@dask-ts/core/graph/evaluate";
import type { LanePool, RunHandler } from "@dask-ts/core/schedulers/lanes";
import type { ToWorker } from "@dask-ts/core/worker/protocol";
import { importWorkerModules } from "@dask-ts/core/worker/modules";

const FIXTURE = new URL("./fixtures/recycle-kernels.mjs", import.meta.url).href;
await importWorkerModules([FIXTURE]); // registers the rtest.* kernels here (imported by Node, as workers do)
registerWorkerModule(FIXTURE); // ... and in every worker
const keep = fromModule(FIXTURE, "keep");
const checkKept = fromModule(FIXTURE, "checkKept");
const poolStats = fromModule(FIXTURE, "poolStats");

/** Elements of a test chunk: large enough to be recycled. */
const N = MIN_RECYCLED_BYTES / 8 + 16;

afterAll(() => closeSchedulers());
beforeEach(() => clearBufferPool());

function graphCollection(graph: Graph, keys: string[]): DaskCollection {
  return {
    daskGraph: () => LayeredGraph.fromLayer("raw", graph),
    daskKeys: () => keys,
    daskPostcompute: (values: unknown[]) => values,
    daskPostpersist: () => {
      throw new Error("not used");
    },
    daskScheduler: "sync",
    daskToken: () => "raw",
  } as unknown as DaskCollection;
}

const t = (name: string, ...args: unknown[]): Task => new Task(kernel(name), args);
const ref = (k: string): TaskRef => new TaskRef(k);

/** Runs many graphs that allocate chunks of the test size full of `v` (reusing whatever was recycled). */
async function churn(scheduler: string, numWorkers: number, v: number): Promise<void> {
  const g: Graph = new Map();
  const keys: string[] = [];
  for (let i = 0; i < 24; i++) {
    g.set(`churn-${v}-${i}`, t("rtest.fill", N, v));
    g.set(`churn-total-${v}-${i}`, t("rtest.total", ref(`churn-${v}-${i}`)));
    keys.push(`churn-total-${v}-${i}`);
  }
  const [totals] = (await compute(graphCollection(g, keys), { scheduler, numWorkers, optimize: false })) as [number[]];
  for (const s of totals) expect(s).toBe(v * N);
}

describe("allocTyped and the free lists", () => {
  it("hands a recycled buffer out again, zeroed unless asked not to", () => {
    const a = allocTyped(Float64Array, N).fill(7);
    recycleBuffer(a.buffer);
    const before = bufferPoolStats();
    const b = allocTyped(Float64Array, N);
    expect(b.buffer).toBe(a.buffer);
    expect(b.every((x) => x === 0)).toBe(true);
    expect(bufferPoolStats().reused).toBe(before.reused + 1);
    b.fill(3);
    recycleBuffer(b.buffer);
    const c = allocTyped(Float64Array, N, { uninitialized: true });
    expect(c.buffer).toBe(a.buffer);
    expect(c[5]).toBe(3);
  });

  it("keeps shared and unshared buffers apart, and ignores small ones", () => {
    const s = allocTyped(Float64Array, N, { shared: true });
    expect(s.buffer).toBeInstanceOf(SharedArrayBuffer);
    recycleBuffer(s.buffer);
    expect(allocTyped(Float64Array, N, { shared: true }).buffer).toBe(s.buffer);
    recycleBuffer(s.buffer);
    const u = allocTyped(Float64Array, N); // this (main) thread allocates unshared: never the shared one
    expect(u.buffer).not.toBe(s.buffer);
    expect(u.buffer).toBeInstanceOf(ArrayBuffer);
    const small = allocTyped(Float64Array, 16);
    recycleBuffer(small.buffer);
    expect(bufferPoolStats().freeBytes).toBe(0);
  });

  it("respects the pool limit and evicts other sizes for a fresh allocation", () => {
    const old = setBufferPoolLimit(N * 8 * 2);
    try {
      const bufs = [0, 1, 2].map(() => allocTyped(Float64Array, N).buffer);
      const dropped = bufferPoolStats().dropped;
      for (const b of bufs) recycleBuffer(b);
      expect(bufferPoolStats().dropped).toBe(dropped + 1);
      expect(bufferPoolStats().freeBytes).toBe(N * 8 * 2);
      const evicted = bufferPoolStats().evicted;
      allocTyped(Float64Array, N + 8); // another size: fresh, and the free lists shrink by as much
      expect(bufferPoolStats().evicted).toBe(evicted + 2);
      expect(bufferPoolStats().freeBytes).toBe(0);
    } finally {
      setBufferPoolLimit(old);
    }
  });

  it("registers stateless kernels", () => {
    expect(kernelInfo("rtest.fill")?.stateless).toBe(true);
    expect(isStatelessKernel(kernelInfo("rtest.fill")!.fn)).toBe(true);
    const plain = registerKernel("rtest.plain", (x: unknown) => x);
    expect(kernelInfo("rtest.plain")?.stateless).toBeUndefined();
    expect(isStatelessKernel(plain.local!)).toBe(false);
    expect(isStatelessKernel(kernelInfo("core.identity")!.fn)).toBe(true);
  });
});

describe("ResultMemory (one lane)", () => {
  /** Evaluates a node as a lane does; `inputs` maps keys to [value, from the store?]. */
  function run(mem: ResultMemory, key: string, node: unknown, store: Map<string, unknown>, shipped = new Map<string, unknown>()) {
    const inputs: string[] = [];
    const inputValues: unknown[] = [];
    mem.begin();
    const value = evaluate(node as never, (k) => {
      if (shipped.has(k)) {
        inputValues.push(shipped.get(k));
        return shipped.get(k);
      }
      inputs.push(k);
      inputValues.push(store.get(k));
      return store.get(k);
    });
    const flags = mem.finish(1, key, value, inputs, inputValues);
    store.set(key, value);
    return { value, flags };
  }

  it("recycles a fused intermediate as soon as its task returns", () => {
    const mem = new ResultMemory();
    const r0 = bufferPoolStats().recycled;
    const { value, flags } = run(mem, "s", t("rtest.total", t("rtest.fill", N, 2)), new Map());
    expect(value).toBe(2 * N);
    expect(flags).toBe(0);
    expect(bufferPoolStats().recycled).toBe(r0 + 1);
    expect(mem.tracked).toBe(0);
  });

  it("counts views, recycles at the last release, and forgets on a pinned release or the run's end", () => {
    const mem = new ResultMemory();
    const store = new Map<string, unknown>();
    const a = run(mem, "a", t("rtest.fill", N, 1), store).value as Float64Array;
    run(mem, "v", t("rtest.view", ref("a")), store);
    expect(mem.tracked).toBe(1);
    const r0 = bufferPoolStats().recycled;
    mem.release(1, "a", true);
    expect(bufferPoolStats().recycled).toBe(r0); // the view still holds it
    mem.release(1, "v", true);
    expect(bufferPoolStats().recycled).toBe(r0 + 1);
    expect(allocTyped(Float64Array, N).buffer).toBe(a.buffer);

    run(mem, "b", t("rtest.fill", N, 1), store);
    mem.release(1, "b", false); // pinned: forgotten
    run(mem, "c", t("rtest.fill", N, 1), store);
    mem.endRun(1); // outputs go to the user
    expect(mem.tracked).toBe(0);
    expect(bufferPoolStats().recycled).toBe(r0 + 1);
  });

  it("pins the inputs of code that may keep them, and reports it", () => {
    const mem = new ResultMemory();
    const store = new Map<string, unknown>();
    run(mem, "a", t("rtest.fill", N, 1), store);
    const kept: unknown[] = [];
    const { flags } = run(mem, "k", new Task({ spec: { kind: "kernel", name: "x" }, local: (x: unknown) => kept.push(x) } as never, [ref("a")]), store);
    expect(flags).toBe(MAY_KEEP_INPUTS);
    expect(mem.tracked).toBe(0);
    const r0 = bufferPoolStats().recycled;
    mem.release(1, "a", true);
    expect(bufferPoolStats().recycled).toBe(r0);
  });

  it("flags a view of an input it does not track, not a literal", () => {
    const mem = new ResultMemory();
    const foreign = new Float64Array(new SharedArrayBuffer(N * 8));
    const shipped = new Map<string, unknown>([["x", foreign]]);
    expect(run(mem, "v", t("rtest.view", ref("x")), new Map(), shipped).flags).toBe(ALIASES_INPUTS);
    expect(run(mem, "w", t("rtest.view", new Literal(foreign)), new Map()).flags).toBe(0);
    expect(run(mem, "s", t("rtest.total", ref("x")), new Map(), shipped).flags).toBe(0);
  });
});

/** A pool that records what the engine sends and releases; the test plays the workers. */
class FakeLanes implements LanePool {
  readonly retains = true;
  handler!: RunHandler;
  sent: Array<{ lane: number; msg: Extract<ToWorker, { t: "run" }> }> = [];
  notices: Array<[string, boolean]> = [];
  constructor(
    readonly lanes = 1,
    readonly maxInflight?: number,
  ) {}
  laneName(l: number): string {
    return `fake ${l}`;
  }
  attach(_run: number, h: RunHandler): void {
    this.handler = h;
  }
  detach(): void {}
  send(lane: number, msg: Extract<ToWorker, { t: "run" }>): void {
    this.sent.push({ lane, msg });
  }
  end(): void {}
  tasksSent(from = 0): string[] {
    return this.sent.slice(from).flatMap((s) => s.msg.tasks.map(([k]) => k));
  }
}

/** An in-thread pool (like the sync scheduler's): every task is sent at once, releases are immediate. */
class FakeSyncLanes extends FakeLanes {
  constructor() {
    super(1, 1 << 20);
  }
  releaseNow(_lane: number, _run: number, key: string, recycle: boolean): void {
    this.notices.push([key, recycle]);
  }
}

describe("the engine's release of chunk memory", () => {
  it("retires a key only after the results that are views of its memory, and pins what kept code saw", async () => {
    const g: Graph = new Map();
    g.set("a", t("rtest.fill", 4, 1));
    g.set("v", t("rtest.view", ref("a"))); // reported as a view of a's memory
    g.set("w", t("rtest.total", ref("a")));
    g.set("s", t("rtest.total", ref("v")));
    g.set("b", t("rtest.fill", 4, 1));
    g.set("k", t("rtest.total", ref("b"))); // reported as code that may keep b
    g.set("c", t("rtest.fill", 4, 1));
    g.set("vc", t("rtest.view", ref("c"))); // a view of c ...
    g.set("kc", t("rtest.total", ref("vc"))); // ... seen by code that may keep it: pins c too
    g.set("out", t("core.list", ref("s"), ref("w"), ref("k"), ref("kc")));
    const lanes = new FakeSyncLanes();
    const done = new GraphRun(lanes, makePlan(g), ["out"]).start();
    const h = lanes.handler;
    expect(lanes.tasksSent()).toHaveLength(g.size); // sync-like lanes get the whole graph at once
    h.onDone(0, [["a", 0, 0], ["v", 0, 0, ALIASES_INPUTS], ["w", 0, 0]]);
    expect(lanes.notices).toEqual([]); // a's dependents are done, but v still shows its memory
    h.onDone(0, [["s", 0, 0]]);
    expect(lanes.notices).toEqual([["v", true], ["a", true]]);
    h.onDone(0, [["b", 0, 0], ["k", 0, 0, MAY_KEEP_INPUTS]]);
    expect(lanes.notices.slice(2)).toEqual([["b", false]]);
    h.onDone(0, [["c", 0, 0], ["vc", 0, 0, ALIASES_INPUTS], ["kc", 0, 0, MAY_KEEP_INPUTS]]);
    expect(lanes.notices.slice(3)).toEqual([["vc", false], ["c", false]]);
    h.onDone(0, [["out", 0, 0]]);
    await done;
    expect(lanes.notices.map(([k]) => k)).not.toContain("out"); // outputs are never released
  });

  it("sends release notices with the next batch, recycled keys apart from pinned ones", async () => {
    const g: Graph = new Map();
    for (const x of ["a", "b", "c"]) g.set(x, t("rtest.fill", 4, 1));
    g.set("ka", t("rtest.total", ref("a")));
    g.set("kb", t("rtest.total", ref("b")));
    g.set("kc", t("rtest.total", ref("c")));
    const lanes = new FakeLanes(1);
    const done = new GraphRun(lanes, makePlan(g), ["ka", "kb", "kc"]).start();
    const h = lanes.handler;
    const finish = (flags: Record<string, number> = {}): void => {
      for (const k of lanes.tasksSent()) {
        if (!finished.has(k)) {
          finished.add(k);
          h.onDone(0, [flags[k] ? [k, 0, 1, flags[k]] : [k, 0, 1]]);
        }
      }
    };
    const finished = new Set<string>();
    for (let i = 0; i < 10 && finished.size < g.size; i++) finish({ kb: MAY_KEEP_INPUTS });
    await done;
    const recycled = lanes.sent.flatMap((s) => s.msg.recycle ?? []);
    const released = lanes.sent.flatMap((s) => s.msg.release);
    expect(recycled).not.toContain("b");
    expect(recycled).not.toContain("ka");
    if (released.includes("b") || recycled.includes("b")) expect(released).toContain("b");
    expect(recycled.length + released.length).toBeGreaterThan(0);
  });

  it("keeps one task queued behind the running one when tasks take a few ms", () => {
    const g: Graph = new Map();
    for (let i = 0; i < 8; i++) g.set(`x${i}`, t("rtest.fill", 4, i));
    const lanes = new FakeLanes(1);
    void new GraphRun(lanes, makePlan(g), [...g.keys()]).start().catch(() => undefined);
    expect(lanes.tasksSent()).toHaveLength(1); // duration unknown: one task
    lanes.handler.onDone(0, [[lanes.tasksSent()[0]!, 0, 5]]); // 5 ms a task
    expect(lanes.tasksSent(1)).toHaveLength(2); // one running, one queued
    lanes.handler.onDone(0, [[lanes.tasksSent(1)[0]!, 0, 5]]);
    expect(lanes.tasksSent(1)).toHaveLength(3); // topped up at once
    lanes.handler.onDone(0, [[lanes.tasksSent(1)[1]!, 0, 500]]); // long tasks: one at a time
    expect(lanes.tasksSent(1)).toHaveLength(3);
    lanes.handler.onDone(0, [[lanes.tasksSent(1)[2]!, 0, 500]]);
    expect(lanes.tasksSent(1)).toHaveLength(4);
  });
});

describe("the sync scheduler", () => {
  it("drops each intermediate as soon as its dependents are done, so chunk after chunk reuses one buffer", async () => {
    const big = 1 << 20; // 8 MB chunks: each task takes long enough for results to be handed over one by one
    const g: Graph = new Map();
    const outs: string[] = [];
    for (let i = 0; i < 24; i++) {
      g.set(`a${i}`, t("rtest.fill", big, i));
      g.set(`t${i}`, t("rtest.total", ref(`a${i}`)));
      outs.push(`t${i}`);
    }
    const before = bufferPoolStats();
    const [totals] = (await compute(graphCollection(g, outs), { scheduler: "sync", optimize: false })) as [number[]];
    expect(totals).toEqual(outs.map((_, i) => i * big));
    const after = bufferPoolStats();
    expect(after.fresh - before.fresh).toBeLessThanOrEqual(4);
    expect(after.reused - before.reused).toBeGreaterThanOrEqual(20);
  });
});

describe.each([
  ["sync", 1],
  ["threads", 1],
  ["threads", 2],
  ["processes", 2],
] as const)("on %s (%i workers) no buffer anything can still read is reused", (scheduler, numWorkers) => {
  it("keeps an output that is a view of a released intermediate, and reuses the rest", async () => {
    const g: Graph = new Map();
    const outs: string[] = [];
    for (let i = 0; i < 6; i++) {
      g.set(`a${i}`, t("rtest.fill", N, 5));
      g.set(`v${i}`, t("rtest.view", ref(`a${i}`))); // output: a view of a released intermediate
      g.set(`s${i}`, t("rtest.total", t("rtest.fill", N, 1))); // a fused intermediate, dead at once
      g.set(`w${i}`, t("rtest.total", ref(`a${i}`)));
      outs.push(`v${i}`, `s${i}`, `w${i}`);
    }
    for (let j = 0; j < 16; j++) {
      g.set(`c${j}`, t("rtest.total", t("rtest.fill", N, 9, ref(`v${j % 6}`), ref(`w${j % 6}`))));
      outs.push(`c${j}`);
    }
    const [values] = (await compute(graphCollection(g, outs), { scheduler, numWorkers, optimize: false })) as [unknown[]];
    await churn(scheduler, numWorkers, 9);
    await churn(scheduler, numWorkers, 11);
    for (let i = 0; i < 6; i++) {
      const v = values[3 * i] as Float64Array;
      expect(v.length).toBe(N - 1);
      expect(v.every((x) => x === 5)).toBe(true);
      expect(values[3 * i + 1]).toBe(N);
      expect(values[3 * i + 2]).toBe(5 * N);
    }
    if (scheduler === "sync") expect(bufferPoolStats().reused).toBeGreaterThan(0);
    else if (numWorkers === 1) {
      const [stats] = (await compute(graphCollection(new Map([["p", new Task(poolStats, [])]]), ["p"]), { scheduler, numWorkers })) as [
        [{ reused: number }],
      ];
      expect(stats[0].reused).toBeGreaterThan(0);
    }
  });

  it("never reuses a buffer that code which is not a stateless kernel has seen", async () => {
    const g: Graph = new Map();
    const outs: string[] = [];
    for (let i = 0; i < 4; i++) {
      g.set(`a${i}`, t("rtest.fill", N, 3));
      g.set(`k${i}`, new Task(keep, [ref(`a${i}`)])); // a module function: may keep its input
      g.set(`v${i}`, t("rtest.view", ref(`a${i}`)));
      g.set(`kv${i}`, new Task(keep, [ref(`v${i}`)])); // ... or a view of it
      outs.push(`k${i}`, `kv${i}`);
    }
    // Later tasks of the same run (after the keeps) allocate chunks of the same size: release notices
    // reach the workers with their batches, so a wrongly recycled buffer would be overwritten here.
    for (let j = 0; j < 16; j++) {
      g.set(`c${j}`, t("rtest.total", t("rtest.fill", N, 9, ref(`k${j % 4}`), ref(`kv${j % 4}`))));
      outs.push(`c${j}`);
    }
    await compute(graphCollection(g, outs), { scheduler, numWorkers, optimize: false });
    await churn(scheduler, numWorkers, 9);
    await churn(scheduler, numWorkers, 11);
    // Every thread that kept arrays still sees them intact.
    const checks = new Map<string, unknown>();
    for (let i = 0; i < 2 * numWorkers; i++) checks.set(`check-${i}`, new Task(checkKept, [new Literal(i)]));
    const [results] = (await compute(graphCollection(checks as Graph, [...checks.keys()]), { scheduler, numWorkers, optimize: false })) as [
      Array<Array<[number, number]>>,
    ];
    for (const kept of results) for (const [first, bad] of kept) {
      expect(first).toBe(3);
      expect(bad).toBe(0);
    }
  });
});
