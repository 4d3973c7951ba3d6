/** What Queues and Variables store on the scheduler: a value encoded by the client, plus the future keys inside it. */
import { InvalidArgumentError } from "@dask-ts/core";
import type { Message } from "../../comm/connection.js";

/** An encoded value: `data` (core encode, futures as their keys) and the keys of the futures it contains. */
export interface Item {
  data: Uint8Array;
  keys: string[];
}

/** Reads and checks the item of a put/set message. */
export function itemOf(msg: Message, what: string): Item {
  const { data, keys } = msg;
  if (!(data instanceof Uint8Array)) throw new InvalidArgumentError(`${what}: the message carries no encoded value.`);
  if (!Array.isArray(keys) || keys.some((k) => typeof k !== "string")) throw new InvalidArgumentError(`${what}: 'keys' must be a list of strings.`);
  return { data, keys: keys as string[] };
}

/** Reads and checks the primitive name of a message. */
export function nameOf(msg: Message, what: string): string {
  if (typeof msg.name !== "string" || msg.name === "") throw new InvalidArgumentError(`${what}: the name must be a non-empty string; got ${JSON.stringify(msg.name)}.`);
  return msg.name;
}

/** Reads a timeout in ms (undefined = wait one poll window). */
export function timeoutOf(msg: Message, what: string): number | undefined {
  const t = msg.timeout;
  if (t === undefined || t === null) return undefined;
  if (typeof t !== "number" || !(t >= 0)) throw new InvalidArgumentError(`${what}: the timeout must be a number of ms >= 0; got ${String(t)}.`);
  return t;
}
