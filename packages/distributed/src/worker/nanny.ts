/**
 * A nanny: runs one worker in a child process and restarts it when it crashes or outgrows its memory
 * limit (Dask's Nanny). Used by LocalCluster and by `dask-ts worker`.
 */
import { fork, type ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { workerExecArgv } from "@dask-ts/core/schedulers/exec-argv";
import { DaskError } from "@dask-ts/core";
import type { WorkerOptions } from "./worker.js";
import { LOST_SCHEDULER_EXIT_CODE, RESTART_EXIT_CODE } from "./exit-codes.js";

const entry = fileURLToPath(new URL("./process-entry.js", import.meta.url));

/** Every live worker process of this process: killed if it exits, so none outlives its nanny. */
const children = new Set<ChildProcess>();
process.once("exit", () => {
  for (const c of children) c.kill("SIGKILL");
});

/** Options of a nanny. */
export interface NannyOptions extends WorkerOptions {
  /** Restart the worker when it dies (default true). */
  restart?: boolean;
  /** ms to wait for the worker process to register (default 30 s). */
  startTimeout?: number;
  /** Called after each restart with the new address. */
  onRestart?: (address: string, reason: string) => void;
  /**
   * When the worker lost its scheduler, keep starting a new one (every `reconnectInterval` ms) until the
   * scheduler is back or the nanny is closed (default true, like Dask's workers without a death timeout).
   */
  reconnect?: boolean;
  /** ms between attempts to reach a lost scheduler (default 1000). */
  reconnectInterval?: number;
}

/** The worker process failed to start. */
export class WorkerStartError extends DaskError {
  override name = "WorkerStartError";
}

/** Supervises one worker process. */
export class Nanny {
  private child: ChildProcess | undefined;
  private closing = false;
  private memTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  /** tcp://host:port of the current worker process. */
  address = "";
  /** Times the worker was restarted. */
  restarts = 0;
  private resolveFinished!: () => void;
  /** Resolves when the worker has ended for good (closed, or exited cleanly because its scheduler went away). */
  readonly finished = new Promise<void>((r) => (this.resolveFinished = r));

  private constructor(readonly opts: NannyOptions) {}

  /** Starts a worker process and waits until it has registered with the scheduler. */
  static async start(opts: NannyOptions): Promise<Nanny> {
    const n = new Nanny(opts);
    await n.spawn();
    if (opts.memoryLimit) {
      n.memTimer = setInterval(() => void n.checkMemory(), 500);
      n.memTimer.unref();
    }
    return n;
  }

  /** The worker process id (changes on restart). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  private spawn(): Promise<void> {
    const { restart: _r, startTimeout, onRestart: _o, reconnect: _c, reconnectInterval: _i, ...workerOpts } = this.opts;
    const child = fork(entry, [], {
      execArgv: workerExecArgv(),
      env: { ...process.env, DASK_TS_WORKER_OPTIONS: JSON.stringify(workerOpts) },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      serialization: "json",
    });
    this.child = child;
    children.add(child);
    return new Promise<void>((resolve, reject) => {
      let started = false;
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new WorkerStartError(`A worker process did not start within ${startTimeout ?? 30_000} ms.`));
      }, startTimeout ?? 30_000);
      child.on("message", (m: { op: string; address?: string; error?: { message: string } }) => {
        if (m.op === "started") {
          started = true;
          clearTimeout(timer);
          this.address = m.address!;
          resolve();
        } else if (m.op === "failed") {
          clearTimeout(timer);
          reject(new WorkerStartError(`A worker process failed to start: ${m.error?.message}`));
        }
      });
      child.once("exit", (code, signal) => {
        children.delete(child);
        clearTimeout(timer);
        if (!started) {
          reject(new WorkerStartError(`A worker process exited before it started (${signal ?? `code ${code}`}).`));
          return;
        }
        if (this.child !== child) return;
        // Exit code 0 is a clean stop (closed, or the scheduler went away): only crashes are restarted.
        if (this.closing || this.opts.restart === false || (code === 0 && !signal)) return this.resolveFinished();
        const reason = signal ? `killed by ${signal}` : code === RESTART_EXIT_CODE ? "restarted by the scheduler" : `exited with code ${code}`;
        this.restarts++;
        this.respawn(reason, code === LOST_SCHEDULER_EXIT_CODE && this.opts.reconnect !== false);
      });
    });
  }

  /** Starts a fresh worker; after a lost scheduler, keeps trying until the scheduler is back or the nanny closes. */
  private respawn(reason: string, untilBack: boolean, warned = false): void {
    this.spawn().then(
      () => this.opts.onRestart?.(this.address, reason),
      (e: Error) => {
        if (this.closing) return this.resolveFinished();
        if (!untilBack) {
          console.error(`dask-ts nanny: could not restart the worker: ${e.message}`);
          return this.resolveFinished();
        }
        if (!warned) console.error(`dask-ts nanny: the scheduler is unreachable (${e.message}); retrying until it is back.`);
        const timer = setTimeout(() => this.respawn(reason, true, true), this.opts.reconnectInterval ?? 1000);
        this.retryTimer = timer;
      },
    );
  }

  /** Restarts the worker process if its resident memory exceeds 95% of the limit (Dask's nanny rule). */
  private async checkMemory(): Promise<void> {
    const pid = this.child?.pid;
    const limit = this.opts.memoryLimit ?? 0;
    if (!pid || !limit || this.closing) return;
    try {
      const status = await readFile(`/proc/${pid}/status`, "utf8");
      const m = /VmRSS:\s+(\d+) kB/.exec(status);
      if (m && Number(m[1]) * 1024 > 0.95 * limit) {
        console.error(`dask-ts nanny: worker ${this.address} uses more than 95% of its memory limit; restarting it.`);
        this.child?.kill("SIGKILL");
      }
    } catch {
      /* not Linux, or the process just exited */
    }
  }

  /** Kills the worker process at once (for tests of failure handling; the nanny restarts it). */
  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    this.child?.kill(signal);
  }

  /** Stops the worker (it leaves the scheduler) and does not restart it. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.memTimer) clearInterval(this.memTimer);
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.resolveFinished();
    }
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return this.resolveFinished();
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 3000).unref();
    });
  }
}
