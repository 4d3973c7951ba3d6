// What a worker registers with, for tests that drive the scheduler state directly.
import type { WorkerInfo } from "../../dist/protocol.js";

/** A one-thread worker at `address` named after it, with `extra` fields overriding. */
export function workerInfo(address: string, extra: Partial<WorkerInfo> = {}): WorkerInfo {
  return { address, name: address, nthreads: 1, memoryLimit: 0, resources: {}, pid: 1, ...extra };
}
