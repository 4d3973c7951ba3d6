/** LocalCluster: a scheduler and workers on this machine (worker processes under nannies, or in-process workers). */
import { cpus } from "node:os";
import { InvalidArgumentError, parseBytes } from "@dask-ts/core";
import { SchedulerServer, type SchedulerServerOptions } from "../scheduler/server.js";
import { Nanny } from "../worker/nanny.js";
import { Worker } from "../worker/worker.js";

/** Options of LocalCluster.start. */
export interface LocalClusterOptions {
  /** Workers to start (default: one per core). */
  nWorkers?: number;
  /** Threads per worker (default: cores / workers, at least 1). */
  threadsPerWorker?: number;
  /** Worker processes under nannies (default true), or workers inside this process (false). */
  processes?: boolean;
  /** Per worker: bytes or "4GB"; worker processes above 95% are restarted. */
  memoryLimit?: number | string;
  /** Accepted for Dask compatibility; the dashboard is not built yet. */
  dashboardAddress?: string;
  /** Scheduler port (default 0: any free port). */
  port?: number;
  host?: string;
  /** Resources every worker offers, e.g. { GPU: 1 }. */
  resources?: Record<string, number>;
  /** Passed to the scheduler (heartbeat timing, allowed failures, queuing). */
  scheduler?: SchedulerServerOptions;
}

/** A worker of the cluster as the cluster manages it. */
interface WorkerHandle {
  name: string;
  readonly address: string;
  readonly pid: number | undefined;
  close(): Promise<void>;
}

/** A scheduler plus workers on this machine. */
export class LocalCluster {
  private readonly workers: WorkerHandle[] = [];
  private nextName = 0;
  private closed = false;

  private constructor(
    readonly scheduler: SchedulerServer,
    private readonly opts: Required<Pick<LocalClusterOptions, "threadsPerWorker" | "processes">> & LocalClusterOptions,
  ) {}

  /** Starts a scheduler and `nWorkers` workers; resolves once every worker has registered. */
  static async start(opts: LocalClusterOptions = {}): Promise<LocalCluster> {
    const cores = Math.max(1, cpus().length);
    const nWorkers = opts.nWorkers ?? cores;
    if (!Number.isInteger(nWorkers) || nWorkers < 0) throw new InvalidArgumentError(`nWorkers must be a non-negative integer, got ${String(nWorkers)}.`);
    const threadsPerWorker = opts.threadsPerWorker ?? Math.max(1, Math.floor(cores / Math.max(1, nWorkers)));
    if (!Number.isInteger(threadsPerWorker) || threadsPerWorker < 1) {
      throw new InvalidArgumentError(`threadsPerWorker must be a positive integer, got ${String(threadsPerWorker)}.`);
    }
    const scheduler = await SchedulerServer.start({ ...opts.scheduler, port: opts.port ?? 0, host: opts.host });
    const cluster = new LocalCluster(scheduler, { ...opts, threadsPerWorker, processes: opts.processes ?? true });
    try {
      await cluster.scale(nWorkers);
    } catch (e) {
      await cluster.close();
      throw e;
    }
    return cluster;
  }

  /** tcp://host:port of the scheduler. */
  get schedulerAddress(): string {
    return this.scheduler.address;
  }

  /** Where the dashboard would be (not built yet). */
  get dashboardLink(): string | undefined {
    return undefined;
  }

  /** The workers: name, address and process id (undefined for in-process workers). */
  workerInfo(): Array<{ name: string; address: string; pid: number | undefined }> {
    return this.workers.map((w) => ({ name: w.name, address: w.address, pid: w.pid }));
  }

  /** The nanny of a worker process by name or index (tests use it to kill workers). */
  nanny(nameOrIndex: string | number): Nanny | undefined {
    const w = typeof nameOrIndex === "number" ? this.workers[nameOrIndex] : this.workers.find((x) => x.name === nameOrIndex);
    return w instanceof NannyHandle ? w.nanny : undefined;
  }

  private async startWorker(): Promise<WorkerHandle> {
    const name = `worker-${this.nextName++}`;
    const wopts = {
      scheduler: this.scheduler.address,
      nthreads: this.opts.threadsPerWorker,
      name,
      host: this.opts.host,
      memoryLimit: this.opts.memoryLimit === undefined ? 0 : parseBytes(this.opts.memoryLimit, "memoryLimit"),
      resources: this.opts.resources,
    };
    if (this.opts.processes) return new NannyHandle(name, await Nanny.start(wopts));
    const w = await Worker.start(wopts);
    return { name, get address() { return w.address; }, pid: undefined, close: () => w.close() };
  }

  /** Starts or stops workers until there are `n`. */
  async scale(n: number): Promise<void> {
    if (this.closed) throw new InvalidArgumentError("This cluster is closed.");
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`scale(n) needs a non-negative integer, got ${String(n)}.`);
    if (n > this.workers.length) {
      const started = await Promise.allSettled(Array.from({ length: n - this.workers.length }, () => this.startWorker()));
      for (const s of started) if (s.status === "fulfilled") this.workers.push(s.value);
      const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
      if (failed) throw failed.reason;
    } else if (n < this.workers.length) {
      const gone = this.workers.splice(n);
      await Promise.all(gone.map((w) => w.close()));
    }
  }

  /** Stops the workers, then the scheduler. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.splice(0).map((w) => w.close()));
    await this.scheduler.close();
  }
}

class NannyHandle implements WorkerHandle {
  constructor(readonly name: string, readonly nanny: Nanny) {}
  get address(): string {
    return this.nanny.address;
  }
  get pid(): number | undefined {
    return this.nanny.pid;
  }
  close(): Promise<void> {
    return this.nanny.close();
  }
}
