import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { SchedulerState, type Outgoing } from "../dist/scheduler/state.js";
import type { StealResponseState, TaskSpec } from "../dist/protocol.js";

const RUN = new Uint8Array([1]);
const ANSWERS: StealResponseState[] = ["ready", "fetching", "executing", null];

type Action =
  | { kind: "balance" }
  | { kind: "answer"; pick: number; answer: number }
  | { kind: "bogus"; pick: number; answer: number }
  | { kind: "finish"; pick: number }
  | { kind: "err"; pick: number }
  | { kind: "kill"; pick: number }
  | { kind: "add" }
  | { kind: "pause"; pick: number }
  | { kind: "release"; pick: number };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("balance" as const) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("answer" as const), pick: fc.nat(), answer: fc.nat({ max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("bogus" as const), pick: fc.nat(), answer: fc.nat({ max: 3 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("finish" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("err" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("kill" as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("add" as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("pause" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("release" as const), pick: fc.nat() }) },
);

/** A random DAG: task i depends on a subset of tasks < i. */
const dagArb = fc.integer({ min: 1, max: 24 }).chain((n) =>
  fc.tuple(
    fc.tuple(...Array.from({ length: n }, (_, i) => fc.subarray(Array.from({ length: i }, (_, j) => j), { maxLength: Math.min(2, i) }))),
    fc.subarray(Array.from({ length: n }, (_, i) => i), { minLength: 1 }),
    fc.array(fc.nat({ max: 1 }), { minLength: n, maxLength: n }),
  ),
);

function pickOf<T>(xs: T[], i: number): T | undefined {
  return xs.length === 0 ? undefined : xs[i % xs.length];
}

describe("WorkStealing randomized", () => {
  it("keeps the state valid when steals race with finishes, errors, deaths, pauses and releases", () => {
    let moved = 0;
    let requests = 0;
    fc.assert(
      fc.property(dagArb, fc.array(actionArb, { maxLength: 80 }), fc.boolean(), ([deps, wantedIdx, retries], actions, queuing) => {
        const s = new SchedulerState({ allowedFailures: 2, workerSaturation: queuing ? 1.1 : Infinity, now: () => 0 });
        let nextWorker = 0;
        // Unanswered steal-requests per worker, oldest first: a worker answers in the order it was asked.
        const asked = new Map<string, string[]>();
        const collect = (out: Outgoing[]) => {
          for (const o of out) {
            if (o.to !== "worker" || o.msg.op !== "steal-request") continue;
            expect(s.workers.has(o.address)).toBe(true);
            let q = asked.get(o.address);
            if (q === undefined) asked.set(o.address, (q = []));
            q.push(o.msg.key);
          }
        };
        const step = (f: () => void) => {
          f();
          s.validate();
          collect(s.drain());
        };
        const addWorker = () => s.addWorker({ address: `w${nextWorker++}`, name: "", nthreads: 1 + (nextWorker % 2), memoryLimit: 0, resources: {}, pid: 0 });
        // One worker gets everything first; the others join later and find it loaded.
        step(addWorker);
        const key = (i: number) => JSON.stringify([`t${i % 2}`, i]);
        const specs: TaskSpec[] = deps.map((d, i) => ({ key: key(i), run: RUN, deps: d.map(key), order: i, retries: retries[i]! }));
        let wanted = wantedIdx.map(key);
        step(() => s.updateGraph("c", specs, wanted, []));
        step(addWorker);
        const processing = () => [...s.tasks.values()].filter((t) => t.state === "processing");
        const answer = (worker: string, a: number) => {
          const q = asked.get(worker);
          const k = q?.shift();
          if (k !== undefined) s.stealResponse(worker, k, ANSWERS[a]!);
        };
        for (const a of actions) {
          const workers = [...s.workers.keys()];
          step(() => {
            switch (a.kind) {
              case "balance":
                s.balance();
                break;
              case "answer": {
                const w = pickOf([...asked.keys()].filter((x) => asked.get(x)!.length > 0), a.pick);
                if (w !== undefined) answer(w, a.answer);
                break;
              }
              case "bogus": {
                // An answer nobody asked for, about any key (or an unknown one), from any worker.
                const w = pickOf(workers, a.pick) ?? "nobody";
                const k = pickOf([...s.tasks.keys(), "unknown"], a.pick)!;
                if ((asked.get(w) ?? []).includes(k)) break; // that would be a real answer
                s.stealResponse(w, k, ANSWERS[a.answer]!);
                break;
              }
              case "finish": {
                const ts = pickOf(processing(), a.pick);
                if (ts) s.taskFinished(ts.processingOn!.address, ts.key, a.pick % 1000, "n", 0, 0.5);
                break;
              }
              case "err": {
                const ts = pickOf(processing(), a.pick);
                if (ts) s.taskErred(ts.processingOn!.address, ts.key, new Error("boom"), 0, 0.5);
                break;
              }
              case "kill": {
                const w = pickOf(workers, a.pick);
                if (w) {
                  s.removeWorker(w, "died");
                  asked.delete(w);
                }
                break;
              }
              case "add":
                addWorker();
                break;
              case "pause": {
                const w = pickOf(workers, a.pick);
                if (w) s.setWorkerPaused(w, !s.workers.get(w)!.paused);
                break;
              }
              case "release": {
                const k = pickOf(wanted, a.pick);
                if (k !== undefined && wanted.length > 1) {
                  s.clientReleasesKeys("c", [k]);
                  wanted = wanted.filter((x) => x !== k);
                }
                break;
              }
            }
          });
        }
        // Settle: answer every open request, one healthy unpaused worker, finish everything.
        for (const [w, q] of asked) while (q.length > 0) step(() => answer(w, 0));
        expect(s.stealing.inFlight.size).toBe(0);
        step(addWorker);
        for (const ws of s.workers.values()) if (ws.paused) step(() => s.setWorkerPaused(ws.address, false));
        for (let guard = 0; guard < 1000; guard++) {
          const ts = processing()[0];
          if (!ts) break;
          step(() => s.taskFinished(ts.processingOn!.address, ts.key, 1, "n", 0, 0.5));
        }
        for (const k of wanted) {
          const st = s.tasks.get(k)?.state;
          expect(st === "memory" || st === "erred", `${k} ended ${st}`).toBe(true);
        }
        step(() => s.clientReleasesKeys("c", wanted));
        expect([...s.tasks.keys()]).toEqual([]);
        for (const ws of s.workers.values()) {
          expect(ws.hasWhat.size).toBe(0);
          expect(ws.processing.size).toBe(0);
        }
        moved += s.stealing.counts.moved;
        requests += s.stealing.counts.requests;
      }),
      { numRuns: 300 },
    );
    // The runs did exercise stealing, not only its guards.
    expect(requests).toBeGreaterThan(20);
    expect(moved).toBeGreaterThan(5);
  });
});
