// A scheduler, in-process workers and clients for tests, closed together (also when start-up fails).
import { SchedulerServer, type SchedulerServerOptions } from "../../dist/scheduler/server.js";
import { Worker, type WorkerOptions } from "../../dist/worker/worker.js";
import { Client } from "../../dist/client/client.js";

export interface TestCluster {
  s: SchedulerServer;
  workers: Worker[];
  clients: Client[];
  close(): Promise<void>;
}

/** Starts a scheduler on a free port, one worker per entry of `workers` (1 thread by default) and `clients` clients. */
export async function startTestCluster(
  opts: { workers?: Array<Partial<WorkerOptions>>; clients?: number; scheduler?: SchedulerServerOptions } = {},
): Promise<TestCluster> {
  const s = await SchedulerServer.start({ port: 0, ...opts.scheduler });
  const workers: Worker[] = [];
  const clients: Client[] = [];
  const close = async (): Promise<void> => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await Promise.allSettled(workers.map((w) => w.close()));
    await s.close();
  };
  try {
    for (const w of opts.workers ?? []) workers.push(await Worker.start({ scheduler: s.address, nthreads: 1, ...w }));
    for (let i = 0; i < (opts.clients ?? 1); i++) clients.push(await Client.connect(s.address, { setAsDefault: false }));
  } catch (e) {
    await close();
    throw e;
  }
  return { s, workers, clients, close };
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until `cond()` holds; throws naming `what` after `ms`. */
export async function until(cond: () => boolean, ms = 10_000, what = "condition"): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
