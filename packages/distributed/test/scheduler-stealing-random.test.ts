import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { Outgoing } from "../dist/scheduler/state.js";
import type { StealResponseState } from "../dist/protocol.js";
import { StateSim, commonArbs, dagArb, pickOf, type CommonAction } from "./helpers/state-sim.js";

const ANSWERS: StealResponseState[] = ["ready", "fetching", "executing", null];

type Action =
  | { kind: "balance" }
  | { kind: "answer"; pick: number; answer: number }
  | { kind: "bogus"; pick: number; answer: number }
  | Exclude<CommonAction, { kind: "lose" }>;

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("balance" as const) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("answer" as const), pick: fc.nat(), answer: fc.nat({ max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("bogus" as const), pick: fc.nat(), answer: fc.nat({ max: 3 }) }) },
  { weight: 4, arbitrary: commonArbs.finish },
  { weight: 1, arbitrary: commonArbs.err },
  { weight: 1, arbitrary: commonArbs.kill },
  { weight: 2, arbitrary: commonArbs.add },
  { weight: 1, arbitrary: commonArbs.pause },
  { weight: 1, arbitrary: commonArbs.release },
  { weight: 1, arbitrary: commonArbs.secede },
);

describe("WorkStealing randomized", () => {
  it("keeps the state valid when steals race with finishes, errors, deaths, pauses and releases", () => {
    let moved = 0;
    let requests = 0;
    fc.assert(
      fc.property(dagArb(24, 2, 1), fc.array(actionArb, { maxLength: 80 }), fc.boolean(), (dag, actions, queuing) => {
        // Unanswered steal-requests per worker, oldest first: a worker answers in the order it was asked.
        const asked = new Map<string, string[]>();
        const sim: StateSim = new StateSim({ allowedFailures: 2, workerSaturation: queuing ? 1.1 : Infinity }, (out: Outgoing[]) => {
          for (const o of out) {
            if (o.to !== "worker" || o.msg.op !== "steal-request") continue;
            expect(sim.s.workers.has(o.address)).toBe(true);
            let q = asked.get(o.address);
            if (q === undefined) asked.set(o.address, (q = []));
            q.push(o.msg.key);
          }
        });
        const s = sim.s;
        // One worker gets everything first; the others join later and find it loaded.
        sim.step(() => sim.addWorker());
        sim.submit(dag, 2);
        sim.step(() => sim.addWorker());
        const answer = (worker: string, a: number) => {
          const k = asked.get(worker)?.shift();
          if (k !== undefined) s.stealResponse(worker, k, ANSWERS[a]!);
        };
        for (const a of actions) {
          const workers = [...s.workers.keys()];
          sim.step(() => {
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
              case "kill": {
                const w = pickOf(workers, a.pick);
                sim.apply(a, 0.5, 1000);
                if (w) asked.delete(w);
                break;
              }
              default:
                sim.apply(a, 0.5, 1000);
            }
          });
        }
        // Settle: answer every open request, then one healthy unpaused worker finishes everything.
        for (const [w, q] of asked) while (q.length > 0) sim.step(() => answer(w, 0));
        expect(s.stealing.inFlight.size).toBe(0);
        sim.settleAndCheck(0.5);
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
