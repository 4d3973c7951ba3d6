/**
 * Scheduler side of Queue (Dask's QueueExtension): named FIFO queues of encoded values, with an optional maxsize.
 * Futures inside queued values stay alive under the pseudo-client "~queue-<name>"; a get hands their keys to the
 * getting client in the same step, so a key is never unheld in between.
 */
import { InvalidArgumentError } from "@dask-ts/core";
import type { Message } from "../../comm/connection.js";
import type { SchedulerServer } from "../server.js";
import type { SchedulerExtension } from "../extensions.js";
import { KeyHolder } from "./key-holder.js";
import { itemOf, nameOf, timeoutOf, type Item } from "./item.js";
import { WaitList } from "./wait-list.js";

/** Reply of queue-put: done = the item is in the queue. */
export interface QueuePutReply {
  done: boolean;
}

/** Reply of queue-get: the items taken (all `want` of them when done; fewer when the poll window ended first). */
export interface QueueGetReply {
  done: boolean;
  items: Item[];
}

interface Getter {
  want: number;
  taken: Item[];
}

interface QueueState {
  maxsize: number;
  items: Item[];
  getters: WaitList<QueueGetReply, Getter>;
  putters: WaitList<QueuePutReply, { item: Item }>;
  holder: KeyHolder;
}

/** The queue extension. */
export class QueueExtension implements SchedulerExtension {
  private readonly queues = new Map<string, QueueState>();
  readonly handlers: SchedulerExtension["handlers"] = {
    "queue-put": (client, msg) => this.put(client, msg),
    "queue-get": (client, msg) => this.get(client, msg),
    "queue-qsize": (_client, msg) => this.queue(nameOf(msg, "Queue.qsize"), msg.maxsize).items.length,
  };

  constructor(private readonly server: SchedulerServer) {}

  private queue(name: string, maxsize: unknown): QueueState {
    let q = this.queues.get(name);
    if (!q) {
      const m = maxsize ?? 0;
      if (typeof m !== "number" || !Number.isInteger(m) || m < 0) throw new InvalidArgumentError(`Queue '${name}': maxsize must be an integer >= 0 (0 = unbounded); got ${String(m)}.`);
      q = { maxsize: m, items: [], getters: new WaitList(), putters: new WaitList(), holder: new KeyHolder(this.server.state, `~queue-${name}`) };
      this.queues.set(name, q);
    }
    return q;
  }

  private put(client: string, msg: Message): QueuePutReply | Promise<QueuePutReply> {
    const name = nameOf(msg, "Queue.put");
    const item = itemOf(msg, `Queue '${name}'.put`);
    const timeout = timeoutOf(msg, `Queue '${name}'.put`);
    const q = this.queue(name, msg.maxsize);
    KeyHolder.check(this.server.state, item.keys, `Queue '${name}'.put`);
    // Held from now on: the producer may release its own future right after this request.
    q.holder.hold(item.keys);
    if (q.putters.size === 0 && !this.full(q)) {
      q.items.push(item);
      this.pump(q);
      return { done: true };
    }
    return q.putters.add(client, { item }, timeout, (w) => {
      q.holder.release(w.item.keys);
      return { done: false };
    });
  }

  private get(client: string, msg: Message): QueueGetReply | Promise<QueueGetReply> {
    const name = nameOf(msg, "Queue.get");
    const timeout = timeoutOf(msg, `Queue '${name}'.get`);
    const q = this.queue(name, msg.maxsize);
    const batch = msg.batch ?? false;
    if (batch === true) {
      // Everything there now, without waiting (Dask's batch=True).
      const items = q.items.splice(0);
      this.handOver(q, client, items);
      this.pump(q);
      return { done: true, items };
    }
    const want = batch === false ? 1 : batch;
    if (typeof want !== "number" || !Number.isInteger(want) || want < 1) {
      throw new InvalidArgumentError(`Queue '${name}'.get: batch must be true, false or an integer >= 1; got ${String(batch)}.`);
    }
    const p = q.getters.add(client, { want, taken: [] }, timeout, (w) => {
      this.handOver(q, client, w.taken);
      return { done: false, items: w.taken };
    });
    this.pump(q);
    return p;
  }

  private full(q: QueueState): boolean {
    return q.maxsize > 0 && q.items.length >= q.maxsize;
  }

  /** Moves items to waiting getters and waiting puts into the queue, until neither can move. */
  private pump(q: QueueState): void {
    for (let moved = true; moved; ) {
      moved = false;
      for (const g of q.getters.list()) {
        while (g.taken.length < g.want && q.items.length > 0) {
          g.taken.push(q.items.shift()!);
          moved = true;
        }
        if (g.taken.length === g.want) {
          this.handOver(q, g.client, g.taken);
          g.settle({ done: true, items: g.taken });
        }
      }
      for (const p of q.putters.list()) {
        if (this.full(q)) break;
        q.items.push(p.item);
        p.settle({ done: true });
        moved = true;
      }
    }
    this.server.touch();
  }

  /** The getter's client desires the keys of its items, then the queue lets go of them. */
  private handOver(q: QueueState, client: string, items: Item[]): void {
    const keys = items.flatMap((i) => i.keys);
    if (keys.length === 0) return;
    this.server.state.clientDesiresKeys(client, [...new Set(keys)]);
    q.holder.release(keys);
    this.server.touch();
  }

  /** A client went away: its waits end; items a batch get had taken go back to the front of the queue. */
  clientRemoved(client: string): void {
    for (const q of this.queues.values()) {
      const back: Item[] = [];
      q.getters.dropClient(client, (w) => {
        back.push(...w.taken);
        return { done: false, items: [] };
      });
      q.items.unshift(...back);
      q.putters.dropClient(client, (w) => {
        q.holder.release(w.item.keys);
        return { done: false };
      });
      this.pump(q);
    }
  }

  /** The scheduler closes: every wait ends. */
  close(): void {
    for (const q of this.queues.values()) {
      q.getters.settleAll(() => ({ done: false, items: [] }));
      q.putters.settleAll(() => ({ done: false }));
    }
  }
}
