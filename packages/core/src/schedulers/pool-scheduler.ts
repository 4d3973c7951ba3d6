/** A scheduler that runs graphs on a pool of lanes with the shared engine. */
import { createProgress } from "../diagnostics/progress.js";
import { makePlan } from "../graph/plan.js";
import type { Graph } from "../graph/task.js";
import { GraphRun } from "./graph-run.js";
import type { LanePool } from "./lanes.js";
import type { RunOptions, Scheduler } from "./scheduler.js";

/** Runs graphs on `pool` (threads, processes, the sync lane, or an Executor adapter). */
export class PoolScheduler implements Scheduler {
  constructor(readonly pool: LanePool) {}
  async runGraph(graph: Graph, outputs: readonly string[], opts: RunOptions): Promise<Map<string, unknown>> {
    const run = new GraphRun(this.pool, makePlan(graph), outputs, {
      progress: createProgress(opts.progress as never),
      stats: opts.stats,
      signal: opts.signal,
    });
    return run.start();
  }
}
