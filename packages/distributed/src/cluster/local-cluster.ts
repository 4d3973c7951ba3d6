/** LocalCluster: a scheduler and workers on this machine (worker processes under nannies, or in-process workers). */
import { cpus } from "node:os";
import { InvalidArgumentError, parseBytes } from "@dask-ts/core";
import { SchedulerServer, type SchedulerServerOptions } from "../scheduler/server.js";
import { Nanny } from "../worker/nanny.js";
import { Worker, type WorkerOptions } from "../worker/worker.js";
import { workersToClose } from "../scheduler/workers-to-close.js";
import type { WorkerState } from "../scheduler/task-state.js";
import { Adaptive, type AdaptiveBackend, type AdaptiveOptions } from "./adaptive.js";

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
  private adaptive: Adaptive | undefined;
  /** Scalings run one after another (adaptive rounds and scale() calls never overlap). */
  private scaling: Promise<void> = Promise.resolve();

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
    return InProcessHandle.start(name, wopts);
  }

  /**
   * Starts or stops workers until there are `n`, and stops adaptive scaling (as in Dask). Workers are stopped
   * gracefully: the scheduler chooses them (idle first, then those holding the fewest bytes), copies every
   * result only they hold to the workers that stay, then they are closed and not restarted.
   */
  async scale(n: number): Promise<void> {
    if (this.closed) throw new InvalidArgumentError("This cluster is closed.");
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`scale(n) needs a non-negative integer, got ${String(n)}.`);
    this.stopAdaptive();
    return this.serial(() => this.scaleTo(n));
  }

  /**
   * Scales with the load (Dask's cluster.adapt): see docs/distributed.md. Replaces an earlier adapt(); scale()
   * and close() stop it. Throws InvalidArgumentError on bad options.
   */
  adapt(opts: AdaptiveOptions = {}): Adaptive {
    if (this.closed) throw new InvalidArgumentError("This cluster is closed.");
    const a = new Adaptive(this.adaptiveBackend(), opts);
    this.stopAdaptive();
    this.adaptive = a;
    return a.start();
  }

  private stopAdaptive(): void {
    this.adaptive?.stop();
    this.adaptive = undefined;
  }

  /** Runs `f` after every scaling already under way. */
  private serial(f: () => Promise<void>): Promise<void> {
    const p = this.scaling.then(f, f);
    this.scaling = p.catch(() => undefined);
    return p;
  }

  private async scaleTo(n: number): Promise<void> {
    if (this.closed) return;
    if (n > this.workers.length) {
      const started = await Promise.allSettled(Array.from({ length: n - this.workers.length }, () => this.startWorker()));
      for (const s of started) {
        if (s.status !== "fulfilled") continue;
        // close() came while they started: they must not outlive the cluster.
        if (this.closed) await s.value.close();
        else this.workers.push(s.value);
      }
      const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
      if (failed) throw failed.reason;
    } else if (n < this.workers.length) {
      await this.retireHandles(this.chooseToClose(this.workers.length - n));
    }
  }

  /** Our registered workers the scheduler is not retiring already. */
  private registered(): Map<string, WorkerHandle> {
    const s = this.scheduler.state;
    const out = new Map<string, WorkerHandle>();
    for (const h of this.workers) if (s.workers.has(h.address) && !s.isRetiring(h.address)) out.set(h.address, h);
    return out;
  }

  /** `k` workers to stop: unregistered ones (starting, restarting) first, then the scheduler's choice. */
  private chooseToClose(k: number): WorkerHandle[] {
    const reg = this.registered();
    const out = this.workers.filter((h) => !reg.has(h.address)).slice(0, k);
    if (out.length < k) {
      const wss = [...reg.keys()].map((a) => this.scheduler.state.workers.get(a)!);
      for (const a of workersToClose(wss, { n: k - out.length })) out.push(reg.get(a)!);
    }
    for (let i = this.workers.length - 1; out.length < k && i >= 0; i--) if (!out.includes(this.workers[i]!)) out.push(this.workers[i]!);
    return out;
  }

  /**
   * Retires workers through the scheduler (their unique results move to the others) without letting it close
   * them, then closes their nanny / in-process handle: a retired worker is never started again.
   */
  private async retireHandles(handles: WorkerHandle[]): Promise<void> {
    if (handles.length === 0) return;
    const gone = new Set(handles);
    for (let i = this.workers.length - 1; i >= 0; i--) if (gone.has(this.workers[i]!)) this.workers.splice(i, 1);
    const addresses = handles.map((h) => h.address).filter((a) => this.scheduler.state.workers.has(a));
    try {
      if (addresses.length > 0) await this.scheduler.retireWorkers(addresses, { close: false });
    } catch (e) {
      console.error(`dask-ts LocalCluster: graceful retirement failed, closing the workers anyway: ${(e as Error).message}`);
    } finally {
      await Promise.allSettled(handles.map((h) => h.close()));
    }
  }

  private adaptiveBackend(): AdaptiveBackend {
    const state = this.scheduler.state;
    return {
      target: (targetDuration) => state.adaptiveTarget(targetDuration),
      plan: () => this.workers.map((h) => h.address),
      notYetArrived: () => this.workers.filter((h) => !state.workers.has(h.address)).map((h) => h.address),
      workersToClose: (target) => {
        const wss: WorkerState[] = [...this.registered().keys()].map((a) => state.workers.get(a)!);
        return workersToClose(wss, { target });
      },
      scaleUp: (n) => this.serial(() => this.scaleTo(n)),
      scaleDown: (addresses) =>
        this.serial(() => this.retireHandles(this.workers.filter((h) => addresses.includes(h.address)))),
    };
  }

  /** Stops the workers, then the scheduler. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopAdaptive();
    // A scaling under way finishes first, so that no worker it starts is left behind.
    await this.scaling;
    await Promise.all(this.workers.splice(0).map((w) => w.close()));
    await this.scheduler.close();
  }
}

/** An in-process worker; like a nanny, it starts a fresh Worker when the scheduler asks for a restart. */
class InProcessHandle implements WorkerHandle {
  private closing = false;
  readonly pid = undefined;

  private constructor(
    readonly name: string,
    private readonly opts: WorkerOptions,
    private worker: Worker,
  ) {
    this.watch(worker);
  }

  static async start(name: string, opts: WorkerOptions): Promise<InProcessHandle> {
    const o = { ...opts, supervised: true };
    return new InProcessHandle(name, o, await Worker.start(o));
  }

  get address(): string {
    return this.worker.address;
  }

  private watch(w: Worker): void {
    void w.closed.then(async () => {
      if (this.closing || !w.restartRequested || this.worker !== w) return;
      try {
        this.worker = await Worker.start(this.opts);
        if (this.closing) await this.worker.close();
        else this.watch(this.worker);
      } catch (e) {
        if (!this.closing) console.error(`dask-ts LocalCluster: could not restart worker ${this.name}: ${(e as Error).message}`);
      }
    });
  }

  close(): Promise<void> {
    this.closing = true;
    return this.worker.close();
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
