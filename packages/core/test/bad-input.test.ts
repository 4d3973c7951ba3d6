import { afterAll, describe, expect, it } from "vitest";
import {
  CapturedVariableError,
  GraphCycleError,
  LayeredGraph,
  MissingDependencyError,
  SerializationError,
  Task,
  TaskRef,
  UnknownKernelError,
  UnshippableFunctionError,
  closeSchedulers,
  compute,
  delayed,
  fromModule,
  kernel,
  type DaskCollection,
  type Graph,
} from "@dask-ts/core";

const fixtures = new URL("../../../test/fixtures/tasks.mjs", import.meta.url).href;
afterAll(() => closeSchedulers());

function raw(graph: Graph, key: string): DaskCollection {
  return {
    daskGraph: () => LayeredGraph.fromLayer("raw", graph),
    daskKeys: () => key,
    daskPostcompute: () => undefined,
    daskPostpersist: () => raw(graph, key),
    daskScheduler: "threads",
    daskToken: () => `raw-${key}`,
  };
}

describe.each(["sync", "threads", "processes"] as const)("bad input on %s", (scheduler) => {
  it("rejects a cyclic graph before running anything", async () => {
    const id = kernel("core.identity");
    const g: Graph = new Map<string, unknown>([
      ["a", new Task(id, [new TaskRef("b")])],
      ["b", new Task(id, [new TaskRef("a")])],
      ["out", new Task(id, [new TaskRef("a")])],
    ]);
    await expect(compute(raw(g, "out"), { scheduler })).rejects.toThrow(GraphCycleError);
    await expect(compute(raw(g, "out"), { scheduler, optimize: false })).rejects.toThrow(GraphCycleError);
  });

  it("rejects a missing dependency naming it", async () => {
    const g: Graph = new Map<string, unknown>([["out", new Task(kernel("core.identity"), [new TaskRef("ghost")])]]);
    await expect(compute(raw(g, "out"), { scheduler })).rejects.toThrow(MissingDependencyError);
    await expect(compute(raw(g, "out"), { scheduler, optimize: false })).rejects.toThrow(/'ghost'/);
  });

  it("rejects an unknown kernel with a message that says what to import", async () => {
    const g: Graph = new Map<string, unknown>([["out", new Task(kernel("nope.kernel"), [1])]]);
    const err = await compute(raw(g, "out"), { scheduler }).catch((e: unknown) => e);
    const cause = (err as Error).cause ?? err;
    expect((cause as Error).name).toBe(UnknownKernelError.name);
    expect((cause as Error).message).toMatch(/registerKernel/);
  });

  it("rejects a module function that does not exist", async () => {
    const missing = delayed(fromModule(fixtures, "noSuchExport"));
    const err = await missing(1).compute({ scheduler }).catch((e: unknown) => e);
    expect(String((err as Error).message)).toMatch(/noSuchExport/);
  });
});

describe("bad input at the call that caused it", () => {
  it("names captured variables when the function is passed in", () => {
    const secret = 42;
    expect(() => delayed(() => secret)).toThrow(CapturedVariableError);
  });

  it("rejects native and bound functions with advice", () => {
    expect(() => delayed(Math.sqrt)).toThrow(UnshippableFunctionError);
    expect(() => delayed(((x: number) => x).bind(null))).toThrow(/arrow function|fromModule/);
  });

  it("rejects values without a codec when they must leave the thread", async () => {
    class Handle {
      constructor(readonly fd: number) {}
    }
    const id = delayed((x: unknown) => x);
    const err = await id(new Handle(3)).compute({ scheduler: "threads" }).catch((e: unknown) => e);
    const msg = String((err as Error).message);
    expect(msg).toMatch(/Handle/);
    expect(err instanceof SerializationError || (err as Error).cause instanceof SerializationError || /register/i.test(msg)).toBe(true);
    // The same value is fine on the sync scheduler, where nothing is serialized.
    expect(await id(new Handle(3)).compute({ scheduler: "sync" })).toBeInstanceOf(Handle);
  });

  it("rejects a result that cannot be sent back, naming its task", async () => {
    const makeSymbolBox = delayed(() => ({ fn: () => 1 }));
    const d = makeSymbolBox();
    const err = await d.compute({ scheduler: "processes" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(String((err as Error).message)).toContain(d.key);
  });
});

describe("shared memory on threads", () => {
  it("returns worker-allocated typed arrays on SharedArrayBuffer", async () => {
    const fill = delayed(fromModule(fixtures, "filledShared"));
    const sum = delayed(fromModule(fixtures, "sumArray"));
    const a = fill(1000, 2);
    const [arr, total] = (await compute(a, sum(a), { scheduler: "threads" })) as [Float64Array, number];
    expect(arr.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(total).toBe(2000);
    const [local] = (await compute(fill(10, 1), { scheduler: "sync" })) as [Float64Array];
    expect(local.buffer).toBeInstanceOf(ArrayBuffer);
  });
});
