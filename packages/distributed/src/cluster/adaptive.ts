/** Adaptive scaling of a cluster (Dask's Adaptive): a timer that grows and shrinks it with the load. */
import { InvalidArgumentError } from "@dask-ts/core";
import { clampTarget, ScalingPolicy, type Recommendation } from "./adaptive-policy.js";

/** Options of cluster.adapt(). */
export interface AdaptiveOptions {
  /** Never fewer workers than this (default 0). */
  minimum?: number;
  /** Never more workers than this (default Infinity). */
  maximum?: number;
  /** ms between two checks (default 1000). */
  interval?: number;
  /** ms of queued and running work one worker should take (default 5000, Dask's target-duration "5s"). */
  targetDuration?: number;
  /** Rounds in a row a worker must be chosen for closing before it is retired (default 3). */
  waitCount?: number;
}

/** What the adaptive loop drives: a cluster and its scheduler. */
export interface AdaptiveBackend {
  /** The scheduler's adaptive target for `targetDuration` seconds of work per worker. */
  target(targetDuration: number): number;
  /** Ids (addresses) of the workers the cluster has or is starting. */
  plan(): string[];
  /** Of plan, the workers that have not registered with the scheduler (yet). */
  notYetArrived(): string[];
  /** The scheduler's choice of registered workers to close to get down to `target`. */
  workersToClose(target: number): string[];
  /** Grows the cluster to `n` workers. */
  scaleUp(n: number): Promise<void>;
  /** Retires these workers gracefully. */
  scaleDown(workers: string[]): Promise<void>;
}

/** One entry of Adaptive.log: a round that recommended a change. */
export interface AdaptiveLogEntry {
  time: number;
  target: number;
  recommendation: Recommendation;
}

const LOG_LENGTH = 1000;

/** Checks adapt() options; throws InvalidArgumentError naming the bad one. */
export function resolveAdaptiveOptions(opts: AdaptiveOptions): Required<AdaptiveOptions> {
  if (opts === null || typeof opts !== "object") throw new InvalidArgumentError("adapt() takes an options object, e.g. { minimum: 1, maximum: 4 }.");
  const minimum = opts.minimum ?? 0;
  const maximum = opts.maximum ?? Infinity;
  const interval = opts.interval ?? 1000;
  const targetDuration = opts.targetDuration ?? 5000;
  const waitCount = opts.waitCount ?? 3;
  if (typeof minimum !== "number" || !Number.isInteger(minimum) || minimum < 0) {
    throw new InvalidArgumentError(`adapt(): minimum must be a non-negative integer, got ${String(minimum)}.`);
  }
  if (typeof maximum !== "number" || !(Number.isInteger(maximum) || maximum === Infinity) || maximum < 0) {
    throw new InvalidArgumentError(`adapt(): maximum must be a non-negative integer or Infinity, got ${String(maximum)}.`);
  }
  if (minimum > maximum) throw new InvalidArgumentError(`adapt(): minimum (${minimum}) must not exceed maximum (${maximum}).`);
  if (typeof interval !== "number" || !Number.isFinite(interval) || interval <= 0) {
    throw new InvalidArgumentError(`adapt(): interval must be a positive number of ms, got ${String(interval)}.`);
  }
  if (typeof targetDuration !== "number" || !Number.isFinite(targetDuration) || targetDuration <= 0) {
    throw new InvalidArgumentError(`adapt(): targetDuration must be a positive number of ms, got ${String(targetDuration)}.`);
  }
  if (typeof waitCount !== "number" || !Number.isInteger(waitCount) || waitCount < 1) {
    throw new InvalidArgumentError(`adapt(): waitCount must be a positive integer, got ${String(waitCount)}.`);
  }
  return { minimum, maximum, interval, targetDuration, waitCount };
}

/** A running adaptive loop; stop() ends it (a scaling already under way finishes). */
export class Adaptive {
  readonly minimum: number;
  readonly maximum: number;
  readonly interval: number;
  readonly targetDuration: number;
  readonly waitCount: number;
  /** Rounds that recommended a change, oldest first (bounded). */
  readonly log: AdaptiveLogEntry[] = [];
  private readonly policy: ScalingPolicy;
  private timer: NodeJS.Timeout | undefined;
  private adapting = false;
  private stopped = false;

  constructor(private readonly backend: AdaptiveBackend, opts: AdaptiveOptions = {}) {
    const o = resolveAdaptiveOptions(opts);
    this.minimum = o.minimum;
    this.maximum = o.maximum;
    this.interval = o.interval;
    this.targetDuration = o.targetDuration;
    this.waitCount = o.waitCount;
    this.policy = new ScalingPolicy(o.waitCount);
  }

  /** Starts the timer (the first round runs at once). */
  start(): this {
    if (!this.stopped && this.timer === undefined) this.tick(0);
    return this;
  }

  /** Stops adapting. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** False once stopped. */
  get running(): boolean {
    return !this.stopped;
  }

  /**
   * One round: target -> recommendation -> scaling. Skipped while another round is scaling; errors are logged
   * (console.error), never thrown, so that a failed scaling does not end adaptivity.
   */
  async adapt(): Promise<void> {
    if (this.adapting || this.stopped) return;
    this.adapting = true;
    try {
      const target = clampTarget(this.backend.target(this.targetDuration / 1000), this.minimum, this.maximum);
      const rec = this.policy.recommend(target, this.backend.plan(), this.backend.notYetArrived(), (t) => this.backend.workersToClose(t));
      if (rec.status === "same") return;
      this.log.push({ time: Date.now(), target, recommendation: rec });
      if (this.log.length > LOG_LENGTH) this.log.shift();
      if (rec.status === "up") await this.backend.scaleUp(rec.n);
      else await this.backend.scaleDown(rec.workers);
    } catch (e) {
      if (!this.stopped) console.error(`dask-ts adaptive: scaling failed (adaptivity goes on): ${(e as Error)?.message ?? String(e)}`);
    } finally {
      this.adapting = false;
    }
  }

  private tick(delay: number): void {
    // A chain of timeouts rather than an interval: the next round waits for this one's scaling.
    this.timer = setTimeout(() => {
      void this.adapt().finally(() => {
        if (!this.stopped) this.tick(this.interval);
      });
    }, delay);
    this.timer.unref();
  }
}
