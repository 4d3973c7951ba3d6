// A simulated cluster around a pure SchedulerState for property tests: random DAGs, the common stimuli
// (finishes, errors, deaths, new workers, pauses, lost replicas, releases) and the final settle-and-check.
import { expect } from "vitest";
import fc from "fast-check";
import { SchedulerState, type Outgoing, type SchedulerStateOptions } from "../../dist/scheduler/state.js";
import type { TaskSpec } from "../../dist/protocol.js";

const RUN = new Uint8Array([1]);

/** Stimuli every simulation knows. */
export type CommonAction =
  | { kind: "finish"; pick: number }
  | { kind: "err"; pick: number }
  | { kind: "kill"; pick: number }
  | { kind: "add" }
  | { kind: "pause"; pick: number }
  | { kind: "lose"; pick: number }
  | { kind: "release"; pick: number }
  | { kind: "secede"; pick: number };

/** Arbitraries of the common actions, by kind (weights are the caller's). */
export const commonArbs = {
  finish: fc.record({ kind: fc.constant("finish" as const), pick: fc.nat() }),
  err: fc.record({ kind: fc.constant("err" as const), pick: fc.nat() }),
  kill: fc.record({ kind: fc.constant("kill" as const), pick: fc.nat() }),
  add: fc.record({ kind: fc.constant("add" as const) }),
  pause: fc.record({ kind: fc.constant("pause" as const), pick: fc.nat() }),
  lose: fc.record({ kind: fc.constant("lose" as const), pick: fc.nat() }),
  release: fc.record({ kind: fc.constant("release" as const), pick: fc.nat() }),
  secede: fc.record({ kind: fc.constant("secede" as const), pick: fc.nat() }),
};

/** A random DAG of up to `maxTasks` tasks (task i depends on up to `maxDeps` tasks < i), wanted keys, retries. */
export function dagArb(maxTasks: number, maxDeps: number, maxRetries: number): fc.Arbitrary<[number[][], number[], number[]]> {
  return fc.integer({ min: 1, max: maxTasks }).chain((n) =>
    fc.tuple(
      fc.tuple(...Array.from({ length: n }, (_, i) => fc.subarray(Array.from({ length: i }, (_, j) => j), { maxLength: Math.min(maxDeps, i) }))),
      fc.subarray(Array.from({ length: n }, (_, i) => i), { minLength: 1 }),
      fc.array(fc.nat({ max: maxRetries }), { minLength: n, maxLength: n }),
    ),
  );
}

/** The item at `i` modulo the length, or undefined for an empty list. */
export function pickOf<T>(xs: T[], i: number): T | undefined {
  return xs.length === 0 ? undefined : xs[i % xs.length];
}

/** A SchedulerState with simulated workers and one client "c"; every step validates and drains. */
export class StateSim {
  readonly s: SchedulerState;
  wanted: string[] = [];
  private nextWorker = 0;

  constructor(opts: SchedulerStateOptions, private readonly onDrain: (out: Outgoing[]) => void = () => undefined) {
    this.s = new SchedulerState({ now: () => 0, ...opts });
  }

  /** Runs a stimulus, checks the invariants, hands the outbox to onDrain. */
  step(f: () => void): void {
    f();
    this.s.validate();
    this.onDrain(this.s.drain());
  }

  addWorker(): void {
    const n = this.nextWorker++;
    this.s.addWorker({ address: `w${n}`, name: "", nthreads: 1 + ((n + 1) % 2), memoryLimit: 0, resources: {}, pid: 0 });
  }

  /** Submits the DAG with keys spread over `groups` key names. */
  submit([deps, wantedIdx, retries]: [number[][], number[], number[]], groups: number): void {
    const key = (i: number): string => JSON.stringify([`t${i % groups}`, i]);
    const specs: TaskSpec[] = deps.map((d, i) => ({ key: key(i), run: RUN, deps: d.map(key), order: i, retries: retries[i]! }));
    this.wanted = wantedIdx.map(key);
    this.step(() => this.s.updateGraph("c", specs, this.wanted, []));
  }

  processing() {
    return [...this.s.tasks.values()].filter((t) => t.state === "processing");
  }

  /** Applies a common action (inside the caller's step); `duration` is the reported run time in seconds. */
  apply(a: CommonAction, duration: number, nbytesMod: number): void {
    const s = this.s;
    const workers = [...s.workers.keys()];
    switch (a.kind) {
      case "finish": {
        const ts = pickOf(this.processing(), a.pick);
        if (ts) s.taskFinished(ts.processingOn!.address, ts.key, a.pick % nbytesMod, "n", 0, duration);
        break;
      }
      case "err": {
        const ts = pickOf(this.processing(), a.pick);
        if (ts) s.taskErred(ts.processingOn!.address, ts.key, new Error("boom"), 0, duration);
        break;
      }
      case "kill": {
        const w = pickOf(workers, a.pick);
        if (w) s.removeWorker(w, "died");
        break;
      }
      case "add":
        this.addWorker();
        break;
      case "pause": {
        const w = pickOf(workers, a.pick);
        if (w) s.setWorkerPaused(w, !s.workers.get(w)!.paused);
        break;
      }
      case "lose": {
        const ts = pickOf([...s.tasks.values()].filter((t) => t.state === "memory"), a.pick);
        const w = ts && [...ts.whoHas][0]!.address;
        if (ts && w) s.releaseWorkerData(w, [ts.key]);
        break;
      }
      case "secede": {
        const ts = pickOf(this.processing(), a.pick);
        if (ts) s.longRunning(ts.processingOn!.address, ts.key, duration / 2);
        break;
      }
      case "release": {
        const k = pickOf(this.wanted, a.pick);
        if (k !== undefined && this.wanted.length > 1) {
          s.clientReleasesKeys("c", [k]);
          this.wanted = this.wanted.filter((x) => x !== k);
        }
        break;
      }
    }
  }

  /**
   * One healthy unpaused worker, every processing task finished: each wanted key ends in memory or erred,
   * and after releasing them the state is empty.
   */
  settleAndCheck(duration: number): void {
    const s = this.s;
    this.step(() => this.addWorker());
    for (const ws of s.workers.values()) if (ws.paused) this.step(() => s.setWorkerPaused(ws.address, false));
    for (let guard = 0; guard < 1000; guard++) {
      const ts = this.processing()[0];
      if (!ts) break;
      this.step(() => s.taskFinished(ts.processingOn!.address, ts.key, 1, "n", 0, duration));
    }
    for (const k of this.wanted) {
      const st = s.tasks.get(k)?.state;
      expect(st === "memory" || st === "erred", `${k} ended ${st}`).toBe(true);
    }
    this.step(() => s.clientReleasesKeys("c", this.wanted));
    expect([...s.tasks.keys()]).toEqual([]);
    for (const ws of s.workers.values()) {
      expect(ws.hasWhat.size).toBe(0);
      expect(ws.processing.size).toBe(0);
    }
  }
}
