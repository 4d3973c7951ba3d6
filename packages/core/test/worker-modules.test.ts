// Modules registered after a pool started reach its workers with their next batch.
import { afterAll, describe, expect, it } from "vitest";
import { closeSchedulers, delayed, kernel, registerWorkerModule } from "@dask-ts/core";

afterAll(() => closeSchedulers());

const slow = new URL("./fixtures/slow-module.mjs", import.meta.url).href;

describe("worker modules registered late", () => {
  for (const scheduler of ["threads", "processes"] as const) {
    it(`tasks wait for a module that arrives while the worker awaits an async task (${scheduler})`, async () => {
      const opts = { scheduler, numWorkers: 1 };
      const wait = delayed(async (ms: number) => {
        await new Promise((r) => setTimeout(r, ms));
        return ms;
      });
      expect(await wait(1).compute(opts)).toBe(1); // the pool is up
      // The worker is inside an async task when the next run's batch brings a module that imports slowly.
      const first = wait(150).compute(opts);
      await new Promise((r) => setTimeout(r, 30));
      registerWorkerModule(slow);
      const late = delayed(kernel("test.lateKernel"))(4).compute(opts);
      expect(await first).toBe(150);
      expect(await late).toBe(40);
    });
  }
});
