// The worker runtime's independent runs (distributed workers): async tasks do not hold back later ones,
// errors stay with their task, kept values (actors) never leave, and tasks send events from their context.
import { describe, expect, it } from "vitest";
import { Task, TaskRef, kernel, registerKernel, toFnRef } from "@dask-ts/core";
import { WorkerRuntime } from "@dask-ts/core/worker/runtime";
import { currentTask } from "@dask-ts/core/worker/task-context";
import type { FromWorker } from "@dask-ts/core/worker/protocol";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function runtime(): { rt: WorkerRuntime; sent: FromWorker[] } {
  const sent: FromWorker[] = [];
  return { rt: new WorkerRuntime({ send: (m) => sent.push(m) }), sent };
}

const done = (sent: FromWorker[]): string[] => sent.flatMap((m) => (m.t === "done" ? m.results.map((r) => r[0]) : []));

const slow = toFnRef(async (x: number, ms: number) => {
  await new Promise((r) => setTimeout(r, ms));
  return x;
});
const boom = toFnRef((m: string) => {
  throw new RangeError(m);
});
const ident = toFnRef((x: unknown) => x);
// A kernel runs in this process, so it may use this module's imports.
const emitter = registerKernel("test.runtimeIndependent.emitter", async (x: number) => {
  await sleep(5);
  currentTask()!.emit("secede", { x });
  return x;
});

describe("independent runs", () => {
  it("a task that awaits does not hold back the next ones (and non-independent runs keep order)", async () => {
    for (const independent of [true, false]) {
      const { rt, sent } = runtime();
      rt.receive({ t: "run", run: 1, tasks: [["a", new Task(slow, [1, 40])], ["b", new Task(ident, [2])]], data: [], release: [], independent });
      await sleep(80);
      expect(done(sent)).toEqual(independent ? ["b", "a"] : ["a", "b"]);
    }
  });

  it("an error fails only its task (contained) and the run goes on; otherwise the run ends", async () => {
    const { rt, sent } = runtime();
    rt.receive({ t: "run", run: 1, tasks: [["x", new Task(boom, ["no"])], ["y", new Task(ident, [5])]], data: [], release: [], independent: true });
    await sleep(20);
    const err = sent.find((m) => m.t === "error");
    expect(err).toMatchObject({ t: "error", key: "x", contained: true });
    expect(done(sent)).toEqual(["y"]);

    const other = runtime();
    other.rt.receive({ t: "run", run: 1, tasks: [["x", new Task(boom, ["no"])], ["y", new Task(ident, [5])]], data: [], release: [] });
    await sleep(20);
    expect(other.sent.find((m) => m.t === "error")).toMatchObject({ key: "x" });
    expect((other.sent.find((m) => m.t === "error") as { contained?: boolean }).contained).toBeUndefined();
    expect(done(other.sent)).toEqual([]);
  });

  it("a rejected async task is contained too", async () => {
    const rej = toFnRef(async () => {
      await new Promise((r) => setTimeout(r, 5));
      throw new TypeError("late");
    });
    const { rt, sent } = runtime();
    rt.receive({ t: "run", run: 3, tasks: [["p", new Task(rej, [])], ["q", new Task(ident, [1])]], data: [], release: [], independent: true });
    await sleep(40);
    expect(sent.find((m) => m.t === "error")).toMatchObject({ key: "p", contained: true });
    expect(done(sent)).toEqual(["q"]);
  });

  it("kept values stay: the result is sent as undefined and later tasks of the run can read the value", async () => {
    const { rt, sent } = runtime();
    const make = toFnRef(() => ({ n: 41, inc() {
      return ++this.n;
    } }));
    rt.receive({ t: "run", run: 1, tasks: [["obj", new Task(make, [])]], data: [], release: [], independent: true, keep: ["obj"] });
    await sleep(10);
    const first = sent.find((m) => m.t === "done") as Extract<FromWorker, { t: "done" }>;
    expect(first.results[0]![0]).toBe("obj");
    expect(first.results[0]![1]).toBeUndefined();
    rt.receive({ t: "run", run: 1, tasks: [["call", new Task(kernel("core.invokeMember"), [new TaskRef("obj"), "inc"])]], data: [], release: [], independent: true });
    rt.receive({ t: "run", run: 1, tasks: [["read", new Task(kernel("core.invokeMember"), [new TaskRef("obj"), "n"])]], data: [], release: [], independent: true });
    await sleep(10);
    const values = sent.flatMap((m) => (m.t === "done" ? m.results : [])).map((r) => [r[0], r[1]]);
    expect(values).toEqual([["obj", undefined], ["call", 42], ["read", 42]]);
  });

  it("tasks send events from their context, also after an await; outside a task there is no context", async () => {
    expect(currentTask()).toBeUndefined();
    const { rt, sent } = runtime();
    rt.receive({ t: "run", run: 7, tasks: [["e1", new Task(emitter, [1])], ["e2", new Task(emitter, [2])]], data: [], release: [], independent: true });
    await sleep(40);
    const events = sent.filter((m) => m.t === "event");
    expect(events).toEqual([
      { t: "event", run: 7, key: "e1", name: "secede", data: { x: 1 } },
      { t: "event", run: 7, key: "e2", name: "secede", data: { x: 2 } },
    ]);
    expect(done(sent).sort()).toEqual(["e1", "e2"]);
  });

  it("an ended run drops the results of its async tasks that finish later", async () => {
    const { rt, sent } = runtime();
    rt.receive({ t: "run", run: 9, tasks: [["late", new Task(slow, [1, 20])]], data: [], release: [], independent: true });
    rt.receive({ t: "end", run: 9 });
    await sleep(40);
    expect(done(sent)).toEqual([]);
  });
});

describe("core.construct and core.invokeMember", () => {
  it("construct builds a class instance; invokeMember refuses arguments to a non-method", async () => {
    const { rt, sent } = runtime();
    class P {
      constructor(readonly v: number) {}
    }
    const { toClassRef } = await import("@dask-ts/core");
    rt.receive({ t: "run", run: 1, tasks: [["p", new Task(kernel("core.construct"), [toClassRef(P), 3])]], data: [], release: [], independent: true, keep: ["p"] });
    rt.receive({ t: "run", run: 1, tasks: [["v", new Task(kernel("core.invokeMember"), [new TaskRef("p"), "v", 1])]], data: [], release: [], independent: true });
    await sleep(10);
    expect(sent.find((m) => m.t === "error")).toMatchObject({ key: "v" });
    expect(String((sent.find((m) => m.t === "error") as { error: Error }).error.message)).toMatch(/'v' of P is not a method/);
  });
});
