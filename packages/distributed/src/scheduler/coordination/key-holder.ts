/** Keeps keys alive on behalf of a primitive, as a pseudo-client of the scheduler state, counting holds per key. */
import { InvalidArgumentError } from "@dask-ts/core";
import type { SchedulerState } from "../state.js";

/** Holds keys under one pseudo-client id (e.g. "~queue-jobs"); a key is released when its count drops to zero. */
export class KeyHolder {
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly state: SchedulerState,
    /** The pseudo-client id; starts with "~" so no real client can take it. */
    readonly id: string,
  ) {}

  /** Checks that the scheduler knows every key (before anything is held). */
  static check(state: SchedulerState, keys: readonly string[], what: string): void {
    const unknown = keys.filter((k) => !state.tasks.has(k));
    if (unknown.length) {
      throw new InvalidArgumentError(
        `${what}: the scheduler knows no key ${unknown.map((k) => `'${k}'`).join(", ")} (its futures were released or never submitted).`,
      );
    }
  }

  /** Holds the keys once more each. */
  hold(keys: readonly string[]): void {
    if (keys.length === 0) return;
    const fresh: string[] = [];
    for (const k of keys) {
      const n = this.counts.get(k) ?? 0;
      if (n === 0) fresh.push(k);
      this.counts.set(k, n + 1);
    }
    if (fresh.length) this.state.clientDesiresKeys(this.id, fresh);
  }

  /** Drops one hold of each key; keys nobody else wants are released by the scheduler. */
  release(keys: readonly string[]): void {
    if (keys.length === 0) return;
    const gone: string[] = [];
    for (const k of keys) {
      const n = this.counts.get(k) ?? 0;
      if (n <= 1) {
        if (n === 1) gone.push(k);
        this.counts.delete(k);
      } else this.counts.set(k, n - 1);
    }
    if (gone.length) this.state.clientReleasesKeys(this.id, gone);
  }

  /** Drops every hold and the pseudo-client itself. */
  releaseAll(): void {
    this.counts.clear();
    this.state.removeClient(this.id);
  }

  /** Keys held now (for tests and diagnostics). */
  keys(): string[] {
    return [...this.counts.keys()];
  }
}
