/**
 * Long-poll waiters: a request whose reply is held back until a condition holds or its timeout passes.
 * The client re-polls after a timed-out window, so no reply is held longer than the connection's request timeout.
 */

/** Longest a scheduler holds one long-poll reply, ms (well below the 30 s default request timeout). */
export const MAX_POLL_MS = 20_000;

/** One held-back request. */
export interface Waiter<R> {
  /** The client that waits (its waiters go when it disconnects). */
  readonly client: string;
  /** Replies now (the waiter leaves the list). */
  settle(value: R): void;
}

interface Entry<R> extends Waiter<R> {
  timer: NodeJS.Timeout | undefined;
}

/** A FIFO of waiters, each with a timeout that replies `onTimeout()`. */
export class WaitList<R, X = object> {
  private readonly entries: (Entry<R> & X)[] = [];

  /** Number of waiters. */
  get size(): number {
    return this.entries.length;
  }

  /** The waiters, oldest first (a copy: settling while iterating is fine). */
  list(): (Waiter<R> & X)[] {
    return [...this.entries];
  }

  /**
   * Adds a waiter and returns the promise of its reply. `timeoutMs` is capped at MAX_POLL_MS; at the end
   * `onTimeout(waiter)` makes the reply.
   */
  add(client: string, extra: X, timeoutMs: number | undefined, onTimeout: (w: Waiter<R> & X) => R): Promise<R> {
    return new Promise<R>((resolve) => {
      const entry = { ...extra, client, timer: undefined } as Entry<R> & X;
      entry.settle = (value: R) => {
        this.remove(entry);
        resolve(value);
      };
      const ms = Math.min(timeoutMs ?? MAX_POLL_MS, MAX_POLL_MS);
      // Out of the list before onTimeout runs, so it sees the waiters that are left.
      entry.timer = setTimeout(() => {
        this.remove(entry);
        resolve(onTimeout(entry));
      }, Math.max(0, ms));
      entry.timer.unref();
      this.entries.push(entry);
    });
  }

  /** Removes every waiter of a client and settles it with `value(waiter)` (computed once it is out of the list). */
  dropClient(client: string, value: (w: Waiter<R> & X) => R): void {
    for (const e of this.entries.filter((x) => x.client === client)) {
      this.remove(e);
      e.settle(value(e));
    }
  }

  /** Settles every waiter (a set Event, a closing scheduler). */
  settleAll(value: (w: Waiter<R> & X) => R): void {
    for (const e of [...this.entries]) {
      this.remove(e);
      e.settle(value(e));
    }
  }

  private remove(entry: Entry<R>): void {
    const i = this.entries.indexOf(entry as Entry<R> & X);
    if (i >= 0) this.entries.splice(i, 1);
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = undefined;
  }
}
