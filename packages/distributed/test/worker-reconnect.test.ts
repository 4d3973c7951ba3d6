// A nanny whose worker lost its scheduler keeps starting fresh workers until the scheduler is back.
import { describe, expect, it } from "vitest";
import { SchedulerServer } from "../dist/scheduler/server.js";
import { Nanny } from "../dist/worker/nanny.js";
import { Client } from "../dist/client/client.js";
import { parseAddress } from "../dist/comm/address.js";
import { sleep, until } from "./helpers/test-cluster.js";

describe("nanny reconnect", () => {
  it("re-registers with a scheduler that comes back on the same address, and runs tasks again", async () => {
    let s = await SchedulerServer.start({ port: 0 });
    const { port } = parseAddress(s.address);
    const nanny = await Nanny.start({ scheduler: s.address, timeout: 500, reconnectInterval: 100 });
    try {
      const firstPid = nanny.pid;
      await s.close();
      await sleep(1500); // a few failed attempts while nothing listens
      s = await SchedulerServer.start({ port });
      await until(() => s.workerAddresses().length === 1, 15_000, "the worker to re-register");
      expect(nanny.restarts).toBeGreaterThanOrEqual(1);
      expect(nanny.pid).not.toBe(firstPid);
      const client = await Client.connect(s.address, { setAsDefault: false });
      try {
        expect(await client.submit((x: number) => x * 3, 14).result({ timeout: 10_000 })).toBe(42);
      } finally {
        await client.close();
      }
    } finally {
      await nanny.close();
      await s.close();
    }
  });

  it("with reconnect: false the nanny gives up when the scheduler is gone", async () => {
    const s = await SchedulerServer.start({ port: 0 });
    const nanny = await Nanny.start({ scheduler: s.address, timeout: 300, reconnect: false });
    try {
      await s.close();
      let finished = false;
      void nanny.finished.then(() => (finished = true));
      await until(() => finished, 15_000, "the nanny to finish");
    } finally {
      await nanny.close();
    }
  });

  it("close() during the retries stops them", async () => {
    const s = await SchedulerServer.start({ port: 0 });
    const nanny = await Nanny.start({ scheduler: s.address, timeout: 300, reconnectInterval: 100 });
    await s.close();
    await sleep(800);
    await nanny.close();
    await nanny.finished; // resolves: no retry is left pending
    const alive = (pid: number | undefined): boolean => {
      if (pid === undefined) return false;
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const pid = nanny.pid;
    await sleep(400); // a retry timer left behind would start a new process by now
    expect(nanny.pid).toBe(pid);
    await until(() => !alive(pid), 5000, "the last worker process to end");
  });
});
