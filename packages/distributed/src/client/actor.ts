/**
 * Actors (Dask's actors): `client.submit(Counter, ...args, { actor: true })` makes one instance of a class on a
 * worker, where it keeps its state; the handle's methods run there, one after another, and resolve to what
 * they return. A member that is not a method is read by calling it with no arguments: `await counter.n()`.
 */
import { TaskError } from "@dask-ts/core";
import type { ConnectionPool } from "../comm/pool.js";
import { ActorLostError, CommClosedError, ConnectTimeoutError } from "../errors.js";
import type { WhoHas } from "../protocol.js";
import type { Future } from "./future.js";

/** The remote side of an instance of T: every member becomes an async call. */
export type Actor<T> = {
  readonly [K in keyof T as K extends string ? (K extends `_${string}` ? never : K) : never]: T[K] extends (...args: infer A) => infer R
    ? (...args: A) => Promise<Awaited<R>>
    : () => Promise<T[K]>;
} & ActorHandle;

/** What every actor handle has besides the remote members (underscored, as in Dask, so they cannot clash). */
export interface ActorHandle {
  /** The actor's key on the cluster. */
  readonly _key: string;
  /** The future of the actor's creation (finished once the instance exists). */
  readonly _future: Future<unknown>;
  /** The address of the worker that holds it, once known. */
  _worker(): Promise<string>;
  /** Lets the cluster drop the instance (also happens when the handle is garbage collected). */
  _release(): void;
}

/** What an actor handle needs from its client. */
export interface ActorLink {
  whoHas(keys: string[]): Promise<WhoHas>;
  pool: ConnectionPool;
}

const isConnectionError = (e: unknown): boolean => e instanceof CommClosedError || e instanceof ConnectTimeoutError;

/** The handle of the actor whose creation is `future`. */
export function actorHandle<T>(future: Future<unknown>, link: ActorLink): Actor<T> {
  const key = future.key;
  let address: Promise<string> | undefined;
  const locate = async (): Promise<string> => {
    await future._whenDone();
    if (future.status !== "finished") await future.result(); // rejects with why it was not made
    const who = await link.whoHas([key]);
    const holder = who[key]?.[0];
    if (holder === undefined) throw new ActorLostError(`Actor '${key}' is on no worker: it was lost with its worker or released. Submit a new actor.`);
    return holder;
  };
  const worker = (): Promise<string> => {
    address ??= locate().catch((e: unknown) => {
      address = undefined;
      throw e;
    });
    return address;
  };
  const call = async (member: string, args: unknown[]): Promise<unknown> => {
    const at = await worker();
    try {
      // No timeout: a method may run as long as it likes; a lost worker fails the call through its connection.
      return await link.pool.request(at, { op: "actor-call", key, member, args }, 0);
    } catch (e) {
      if (e instanceof ActorLostError) throw e;
      if (isConnectionError(e)) {
        throw new ActorLostError(`The worker ${at} that held actor '${key}' is gone, and the actor's state with it. Submit a new actor.`, { cause: e });
      }
      throw e instanceof TaskError ? e : new TaskError(`${key}.${member}`, e);
    }
  };
  const meta: ActorHandle = {
    _key: key,
    _future: future,
    _worker: worker,
    _release: () => future.release(),
  };
  const methods = new Map<string, (...args: unknown[]) => Promise<unknown>>();
  return new Proxy(meta, {
    get(target, prop) {
      if (typeof prop !== "string") return undefined;
      if (prop in target) return target[prop as keyof ActorHandle];
      // Not a thenable (await handle gives the handle), and not a JSON or inspect target.
      if (prop === "then" || prop === "toJSON" || prop === "constructor") return undefined;
      if (prop === "toString") return () => `<Actor: ${key}>`;
      let m = methods.get(prop);
      if (m === undefined) methods.set(prop, (m = (...args: unknown[]) => call(prop, args)));
      return m;
    },
  }) as Actor<T>;
}
