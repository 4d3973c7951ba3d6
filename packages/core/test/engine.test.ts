// Engine behaviour the scheduler-overhead targets and the review of issue 2 depend on.
import { afterAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import {
  CancelledError,
  ConfigError,
  Delayed,
  LayeredGraph,
  MissingDependencyError,
  Task,
  TaskError,
  closeSchedulers,
  compute,
  delayed,
  fromModule,
  kernel,
  tokenize,
  type DaskCollection,
  type Graph,
  type RunStats,
} from "@dask-ts/core";

const fixtures = new URL("../../../test/fixtures/tasks.mjs", import.meta.url).href;
const inc = delayed<[number], number>(fromModule(fixtures, "inc"), { pure: true });
const add = delayed<[number, number], number>(fromModule(fixtures, "add"), { pure: true });
const sum = delayed<[number[]], number>(fromModule(fixtures, "sum"), { pure: true });
const newStats = (): RunStats => ({ tasks: 0, peakHeld: 0, batches: 0 });
const schedulers = ["sync", "threads", "processes"] as const;

afterAll(() => closeSchedulers());

describe.each(schedulers)("graph shapes on %s", (scheduler) => {
  it("runs an unfused 2,000-task chain and a 10,000-leaf tree", async () => {
    let c: Delayed<number> = delayed(0);
    for (let i = 0; i < 2000; i++) c = inc(c);
    expect(await c.compute({ scheduler, optimize: false })).toBe(2000);
    let level: Delayed<number>[] = Array.from({ length: 10_000 }, (_, i) => inc(i));
    while (level.length > 1) {
      const next: Delayed<number>[] = [];
      for (let i = 0; i < level.length; i += 8) next.push(sum(level.slice(i, i + 8)));
      level = next;
    }
    expect(await level[0]!.compute({ scheduler })).toBe((10_000 * 10_001) / 2);
  });

  it("names the failing task even when it was fused into its dependent", async () => {
    const fail = delayed<[string], number>(fromModule(fixtures, "fail"));
    const bad = fail("boom");
    const err = (await inc(bad).compute({ scheduler }).catch((e: unknown) => e)) as TaskError;
    expect(err).toBeInstanceOf(TaskError);
    expect(err.key).toBe(bad.key);
  });

  it("runs two computations at once on one pool", async () => {
    const a = sum(Array.from({ length: 500 }, (_, i) => inc(i)));
    const b = sum(Array.from({ length: 500 }, (_, i) => add(i, 1000)));
    const [ra, rb] = await Promise.all([a.compute({ scheduler }), b.compute({ scheduler })]);
    expect(ra).toBe((499 * 500) / 2 + 500);
    expect(rb).toBe((499 * 500) / 2 + 500_000);
  });

  it("rejects an output key missing from the graph even without optimization", async () => {
    const coll: DaskCollection = {
      daskGraph: () => LayeredGraph.fromLayer("g", new Map([["a", new Task(kernel("core.identity"), [1])]]) as Graph),
      daskKeys: () => ["a", "missing"],
      daskPostcompute: () => undefined,
      daskPostpersist: () => coll,
      daskScheduler: scheduler,
      daskToken: () => "g",
    };
    await expect(compute(coll, { scheduler, optimize: false })).rejects.toThrow(MissingDependencyError);
  });

  it("rejects an already-aborted signal", async () => {
    await expect(inc(1).compute({ scheduler, signal: AbortSignal.abort() })).rejects.toThrow(CancelledError);
  });
});

describe("batching and locality on threads", () => {
  it("sends many trivial tasks per message", async () => {
    const stats = newStats();
    await compute(...Array.from({ length: 5000 }, (_, i) => inc(i)), { scheduler: "threads", numWorkers: 2, stats });
    expect(stats.tasks).toBe(5000);
    expect(stats.batches).toBeLessThan(5000 / 10);
  });

  it("keeps an unfused chain on one worker: far fewer messages than tasks", async () => {
    let c: Delayed<number> = delayed(0);
    for (let i = 0; i < 2000; i++) c = inc(c);
    const stats = newStats();
    expect(await c.compute({ scheduler: "threads", optimize: false, stats })).toBe(2000);
    expect(stats.batches).toBeLessThan(2000 / 10);
  });

  it("spreads a fan-out over all workers", async () => {
    const work = delayed<[number, number], number>(fromModule(fixtures, "sleepThread"));
    const shared = inc(1);
    const ids = await compute(...Array.from({ length: 16 }, () => work(shared, 30)), { scheduler: "threads", numWorkers: 2 });
    expect(new Set(ids).size).toBe(2);
  });
});

describe("cancellation stops running tasks", () => {
  it.each(["threads", "processes"] as const)("a CPU-bound task on %s does not block the next computation", async (scheduler) => {
    const spin = delayed<[number], number>(fromModule(fixtures, "spin"));
    const p = spin(5000).compute({ scheduler, numWorkers: 1, signal: AbortSignal.timeout(200) });
    await expect(p).rejects.toThrow(CancelledError);
    const t0 = Date.now();
    expect(await inc(1).compute({ scheduler, numWorkers: 1 })).toBe(2);
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});

describe("results and arguments", () => {
  it("decodes a result whose codec was not loaded yet (Arrow table from a worker)", async () => {
    const table = delayed<[number], { numRows: number; getChild(n: string): { get(i: number): unknown } }>(fromModule(fixtures, "arrowTable"));
    for (const scheduler of ["threads", "processes"] as const) {
      const t = await table(5).compute({ scheduler });
      expect(t.numRows).toBe(5);
      expect(t.getChild("s").get(4)).toBe("é4");
    }
  });

  it("validates numWorkers passed per call", async () => {
    await expect(inc(1).compute({ scheduler: "threads", numWorkers: 0 })).rejects.toThrow(ConfigError);
    await expect(inc(1).compute({ scheduler: "processes", numWorkers: 1.5 })).rejects.toThrow(ConfigError);
  });

  it("tokenizes regexps by value, opaque instances uniquely, and cycles without hanging", () => {
    expect(tokenize(/a/g)).not.toBe(tokenize(/b/g));
    expect(tokenize(/a/g)).toBe(tokenize(/a/g));
    class Box {
      #secret: number;
      constructor(s: number) {
        this.#secret = s;
      }
      get secret(): number {
        return this.#secret;
      }
    }
    expect(tokenize(new Box(1))).not.toBe(tokenize(new Box(1)));
    const m = new Map<string, unknown>();
    m.set("self", m);
    m.set("again", m);
    expect(tokenize(m)).toMatch(/^[0-9a-f]{32}$/);
    const o: Record<string, unknown> = { a: 1 };
    o.me = o;
    expect(() => delayed(o)).toThrow(/contains itself/);
  });
});

describe("worker flags", () => {
  it("the threads scheduler works under process-wide V8 flags", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--max-old-space-size=2048", "--stack-size=2000", "--input-type=module", "-e", `
        import { delayed, closeSchedulers } from "dask-ts";
        console.log(await delayed((x) => x + 1)(1).compute({ scheduler: "threads" }));
        await closeSchedulers();`],
      { timeout: 60_000, cwd: new URL("../../..", import.meta.url).pathname },
    );
    expect(stdout.trim()).toBe("2");
  });
});
