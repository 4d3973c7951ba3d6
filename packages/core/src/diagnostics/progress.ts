/**
 * A terminal progress bar for local computations, like dask.diagnostics.ProgressBar:
 *
 *     [####################                    ] | 50% Completed |  1.2s
 */
import type { Writable } from "node:stream";
import { InvalidArgumentError } from "../errors.js";

/** What a scheduler tells about the progress of one computation. */
export interface ProgressReporter {
  /** The computation starts and has `total` tasks. */
  start(total: number): void;
  /** `done` tasks (of `total`) have finished so far. */
  update(done: number): void;
  /** The computation has ended: successfully when `error` is undefined, otherwise with that error. */
  finish(error?: unknown): void;
}

export interface ProgressBarOptions {
  /** Where to draw; default process.stderr. Nothing is drawn unless it is a TTY (or `force` is set). */
  stream?: NodeJS.WriteStream | Writable;
  /** Width of the bar in characters; default 40 (narrowed to fit a narrower terminal). */
  width?: number;
  /** Seconds a computation must run before the bar shows; default 0 (as in Dask). Faster computations draw nothing. */
  minimum?: number;
  /** Milliseconds between redraws; default 100. */
  interval?: number;
  /** Draw even when the stream is not a TTY. */
  force?: boolean;
}

const DEFAULT_WIDTH = 40;

/** Elapsed time as Dask shows it: ` 1.2s`, ` 2min  3.4s`, ` 1hr  2min  3.4s`. */
export function formatTime(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const sec = s.toFixed(1).padStart(4);
  if (h > 0) return `${String(h).padStart(2)}hr ${String(m).padStart(2)}min ${sec}s`;
  if (m > 0) return `${String(m).padStart(2)}min ${sec}s`;
  return `${sec}s`;
}

function checkNumber(name: string, v: unknown, min: number): void {
  if (v !== undefined && (typeof v !== "number" || !Number.isFinite(v) || v < min)) {
    throw new InvalidArgumentError(`ProgressBar option ${name} must be a finite number >= ${min}; got ${String(v)}.`);
  }
}

/**
 * Draws `[####    ] | 45% Completed |  1.2s` on one terminal line, redrawn at most every
 * `interval` ms, and ends it with a newline when the computation finishes. Draws nothing
 * when the stream is not a TTY (unless `force`) or the computation took less than `minimum`
 * seconds. Its timer is unref'd and always cleared on finish, so it never keeps the process alive.
 */
export class ProgressBar implements ProgressReporter {
  private readonly stream: NodeJS.WriteStream | Writable;
  private readonly width: number | undefined;
  private readonly minimum: number;
  private readonly interval: number;
  private readonly force: boolean;

  private timer: ReturnType<typeof setInterval> | undefined;
  private startTime = 0;
  private lastDraw = -Infinity;
  private lastLength = 0;
  private total = 0;
  private done = 0;
  private running = false;
  private enabled = false;
  /** Seconds the last computation took (from start to finish). */
  lastDuration: number | undefined;

  constructor(opts: ProgressBarOptions = {}) {
    checkNumber("width", opts.width, 1);
    checkNumber("minimum", opts.minimum, 0);
    checkNumber("interval", opts.interval, 1);
    this.stream = opts.stream ?? process.stderr;
    this.width = opts.width === undefined ? undefined : Math.floor(opts.width);
    this.minimum = opts.minimum ?? 0;
    this.interval = opts.interval ?? 100;
    this.force = opts.force ?? false;
  }

  /** True while a computation is being tracked (between start and finish). */
  get active(): boolean {
    return this.running;
  }

  start(total: number): void {
    this.stop();
    this.total = Number.isFinite(total) && total > 0 ? total : 0;
    this.done = 0;
    this.startTime = now();
    this.lastDraw = -Infinity;
    // lastLength is kept: if a previous run never finished, its line is still there to overwrite.
    this.lastDuration = undefined;
    this.running = true;
    this.enabled = this.force || (this.stream as { isTTY?: boolean }).isTTY === true;
    if (!this.enabled) return;
    this.timer = setInterval(() => this.tick(), this.interval);
    this.timer.unref();
  }

  update(done: number): void {
    if (!this.running) return;
    this.done = Number.isFinite(done) ? Math.max(0, done) : this.done;
    // Also draw from here: a scheduler that keeps the event loop busy starves the timer.
    if (this.enabled && now() - this.lastDraw >= this.interval) this.tick();
  }

  finish(error?: unknown): void {
    if (!this.running) return;
    this.stop();
    const elapsed = (now() - this.startTime) / 1000;
    this.lastDuration = elapsed;
    if (!this.enabled || elapsed < this.minimum) return;
    this.draw(error === undefined ? 1 : this.fraction(), elapsed);
    this.write("\n");
    this.lastLength = 0;
  }

  private stop(): void {
    this.running = false;
    if (this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private fraction(): number {
    return this.total > 0 ? Math.min(1, this.done / this.total) : 0;
  }

  private tick(): void {
    if (!this.running) return;
    const elapsed = (now() - this.startTime) / 1000;
    if (elapsed < this.minimum) return;
    this.draw(this.fraction(), elapsed);
  }

  private barWidth(): number {
    if (this.width !== undefined) return this.width;
    const columns = (this.stream as { columns?: number }).columns;
    // The text around the bar takes about 30 columns; keep the line from wrapping.
    if (typeof columns === "number" && columns > 0 && columns < DEFAULT_WIDTH + 32) return Math.max(10, columns - 32);
    return DEFAULT_WIDTH;
  }

  private draw(frac: number, elapsed: number): void {
    const width = this.barWidth();
    const bar = "#".repeat(Math.floor(width * frac)).padEnd(width);
    const percent = Math.floor(100 * frac);
    const line = `[${bar}] | ${percent}% Completed | ${formatTime(elapsed)}`;
    const pad = this.lastLength > line.length ? " ".repeat(this.lastLength - line.length) : "";
    this.lastLength = line.length;
    this.lastDraw = now();
    this.write(`\r${line}${pad}`);
  }

  private write(text: string): void {
    const s = this.stream as Writable;
    if (s.destroyed || s.writableEnded) return;
    try {
      s.write(text);
    } catch {
      /* a closed terminal must not fail the computation */
    }
  }
}

function now(): number {
  return performance.now();
}

/**
 * The reporter for a `progress` option: `true` gives a new ProgressBar, a reporter object
 * is used as it is, and `false`/`undefined` give none.
 */
export function createProgress(opt: boolean | ProgressReporter | undefined | null): ProgressReporter | undefined {
  if (opt === undefined || opt === null || opt === false) return undefined;
  if (opt === true) return new ProgressBar();
  if (
    typeof opt === "object" &&
    typeof opt.start === "function" &&
    typeof opt.update === "function" &&
    typeof opt.finish === "function"
  ) {
    return opt;
  }
  throw new InvalidArgumentError(
    `progress must be true, false, or an object with start(total), update(done) and finish(error?) methods; got ${typeof opt}.`,
  );
}
