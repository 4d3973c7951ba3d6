import { afterAll, describe, expect, it } from "vitest";
import {
  CapturedVariableError,
  Delayed,
  TaskError,
  UnknownSchedulerError,
  closeSchedulers,
  compute,
  delayed,
  fromModule,
  persist,
  type RunStats,
} from "@dask-ts/core";

const fixtures = new URL("../../../test/fixtures/tasks.mjs", import.meta.url).href;
const inc = delayed<[number], number>(fromModule(fixtures, "inc"), { pure: true });
const add = delayed<[number, number], number>(fromModule(fixtures, "add"), { pure: true });
const sum = delayed<[number[]], number>(fromModule(fixtures, "sum"), { pure: true });
const fail = delayed<[string], number>(fromModule(fixtures, "fail"));

const schedulers = ["sync", "threads", "processes"] as const;
const newStats = (): RunStats => ({ tasks: 0, peakHeld: 0, batches: 0 });

afterAll(() => closeSchedulers());

describe.each(schedulers)("delayed on %s", (scheduler) => {
  it("computes a single call, a value and a plain-function call", async () => {
    expect(await inc(1).compute({ scheduler })).toBe(2);
    expect(await delayed(41).compute({ scheduler })).toBe(41);
    const double = delayed((x: number) => x * 2);
    expect(await double(21).compute({ scheduler })).toBe(42);
    const asyncTriple = delayed(async (x: number) => x * 3);
    expect(await asyncTriple(inc(1)).compute({ scheduler })).toBe(6);
  });

  it("runs fan-out, diamonds, chains and trees", async () => {
    const a = inc(1);
    const diamond = add(inc(a), inc(a));
    expect(await diamond.compute({ scheduler })).toBe(6); // inc(1)=2, inc(2)=3 on both sides
    const fan = sum(Array.from({ length: 50 }, (_, i) => inc(i)));
    expect(await fan.compute({ scheduler })).toBe(((49 * 50) / 2) + 50);
    let c: Delayed<number> = delayed(0);
    for (let i = 0; i < 300; i++) c = inc(c);
    expect(await c.compute({ scheduler })).toBe(300);
    expect(await c.compute({ scheduler, optimize: false })).toBe(300);
    let level: Delayed<number>[] = Array.from({ length: 64 }, (_, i) => delayed(i));
    while (level.length > 1) {
      const next: Delayed<number>[] = [];
      for (let i = 0; i < level.length; i += 2) next.push(add(level[i]!, level[i + 1]!));
      level = next;
    }
    expect(await level[0]!.compute({ scheduler })).toBe((63 * 64) / 2);
  });

  it("passes values nested in arrays and objects, and unicode, NaN, BigInt, Map", async () => {
    const f = delayed((o: { xs: number[]; s: string; m: Map<string, bigint>; n: number }) => [
      o.xs.length,
      o.s.toUpperCase(),
      o.m.get("k")! * 2n,
      Number.isNaN(o.n),
    ]);
    const out = await f({ xs: [inc(1), inc(2)], s: "héllo wörld ✓", m: new Map([["k", 2n ** 70n]]), n: NaN }).compute({ scheduler });
    expect(out).toEqual([2, "HÉLLO WÖRLD ✓", 2n ** 71n, true]);
  });

  it("computes several collections in one graph with shared work done once", async () => {
    const shared = inc(10);
    const x = add(shared, 1);
    const y = add(shared, 2);
    const stats = newStats();
    const [rx, ry, plain] = await compute(x, y, "not a collection", { scheduler, stats, optimize: false });
    expect([rx, ry, plain]).toEqual([12, 13, "not a collection"]);
    expect(stats.tasks).toBe(3);
  });

  it("runs a 10,000-task graph", async () => {
    const leaves = Array.from({ length: 10_000 }, (_, i) => inc(i));
    const total = sum(leaves);
    expect(await total.compute({ scheduler })).toBe((9999 * 10000) / 2 + 10000);
  });

  it("rejects with the failing key and the original error", async () => {
    const bad = fail("boom ✗");
    const downstream = add(bad, inc(1));
    const err = await downstream.compute({ scheduler }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskError);
    const te = err as TaskError;
    expect(te.key).toBe(bad.key);
    expect(te.message).toContain("boom ✗");
    const cause = te.cause as Error & { code?: string };
    expect(cause.name).toBe("CodedError");
    expect(cause.code).toBe("E_TASK");
    expect(cause.stack).toContain("tasks.mjs");
    expect(te.stack).toContain("tasks.mjs");
  });

  it("persists: the result graph holds the value", async () => {
    const d = add(inc(1), 5);
    const [p] = (await persist(d, { scheduler })) as [Delayed<number>];
    expect(p.key).toBe(d.key);
    expect(p.graph().size).toBe(1);
    expect(await p.compute({ scheduler })).toBe(7);
  });
});

describe("delayed API", () => {
  it("gives deterministic keys for pure calls and unique keys otherwise", () => {
    expect(inc(1).key).toBe(inc(1).key);
    expect(inc(1).key).not.toBe(inc(2).key);
    const impure = delayed(fromModule(fixtures, "inc"));
    expect(impure(1).key).not.toBe(impure(1).key);
    expect(impure(1).key.startsWith("inc-")).toBe(true);
    expect(delayed(fromModule(fixtures, "inc"), { name: "step" })(1).key.startsWith("step-")).toBe(true);
  });

  it("rejects a function that captures local variables, naming them", () => {
    const offset = 3;
    const scale = 2;
    expect(() => delayed((x: number) => x * scale + offset)).toThrow(CapturedVariableError);
    try {
      delayed((x: number) => x * scale + offset);
    } catch (e) {
      expect((e as CapturedVariableError).variables.sort()).toEqual(["offset", "scale"]);
      expect((e as Error).message).toMatch(/extra arguments/);
    }
    // the documented way: pass values as extra arguments
    const f = delayed((x: number, s: number, o: number) => x * s + o);
    expect(f(1, scale, offset)).toBeInstanceOf(Delayed);
  });

  it("supports item access and method calls on delayed values", async () => {
    const obj = delayed({ a: [1, 2, 3] });
    expect(await obj.get("a").compute({ scheduler: "threads" })).toEqual([1, 2, 3]);
    expect(await delayed("a,b,c").method("split", ",").compute({ scheduler: "processes" })).toEqual(["a", "b", "c"]);
  });

  it("exposes its graph and keys", () => {
    const d = add(inc(1), 2);
    expect(d.keys()).toEqual([d.key]);
    expect(d.graph().size).toBe(2);
  });

  it("rejects an unknown scheduler with a clear error", async () => {
    await expect(inc(1).compute({ scheduler: "gpu-magic" })).rejects.toThrow(UnknownSchedulerError);
    await expect(inc(1).compute({ scheduler: "gpu-magic" })).rejects.toThrow(/"sync", "threads" or "processes"/);
  });
});
