import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { SchedulerState } from "../dist/scheduler/state.js";
import type { TaskSpec } from "../dist/protocol.js";

const RUN = new Uint8Array([1]);

type Action =
  | { kind: "finish"; pick: number }
  | { kind: "err"; pick: number }
  | { kind: "kill"; pick: number }
  | { kind: "add" }
  | { kind: "pause"; pick: number }
  | { kind: "lose"; pick: number }
  | { kind: "release"; pick: number };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant("finish" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("err" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("kill" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("add" as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("pause" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("lose" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("release" as const), pick: fc.nat() }) },
);

/** A random DAG: task i depends on a subset of tasks < i. */
const dagArb = fc.integer({ min: 1, max: 14 }).chain((n) =>
  fc.tuple(
    fc.tuple(...Array.from({ length: n }, (_, i) => fc.subarray(Array.from({ length: i }, (_, j) => j), { maxLength: Math.min(3, i) }))),
    fc.subarray(Array.from({ length: n }, (_, i) => i), { minLength: 1 }),
    fc.array(fc.nat({ max: 2 }), { minLength: n, maxLength: n }),
  ),
);

function pickOf<T>(xs: T[], i: number): T | undefined {
  return xs.length === 0 ? undefined : xs[i % xs.length];
}

describe("SchedulerState randomized", () => {
  it("keeps its invariants under random finishes, errors, deaths and releases, and ends empty", () => {
    fc.assert(
      fc.property(
        dagArb,
        fc.array(actionArb, { maxLength: 60 }),
        fc.integer({ min: 0, max: 2 }),
        fc.boolean(),
        ([deps, wantedIdx, retries], actions, allowedFailures, queuing) => {
          const s = new SchedulerState({ allowedFailures, workerSaturation: queuing ? 1.1 : Infinity, now: () => 0 });
          let nextWorker = 0;
          const addWorker = () => s.addWorker({ address: `w${nextWorker++}`, name: "", nthreads: 1 + (nextWorker % 2), memoryLimit: 0, resources: {}, pid: 0 });
          const step = (f: () => void) => {
            f();
            s.validate();
            s.drain();
          };
          step(addWorker);
          step(addWorker);
          const key = (i: number) => JSON.stringify([`t${i % 3}`, i]);
          const specs: TaskSpec[] = deps.map((d, i) => ({ key: key(i), run: RUN, deps: d.map(key), order: i, retries: retries[i]! }));
          let wanted = wantedIdx.map(key);
          step(() => s.updateGraph("c", specs, wanted, []));
          const processing = () => [...s.tasks.values()].filter((t) => t.state === "processing");
          for (const a of actions) {
            const workers = [...s.workers.keys()];
            step(() => {
              switch (a.kind) {
                case "finish": {
                  const ts = pickOf(processing(), a.pick);
                  if (ts) s.taskFinished(ts.processingOn!.address, ts.key, a.pick % 100, "n", 0, 0.01);
                  break;
                }
                case "err": {
                  const ts = pickOf(processing(), a.pick);
                  if (ts) s.taskErred(ts.processingOn!.address, ts.key, new Error("boom"), 0, 0.01);
                  break;
                }
                case "kill": {
                  const w = pickOf(workers, a.pick);
                  if (w) s.removeWorker(w, "died");
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
                case "lose": {
                  const ts = pickOf([...s.tasks.values()].filter((t) => t.state === "memory"), a.pick);
                  const w = ts && [...ts.whoHas][0]!.address;
                  if (ts && w) s.releaseWorkerData(w, [ts.key]);
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
          // Let the cluster settle: one healthy unpaused worker, finish everything.
          step(addWorker);
          for (const ws of s.workers.values()) if (ws.paused) step(() => s.setWorkerPaused(ws.address, false));
          for (let guard = 0; guard < 1000; guard++) {
            const ts = processing()[0];
            if (!ts) break;
            step(() => s.taskFinished(ts.processingOn!.address, ts.key, 1, "n", 0, 0.01));
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
        },
      ),
      { numRuns: 300 },
    );
  });
});
