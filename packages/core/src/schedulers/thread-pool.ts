/** The threads scheduler's pool: long-lived worker_threads; typed arrays on SharedArrayBuffer cross without copies. */
import { Worker } from "node:worker_threads";
import { fromStructured, toStructured } from "../serialize/codec.js";
import type { FromWorker, ToWorker } from "../worker/protocol.js";
import { WorkerPool, type WorkerEvents, type WorkerHandle } from "./worker-pool.js";
import { encodeWithExtensions } from "./encode-retry.js";
import { threadExecArgv } from "./exec-argv.js";
import { decodeWithExtensions } from "./encode-retry.js";

const entry = new URL("../worker/thread-entry.js", import.meta.url);

/** A pool of worker threads. */
export class ThreadPool extends WorkerPool {
  /** `env`: the threads' process.env (default: a copy of this process's at spawn time). */
  constructor(size: number, private readonly opts: { env?: Record<string, string | undefined> } = {}) {
    super(size, "thread");
  }

  protected spawn(lane: number, modules: readonly string[], events: WorkerEvents): WorkerHandle {
    const worker = new Worker(entry, {
      workerData: { modules },
      name: `dask-ts thread ${lane}`,
      execArgv: threadExecArgv(),
      ...(this.opts.env ? { env: this.opts.env } : {}),
    });
    const receive = decodeWithExtensions<unknown>(
      (m) => events.message(fromStructured(m) as FromWorker),
      (m, error) => events.receiveFailed((m as { run?: number }).run, error),
    );
    worker.on("message", receive);
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
