/**
 * How the coordination primitives talk to the scheduler through a Client: the default client, requests,
 * long-polls split into windows, and binding future keys to the client.
 */
import { InvalidArgumentError, config } from "@dask-ts/core";
import { Client } from "../client.js";
import type { Future } from "../future.js";
import { NoClientError } from "../../scheduler/coordination/errors.js";

/**
 * One long-poll request is held by the scheduler at most this long, ms (config
 * "distributed.coordination.pollWindow", default 10 s); then the client asks again. It must stay below the
 * connection's request timeout (30 s) and the scheduler's cap (MAX_POLL_MS, 20 s).
 */
export function pollWindow(): number {
  const w = config.get<number>("distributed.coordination.pollWindow", 10_000);
  return typeof w === "number" && w > 0 ? Math.min(w, 15_000) : 10_000;
}

/** Options every primitive takes last. */
export interface CoordinationOptions {
  /** The client to use (default: the default client, config "scheduler"). */
  client?: Client;
}

/** The client a primitive uses: the given one or the default one; a typed error when there is none. */
export function resolveClient(opts: CoordinationOptions | undefined, what: string): Client {
  if (opts !== undefined && (opts === null || typeof opts !== "object")) {
    throw new InvalidArgumentError(`${what}: options must be an object like { client }; got ${String(opts)}.`);
  }
  if (opts?.client !== undefined) {
    if (!(opts.client instanceof Client)) throw new InvalidArgumentError(`${what}: 'client' must be a Client; got ${String(opts.client)}.`);
    return opts.client;
  }
  const c = config.get<unknown>("scheduler");
  if (c instanceof Client) return c;
  throw new NoClientError(`${what} needs a Client: connect one first (await Client.connect(address)) or pass { client }.`);
}

/** A name given by the user, or a fresh one like `queue-<hex>`. */
export function primitiveName(name: unknown, kind: string): string {
  if (name === undefined) return `${kind}-${crypto.randomUUID().replaceAll("-", "")}`;
  if (typeof name !== "string" || name === "") throw new InvalidArgumentError(`new ${kind[0]!.toUpperCase()}${kind.slice(1)}(name): the name must be a non-empty string; got ${JSON.stringify(name)}.`);
  return name;
}

/** Checks a user timeout in ms (undefined = wait for ever). */
export function checkTimeout(timeout: unknown, what: string): number | undefined {
  if (timeout === undefined) return undefined;
  if (typeof timeout !== "number" || Number.isNaN(timeout) || timeout < 0) {
    throw new InvalidArgumentError(`${what}: timeout must be a number of ms >= 0 (or left out to wait without limit); got ${String(timeout)}.`);
  }
  return timeout;
}

/** Sends a request to the scheduler through the client. */
export function request<T>(client: Client, op: string, args: Record<string, unknown>): Promise<T> {
  return client._request<T>(op, args);
}

/**
 * A long-poll: asks `op` with a timeout of at most one window until `isDone(reply)` or `timeout` ms passed.
 * `args(remaining)` builds each request. Resolves to the last reply.
 */
export async function poll<R>(client: Client, op: string, timeout: number | undefined, args: () => Record<string, unknown>, isDone: (r: R) => boolean): Promise<R> {
  const deadline = timeout === undefined ? Infinity : performance.now() + timeout;
  for (;;) {
    const remaining = Math.max(0, deadline - performance.now());
    const reply = await request<R>(client, op, { ...args(), timeout: Math.min(remaining, pollWindow()) });
    if (isDone(reply) || performance.now() >= deadline) return reply;
  }
}

/** Futures of `keys` bound to `client` (keys the scheduler already made it desire). */
export function bindKeys(client: Client, keys: readonly string[]): Map<string, Future> {
  return client._bindFutures(keys);
}
