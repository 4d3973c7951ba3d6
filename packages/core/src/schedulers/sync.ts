/** The sync scheduler: every task in this thread, in priority order. For debugging and tiny graphs. */
import type { RunOptions, Scheduler } from "./scheduler.js";
import { CancelledError, TaskError } from "../errors.js";
import { evaluate, isThenable } from "../graph/evaluate.js";
import { makePlan } from "../graph/plan.js";
import type { Graph } from "../graph/task.js";
import { createProgress } from "../diagnostics/progress.js";

/** Runs a graph in the calling thread; functions are called directly (closures work, errors keep their stack). */
export const syncScheduler: Scheduler = {
  async runGraph(graph: Graph, outputs: readonly string[], opts: RunOptions): Promise<Map<string, unknown>> {
    const plan = makePlan(graph);
    const n = plan.keys.length;
    const refs = new Int32Array(n);
    const isOutput = new Uint8Array(n);
    for (const k of outputs) isOutput[plan.index.get(k)!] = 1;
    for (let i = 0; i < n; i++) refs[i] = plan.dependents[i]!.length + isOutput[i]!;
    const values = new Array<unknown>(n);
    const index = plan.index;
    const get = (k: string): unknown => values[index.get(k)!];
    const progress = createProgress(opts.progress as never);
    progress?.start(n);
    let held = 0;
    let peak = 0;
    try {
      for (let p = 0; p < n; p++) {
        if ((p & 1023) === 1023) {
          if (opts.signal?.aborted) throw new CancelledError("The computation was cancelled (AbortSignal).");
          progress?.update(p);
          // Let timers (progress bar, abort) run during long synchronous graphs.
          await new Promise<void>((r) => setImmediate(r));
        }
        const i = plan.order[p]!;
        let v: unknown;
        try {
          v = evaluate(plan.nodes[i], get);
          if (isThenable(v)) v = await v;
        } catch (e) {
          throw new TaskError(plan.keys[i]!, e);
        }
        values[i] = v;
        if (++held > peak) peak = held;
        for (const d of plan.deps[i]!) {
          if (--refs[d]! === 0 && !isOutput[d]) {
            values[d] = undefined;
            held--;
          }
        }
        if (refs[i] === 0) {
          values[i] = undefined;
          held--;
        }
      }
    } catch (e) {
      progress?.finish(e);
      throw e;
    }
    progress?.update(n);
    progress?.finish();
    if (opts.stats) {
      opts.stats.tasks += n;
      opts.stats.peakHeld = Math.max(opts.stats.peakHeld, peak);
    }
    const out = new Map<string, unknown>();
    for (const k of outputs) out.set(k, values[index.get(k)!]);
    return out;
  },
};
