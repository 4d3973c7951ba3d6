/** asCompleted: iterate futures in the order they finish (Dask's as_completed). */
import type { Future } from "./future.js";

/** An async iterable of futures, yielded as each one finishes (finished, erred, cancelled or lost); more can be added. */
export class AsCompleted<T = unknown> implements AsyncIterable<Future<T>> {
  private readonly ready: Future<T>[] = [];
  private pending = 0;
  private wake: (() => void) | undefined;

  constructor(futures: Iterable<Future<T>> = []) {
    for (const f of futures) this.add(f);
  }

  /** Adds a future to wait for (also while iterating). */
  add(future: Future<T>): void {
    this.pending++;
    void future._whenDone().then(() => {
      this.pending--;
      this.ready.push(future);
      this.notify();
    });
  }

  /** Adds several futures. */
  update(futures: Iterable<Future<T>>): void {
    for (const f of futures) this.add(f);
  }

  /** Futures not yet yielded (waiting plus ready). */
  count(): number {
    return this.pending + this.ready.length;
  }

  /** True when nothing is left to yield. */
  isEmpty(): boolean {
    return this.count() === 0;
  }

  /** The next finished future, or done when none is waiting or ready. */
  async next(): Promise<IteratorResult<Future<T>, undefined>> {
    for (;;) {
      const f = this.ready.shift();
      if (f) return { value: f, done: false };
      if (this.pending === 0) return { value: undefined, done: true };
      await new Promise<void>((r) => (this.wake = r));
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<Future<T>, undefined> {
    return { next: () => this.next() };
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}

/** `for await (const f of asCompleted(futures))`: futures in the order they finish; `.add(f)` adds more. */
export function asCompleted<T>(futures: Iterable<Future<T>> = []): AsCompleted<T> {
  return new AsCompleted<T>(futures);
}
