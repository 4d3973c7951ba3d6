/**
 * Entry point of a worker process started by a Nanny: options come in DASK_TS_WORKER_OPTIONS, the address
 * goes back over the IPC channel once the worker is registered. The process ends with its worker, and the
 * worker ends when its nanny goes away (no orphans).
 */
import { Worker, type WorkerOptions } from "./worker.js";
import { LOST_SCHEDULER_EXIT_CODE, RESTART_EXIT_CODE } from "./exit-codes.js";

const opts = JSON.parse(process.env.DASK_TS_WORKER_OPTIONS ?? "{}") as WorkerOptions;
let worker: Worker | undefined;
const stop = async (code: number): Promise<never> => {
  await worker?.close().catch(() => undefined);
  process.exit(code);
};
process.on("disconnect", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
try {
  worker = await Worker.start({ ...opts, supervised: true });
  process.send?.({ op: "started", address: worker.address, pid: process.pid });
  await worker.closed;
  // A broken scheduler connection is a failure the nanny answers with a fresh worker (which registers anew);
  // so is a restart the scheduler asked for.
  await stop(worker.restartRequested ? RESTART_EXIT_CODE : worker.lostScheduler ? LOST_SCHEDULER_EXIT_CODE : 0);
} catch (e) {
  process.send?.({ op: "failed", error: { name: (e as Error).name, message: (e as Error).message } });
  console.error(`dask-ts worker failed to start: ${(e as Error).message}`);
  await stop(1);
}
