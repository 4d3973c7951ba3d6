// Work stealing end to end: a real SchedulerServer, two in-process Workers, a Client.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SchedulerServer } from "../dist/scheduler/server.js";
import { Worker } from "../dist/worker/worker.js";
import { Client } from "../dist/client/client.js";
import type { Future } from "../dist/client/future.js";

let s: SchedulerServer;
let a: Worker;
let b: Worker | undefined;
let client: Client;

beforeAll(async () => {
  // No root-task queuing: every task is assigned as soon as it is ready, so stealing is what balances them.
  s = await SchedulerServer.start({ port: 0, workerSaturation: Infinity, stealingInterval: 100 });
  try {
    a = await Worker.start({ scheduler: s.address, nthreads: 1, name: "a" });
    client = await Client.connect(s.address, { setAsDefault: false });
  } catch (e) {
    await Promise.allSettled([a?.close(), s.close()]);
    throw e;
  }
});

afterAll(async () => {
  await Promise.allSettled([client?.close()]);
  await Promise.allSettled([a?.close(), b?.close()]);
  await s?.close();
});

// Task functions travel as source: no captured variables.
function nap(x: number, i: number): number {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  return x + i;
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("work stealing between real workers", () => {
  it("moves 100 ms tasks queued on a loaded worker to an idle one that joins", async () => {
    const N = 20;
    const serialMs = N * 100;
    // One small input held by A; every task reads it.
    const x = (await client.scatter(1000, { workers: a.address })) as Future<number>;
    const t0 = performance.now();
    const fs: Array<Future<number>> = [];
    for (let i = 0; i < N; i++) fs.push(client.submit(nap, x, i) as Future<number>);
    // A is the only worker: all N are assigned to it (decide_worker), none is stolen while B is absent.
    const aw = s.state.workers.get(a.address)!;
    const assigned = () =>
      fs.every((f) => {
        const ts = s.state.tasks.get(f.key);
        return ts !== undefined && ((ts.state === "processing" && ts.processingOn === aw) || ts.state === "memory");
      });
    await until(assigned, 5_000, "all tasks on A");
    // B joins idle; stealing (every 100 ms) hands it the tasks A has not started yet.
    b = await Worker.start({ scheduler: s.address, nthreads: 1, name: "b" });
    const results = await Promise.all(fs.map((f) => f.result()));
    const elapsed = performance.now() - t0;
    expect(results).toEqual(Array.from({ length: N }, (_, i) => 1000 + i));
    // A alone would take N x 100 ms; with B taking a share it is clearly faster.
    expect(elapsed).toBeLessThan(0.8 * serialMs);

    const who = await client.whoHas(fs);
    const onB = fs.filter((f) => who[f.key]!.includes(b!.address)).length;
    const onA = fs.filter((f) => who[f.key]!.includes(a.address)).length;
    expect(onA + onB).toBe(N);
    expect(onB).toBeGreaterThanOrEqual(5);
    // The scheduler's records agree: one "steal" event per moved task, each with a steal transition.
    const events = s.state.events().filter((e) => e.topic === "steal");
    expect(events.length).toBeGreaterThanOrEqual(3);
    for (const e of events) {
      expect(e).toMatchObject({ victim: a.address, thief: b!.address, worker: b!.address });
      expect(s.state.story(e.key as string).some((r) => r.start === "waiting" && r.finish === "processing" && r.stimulus === "steal")).toBe(true);
    }
    const moved = new Set(events.map((e) => e.key as string));
    for (const k of moved) expect(who[k]).toEqual([b!.address]);
    expect(s.state.stealing.counts.moved).toBe(moved.size);
    expect(s.state.stealing.inFlight.size).toBe(0);
    s.state.validate();
  }, 15_000);
});
