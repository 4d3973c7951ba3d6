import { describe, it } from "vitest";
import fc from "fast-check";
import { StateSim, commonArbs, dagArb, type CommonAction } from "./helpers/state-sim.js";

const actionArb: fc.Arbitrary<CommonAction> = fc.oneof(
  { weight: 8, arbitrary: commonArbs.finish },
  { weight: 1, arbitrary: commonArbs.err },
  { weight: 1, arbitrary: commonArbs.kill },
  { weight: 1, arbitrary: commonArbs.add },
  { weight: 1, arbitrary: commonArbs.pause },
  { weight: 1, arbitrary: commonArbs.lose },
  { weight: 1, arbitrary: commonArbs.release },
  { weight: 1, arbitrary: commonArbs.secede },
);

describe("SchedulerState randomized", () => {
  it("keeps its invariants under random finishes, errors, deaths and releases, and ends empty", () => {
    fc.assert(
      fc.property(
        dagArb(14, 3, 2),
        fc.array(actionArb, { maxLength: 60 }),
        fc.integer({ min: 0, max: 2 }),
        fc.boolean(),
        (dag, actions, allowedFailures, queuing) => {
          const sim = new StateSim({ allowedFailures, workerSaturation: queuing ? 1.1 : Infinity });
          sim.step(() => sim.addWorker());
          sim.step(() => sim.addWorker());
          sim.submit(dag, 3);
          for (const a of actions) sim.step(() => sim.apply(a, 0.01, 100));
          sim.settleAndCheck(0.01);
        },
      ),
      { numRuns: 300 },
    );
  });
});
