/**
 * Evaluating one queued task against its run's held results: shared by the worker runtime and the
 * in-thread (sync) lane, so both resolve inputs and track chunk memory (memory/recycle.ts) alike.
 */
import { evaluate, isThenable } from "../graph/evaluate.js";
import type { ResultMemory } from "../memory/recycle.js";

export class TaskEvaluator {
  // The store keys and values the current task reads (reused, so no allocation per task).
  private readonly inputs: string[] = [];
  private readonly inputValues: unknown[] = [];
  /** Memory flags of the last evaluated task, reported with its result (memory/recycle.ts). */
  flags = 0;

  constructor(private readonly memory: ResultMemory) {}

  /**
   * The value of `node` (maybe a thenable, whose memory is then not tracked). Inputs come from `data`
   * (shipped with the batch) or `store`; a dependency in neither is an engine bug and throws.
   */
  evaluate(run: number, key: string, node: unknown, data: ReadonlyMap<string, unknown> | undefined, store: ReadonlyMap<string, unknown>): unknown {
    const inputs = this.inputs;
    const inputValues = this.inputValues;
    if (inputs.length) inputs.length = 0; // (setting length is a slow call: only when needed)
    if (inputValues.length) inputValues.length = 0;
    const get = (k: string): unknown => {
      if (data?.has(k)) {
        const v = data.get(k);
        inputValues.push(v);
        return v;
      }
      if (!store.has(k)) throw new Error(`dependency '${k}' of task '${key}' is not held by this worker`);
      const v = store.get(k);
      inputs.push(k);
      inputValues.push(v);
      return v;
    };
    this.memory.begin();
    let value: unknown;
    try {
      value = evaluate(node, get);
    } catch (e) {
      this.memory.abandon(run, inputs, inputValues);
      throw e;
    }
    this.flags = isThenable(value) ? this.memory.abandon(run, inputs, inputValues) : this.memory.finish(run, key, value, inputs, inputValues);
    return value;
  }
}
