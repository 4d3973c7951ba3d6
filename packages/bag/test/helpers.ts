// Shared by the bag tests.
import { afterAll } from "vitest";
import { closeSchedulers } from "@dask-ts/core";

/** Every local scheduler: each test runs its computation on all of them. */
export const SCHEDULERS = ["sync", "threads", "processes"] as const;

/** Closes the pools this test file started. */
export function closePoolsAfterAll(): void {
  afterAll(async () => {
    await closeSchedulers();
  });
}
