import { describe, expect, it } from "vitest";
import { MissingDependencyError } from "@dask-ts/core";
import { SchedulerState, type Outgoing, type SchedulerStateOptions } from "../dist/scheduler/state.js";
import { KilledWorker, LostDataError, UnknownKeyError } from "../dist/errors.js";
import type { TaskSpec, WorkerInfo } from "../dist/protocol.js";

const RUN = new Uint8Array([1]);

function spec(key: string, deps: string[] = [], extra: Partial<TaskSpec> = {}): TaskSpec {
  return { key, run: RUN, deps, order: 0, ...extra };
}

function info(address: string, nthreads = 1, extra: Partial<WorkerInfo> = {}): WorkerInfo {
  return { address, name: address, nthreads, memoryLimit: 0, resources: {}, pid: 1, ...extra };
}

/** A state with a fixed clock (advanced by hand) that validates after every stimulus. */
function cluster(opts: SchedulerStateOptions = {}, workers: string[] = ["w1"]) {
  let t = 100;
  const s = new SchedulerState({ now: () => t, ...opts });
  const run = (f: (st: SchedulerState) => void): Outgoing[] => {
    f(s);
    s.validate();
    return s.drain();
  };
  for (const w of workers) run((st) => st.addWorker(info(w)));
  run((st) => st.addClient("c"));
  return { s, run, tick: (dt = 1) => (t += dt) };
}

/** [worker, key] of every compute-task. */
function computes(out: Outgoing[]): Array<[string, string]> {
  return out.flatMap((o) => (o.to === "worker" && o.msg.op === "compute-task" ? [[o.address, o.msg.key] as [string, string]] : []));
}

/** [worker, keys] of every free-keys. */
function frees(out: Outgoing[]): Array<[string, string[]]> {
  return out.flatMap((o) => (o.to === "worker" && o.msg.op === "free-keys" ? [[o.address, o.msg.keys] as [string, string[]]] : []));
}

/** [op, key] of every client message. */
function toClient(out: Outgoing[]): Array<[string, string]> {
  return out.flatMap((o) =>
    o.to === "client" ? [[o.msg.op, "key" in o.msg ? o.msg.key : o.msg.keys.join(",")] as [string, string]] : [],
  );
}

const finish = (w: string, k: string, nbytes = 8) => (st: SchedulerState) => st.taskFinished(w, k, nbytes, "number", 0, 0.1);

describe("SchedulerState basics", () => {
  it("runs a chain, releases intermediates, records exact stories, forgets everything on release", () => {
    const { s, run } = cluster();
    let out = run((st) => st.updateGraph("c", [spec("c", ["b"]), spec("b", ["a"]), spec("a")], ["c"], []));
    expect(computes(out)).toEqual([["w1", "a"]]);
    out = run(finish("w1", "a"));
    expect(computes(out)).toEqual([["w1", "b"]]);
    expect(frees(out)).toEqual([]); // b still needs a
    out = run(finish("w1", "b"));
    expect(computes(out)).toEqual([["w1", "c"]]);
    expect(frees(out)).toEqual([["w1", ["a"]]]);
    expect(s.tasks.get("a")!.state).toBe("released");
    out = run(finish("w1", "c", 24));
    expect(frees(out)).toEqual([["w1", ["b"]]]);
    expect(toClient(out)).toEqual([["key-in-memory", "c"]]);
    expect(out.find((o) => o.to === "client")!.msg).toEqual({ op: "key-in-memory", key: "c", nbytes: 24, type: "number" });
    expect(s.whoHas(["c", "zz"])).toEqual({ c: ["w1"], zz: [] });
    out = run((st) => st.clientReleasesKeys("c", ["c"]));
    expect(frees(out)).toEqual([["w1", ["c"]]]);
    expect(s.tasks.size).toBe(0);
    expect(s.workers.get("w1")!.hasWhat.size).toBe(0);
    expect(s.workers.get("w1")!.nbytes).toBe(0);

    const brief = (key: string) => s.story(key).map((r) => `${r.start}>${r.finish}@${r.stimulus}`);
    expect(brief("a")).toEqual([
      "released>waiting@update-graph",
      "waiting>processing@update-graph",
      "processing>memory@task-finished",
      "memory>released@task-finished",
      "released>forgotten@client-releases-keys",
    ]);
    expect(brief("c")).toEqual([
      "released>waiting@update-graph",
      "waiting>processing@task-finished",
      "processing>memory@task-finished",
      "memory>forgotten@client-releases-keys",
    ]);
    expect(s.story("a").every((r) => r.key === "a" && r.time === 100)).toBe(true);
    expect(s.transitionLog()).toHaveLength(5 + 5 + 4);
  });

  it("runs a diamond across two workers", () => {
    const { s, run } = cluster({}, ["w1", "w2"]);
    const g = [spec("a", [], { order: 0 }), spec("b", ["a"], { order: 1 }), spec("c", ["a"], { order: 2 }), spec("d", ["b", "c"], { order: 3 })];
    let out = run((st) => st.updateGraph("c", g, ["d"], []));
    expect(computes(out)).toEqual([["w1", "a"]]);
    out = run(finish("w1", "a", 100));
    // b: w1 costs 0, w2 100 B / 1e9 B/s. c: w1 now has 0.5 s of occupancy, w2 still 1e-7 s.
    expect(computes(out)).toEqual([["w1", "b"], ["w2", "c"]]);
    out = run(finish("w1", "b"));
    expect(frees(out)).toEqual([]);
    out = run(finish("w2", "c"));
    // d: equal cost (each worker lacks 8 B), equal processing counts: address order.
    expect(computes(out)).toEqual([["w1", "d"]]);
    expect(frees(out)).toEqual([["w1", ["a"]]]);
    out = run(finish("w1", "d"));
    expect(frees(out)).toEqual([["w1", ["b"]], ["w2", ["c"]]]);
    expect(s.tasks.get("d")!.state).toBe("memory");
    run((st) => st.clientReleasesKeys("c", ["d"]));
    expect(s.tasks.size).toBe(0);
  });

  it("moves data to the worker needing the fewest bytes in a tree reduction", () => {
    const { s, run } = cluster({ bandwidth: 1000 }, ["A", "B"]);
    const leaves = [
      spec("x0", [], { workers: ["A"] }),
      spec("x1", [], { workers: ["B"] }),
      spec("x2", [], { workers: ["A"] }),
      spec("x3", [], { workers: ["B"] }),
    ];
    let out = run((st) =>
      st.updateGraph("c", [...leaves, spec("y0", ["x0", "x1"]), spec("y1", ["x2", "x3"]), spec("z", ["y0", "y1"])], ["z"], []),
    );
    expect(computes(out).sort()).toEqual([["A", "x0"], ["A", "x2"], ["B", "x1"], ["B", "x3"]]);
    run(finish("A", "x0", 5000)); // y0: A lacks 10 B, B lacks 5000 B
    out = run(finish("B", "x1", 10));
    expect(computes(out)).toEqual([["A", "y0"]]);
    const msg = out.find((o) => o.to === "worker" && o.msg.op === "compute-task")!.msg;
    expect(msg).toMatchObject({ who_has: { x0: ["A"], x1: ["B"] }, nbytes: { x0: 5000, x1: 10 } });
    run(finish("A", "x2", 1));
    out = run(finish("B", "x3", 3000)); // y1: A lacks 3000 B (3 s), B lacks 1 B + y0's 0.5 s of A... B wins
    expect(computes(out)).toEqual([["B", "y1"]]);
    run(finish("A", "y0", 10));
    out = run(finish("B", "y1", 20)); // z: A lacks 20, B lacks 10 -> B
    expect(computes(out)).toEqual([["B", "z"]]);
    run(finish("B", "z"));
    expect(s.tasks.get("z")!.state).toBe("memory");
    expect([...s.tasks.values()].filter((t) => t.state === "memory").map((t) => t.key)).toEqual(["z"]);
  });

  it("breaks cost ties by fewest processing tasks, then by address", () => {
    const { s, run } = cluster({ workerSaturation: Infinity }, ["w2", "w1"]);
    const out = run((st) => st.updateGraph("c", [spec("a", [], { order: 0 }), spec("b", [], { order: 1 })], ["a", "b"], []));
    // Equal cost 0 on both: w1 (address order), then b to w2 (w1 now has occupancy).
    expect(computes(out)).toEqual([["w1", "a"], ["w2", "b"]]);
    expect(s.workers.get("w1")!.occupancy).toBe(0.5);
  });
});

describe("root-task queuing", () => {
  const rk = (i: number) => JSON.stringify(["r", i]);
  const roots = (n: number) => Array.from({ length: n }, (_, i) => spec(rk(i), [], { order: i }));

  it("keeps at most slots tasks processing, grows slots with a 1 ms estimate, dispatches by priority", () => {
    const { s, run } = cluster({}, ["w1", "w2"]);
    const tasks = roots(100);
    let out = run((st) => st.updateGraph("c", tasks, tasks.map((t) => t.key), []));
    // slots = max(ceil(1 * 1.1), ceil(1 * 0.005 / 0.5)) = 2 per worker.
    expect(computes(out).map((c) => c[1])).toEqual([rk(0), rk(1), rk(2), rk(3)]);
    expect(s.queued.size).toBe(96);
    expect(s.workers.get("w1")!.processing.size).toBe(2);
    // One finished task in 1 ms: slots = max(2, ceil(0.005 / 0.001)) = 5 per worker.
    out = run((st) => st.taskFinished("w1", rk(0), 8, "n", 0, 0.001));
    expect(s.prefixes.get("r")!.durationAverage).toBe(0.001);
    expect(s.workers.get("w1")!.processing.size).toBe(5);
    expect(s.workers.get("w2")!.processing.size).toBe(5);
    expect(computes(out).map((c) => c[1])).toEqual([4, 5, 6, 7, 8, 9, 10].map(rk));
    // A slower finish (0.5 old + 0.5 new = 0.0505 s): no new slots until below 2.
    expect(s.tasks.get(rk(1))!.processingOn!.address).toBe("w2");
    out = run((st) => st.taskFinished("w2", rk(1), 8, "n", 0, 0.1));
    expect(s.prefixes.get("r")!.durationAverage).toBeCloseTo(0.0505, 12);
    expect(computes(out)).toEqual([]);
    // Drain everything; never more than 5 processing per worker.
    run((st) => st.clientReleasesKeys("c", [rk(0), rk(1)]));
    let guard = 0;
    while (s.tasks.size > 0 && guard++ < 1000) {
      const before = [...s.workers.values()].map((ws) => ws.processing.size);
      const [ts] = [...s.workers.get("w1")!.processing.keys(), ...s.workers.get("w2")!.processing.keys()];
      run((st) => {
        st.taskFinished(ts!.processingOn!.address, ts!.key, 8, "n", 0, 0.0001);
        st.clientReleasesKeys("c", [ts!.key]);
      });
      const slots = Math.max(2, Math.ceil(0.005 / s.prefixes.get("r")!.durationAverage));
      // A worker over its slots (the estimate grew) gets nothing new; others fill up to their slots.
      [...s.workers.values()].forEach((ws, i) => expect(ws.processing.size).toBeLessThanOrEqual(Math.max(slots, before[i]!)));
    }
    expect(s.tasks.size).toBe(0);
  });

  it("caps slots at nthreads * 1000 and Infinity disables queuing", () => {
    const a = cluster({ defaultTaskDuration: 0 }, ["w1"]);
    a.run((st) => st.updateGraph("c", roots(1200), roots(1200).map((t) => t.key), []));
    expect(a.s.workers.get("w1")!.processing.size).toBe(1000);
    const b = cluster({ workerSaturation: Infinity }, ["w1", "w2"]);
    const out = b.run((st) => st.updateGraph("c", roots(100), roots(100).map((t) => t.key), []));
    expect(computes(out)).toHaveLength(100);
    expect(b.s.workers.get("w1")!.processing.size).toBe(50);
    expect(b.s.queued.size).toBe(0);
  });

  it("queues root tasks while there are no workers and hands them out when one joins", () => {
    const { s, run } = cluster({}, []);
    run((st) => st.updateGraph("c", roots(5), roots(5).map((t) => t.key), []));
    expect(s.queued.size).toBe(5);
    const out = run((st) => st.addWorker(info("w1", 2)));
    // slots = ceil(2 * 1.1) = 3
    expect(computes(out).map((c) => c[1])).toEqual([rk(0), rk(1), rk(2)]);
  });

  it("orders by user priority, then by graph generation", () => {
    const { s, run } = cluster({}, []);
    run((st) => st.updateGraph("c", [spec("p-a", [], { order: 0 }), spec("p-b", [], { order: 1, priority: 5 })], ["p-a", "p-b"], []));
    run((st) => st.updateGraph("c", [spec("q-a", [], { order: 0 }), spec("q-b", [], { order: 1, priority: -1 })], ["q-a", "q-b"], []));
    expect(s.tasks.get("p-b")!.priority).toEqual([-5, 1, 1]);
    expect(s.tasks.get("q-a")!.priority).toEqual([-0, 2, 0]);
    const order: string[] = [];
    run((st) => st.addWorker(info("w1", 1)));
    for (let i = 0; i < 4; i++) {
      const ts = [...s.workers.get("w1")!.processing.keys()].sort((x, y) => (x.priority < y.priority ? -1 : 1))[0]!;
      order.push(ts.key);
      run(finish("w1", ts.key));
    }
    expect(order.slice(0, 1)).toEqual(["p-b"]);
    expect(new Set(order)).toEqual(new Set(["p-b", "p-a", "q-a", "q-b"]));
    const dispatched = s.transitionLog().filter((r) => r.finish === "processing").map((r) => r.key);
    expect(dispatched).toEqual(["p-b", "p-a", "q-a", "q-b"]);
  });
});

describe("failures", () => {
  it("retries a failing task, then errs it and its dependents with the original exception", () => {
    const { s, run } = cluster();
    run((st) => st.updateGraph("c", [spec("a", [], { retries: 1 }), spec("b", ["a"]), spec("c2", ["b"])], ["c2", "b"], []));
    const boom = new Error("boom");
    let out = run((st) => st.taskErred("w1", "a", boom, 0, 1));
    expect(frees(out)).toEqual([["w1", ["a"]]]);
    expect(computes(out)).toEqual([["w1", "a"]]);
    expect(s.tasks.get("a")!.retries).toBe(0);
    out = run((st) => st.taskErred("w1", "a", boom, 0, 1));
    const errs = out.filter((o) => o.to === "client");
    expect(errs.map((o) => [o.msg.op, (o.msg as { key: string }).key]).sort()).toEqual([
      ["task-erred", "b"],
      ["task-erred", "c2"],
    ]);
    for (const o of errs) expect((o.msg as { exception: unknown }).exception).toBe(boom);
    expect(s.tasks.get("c2")!.exceptionBlame).toBe("a");
    expect(s.tasks.get("b")!.state).toBe("erred");
    expect(s.story("b").map((r) => `${r.start}>${r.finish}`)).toEqual(["released>waiting", "waiting>released", "released>erred"]);
    // Asking again for an erred key answers at once.
    out = run((st) => st.clientDesiresKeys("c", ["b"]));
    expect(toClient(out)).toEqual([["task-erred", "b"]]);
    run((st) => st.clientReleasesKeys("c", ["c2", "b"]));
    expect(s.tasks.size).toBe(0);
  });

  it("reschedules processing tasks of a dead worker and recomputes lost results", () => {
    const { s, run } = cluster({}, ["w1", "w2"]);
    run((st) => st.updateGraph("c", [spec("a", [], { workers: ["w1"], allowOtherWorkers: true }), spec("b", ["a"], { workers: ["w2"] })], ["a", "b"], []));
    run(finish("w1", "a"));
    expect(s.tasks.get("b")!.processingOn!.address).toBe("w2");
    let out = run((st) => st.removeWorker("w1", "died"));
    // a was only on w1: lost, recomputed on w2 (loose restriction); b goes back to waiting on it.
    expect(toClient(out)).toEqual([["lost-data", "a"]]);
    expect(frees(out)).toEqual([["w2", ["b"]]]);
    expect(computes(out)).toEqual([["w2", "a"]]);
    expect(s.tasks.get("b")!.state).toBe("waiting");
    out = run(finish("w2", "a"));
    expect(computes(out)).toEqual([["w2", "b"]]);
    expect(s.events().map((e) => e.topic)).toEqual(["add-worker", "add-worker", "add-client", "remove-worker"]);
    expect(s.events()[3]).toMatchObject({ worker: "w1", reason: "died", processing: 0, lost: 1 });
  });

  it("errs with KilledWorker after allowedFailures + 1 deaths, naming the workers", () => {
    const { s, run } = cluster({ allowedFailures: 1 }, ["w1", "w2"]);
    run((st) => st.updateGraph("c", [spec("a", [], { workers: ["w1", "w2"] }), spec("b", ["a"])], ["b"], []));
    const first = s.tasks.get("a")!.processingOn!.address;
    let out = run((st) => st.removeWorker(first, "died"));
    expect(computes(out)).toEqual([["w2", "a"]]);
    expect(s.tasks.get("a")!.suspicious).toBe(1);
    out = run((st) => st.removeWorker("w2", "died"));
    const err = out.find((o) => o.to === "client")!.msg as { op: string; key: string; exception: KilledWorker };
    expect(err.key).toBe("b");
    expect(err.exception).toBeInstanceOf(KilledWorker);
    expect(err.exception.workers).toEqual(["w1", "w2"]);
    expect(s.tasks.get("a")!.exception).toBeInstanceOf(KilledWorker);
    expect(s.tasks.get("b")!.exceptionBlame).toBe("a");
  });

  it("puts tasks restricted to a removed worker into no-worker", () => {
    const { s, run } = cluster({}, ["w1", "w2"]);
    run((st) => st.updateGraph("c", [spec("a", [], { workers: ["w1"] })], ["a"], []));
    run((st) => st.removeWorker("w1", "closed"));
    expect(s.tasks.get("a")!.state).toBe("no-worker");
    const out = run((st) => st.addWorker(info("w1")));
    expect(computes(out)).toEqual([["w1", "a"]]);
  });

  it("errs tasks whose dependency is missing from the graph", () => {
    const { s, run } = cluster();
    const out = run((st) => st.updateGraph("c", [spec("b", ["a", "nope"]), spec("a"), spec("d", ["b"])], ["d"], []));
    expect(computes(out)).toEqual([]);
    expect(toClient(out)).toEqual([["task-erred", "d"]]);
    const exc = s.tasks.get("d")!.exception as MissingDependencyError;
    expect(exc).toBeInstanceOf(MissingDependencyError);
    expect(exc.missing).toBe("nope");
    expect(s.tasks.get("d")!.exceptionBlame).toBe("b");
    run((st) => st.clientReleasesKeys("c", ["d"]));
    expect(s.tasks.size).toBe(0);
  });

  it("sends missing-data's dependent back to waiting and recomputes the lost key", () => {
    const { s, run } = cluster({}, ["w1", "w2"]);
    run((st) => st.updateGraph("c", [spec("a", [], { workers: ["w1"], allowOtherWorkers: true }), spec("b", ["a"], { workers: ["w2"] })], ["b"], []));
    run(finish("w1", "a"));
    const out = run((st) => st.missingData("w2", "a", "w1"));
    expect(frees(out)).toEqual([["w2", ["b"]]]);
    expect(computes(out)).toEqual([["w1", "a"]]);
    expect(s.tasks.get("b")!.state).toBe("waiting");
    expect(s.workers.get("w1")!.hasWhat.size).toBe(0);
  });
});

describe("restrictions and pausing", () => {
  it("waits in no-worker for resources and worker names; loose restrictions fall back", () => {
    const { s, run } = cluster({}, ["w1"]);
    let out = run((st) =>
      st.updateGraph(
        "c",
        [
          spec("gpu", [], { resources: { GPU: 1 } }),
          spec("named", [], { workers: ["special"] }),
          spec("loose", [], { workers: ["special"], allowOtherWorkers: true }),
        ],
        ["gpu", "named", "loose"],
        [],
      ),
    );
    expect(computes(out)).toEqual([["w1", "loose"]]);
    expect(s.tasks.get("gpu")!.state).toBe("no-worker");
    out = run((st) => st.addWorker(info("w2", 1, { resources: { GPU: 0.5 } })));
    expect(computes(out)).toEqual([]);
    out = run((st) => st.addWorker(info("w3", 1, { resources: { GPU: 2 } })));
    expect(computes(out)).toEqual([["w3", "gpu"]]);
    const msg = out.find((o) => o.to === "worker")!.msg;
    expect(msg).toMatchObject({ resources: { GPU: 1 } });
    out = run((st) => st.addWorker(info("tcp://x:1", 1, { name: "special" })));
    expect(computes(out)).toEqual([["tcp://x:1", "named"]]);
  });

  it("gives paused workers no new work and hands it out on unpause", () => {
    const { s, run } = cluster({}, ["w1", "w2"]);
    run((st) => st.setWorkerPaused("w1", true));
    let out = run((st) => st.updateGraph("c", [spec("a"), spec("b")], ["a", "b"], []));
    expect(computes(out)).toEqual([["w2", "a"], ["w2", "b"]]);
    run((st) => st.setWorkerPaused("w2", true));
    run((st) => st.updateGraph("c", [spec("x", ["a"]), spec("r")], ["x", "r"], []));
    out = run(finish("w2", "a"));
    expect(computes(out)).toEqual([]);
    expect(s.tasks.get("x")!.state).toBe("no-worker");
    expect(s.tasks.get("r")!.state).toBe("queued");
    out = run((st) => st.setWorkerPaused("w1", false));
    expect(computes(out).sort()).toEqual([["w1", "r"], ["w1", "x"]]);
    expect(s.events().filter((e) => e.topic.startsWith("worker-")).map((e) => e.topic)).toEqual([
      "worker-paused",
      "worker-paused",
      "worker-unpaused",
    ]);
  });

  it("sends each module to each worker once", () => {
    const { run } = cluster({}, ["w1"]);
    let out = run((st) => st.updateGraph("c", [spec("a")], ["a"], ["m1", "m2"]));
    expect(out[0]!.msg).toMatchObject({ op: "compute-task", modules: ["m1", "m2"] });
    run(finish("w1", "a"));
    out = run((st) => st.updateGraph("c", [spec("b")], ["b"], ["m2", "m3"]));
    expect(out[0]!.msg).toMatchObject({ modules: ["m3"] });
    run(finish("w1", "b"));
    out = run((st) => st.updateGraph("c", [spec("d")], ["d"], ["m1"]));
    expect("modules" in out[0]!.msg).toBe(false);
    out = run((st) => st.addWorker(info("w2")));
    out = run((st) => st.updateGraph("c", [spec("e", [], { workers: ["w2"] })], ["e"], []));
    expect(out[0]).toMatchObject({ address: "w2", msg: { modules: ["m1", "m2", "m3"] } });
  });
});

describe("clients", () => {
  it("releases a removed client's tasks, keeping what another client wants", () => {
    const { s, run } = cluster();
    run((st) => st.addClient("d"));
    run((st) => st.updateGraph("c", [spec("a"), spec("b", ["a"])], ["b"], []));
    run((st) => st.updateGraph("d", [], ["a"], []));
    let out = run((st) => st.removeClient("c"));
    expect(frees(out)).toEqual([]); // a is still processing for d; b was only waiting
    expect([...s.tasks.keys()]).toEqual(["a"]);
    out = run((st) => st.removeClient("d"));
    expect(frees(out)).toEqual([["w1", ["a"]]]);
    expect(s.tasks.size).toBe(0);
    expect(s.clients.size).toBe(0);
  });

  it("cancels keys and their solely wanted dependents, emitting cancelled-keys", () => {
    const { s, run } = cluster();
    run((st) => st.addClient("d"));
    run((st) => st.updateGraph("c", [spec("a"), spec("b", ["a"])], ["a", "b"], []));
    run((st) => st.updateGraph("d", [], ["a"], []));
    let out = run((st) => st.cancel("c", ["a"]));
    expect(toClient(out)).toEqual([["cancelled-keys", "a"]]);
    expect(out[0]).toMatchObject({ client: "c" });
    expect(s.tasks.get("b")!.whoWants.size).toBe(1); // c wants b still: a is not sole-wanted by c
    out = run((st) => st.cancel("c", ["a"], true));
    expect(out.filter((o) => o.to === "client").map((o) => [o.client, (o.msg as { keys: string[] }).keys])).toEqual([
      ["c", ["b"]],
      ["d", ["a"]],
    ]);
    expect(frees(out)).toEqual([["w1", ["a"]]]);
    expect(s.tasks.size).toBe(0);
  });

  it("errs unknown desired keys with UnknownKeyError", () => {
    const { run } = cluster();
    const out = run((st) => st.clientDesiresKeys("c", ["ghost"]));
    expect(out).toHaveLength(1);
    expect((out[0]!.msg as { exception: unknown }).exception).toBeInstanceOf(UnknownKeyError);
    const out2 = run((st) => st.updateGraph("c", [], ["ghost2"], []));
    expect(toClient(out2)).toEqual([["task-erred", "ghost2"]]);
  });

  it("scatters data into memory and errs with LostDataError when it is lost", () => {
    const { s, run } = cluster({}, ["w1", "w2"]);
    let out = run((st) => st.updateData("c", { x: ["w1"], y: ["w1", "w2"] }, { x: 80, y: 16 }, { x: "Float64Array", y: "n" }));
    expect(toClient(out)).toEqual([["key-in-memory", "x"], ["key-in-memory", "y"]]);
    expect(s.workers.get("w1")!.nbytes).toBe(96);
    out = run((st) => st.updateGraph("c", [spec("f", ["x", "y"], { workers: ["w2"] })], ["f"], []));
    expect(out[0]!.msg).toMatchObject({ who_has: { x: ["w1"], y: ["w1", "w2"] }, nbytes: { x: 80, y: 16 } });
    out = run((st) => st.removeWorker("w1", "died"));
    const lost = out.filter((o) => o.to === "client").map((o) => [(o.msg as { key: string }).key, (o.msg as { exception: unknown }).exception]);
    expect(lost.map((l) => l[0])).toEqual(["x", "f"]);
    expect(lost[0]![1]).toBeInstanceOf(LostDataError);
    expect(lost[1]![1]).toBe(lost[0]![1]);
    expect(frees(out)).toEqual([["w2", ["f"]]]);
    expect(s.tasks.get("y")!.state).toBe("memory");
    run((st) => st.clientReleasesKeys("c", ["x", "y", "f"]));
    expect(s.tasks.size).toBe(0);
    // Scattered to workers that are all gone: erred at once.
    out = run((st) => st.updateData("c", { z: ["nowhere"] }, { z: 1 }, {}));
    expect((out[0]!.msg as { exception: unknown }).exception).toBeInstanceOf(LostDataError);
  });
});

describe("stale and odd messages", () => {
  it("frees stale results and records replicas of tasks already in memory", () => {
    const { s, run } = cluster({}, ["w1", "w2"]);
    run((st) => st.updateGraph("c", [spec("a", [], { workers: ["w1"] })], ["a"], []));
    let out = run(finish("w2", "a"));
    expect(frees(out)).toEqual([["w2", ["a"]]]);
    expect(s.tasks.get("a")!.state).toBe("processing");
    run(finish("w1", "a"));
    out = run(finish("w2", "a"));
    expect(out).toEqual([]);
    expect(s.whoHas(["a"])).toEqual({ a: ["w1", "w2"] });
    out = run(finish("w1", "unknown"));
    expect(frees(out)).toEqual([["w1", ["unknown"]]]);
    // Messages from unknown workers and errors of tasks not processing there are ignored.
    expect(run(finish("w9", "a"))).toEqual([]);
    expect(run((st) => st.taskErred("w2", "a", new Error("x"), 0, 1))).toEqual([]);
  });

  it("tracks replicas from addKeys and releaseWorkerData", () => {
    const { s, run } = cluster({}, ["w1", "w2"]);
    run((st) => st.updateGraph("c", [spec("a", [], { workers: ["w1"] })], ["a"], []));
    run(finish("w1", "a", 40));
    let out = run((st) => st.addKeys("w2", ["a", "gone"], { a: 40 }));
    expect(frees(out)).toEqual([["w2", ["gone"]]]);
    expect(s.workers.get("w2")!.nbytes).toBe(40);
    out = run((st) => st.releaseWorkerData("w1", ["a"]));
    expect(out).toEqual([]);
    out = run((st) => st.releaseWorkerData("w2", ["a"]));
    // Nobody holds a: recomputed (a client wants it, and is told).
    expect(toClient(out)).toEqual([["lost-data", "a"]]);
    expect(computes(out)).toEqual([["w1", "a"]]);
  });

  it("rejects bad input", () => {
    const { s, run } = cluster();
    expect(() => s.addWorker(info("w1"))).toThrow(/already/);
    expect(() => s.addWorker(info("w0", 0))).toThrow(RangeError);
    expect(() => s.updateGraph("c", [{ key: "k", deps: "x" } as unknown as TaskSpec], ["k"], [])).toThrow(TypeError);
    expect(() => new SchedulerState({ workerSaturation: 0 })).toThrow(RangeError);
    expect(() => new SchedulerState({ transitionLogLength: 0 })).toThrow(RangeError);
    expect(run((st) => st.removeWorker("nope", "x"))).toEqual([]);
    expect(run((st) => st.clientReleasesKeys("nobody", ["a"]))).toEqual([]);
  });

  it("keeps a bounded transition log", () => {
    const { s, run } = cluster({ transitionLogLength: 3 });
    run((st) => st.updateGraph("c", [spec("a")], ["a"], []));
    run(finish("w1", "a"));
    expect(s.transitionLog().map((r) => `${r.key}:${r.start}>${r.finish}`)).toEqual([
      "a:released>waiting",
      "a:waiting>processing",
      "a:processing>memory",
    ]);
    run((st) => st.clientReleasesKeys("c", ["a"]));
    expect(s.transitionLog().map((r) => `${r.start}>${r.finish}`)).toEqual(["waiting>processing", "processing>memory", "memory>forgotten"]);
  });
});

describe("graceful retirement (removeWorker safe, retiring mark)", () => {
  it("reschedules a retired worker's processing tasks without counting it against them", () => {
    // allowedFailures 0: one crash would err the task with KilledWorker, a graceful removal must not.
    const { s, run } = cluster({ allowedFailures: 0 }, ["w1", "w2"]);
    let out = run((st) => st.updateGraph("c", [spec("a"), spec("b")], ["a", "b"], []));
    expect(computes(out)).toEqual([["w1", "a"], ["w2", "b"]]);
    out = run((st) => st.removeWorker("w1", "retired", { safe: true }));
    expect(computes(out)).toEqual([["w2", "a"]]);
    expect(toClient(out)).toEqual([]);
    const a = s.tasks.get("a")!;
    expect(a.state).toBe("processing");
    expect(a.suspicious).toBe(0);
    expect(a.prefix.suspicious).toBe(0);
    expect(a.killedOn).toEqual([]);
    expect(s.story("a").map((r) => `${r.start}>${r.finish}@${r.stimulus}`)).toEqual([
      "released>waiting@update-graph",
      "waiting>processing@update-graph",
      "processing>released@retire-worker",
      "released>waiting@retire-worker",
      "waiting>processing@retire-worker",
    ]);
    expect(s.events().at(-1)).toMatchObject({ topic: "remove-worker", worker: "w1", reason: "retired", processing: 1, lost: 0, safe: true });
    // The same removal as a crash errs it (the control: safe is what made the difference).
    out = run((st) => st.removeWorker("w2", "died"));
    expect(toClient(out).sort()).toEqual([["task-erred", "a"], ["task-erred", "b"]]);
    expect(s.tasks.get("a")!.suspicious).toBe(1);
  });

  it("keeps results that have a replica elsewhere and loses only those that do not", () => {
    const { s, run } = cluster({}, ["w1", "w2"]);
    run((st) => st.updateGraph("c", [spec("a"), spec("b")], ["a", "b"], []));
    run(finish("w1", "a", 100));
    run(finish("w2", "b", 30));
    run((st) => st.addKeys("w2", ["a"], { a: 100 }));
    expect(s.whoHas(["a"])).toEqual({ a: ["w1", "w2"] });
    expect(s.workers.get("w2")!.nbytes).toBe(130);
    let out = run((st) => st.removeWorker("w1", "retired", { safe: true }));
    expect(out).toEqual([]);
    expect(s.tasks.get("a")!.state).toBe("memory");
    expect(s.whoHas(["a", "b"])).toEqual({ a: ["w2"], b: ["w2"] });
    expect(s.events().at(-1)).toMatchObject({ lost: 0, processing: 0 });
    // With no replica a graceful removal loses data like a crash: recomputed (a has a run).
    run((st) => st.addWorker(info("w3")));
    out = run((st) => st.removeWorker("w2", "retired", { safe: true }));
    expect(toClient(out).sort()).toEqual([["lost-data", "a"], ["lost-data", "b"]]);
    expect(computes(out).sort()).toEqual([["w3", "a"], ["w3", "b"]]);
    expect(s.events().at(-1)).toMatchObject({ lost: 2 });
  });

  it("gives a retiring worker no new tasks while its running ones finish there", () => {
    const { s, run } = cluster({}, ["w1", "w2"]);
    run((st) => st.updateGraph("c", [spec("a")], ["a"], []));
    expect(s.tasks.get("a")!.processingOn!.address).toBe("w1");
    run((st) => st.setWorkerRetiring("w1", true));
    expect(s.isRetiring("w1")).toBe(true);
    expect(s.workers.get("w1")!.paused).toBe(true);
    expect(s.activeWorkers().map((w) => w.address)).toEqual(["w2"]);
    let out = run((st) => st.updateGraph("c", [spec("x"), spec("y"), spec("z")], ["x", "y", "z"], []));
    // w2 has 2 slots (1 thread * 1.1 saturation): x and y go there, z waits; nothing goes to w1.
    expect(computes(out)).toEqual([["w2", "x"], ["w2", "y"]]);
    expect(s.tasks.get("z")!.state).toBe("queued");
    out = run(finish("w1", "a"));
    expect(s.whoHas(["a"])).toEqual({ a: ["w1"] });
    expect(computes(out)).toEqual([]);
    // A memory pause and unpause while retiring does not unpause it.
    run((st) => st.setWorkerPaused("w1", true));
    out = run((st) => st.setWorkerPaused("w1", false));
    expect(s.workers.get("w1")!.paused).toBe(true);
    expect(computes(out)).toEqual([]);
    // An aborted retirement hands it work again.
    out = run((st) => st.setWorkerRetiring("w1", false));
    expect(computes(out)).toEqual([["w1", "z"]]);
    expect(s.events().filter((e) => e.topic.startsWith("worker-")).map((e) => e.topic)).toEqual([
      "worker-retiring",
      "worker-paused",
      "worker-unpaused",
      "worker-retiring-aborted",
    ]);
  });

  it("stays paused for memory when a retirement is aborted, and forgets the marks on removal", () => {
    const { s, run } = cluster({}, ["w1", "w2"]);
    run((st) => st.setWorkerPaused("w1", true));
    run((st) => st.setWorkerRetiring("w1", true));
    expect(s.isMemoryPaused("w1")).toBe(true);
    run((st) => st.setWorkerRetiring("w1", false));
    expect(s.workers.get("w1")!.paused).toBe(true);
    run((st) => st.setWorkerRetiring("w1", true));
    run((st) => st.removeWorker("w1", "retired", { safe: true }));
    expect(s.isRetiring("w1")).toBe(false);
    run((st) => st.addWorker(info("w1")));
    expect(s.isRetiring("w1")).toBe(false);
    expect(s.workers.get("w1")!.paused).toBe(false);
    // Unknown workers are ignored.
    expect(run((st) => st.setWorkerRetiring("nope", true))).toEqual([]);
    expect(s.isRetiring("nope")).toBe(false);
  });

  it("leaves retiring workers out of workersToClose and adaptiveTarget", () => {
    const { s, run } = cluster({}, ["w1", "w2", "w3"]);
    run((st) => st.setWorkerRetiring("w3", true));
    // Idle, nothing held: both non-retiring workers may go (memory ratio rule with 0 bytes), newest first.
    expect(s.workersToClose()).toEqual(["w2", "w1"]);
    expect(s.workersToClose({ n: 1 })).toEqual(["w2"]);
    expect(s.adaptiveTarget()).toBe(0);
  });
});

describe("long-running (seceded) tasks", () => {
  it("a seceded task frees its slot for queued root tasks, counts no occupancy, and its wait is not its duration", () => {
    // One 1-thread worker: 2 slots (ceil(1 * 1.1)); three root tasks of prefix "r", the third queued.
    const { s, run } = cluster({ workerSaturation: 1.1, pipelineSeconds: 0 });
    let out = run((st) => st.updateGraph("c", [spec("r-1"), spec("r-2"), spec("r-3")], ["r-1", "r-2", "r-3"], []));
    expect(computes(out).map(([, k]) => k)).toEqual(["r-1", "r-2"]);
    expect(s.tasks.get("r-3")!.state).toBe("queued");
    const ws = s.workers.get("w1")!;
    const before = ws.occupancy;
    out = run((st) => st.longRunning("w1", "r-1", 0.25));
    expect(computes(out)).toEqual([["w1", "r-3"]]); // the freed slot went to the queued task
    expect(ws.longRunning.has(s.tasks.get("r-1")!)).toBe(true);
    expect(ws.processing.get(s.tasks.get("r-1")!)).toBe(0);
    expect(ws.occupancy).toBeLessThan(before + s.estimate(s.tasks.get("r-1")!.prefix)); // r-1's estimate left, r-3's came
    expect(s.tasks.get("r-1")!.prefix.durationAverage).toBe(0.25); // its compute time before seceding
    expect(s.events().filter((e) => e.topic === "long-running")).toHaveLength(1);
    // Finishing after a 100 s wait leaves the average alone; a second secede or an unknown key changes nothing.
    run((st) => st.longRunning("w1", "r-1", 9));
    run((st) => st.longRunning("w1", "nope", 1));
    run((st) => st.taskFinished("w1", "r-1", 8, "number", 0, 100));
    expect(s.tasks.get("r-1")!.state).toBe("memory");
    expect(s.tasks.get("r-1")!.prefix.durationAverage).toBe(0.25);
    expect(ws.longRunning.size).toBe(0);
  });

  it("a worker that dies with a seceded task reschedules it like any processing task", () => {
    const { s, run } = cluster({}, ["w1", "w2"]);
    run((st) => st.updateGraph("c", [spec("p")], ["p"], []));
    const on = s.tasks.get("p")!.processingOn!.address;
    run((st) => st.longRunning(on, "p", 0.1));
    const out = run((st) => st.removeWorker(on, "test"));
    const other = on === "w1" ? "w2" : "w1";
    expect(computes(out)).toEqual([[other, "p"]]);
    expect(s.workers.get(other)!.longRunning.size).toBe(0);
  });
});
