/** Queue (Dask's distributed.Queue): a multi-producer, multi-consumer FIFO of futures and small data, on the scheduler. */
import { InvalidArgumentError } from "@dask-ts/core";
import type { Client } from "../client.js";
import type { Item } from "../../scheduler/coordination/item.js";
import type { QueueGetReply, QueuePutReply } from "../../scheduler/coordination/queue-extension.js";
import { CoordinationTimeoutError } from "../../scheduler/coordination/errors.js";
import { checkTimeout, pollWindow, poll, primitiveName, request, resolveClient, type CoordinationOptions } from "./client-link.js";
import { decodeValue, encodeValue } from "./value-codec.js";

/** Options of new Queue. */
export interface QueueOptions extends CoordinationOptions {
  /** Most items the queue holds; put waits while it is full (default 0 = unbounded). Fixed by whoever uses the name first. */
  maxsize?: number;
}

/**
 * A named queue shared by every client of the scheduler. Values are Futures (their keys stay alive while queued;
 * get returns Futures of the getting client), plain data (encoded; keep it small, scatter big data and queue the
 * future), or structures holding futures.
 */
export class Queue<T = unknown> {
  readonly name: string;
  readonly client: Client;
  readonly maxsize: number;

  constructor(name?: string, opts?: QueueOptions) {
    this.name = primitiveName(name, "queue");
    this.client = resolveClient(opts, "Queue");
    const m = opts?.maxsize ?? 0;
    if (typeof m !== "number" || !Number.isInteger(m) || m < 0) throw new InvalidArgumentError(`new Queue: maxsize must be an integer >= 0 (0 = unbounded); got ${String(m)}.`);
    this.maxsize = m;
  }

  /** Appends a value; waits while the queue is full, at most `timeout` ms (then CoordinationTimeoutError). */
  async put(value: T, opts: { timeout?: number } = {}): Promise<void> {
    const timeout = checkTimeout(opts.timeout, `Queue '${this.name}'.put`);
    const item = encodeValue(`Queue '${this.name}'`, value);
    // The item (and the hold on its keys) is sent once; a timed-out window withdraws it on the scheduler, so
    // the next window sends it again.
    const reply = await poll<QueuePutReply>(this.client, "queue-put", timeout, () => ({ name: this.name, maxsize: this.maxsize, ...item }), (r) => r.done);
    if (!reply.done) throw new CoordinationTimeoutError(`Queue '${this.name}' stayed full (maxsize ${this.maxsize}) for ${timeout} ms; the value was not put.`);
  }

  /** Takes the oldest value; waits at most `timeout` ms for one (then CoordinationTimeoutError). */
  get(opts?: { timeout?: number; batch?: false }): Promise<T>;
  /** batch true: every value queued now (maybe none), without waiting; batch n: waits for n values (no timeout, as Dask). */
  get(opts: { timeout?: number; batch: true | number }): Promise<T[]>;
  async get(opts: { timeout?: number; batch?: boolean | number } = {}): Promise<T | T[]> {
    const what = `Queue '${this.name}'.get`;
    const timeout = checkTimeout(opts.timeout, what);
    const batch = opts.batch ?? false;
    if (batch === true) {
      const r = await request<QueueGetReply>(this.client, "queue-get", { name: this.name, maxsize: this.maxsize, batch: true });
      return this.decode(r.items);
    }
    if (batch === false) {
      const r = await poll<QueueGetReply>(this.client, "queue-get", timeout, () => ({ name: this.name, maxsize: this.maxsize }), (x) => x.done);
      if (!r.done) throw new CoordinationTimeoutError(`${what}: the queue stayed empty for ${timeout} ms.`);
      return this.decode(r.items)[0]!;
    }
    if (typeof batch !== "number" || !Number.isInteger(batch) || batch < 1) {
      throw new InvalidArgumentError(`${what}: batch must be true, false or an integer >= 1; got ${String(batch)}.`);
    }
    if (timeout !== undefined) throw new InvalidArgumentError(`${what}: an integer batch cannot be combined with a timeout (as in Dask).`);
    // Items taken in one window are kept; the next window asks for the rest.
    const out: T[] = [];
    while (out.length < batch) {
      const r = await request<QueueGetReply>(this.client, "queue-get", { name: this.name, maxsize: this.maxsize, batch: batch - out.length, timeout: pollWindow() });
      out.push(...this.decode(r.items));
    }
    return out;
  }

  /** The number of values in the queue now. */
  qsize(): Promise<number> {
    return request<number>(this.client, "queue-qsize", { name: this.name, maxsize: this.maxsize });
  }

  private decode(items: Item[]): T[] {
    return items.map((i) => decodeValue(this.client, i) as T);
  }

  toString(): string {
    return `<Queue: ${this.name}>`;
  }
}
