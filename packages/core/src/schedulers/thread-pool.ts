/** The threads scheduler's pool: long-lived worker_threads; typed arrays on SharedArrayBuffer cross without copies. */
import { Worker } from "node:worker_threads";
import { fromStructured, toStructured } from "../serialize/codec.js";
import type { FromWorker, ToWorker } from "../worker/protocol.js";
import { WorkerPool, type WorkerEvents, type WorkerHandle } from "./worker-pool.js";
import { encodeWithExtensions } from "./encode-retry.js";
import { workerExecArgv } from "./exec-argv.js";

const entry = new URL("../worker/thread-entry.js", import.meta.url);

/** A pool of worker threads. */
export class ThreadPool extends WorkerPool {
  constructor(size: number) {
    super(size, "thread");
  }

  protected spawn(lane: number, modules: readonly string[], events: WorkerEvents): WorkerHandle {
    const worker = new Worker(entry, { workerData: { modules }, name: `dask-ts thread ${lane}`, execArgv: workerExecArgv() });
    worker.on("message", (m: unknown) => events.message(fromStructured(m) as FromWorker));
    worker.on("error", (e) => events.died(e instanceof Error ? e : new Error(String(e))));
    worker.on("exit", (code) => events.died(new Error(`thread exited with code ${code}`)));
    const post = encodeWithExtensions<ToWorker>((msg) => worker.postMessage(toStructured(msg)), events.sendFailed);
    return {
      post,
      ref: () => worker.ref(),
      unref: () => worker.unref(),
      terminate: async () => {
        await worker.terminate();
      },
    };
  }
}
