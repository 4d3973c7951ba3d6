import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ProgressBar, createProgress, formatTime } from "@dask-ts/core/diagnostics/progress";
import type { ProgressReporter } from "@dask-ts/core/diagnostics/progress";
import { InvalidArgumentError } from "@dask-ts/core/errors";

/** A Writable that records what is written, optionally pretending to be a terminal. */
class FakeStream extends Writable {
  chunks: string[] = [];
  isTTY: boolean;
  columns: number | undefined;
  constructor(isTTY: boolean, columns?: number) {
    super();
    this.isTTY = isTTY;
    this.columns = columns;
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.chunks.push(chunk.toString());
    cb();
  }
  get text(): string {
    return this.chunks.join("");
  }
  /** The lines as a terminal would show them (each `\r` returns to the start of the line). */
  get lines(): string[] {
    return this.text.split("\n").map((l) => l.slice(l.lastIndexOf("\r") + 1).trimEnd());
  }
}

const BAR = /^\[([# ]+)\] \| (\d+)% Completed \| +\d+\.\ds$/;

describe("ProgressBar", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("draws a throttled bar with \\r that reaches 100% and ends with a newline", () => {
    const s = new FakeStream(true);
    const bar = new ProgressBar({ stream: s, width: 20, interval: 100 });
    bar.start(10);
    expect(s.text).toBe(""); // nothing before the first redraw
    vi.advanceTimersByTime(100);
    expect(s.chunks).toHaveLength(1);
    expect(s.chunks[0]).toBe(`\r[${" ".repeat(20)}] | 0% Completed |  0.1s`);
    vi.advanceTimersByTime(50);
    bar.update(3);
    bar.update(4); // throttled: at most one draw per interval
    vi.advanceTimersByTime(50);
    expect(s.chunks.at(-1)).toBe(`\r[########${" ".repeat(12)}] | 40% Completed |  0.2s`);
    const drawsSoFar = s.chunks.length;
    expect(drawsSoFar).toBeLessThanOrEqual(3);
    bar.update(9);
    vi.advanceTimersByTime(1000);
    expect(s.chunks.length - drawsSoFar).toBeLessThanOrEqual(11);
    bar.finish();
    expect(s.text.endsWith("\n")).toBe(true);
    expect(s.text.split("\n")).toHaveLength(2); // exactly one line, then the newline
    const last = s.lines[0]!;
    expect(last).toMatch(BAR);
    expect(last).toBe(`[${"#".repeat(20)}] | 100% Completed |  1.2s`);
    for (const c of s.chunks.slice(0, -1)) expect(c.startsWith("\r")).toBe(true);
    expect(bar.lastDuration).toBeCloseTo(1.2, 5);
    // nothing more after finish
    vi.advanceTimersByTime(1000);
    bar.update(10);
    expect(s.text.split("\n")[1]).toBe("");
  });

  it("draws from update() even when timers cannot fire (busy event loop)", () => {
    const s = new FakeStream(true);
    const bar = new ProgressBar({ stream: s, width: 10, interval: 100 });
    bar.start(4);
    vi.setSystemTime(Date.now() + 150); // time passes, but no timer runs
    bar.update(2);
    expect(s.chunks.at(-1)).toMatch(/\[#####     \] \| 50% Completed/);
    bar.finish();
  });

  it("draws nothing when the stream is not a TTY", () => {
    const s = new FakeStream(false);
    const bar = new ProgressBar({ stream: s, interval: 10 });
    bar.start(5);
    for (let i = 1; i <= 5; i++) {
      vi.advanceTimersByTime(50);
      bar.update(i);
    }
    bar.finish();
    expect(s.chunks).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("draws on a non-TTY stream with force", () => {
    const s = new FakeStream(false);
    const bar = new ProgressBar({ stream: s, force: true, width: 4 });
    bar.start(1);
    bar.finish();
    expect(s.text).toBe("\r[####] | 100% Completed |  0.0s\n");
  });

  it("respects the minimum delay", () => {
    const s = new FakeStream(true);
    const bar = new ProgressBar({ stream: s, minimum: 1, interval: 100 });
    bar.start(10);
    vi.advanceTimersByTime(900);
    bar.update(5);
    expect(s.chunks).toEqual([]);
    vi.advanceTimersByTime(200);
    expect(s.chunks.length).toBeGreaterThan(0);
    expect(s.lines.at(-1)).toMatch(/ 50% Completed \|  1\.\ds$/);
    bar.finish();
    expect(s.text.endsWith("\n")).toBe(true);

    // a computation faster than `minimum` draws nothing at all, not even on finish
    const quick = new FakeStream(true);
    const bar2 = new ProgressBar({ stream: quick, minimum: 1 });
    bar2.start(3);
    vi.advanceTimersByTime(500);
    bar2.update(3);
    bar2.finish();
    expect(quick.chunks).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("on error, shows where it stopped and clears its timer", () => {
    const s = new FakeStream(true);
    const bar = new ProgressBar({ stream: s, width: 10 });
    bar.start(4);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(300);
    bar.update(1);
    bar.finish(new Error("boom"));
    expect(vi.getTimerCount()).toBe(0);
    expect(bar.active).toBe(false);
    expect(s.lines[0]).toBe("[##        ] | 25% Completed |  0.3s");
    expect(s.text.endsWith("\n")).toBe(true);
    // a second finish is a no-op
    bar.finish();
    expect(s.text.split("\n")).toHaveLength(2);
  });

  it("clears the old timer when restarted, and handles a total of 0", () => {
    const s = new FakeStream(true);
    const bar = new ProgressBar({ stream: s, width: 10 });
    bar.start(0);
    bar.start(0);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(100);
    expect(s.lines.at(-1)).toMatch(/ 0% Completed/);
    bar.finish();
    expect(s.lines[0]).toMatch(/\[##########\] \| 100% Completed/);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("pads a shorter redraw so no stale characters remain", () => {
    const s = new FakeStream(true);
    const bar = new ProgressBar({ stream: s, width: 5 });
    bar.start(1);
    vi.advanceTimersByTime(61_000); // "| 0% Completed |  1min  1.0s" is longer than the next line
    const long = s.chunks.at(-1)!;
    expect(long).toMatch(/ 1min  1\.0s$/);
    bar.start(1); // restarted without finishing: the old line is still on screen
    bar.finish();
    const final = s.chunks.at(-2)!;
    expect(final.length).toBe(long.length);
    expect(final.trimEnd()).toBe("\r[#####] | 100% Completed |  0.0s");
    expect(s.chunks.at(-1)).toBe("\n");
  });

  it("narrows the default bar to fit a narrow terminal", () => {
    const s = new FakeStream(true, 50);
    const bar = new ProgressBar({ stream: s });
    bar.start(1);
    bar.finish();
    expect(s.lines[0]!.length).toBeLessThanOrEqual(50);
    expect(s.lines[0]).toMatch(BAR);
  });

  it("does not write to a destroyed stream", () => {
    const s = new FakeStream(true);
    const bar = new ProgressBar({ stream: s });
    bar.start(2);
    s.destroy();
    expect(() => bar.finish()).not.toThrow();
  });

  it("rejects bad options", () => {
    expect(() => new ProgressBar({ width: 0 })).toThrow(InvalidArgumentError);
    expect(() => new ProgressBar({ interval: Number.NaN })).toThrow(InvalidArgumentError);
    expect(() => new ProgressBar({ minimum: -1 })).toThrow(InvalidArgumentError);
  });
});

describe("ProgressBar timers (real)", () => {
  it("unrefs its timer and clears it on finish", async () => {
    const created: NodeJS.Timeout[] = [];
    const realSet = globalThis.setInterval;
    const clearSpy = vi.spyOn(globalThis, "clearInterval");
    const setSpy = vi.spyOn(globalThis, "setInterval").mockImplementation(((fn: () => void, ms?: number) => {
      const t = realSet(fn, ms);
      created.push(t);
      return t;
    }) as typeof setInterval);
    try {
      const s = new FakeStream(true);
      const bar = new ProgressBar({ stream: s, interval: 5, width: 10 });
      bar.start(2);
      expect(created).toHaveLength(1);
      expect(created[0]!.hasRef()).toBe(false);
      await new Promise((r) => setTimeout(r, 30));
      bar.update(1);
      bar.finish(new Error("failed"));
      expect(clearSpy).toHaveBeenCalledWith(created[0]);
      const n = s.chunks.length;
      await new Promise((r) => setTimeout(r, 30));
      expect(s.chunks.length).toBe(n); // the timer is really gone
      expect(s.text.endsWith("\n")).toBe(true);
    } finally {
      setSpy.mockRestore();
      clearSpy.mockRestore();
    }
  });

  it("never keeps the process alive, even if finish is never called", async () => {
    const require = createRequire(import.meta.url);
    const modulePath = require.resolve("@dask-ts/core/diagnostics/progress");
    const script =
      `const { ProgressBar } = await import(${JSON.stringify("file://" + modulePath)});` +
      `const bar = new ProgressBar({ force: true, interval: 10 }); bar.start(100); bar.update(1);`;
    const started = Date.now();
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "ignore", "pipe"] });
      let err = "";
      child.stderr.on("data", (d: Buffer) => (err += d.toString()));
      const killer = setTimeout(() => {
        child.kill();
        reject(new Error("the progress bar kept the process alive"));
      }, 10_000);
      child.on("exit", (c) => {
        clearTimeout(killer);
        if (c !== 0) reject(new Error(err));
        resolve(c);
      });
    });
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe("formatTime", () => {
  it("formats like Dask", () => {
    expect(formatTime(1.23)).toBe(" 1.2s");
    expect(formatTime(12.34)).toBe("12.3s");
    expect(formatTime(62.5)).toBe(" 1min  2.5s");
    expect(formatTime(3723.4)).toBe(" 1hr  2min  3.4s");
  });
});

describe("createProgress", () => {
  it("maps the progress option to a reporter", () => {
    expect(createProgress(true)).toBeInstanceOf(ProgressBar);
    expect(createProgress(false)).toBeUndefined();
    expect(createProgress(undefined)).toBeUndefined();
    const custom: ProgressReporter = { start() {}, update() {}, finish() {} };
    expect(createProgress(custom)).toBe(custom);
    expect(() => createProgress({ start() {} } as unknown as ProgressReporter)).toThrow(InvalidArgumentError);
  });
});
