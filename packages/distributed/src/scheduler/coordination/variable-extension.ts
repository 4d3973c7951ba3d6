/**
 * Scheduler side of Variable (Dask's VariableExtension): named single values. Futures inside the value stay alive
 * under the pseudo-client "~variable-<name>" while it is set; a get makes the getting client desire them before
 * the reply leaves, so a later set cannot drop them under a getter's feet.
 */
import type { Message } from "../../comm/connection.js";
import type { SchedulerServer } from "../server.js";
import type { SchedulerExtension } from "../extensions.js";
import { KeyHolder } from "./key-holder.js";
import { itemOf, nameOf, timeoutOf, type Item } from "./item.js";
import { WaitList } from "./wait-list.js";

/** Reply of variable-get: the value when it is set (done), else done false at the end of the poll window. */
export interface VariableGetReply {
  done: boolean;
  item?: Item;
}

interface VariableState {
  item: Item | undefined;
  waiters: WaitList<VariableGetReply>;
  holder: KeyHolder;
}

/** The variable extension. */
export class VariableExtension implements SchedulerExtension {
  private readonly vars = new Map<string, VariableState>();
  readonly handlers: SchedulerExtension["handlers"] = {
    "variable-set": (_client, msg) => this.set(msg),
    "variable-get": (client, msg) => this.get(client, msg),
    "variable-delete": (_client, msg) => this.delete(msg),
  };

  constructor(private readonly server: SchedulerServer) {}

  private variable(name: string): VariableState {
    let v = this.vars.get(name);
    if (!v) this.vars.set(name, (v = { item: undefined, waiters: new WaitList(), holder: new KeyHolder(this.server.state, `~variable-${name}`) }));
    return v;
  }

  private set(msg: Message): void {
    const name = nameOf(msg, "Variable.set");
    const item = itemOf(msg, `Variable '${name}'.set`);
    KeyHolder.check(this.server.state, item.keys, `Variable '${name}'.set`);
    const v = this.variable(name);
    // New keys first, then the old ones go: a key in both values is never unheld.
    v.holder.hold(item.keys);
    if (v.item) v.holder.release(v.item.keys);
    v.item = item;
    for (const w of v.waiters.list()) {
      this.handOver(w.client, item);
      w.settle({ done: true, item });
    }
    this.server.touch();
  }

  private get(client: string, msg: Message): VariableGetReply | Promise<VariableGetReply> {
    const name = nameOf(msg, "Variable.get");
    const timeout = timeoutOf(msg, `Variable '${name}'.get`);
    const v = this.variable(name);
    if (v.item) {
      this.handOver(client, v.item);
      return { done: true, item: v.item };
    }
    return v.waiters.add(client, {}, timeout, () => ({ done: false }));
  }

  private handOver(client: string, item: Item): void {
    if (item.keys.length === 0) return;
    this.server.state.clientDesiresKeys(client, [...new Set(item.keys)]);
    this.server.touch();
  }

  private delete(msg: Message): void {
    const name = nameOf(msg, "Variable.delete");
    const v = this.vars.get(name);
    if (!v) return;
    v.holder.releaseAll();
    v.item = undefined;
    // Waiters keep waiting for a later set; an empty variable with nobody waiting is forgotten.
    if (v.waiters.size === 0) this.vars.delete(name);
    this.server.touch();
  }

  /** A client went away: its waits end. */
  clientRemoved(client: string): void {
    for (const [name, v] of this.vars) {
      v.waiters.dropClient(client, () => ({ done: false }));
      if (!v.item && v.waiters.size === 0) this.vars.delete(name);
    }
  }

  /** The scheduler closes: every wait ends. */
  close(): void {
    for (const v of this.vars.values()) v.waiters.settleAll(() => ({ done: false }));
  }
}
