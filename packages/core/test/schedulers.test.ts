import { afterAll, describe, expect, it } from "vitest";
import { Writable } from "node:stream";
import {
  CancelledError,
  LayeredGraph,
  Literal,
  Task,
  TaskRef,
  WorkerDiedError,
  closeSchedulers,
  compute,
  config,
  delayed,
  fromModule,
  getPool,
  kernel,
  type DaskCollection,
  type Executor,
  type ExecutorJob,
  type Graph,
  type RunStats,
} from "@dask-ts/core";

const fixtures = new URL("../../../test/fixtures/tasks.mjs", import.meta.url).href;
const inc = delayed(fromModule(fixtures, "inc"), { pure: true });
const add = delayed(fromModule(fixtures, "add"), { pure: true });
const newStats = (): RunStats => ({ tasks: 0, peakHeld: 0, batches: 0 });

afterAll(() => closeSchedulers());

/** A minimal collection over a hand-built graph, to run raw graphs through compute(). */
function graphCollection(graph: Graph, keys: string[]): DaskCollection {
  return {
    daskGraph: () => LayeredGraph.fromLayer("raw", graph),
    daskKeys: () => keys,
    daskPostcompute: () => undefined,
    daskPostpersist: () => {
      throw new Error("not used");
    },
    daskScheduler: "threads",
    daskToken: () => "raw",
  };
}

/** 1024 leaves reduced in a tree with fan-in 4. */
function wideThenReduce(): { graph: Graph; root: string } {
  const add4 = fromModule(fixtures, "sum");
  const graph: Graph = new Map();
  let level: string[] = [];
  for (let i = 0; i < 1024; i++) {
    graph.set(`leaf-${i}`, new Task(kernel("core.identity"), [new Literal(i)]));
    level.push(`leaf-${i}`);
  }
  let depth = 0;
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 4) {
      const k = `combine-${depth}-${i / 4}`;
      graph.set(k, new Task(add4, [level.slice(i, i + 4).map((x) => new TaskRef(x))]));
      next.push(k);
    }
    level = next;
    depth++;
  }
  return { graph, root: level[0]! };
}

describe.each(["sync", "threads", "processes"] as const)("memory-friendly order on %s", (scheduler) => {
  it("holds few results at once on a wide-then-reduce graph", async () => {
    const { graph, root } = wideThenReduce();
    const stats = newStats();
    const [[total]] = (await compute(graphCollection(graph, [root]), { scheduler, stats, optimize: false })) as [[number]];
    expect(total).toBe((1023 * 1024) / 2);
    expect(stats.tasks).toBe(1024 + 256 + 64 + 16 + 4 + 1);
    // All 1024 leaves at once would be the naive breadth-first peak; depth-first keeps it near depth x fan-in.
    if (scheduler === "sync") expect(stats.peakHeld).toBeLessThanOrEqual(5 * 4);
    else expect(stats.peakHeld).toBeLessThan(200);
  });
});

describe("threads scheduler", () => {
  it("runs on several threads and shares SharedArrayBuffer data without copying", async () => {
    const ids = Array.from({ length: 40 }, (_, i) => delayed(fromModule(fixtures, "threadId"))(i));
    const distinct = new Set(await compute(...ids, { scheduler: "threads", numWorkers: 2 }));
    expect(distinct.size).toBe(2);
    const shared = new Float64Array(new SharedArrayBuffer(8 * 4));
    const fill = delayed((a: Float64Array) => {
      a.fill(7);
      return a;
    });
    const [out] = (await compute(fill(shared), { scheduler: "threads" })) as [Float64Array];
    expect(out.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(shared[0]).toBe(7); // written by the worker thread into our memory
  });

  it("recovers when a worker thread exits mid-task", async () => {
    const exit = delayed(fromModule(fixtures, "exitProcess"));
    const err = await exit(3).compute({ scheduler: "threads" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkerDiedError);
    expect((err as Error).message).toMatch(/exitProcess|exited with code 3/);
    expect(await inc(1).compute({ scheduler: "threads" })).toBe(2);
  });
});

describe("processes scheduler", () => {
  it("runs in other processes", async () => {
    const pids = await compute(...Array.from({ length: 20 }, (_, i) => delayed(fromModule(fixtures, "pid"))(i)), {
      scheduler: "processes",
      numWorkers: 2,
    });
    expect(new Set(pids).size).toBe(2);
    expect(pids).not.toContain(process.pid);
  });

  it("rejects with WorkerDiedError when a process dies mid-task, then recovers", async () => {
    const exit = delayed(fromModule(fixtures, "exitProcess"));
    const err = await exit(7).compute({ scheduler: "processes" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkerDiedError);
    expect((err as Error).message).toMatch(/exited with code 7/);
    expect((err as WorkerDiedError).keys.length).toBe(1);
    expect(await add(inc(1), 1).compute({ scheduler: "processes" })).toBe(3);
  });

  it("rejects arguments that cannot be serialized", async () => {
    class Opaque {
      x = 1;
    }
    const id = delayed((x: unknown) => x);
    const err = await id(new Opaque()).compute({ scheduler: "processes" }).catch((e: unknown) => e);
    expect(String((err as Error).message)).toMatch(/Opaque/);
  });
});

describe("custom Executor", () => {
  it("runs a graph through any object with submit/size/close", async () => {
    const seen: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const executor: Executor = {
      size: 3,
      async submit(job: ExecutorJob) {
        seen.push(job.key);
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((r) => setTimeout(r, 2));
        try {
          return await job.run();
        } finally {
          running--;
        }
      },
      async close() {},
    };
    const total = add(add(inc(1), inc(2)), add(inc(3), inc(4)));
    expect(await total.compute({ scheduler: executor, optimize: false })).toBe(14);
    expect(seen.length).toBe(7);
    expect(maxRunning).toBeGreaterThan(1);
    expect(maxRunning).toBeLessThanOrEqual(3);
    const bad: Executor = { size: 1, submit: async () => Promise.reject(new RangeError("no")), close: async () => {} };
    await expect(inc(1).compute({ scheduler: bad })).rejects.toThrow(/RangeError: no/);
  });
});

describe("cancellation, config and progress", () => {
  it("cancels through an AbortSignal", async () => {
    const slow = delayed(fromModule(fixtures, "slowDouble"));
    const ac = new AbortController();
    const p = slow(1, 300).compute({ scheduler: "threads", signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await expect(p).rejects.toThrow(CancelledError);
    await expect(inc(1).compute({ signal: AbortSignal.abort() })).rejects.toThrow(CancelledError);
  });

  it("config.with scopes the scheduler to an async context", async () => {
    const pid = delayed(fromModule(fixtures, "pid"));
    const inner = await config.with({ scheduler: "sync" }, () => pid(1).compute());
    expect(inner).toBe(process.pid);
    expect(config.get("scheduler")).toBeUndefined();
    const both = await Promise.all([
      config.with({ scheduler: "processes" }, () => pid(2).compute()),
      config.with({ scheduler: "sync" }, () => pid(3).compute()),
    ]);
    expect(both[0]).not.toBe(process.pid);
    expect(both[1]).toBe(process.pid);
    expect(() => config.set({ numWorkers: 0 })).toThrow(/numWorkers/);
  });

  it("draws a progress bar on a TTY stream when asked", async () => {
    const writes: string[] = [];
    const stream = Object.assign(
      new Writable({
        write(chunk, _enc, cb) {
          writes.push(String(chunk));
          cb();
        },
      }),
      { isTTY: true, columns: 80 },
    );
    const { ProgressBar } = await import("@dask-ts/core");
    const slow = delayed(fromModule(fixtures, "slowDouble"));
    const parts = Array.from({ length: 6 }, (_, i) => slow(i, 40));
    await compute(...parts, { scheduler: "threads", progress: new ProgressBar({ stream, minimum: 0, interval: 10 }) });
    const text = writes.join("");
    expect(text).toContain("100% Completed");
    expect(text.endsWith("\n")).toBe(true);
  });

  it("keeps pools warm and reuses them", () => {
    expect(getPool("threads", 2)).toBe(getPool("threads", 2));
  });
});

describe("worker process flags", () => {
  it("keeps loaders and drops eval code, debuggers and test flags", async () => {
    const { workerExecArgv } = await import("@dask-ts/core/schedulers/exec-argv");
    expect(
      workerExecArgv(["--import", "tsx", "--input-type=module", "-e", "console.log(1)", "--inspect=9229", "--conditions=dev", "--max-old-space-size=4096", "--test"]),
    ).toEqual(["--import", "tsx", "--conditions=dev", "--max-old-space-size=4096"]);
    expect(workerExecArgv(["--eval", "x", "--enable-source-maps", "-r", "ts-node/register"])).toEqual(["--enable-source-maps", "-r", "ts-node/register"]);
  });
});
