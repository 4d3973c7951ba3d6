import { describe, expect, it } from "vitest";
import {
  FnRef,
  GraphCycleError,
  LayeredGraph,
  Literal,
  MissingDependencyError,
  Task,
  TaskRef,
  cull,
  dependenciesOf,
  fuseLinear,
  inlineConstants,
  kernel,
  makePlan,
  optimizeGraph,
  tokenize,
  type Graph,
} from "@dask-ts/core";
import { MAX_FUSED_HEIGHT } from "@dask-ts/core/optimize/fuse";

const add = kernel("core.list");
const t = (...args: unknown[]) => new Task(add, args);
const r = (k: string) => new TaskRef(k);

describe("tokenize", () => {
  it("is deterministic and sensitive to every input", () => {
    expect(tokenize(1, "a", [1, 2], { b: 1, a: 2 })).toBe(tokenize(1, "a", [1, 2], { a: 2, b: 1 }));
    expect(tokenize(1)).not.toBe(tokenize("1"));
    expect(tokenize([1, 2])).not.toBe(tokenize([2, 1]));
    expect(tokenize(new Float64Array([1, 2]))).toBe(tokenize(new Float64Array([1, 2])));
    expect(tokenize(new Float64Array([1, 2]))).not.toBe(tokenize(new Float32Array([1, 2])));
    expect(tokenize(new Map([[1, 2]]))).not.toBe(tokenize(new Set([1, 2])));
    expect(tokenize(-0)).not.toBe(tokenize(0));
    expect(tokenize(NaN)).toBe(tokenize(NaN));
    expect(tokenize(kernel("a.b"))).not.toBe(tokenize(kernel("a.c")));
    expect(tokenize(1n)).not.toBe(tokenize(1));
    expect(tokenize("é")).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe("task spec", () => {
  it("finds dependencies through nested args, objects and inner tasks", () => {
    const node = t(r("a"), [r("b"), { x: r("c"), y: 1 }], t(r("a"), r("d")), new Literal(r("zz")));
    expect(dependenciesOf(node)).toEqual(["a", "b", "c", "d"]);
  });
});

describe("plan and ordering", () => {
  it("orders dependencies before dependents and finishes a branch before starting the next", () => {
    // root <- c0 <- (l0, l1) ; root <- c1 <- (l2, l3)
    const g: Graph = new Map<string, unknown>([
      ["l0", 0], ["l1", 1], ["l2", 2], ["l3", 3],
      ["c0", t(r("l0"), r("l1"))],
      ["c1", t(r("l2"), r("l3"))],
      ["root", t(r("c0"), r("c1"))],
    ]);
    const plan = makePlan(g);
    const order = [...plan.order].map((i) => plan.keys[i]);
    expect(order).toEqual(["l0", "l1", "c0", "l2", "l3", "c1", "root"]);
  });

  it("rejects cycles naming the keys on the cycle", () => {
    const g: Graph = new Map<string, unknown>([
      ["a", t(r("c"))],
      ["b", t(r("a"))],
      ["c", t(r("b"))],
      ["d", t(r("a"))],
    ]);
    expect(() => makePlan(g)).toThrow(GraphCycleError);
    try {
      makePlan(g);
    } catch (e) {
      expect((e as GraphCycleError).keys.sort()).toEqual(["a", "a", "b", "c"].sort());
      expect((e as Error).message).toContain("cycle");
    }
  });

  it("rejects a self-loop and a pure cycle with no sink", () => {
    expect(() => makePlan(new Map([["a", t(r("a"))]]))).toThrow(GraphCycleError);
    expect(() => makePlan(new Map<string, unknown>([["a", t(r("b"))], ["b", t(r("a"))]]))).toThrow(GraphCycleError);
  });

  it("rejects missing dependencies naming both keys", () => {
    const g: Graph = new Map<string, unknown>([["a", t(r("nope"))]]);
    expect(() => makePlan(g)).toThrow(MissingDependencyError);
    expect(() => makePlan(g)).toThrow(/'a' depends on 'nope'/);
  });

  it("orders a 100,000-task chain without recursion limits", () => {
    const g: Graph = new Map();
    g.set("k0", 0);
    for (let i = 1; i < 100_000; i++) g.set(`k${i}`, t(r(`k${i - 1}`)));
    const plan = makePlan(g);
    expect(plan.keys[plan.order[0]!]).toBe("k0");
    expect(plan.keys[plan.order[99_999]!]).toBe("k99999");
  });
});

describe("optimizations", () => {
  it("cull keeps only what the outputs need", () => {
    const g: Graph = new Map<string, unknown>([["a", 1], ["b", t(r("a"))], ["c", t(r("a"))], ["unused", 5]]);
    expect([...cull(g, ["b"]).keys()]).toEqual(["a", "b"]);
    expect(() => cull(g, ["zz"])).toThrow(MissingDependencyError);
  });

  it("inlines cheap constants but keeps outputs and big values", () => {
    const big = new Literal(new Float64Array(1000));
    const g: Graph = new Map<string, unknown>([["a", 1], ["s", "x"], ["big", big], ["b", t(r("a"), r("s"), r("big"))]]);
    const out = inlineConstants(g, ["b"]);
    expect([...out.keys()]).toEqual(["big", "b"]);
    const b = out.get("b") as Task;
    expect(b.args[0]).toEqual(new Literal(1));
    expect(b.args[2]).toBeInstanceOf(TaskRef);
    expect([...inlineConstants(g, ["a", "b"]).keys()]).toContain("a");
  });

  it("fuses linear chains into nested tasks and keeps the last key", () => {
    const g: Graph = new Map<string, unknown>([
      ["x", t(1)],
      ["y", t(r("x"))],
      ["z", t(r("y"))],
    ]);
    const out = fuseLinear(g, ["z"]);
    expect([...out.keys()]).toEqual(["z"]);
    const z = out.get("z") as Task;
    expect(z.args[0]).toBeInstanceOf(Task);
    expect(((z.args[0] as Task).args[0] as Task).args[0]).toBe(1);
  });

  it("does not fuse outputs, shared inputs, or a task used twice by its dependent", () => {
    const g: Graph = new Map<string, unknown>([
      ["x", t(1)],
      ["y", t(r("x"), r("x"))],
      ["p", t(2)],
      ["q", t(r("p"))],
      ["s", t(3)],
      ["u", t(r("s"))],
      ["v", t(r("s"))],
    ]);
    const out = fuseLinear(g, ["y", "q", "p", "u", "v"]);
    expect([...out.keys()].sort()).toEqual(["p", "q", "s", "u", "v", "x", "y"]);
  });

  it("bounds the height of a fused chain", () => {
    const g: Graph = new Map();
    g.set("k0", t(0));
    for (let i = 1; i < 1000; i++) g.set(`k${i}`, t(r(`k${i - 1}`)));
    const out = fuseLinear(g, ["k999"]);
    expect(out.size).toBe(Math.ceil(1000 / MAX_FUSED_HEIGHT));
  });

  it("optimizeGraph runs all passes and can switch them off", () => {
    const g: Graph = new Map<string, unknown>([["c", 2], ["x", t(r("c"))], ["y", t(r("x"))], ["dead", t(1)]]);
    expect([...optimizeGraph(g, ["y"]).keys()]).toEqual(["y"]);
    expect([...optimizeGraph(g, ["y"], { fuse: false, inline: false }).keys()]).toEqual(["c", "x", "y"]);
  });
});

describe("layered graphs", () => {
  it("merges layers once and materializes to one map", () => {
    const a = LayeredGraph.fromLayer("a", new Map([["a-1", 1]]));
    const b = LayeredGraph.fromLayer("b", new Map([["b-1", t(r("a-1"))]]), [a]);
    const c = LayeredGraph.fromLayer("c", new Map([["c-1", t(r("a-1"))]]), [a]);
    const m = LayeredGraph.merge(b, c);
    expect([...m.layers.keys()].sort()).toEqual(["a", "b", "c"]);
    expect(m.size).toBe(3);
    expect(m.topLayers().sort()).toEqual(["b", "c"]);
    expect([...m.dependencies.get("b")!]).toEqual(["a"]);
    expect(m.materialize().size).toBe(3);
  });
});

describe("FnRef", () => {
  it("has stable ids and labels", () => {
    expect(kernel("array.sum").id).toBe("kernel:array.sum");
    expect(kernel("array.sum").label).toBe("sum");
    expect(new FnRef({ kind: "module", url: "file:///m.mjs", name: "f" }).label).toBe("f");
  });
});

describe("computeSync", () => {
  it("computes keys in this thread, dropping intermediates, and declines graphs with async tasks", async () => {
    const { computeSync, LayeredGraph, Task, TaskRef, registerKernel, kernel } = await import("@dask-ts/core");
    registerKernel("test.syncAdd", (a: number, b: number) => a + b, { replace: true });
    registerKernel("test.asyncAdd", async (a: number, b: number) => a + b, { replace: true });
    const g = (fnName: string) =>
      LayeredGraph.fromLayer(
        "l",
        new Map<string, unknown>([
          ["a", 1],
          ["b", new Task(kernel(fnName), [new TaskRef("a"), 2])],
          ["c", new Task(kernel("test.syncAdd"), [new TaskRef("b"), new TaskRef("b")])],
          ["unused", new Task(kernel("test.asyncAdd"), [1, 1])],
        ]),
      );
    expect(computeSync(g("test.syncAdd"), ["c", "b"])).toEqual([6, 3]);
    expect(computeSync(g("test.asyncAdd"), ["c"])).toBeUndefined();
  });
});
