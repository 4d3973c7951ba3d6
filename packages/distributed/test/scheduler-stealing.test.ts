import { describe, expect, it } from "vitest";
import { SchedulerState, type Outgoing, type SchedulerStateOptions } from "../dist/scheduler/state.js";
import { STEAL_LATENCY, stealLevel } from "../dist/scheduler/stealing.js";
import type { TaskSpec, WorkerInfo } from "../dist/protocol.js";

const RUN = new Uint8Array([1]);

function info(address: string, nthreads = 1, extra: Partial<WorkerInfo> = {}): WorkerInfo {
  return { address, name: address, nthreads, memoryLimit: 0, resources: {}, pid: 1, ...extra };
}

/** A state with a fixed clock that validates after every stimulus. */
function cluster(opts: SchedulerStateOptions = {}) {
  const s = new SchedulerState({ now: () => 100, workerSaturation: Infinity, ...opts });
  const run = <T>(f: (st: SchedulerState) => T): { out: Outgoing[]; value: T } => {
    const value = f(s);
    s.validate();
    return { out: s.drain(), value };
  };
  return { s, run };
}

/** [worker, key] of every compute-task. */
function computes(out: Outgoing[]): Array<[string, string]> {
  return out.flatMap((o) => (o.to === "worker" && o.msg.op === "compute-task" ? [[o.address, o.msg.key] as [string, string]] : []));
}

/** [worker, key] of every steal-request. */
function steals(out: Outgoing[]): Array<[string, string]> {
  return out.flatMap((o) => (o.to === "worker" && o.msg.op === "steal-request" ? [[o.address, o.msg.key] as [string, string]] : []));
}

/** [worker, keys] of every free-keys. */
function frees(out: Outgoing[]): Array<[string, string[]]> {
  return out.flatMap((o) => (o.to === "worker" && o.msg.op === "free-keys" ? [[o.address, o.msg.keys] as [string, string[]]] : []));
}

/** Tuple keys: all ten share the prefix "t" (so they share one duration estimate). */
const tKey = (i: number) => JSON.stringify(["t", i]);

/**
 * The imbalance of the brief: input x (100 B) scattered to A, ten tasks t-0..t-9 reading it all assigned to A
 * (the only worker then), and an idle worker B joining afterwards.
 */
function imbalanced(opts: SchedulerStateOptions = {}, extra: (i: number) => Partial<TaskSpec> = () => ({})) {
  const c = cluster(opts);
  c.run((st) => st.addWorker(info("A")));
  c.run((st) => st.updateData("c", { x: ["A"] }, { x: 100 }, { x: "number" }));
  const specs: TaskSpec[] = Array.from({ length: 10 }, (_, i) => ({ key: tKey(i), run: RUN, deps: ["x"], order: i, ...extra(i) }));
  const { out } = c.run((st) => st.updateGraph("c", specs, specs.map((t) => t.key), []));
  c.run((st) => st.addWorker(info("B", 1, { resources: {} })));
  return { ...c, assigned: computes(out) };
}

describe("stealLevel (Dask's cost-multiplier levels)", () => {
  it("is 0 without dependencies, round(log2(transfer/compute) + 6) clamped to 1..14 otherwise, -1 beyond", () => {
    const { s, run } = imbalanced();
    const t0 = s.tasks.get(tKey(0))!;
    // transfer = 100 B / 1e9 + 0.1 s, compute = 0.5 s (default): log2(0.2000002) + 6 = 3.678 -> 4
    expect(stealLevel(s, t0)).toBe(4);
    // A measured duration of 0.1 s: ratio 1.000001 -> level 6.
    run((st) => st.taskFinished("A", tKey(0), 8, "number", 0, 0.1));
    expect(stealLevel(s, s.tasks.get(tKey(1))!)).toBe(6);
    // A task with no dependencies.
    run((st) => st.updateGraph("c", [{ key: "r", run: RUN, deps: [], order: 0 }], ["r"], []));
    expect(stealLevel(s, s.tasks.get("r")!)).toBe(0);
    expect(STEAL_LATENCY).toBe(0.1);
  });

  it("is -1 (never stolen) when moving the dependencies costs hundreds of times the compute", () => {
    const { s, run } = cluster({ bandwidth: 1000 });
    run((st) => st.addWorker(info("A")));
    // 180 kB at 1000 B/s = 180 s (+0.1) against 0.5 s: log2(360.2) + 6 = 14.49 -> 14 (dearest level still allowed).
    run((st) => st.updateData("c", { x: ["A"], y: ["A"] }, { x: 180_000, y: 181_000 }, {}));
    run((st) => st.updateGraph("c", [{ key: "u", run: RUN, deps: ["x"], order: 0 }, { key: "v", run: RUN, deps: ["y"], order: 1 }], ["u", "v"], []));
    expect(stealLevel(s, s.tasks.get("u")!)).toBe(14);
    // 181 kB: log2(362.2) + 6 = 14.501 -> 15: off the scale.
    expect(stealLevel(s, s.tasks.get("v")!)).toBe(-1);
  });
});

describe("WorkStealing balance and steal-response", () => {
  it("sends steal-requests from the saturated worker for its newest tasks until the thief is busy", () => {
    const { s, run, assigned } = imbalanced();
    expect(assigned).toEqual(Array.from({ length: 10 }, (_, i) => ["A", tKey(i)]));
    expect(s.workers.get("A")!.occupancy).toBeCloseTo(5, 12);
    // Average occupancy 5 / 2 threads = 2.5. B (no task) is the only thief; A is not "saturated" by Dask's
    // measure (pending 5 * 9 / 10 = 4.5 <= 1.9 * 2.5) but is the busiest worker with more tasks than threads.
    // t-9: 0 + 1e-7 + 0.5 <= 5 - 0.25 -> request; B now 0.5 (< half average 1.25: still a thief)
    // t-8: 0.5 + 0.5 <= 4.5 - 0.25 -> request; B now 1.0 (< 1.25)
    // t-7: 1.0 + 0.5 <= 4.0 - 0.25 -> request; B now 1.5: no longer idle, stop.
    const { out, value } = run((st) => st.balance());
    expect(value).toBe(3);
    expect(steals(out)).toEqual([["A", tKey(9)], ["A", tKey(8)], ["A", tKey(7)]]);
    expect(computes(out)).toEqual([]);
    expect([...s.stealing.inFlight.keys()].map((t) => t.key)).toEqual([tKey(9), tKey(8), tKey(7)]);
    // Nothing moved yet: the victim still has all ten.
    expect(s.workers.get("A")!.processing.size).toBe(10);
    // Counting the steals in flight, B is busy and A has 3.5 s left: a second pass sends nothing.
    expect(run((st) => st.balance()).value).toBe(0);
    expect(s.stealing.counts.requests).toBe(3);
  });

  it("moves a task the victim gave up, logs it as processing->released->waiting->processing under 'steal'", () => {
    const { s, run } = imbalanced();
    run((st) => st.balance());
    const { out } = run((st) => st.stealResponse("A", tKey(9), "ready"));
    expect(computes(out)).toEqual([["B", tKey(9)]]);
    // The victim already dropped it: no free-keys.
    expect(frees(out)).toEqual([]);
    const msg = out.find((o) => o.to === "worker" && o.msg.op === "compute-task")!.msg;
    expect(msg).toMatchObject({ key: tKey(9), who_has: { x: ["A"] }, nbytes: { x: 100 } });
    const t9 = s.tasks.get(tKey(9))!;
    expect(t9.processingOn?.address).toBe("B");
    expect(s.workers.get("A")!.processing.size).toBe(9);
    expect(s.workers.get("A")!.occupancy).toBeCloseTo(4.5, 12);
    expect(s.workers.get("B")!.occupancy).toBeCloseTo(0.5, 12);
    expect(s.story(tKey(9)).map((r) => [r.start, r.finish, r.stimulus])).toEqual([
      ["released", "waiting", "update-graph"],
      ["waiting", "processing", "update-graph"],
      ["processing", "released", "steal"],
      ["released", "waiting", "steal"],
      ["waiting", "processing", "steal"],
    ]);
    const ev = s.events().filter((e) => e.topic === "steal");
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ key: tKey(9), victim: "A", thief: "B", worker: "B", state: "ready" });
    // "fetching" moves too.
    expect(computes(run((st) => st.stealResponse("A", tKey(8), "fetching")).out)).toEqual([["B", tKey(8)]]);
    expect(s.stealing.counts).toMatchObject({ requests: 3, moved: 2, rejected: 0, stale: 0 });
    // The moved task finishes on the thief as usual.
    run((st) => st.taskFinished("B", tKey(9), 8, "number", 0, 0.1));
    expect(s.tasks.get(tKey(9))!.state).toBe("memory");
    expect(s.whoHas([tKey(9)])).toEqual({ [tKey(9)]: ["B"] });
  });

  it("leaves the task where it is when the victim already runs it or does not know it", () => {
    const { s, run } = imbalanced();
    run((st) => st.balance());
    let r = run((st) => st.stealResponse("A", tKey(9), "executing"));
    expect(r.out).toEqual([]);
    r = run((st) => st.stealResponse("A", tKey(8), null));
    expect(r.out).toEqual([]);
    expect(s.tasks.get(tKey(9))!.processingOn?.address).toBe("A");
    expect(s.tasks.get(tKey(8))!.processingOn?.address).toBe("A");
    expect(s.stealing.counts).toMatchObject({ rejected: 2, moved: 0 });
    expect(s.stealing.inFlight.size).toBe(1); // t-7 still asked
    expect(s.events().filter((e) => e.topic === "steal")).toEqual([]);
    // Not in flight any more: the next pass may ask again (B is still idle, A still has 10).
    const again = run((st) => st.balance());
    expect(steals(again.out).map(([, k]) => k)).toEqual([tKey(9), tKey(8)]);
  });

  it("ignores the answer when the task finished on the victim meanwhile", () => {
    const { s, run } = imbalanced();
    run((st) => st.balance());
    run((st) => st.taskFinished("A", tKey(9), 8, "number", 0, 0.1));
    expect(s.stealing.inFlight.has(s.tasks.get(tKey(9))!)).toBe(false);
    const r = run((st) => st.stealResponse("A", tKey(9), null));
    expect(r.out).toEqual([]);
    expect(s.tasks.get(tKey(9))!.state).toBe("memory");
    expect(s.stealing.counts.stale).toBe(1);
  });

  it("ignores the answer when the task erred or was released and forgotten meanwhile", () => {
    const { s, run } = imbalanced();
    run((st) => st.balance());
    run((st) => st.taskErred("A", tKey(9), new Error("boom"), 0, 0.1));
    expect(run((st) => st.stealResponse("A", tKey(9), "ready")).out).toEqual([]);
    expect(s.tasks.get(tKey(9))!.state).toBe("erred");
    const rel = run((st) => st.clientReleasesKeys("c", [tKey(8)]));
    expect(frees(rel.out)).toEqual([["A", [tKey(8)]]]);
    expect(s.tasks.has(tKey(8))).toBe(false);
    expect(run((st) => st.stealResponse("A", tKey(8), "ready")).out).toEqual([]);
    expect(s.stealing.counts).toMatchObject({ stale: 2, moved: 0 });
  });

  it("reschedules normally when the thief died while the steal was in flight", () => {
    const { s, run } = imbalanced();
    run((st) => st.balance());
    run((st) => st.removeWorker("B", "died"));
    const { out } = run((st) => st.stealResponse("A", tKey(9), "ready"));
    // A is the only worker left: the task goes back to it (A had dropped it, so it gets compute-task again).
    expect(computes(out)).toEqual([["A", tKey(9)]]);
    expect(s.tasks.get(tKey(9))!.processingOn?.address).toBe("A");
    expect(s.events().filter((e) => e.topic === "steal")).toEqual([]);
    expect(s.events().filter((e) => e.topic === "steal-rescheduled")).toMatchObject([{ key: tKey(9), victim: "A", thief: "B", worker: "A" }]);
    expect(s.stealing.counts.rescheduled).toBe(1);
  });

  it("reschedules when the thief got paused meanwhile", () => {
    const { s, run } = imbalanced();
    run((st) => st.addWorker(info("C")));
    // C joined idle too; balance asks for tasks for B and C.
    const b = run((st) => st.balance());
    expect(steals(b.out).length).toBeGreaterThan(0);
    const f = s.stealing.inFlight.get(s.tasks.get(tKey(9))!)!;
    run((st) => st.setWorkerPaused(f.thief.address, true));
    const other = f.thief.address === "B" ? "C" : "B";
    const { out } = run((st) => st.stealResponse("A", tKey(9), "ready"));
    // decide_worker: the unpaused idle worker costs 1e-7 s, A costs its 4.5 s left.
    expect(computes(out)).toEqual([[other, tKey(9)]]);
  });

  it("forgets steals from a victim that died; its late answers are ignored", () => {
    const { s, run } = imbalanced();
    run((st) => st.balance());
    const { out } = run((st) => st.removeWorker("A", "died"));
    // x was only on A: it is lost and (scattered) cannot be recomputed, so every t errs.
    expect(computes(out)).toEqual([]);
    expect(s.stealing.inFlight.size).toBe(0);
    expect(run((st) => st.stealResponse("A", tKey(9), "ready")).out).toEqual([]);
    expect(s.tasks.get(tKey(9))!.state).toBe("erred");
  });

  it("tells an answer to an abandoned request from the answer to a newer steal of the same key", () => {
    const { s, run } = imbalanced();
    run((st) => st.balance()); // request #1 for t-9 (also t-8, t-7)
    // t-9 fails and is retried while B is paused, so it lands on A again, then B is back.
    s.tasks.get(tKey(9))!.retries = 1;
    run((st) => st.setWorkerPaused("B", true));
    const retry = run((st) => st.taskErred("A", tKey(9), new Error("flaky"), 0, 0.1));
    expect(computes(retry.out)).toEqual([["A", tKey(9)]]);
    run((st) => st.setWorkerPaused("B", false));
    run((st) => st.stealResponse("A", tKey(8), "executing"));
    run((st) => st.stealResponse("A", tKey(7), "executing"));
    // Request #2 for t-9: it is the newest assignment on A.
    const b = run((st) => st.balance());
    expect(steals(b.out)[0]).toEqual(["A", tKey(9)]);
    // The first answer belongs to request #1 (the old assignment): it must not move the new one.
    expect(run((st) => st.stealResponse("A", tKey(9), "ready")).out).toEqual([]);
    expect(s.tasks.get(tKey(9))!.processingOn?.address).toBe("A");
    expect(s.stealing.inFlight.has(s.tasks.get(tKey(9))!)).toBe(true);
    // The second answer settles request #2.
    expect(computes(run((st) => st.stealResponse("A", tKey(9), "ready")).out)).toEqual([["B", tKey(9)]]);
  });

  it("ignores bad input: unknown worker, unknown key, no request, odd state", () => {
    const { s, run } = imbalanced();
    expect(run((st) => st.stealResponse("nope", tKey(9), "ready")).out).toEqual([]);
    expect(run((st) => st.stealResponse("A", "no-such-key", "ready")).out).toEqual([]);
    // A response nobody asked for.
    expect(run((st) => st.stealResponse("A", tKey(9), "ready")).out).toEqual([]);
    expect(s.tasks.get(tKey(9))!.processingOn?.address).toBe("A");
    expect(s.stealing.counts.stale).toBe(2);
    run((st) => st.balance());
    // An answer that is none of the protocol's states counts as a refusal.
    run((st) => st.stealResponse("A", tKey(9), "memory" as unknown as null));
    expect(s.tasks.get(tKey(9))!.processingOn?.address).toBe("A");
    expect(s.stealing.counts.rejected).toBe(1);
  });

  it("never steals strictly restricted tasks, actors, or tasks needing resources the thief lacks", () => {
    const kinds: Array<[string, (i: number) => Partial<TaskSpec>]> = [
      ["workers", () => ({ workers: ["A"] })],
      ["actor", () => ({ actor: true })],
      ["resources", () => ({ resources: { GPU: 1 } })],
    ];
    for (const [name, extra] of kinds) {
      const c = cluster();
      c.run((st) => st.addWorker(info("A", 1, { resources: { GPU: 1 } })));
      c.run((st) => st.updateData("c", { x: ["A"] }, { x: 100 }, {}));
      const specs: TaskSpec[] = Array.from({ length: 10 }, (_, i) => ({ key: tKey(i), run: RUN, deps: ["x"], order: i, ...extra(i) }));
      c.run((st) => st.updateGraph("c", specs, specs.map((t) => t.key), []));
      c.run((st) => st.addWorker(info("B")));
      expect(c.s.workers.get("A")!.processing.size, name).toBe(10);
      expect(c.run((st) => st.balance()).value, name).toBe(0);
    }
  });

  it("steals loosely restricted tasks and tasks whose resources the thief has", () => {
    const loose = imbalanced({}, () => ({ workers: ["A"], allowOtherWorkers: true }));
    expect(loose.run((st) => st.balance()).value).toBe(3);
    const c = cluster();
    c.run((st) => st.addWorker(info("A", 1, { resources: { GPU: 1 } })));
    c.run((st) => st.updateData("c", { x: ["A"] }, { x: 100 }, {}));
    const specs: TaskSpec[] = Array.from({ length: 10 }, (_, i) => ({ key: tKey(i), run: RUN, deps: ["x"], order: i, resources: { GPU: 1 } }));
    c.run((st) => st.updateGraph("c", specs, specs.map((t) => t.key), []));
    c.run((st) => st.addWorker(info("B", 1, { resources: { GPU: 2 } })));
    expect(c.run((st) => st.balance()).value).toBe(3);
  });

  it("does nothing with a paused would-be thief, a single worker, or no victim", () => {
    const { s, run } = imbalanced();
    run((st) => st.setWorkerPaused("B", true));
    expect(run((st) => st.balance()).value).toBe(0);
    run((st) => st.removeWorker("B", "gone"));
    expect(run((st) => st.balance()).value).toBe(0);
    // Balanced: 1 task each on two 1-thread workers -> nobody has more tasks than threads.
    const c = cluster();
    c.run((st) => st.addWorker(info("A")));
    c.run((st) => st.addWorker(info("B")));
    c.run((st) => st.updateGraph("c", [{ key: "p-0", run: RUN, deps: [], order: 0 }, { key: "p-1", run: RUN, deps: [], order: 1 }], ["p-0", "p-1"], []));
    expect(c.s.workers.get("A")!.processing.size + c.s.workers.get("B")!.processing.size).toBe(2);
    expect(c.run((st) => st.balance()).value).toBe(0);
    // No workers at all.
    expect(new SchedulerState().balance()).toBe(0);
    expect(s.stealing.inFlight.size).toBe(0);
  });

  it("leaves tasks too dear to move (huge dependencies) alone", () => {
    const c = cluster({ bandwidth: 1000 });
    c.run((st) => st.addWorker(info("A")));
    c.run((st) => st.updateData("c", { x: ["A"] }, { x: 1_000_000 }, {}));
    const specs: TaskSpec[] = Array.from({ length: 10 }, (_, i) => ({ key: tKey(i), run: RUN, deps: ["x"], order: i }));
    c.run((st) => st.updateGraph("c", specs, specs.map((t) => t.key), []));
    c.run((st) => st.addWorker(info("B")));
    expect(stealLevel(c.s, c.s.tasks.get(tKey(0))!)).toBe(-1);
    expect(c.run((st) => st.balance()).value).toBe(0);
  });

  it("leaves queued root tasks to the queue: a joining worker takes them, nothing to steal", () => {
    // With queuing, A only takes its slots (2 for 1 thread at saturation 1.1) and B takes queued tasks on
    // joining: nothing left for stealing.
    const c = cluster({ workerSaturation: 1.1 });
    c.run((st) => st.addWorker(info("A")));
    const specs: TaskSpec[] = Array.from({ length: 10 }, (_, i) => ({ key: `r-${i}`, run: RUN, deps: [], order: i }));
    c.run((st) => st.updateGraph("c", specs, specs.map((t) => t.key), []));
    expect(c.s.workers.get("A")!.processing.size).toBe(2);
    const joined = c.run((st) => st.addWorker(info("B")));
    expect(computes(joined.out)).toEqual([["B", "r-2"], ["B", "r-3"]]);
    expect(c.run((st) => st.balance()).value).toBe(0);
  });
});
