/**
 * Tasks that submit tasks (Dask's get_client / secede / rejoin / worker_client). Inside a task on a cluster
 * worker, getClient() connects (once per worker thread) to the scheduler the worker serves; secede() tells
 * the worker and the scheduler that the task only waits from now on, so its slot goes to other tasks
 * (e.g. the ones it submitted); rejoin() takes a slot again.
 */
import { config, InvalidArgumentError } from "@dask-ts/core";
import { currentTask } from "@dask-ts/core/worker/task-context";
import { Client } from "./client.js";

/** Set by the worker in the environment of its threads. */
const SCHEDULER_ENV = "DASK_TS_SCHEDULER_ADDRESS";

let threadClient: Promise<Client> | undefined;

/**
 * The Client of the cluster this task runs on: inside a task on a worker, a client of that worker's thread
 * (connected on first use, then shared by the thread's tasks, and the default scheduler of compute() there);
 * elsewhere the connected default client. Throws InvalidArgumentError when there is none.
 */
export async function getClient(): Promise<Client> {
  const address = process.env[SCHEDULER_ENV];
  if (address) {
    threadClient ??= Client.connect(address, { name: "worker-task-client" });
    let client: Client;
    try {
      client = await threadClient;
    } catch (e) {
      threadClient = undefined;
      throw e;
    }
    if (client.status === "running") return client;
    threadClient = undefined; // the scheduler went away and came back: connect anew
    return getClient();
  }
  const s = config.get<unknown>("scheduler");
  if (s instanceof Client && s.status === "running") return s;
  throw new InvalidArgumentError(
    "getClient(): no client here. Call it inside a task running on a dask-ts cluster worker, or connect one first with Client.connect(address).",
  );
}

function taskContext(what: string): NonNullable<ReturnType<typeof currentTask>> {
  const ctx = currentTask();
  if (ctx === undefined) {
    throw new InvalidArgumentError(`${what}() must be called inside a task running on a dask-ts cluster worker (submitted with client.submit or map).`);
  }
  return ctx;
}

/**
 * Leaves the worker's execution slots: the task goes on running but no longer counts against the worker's
 * threads, so tasks it waits for can run there. Call before waiting on futures; rejoin() after.
 */
export function secede(): void {
  taskContext("secede").emit("secede");
}

/** Takes an execution slot again after secede() (the worker starts no new task until one is free). */
export function rejoin(): void {
  taskContext("rejoin").emit("rejoin");
}

/**
 * Dask's worker_client: runs `fn` with the cluster's client while the task is seceded, and rejoins after,
 * also when `fn` throws.
 */
export async function withWorkerClient<T>(fn: (client: Client) => T | Promise<T>): Promise<T> {
  const client = await getClient();
  secede();
  try {
    return await fn(client);
  } finally {
    rejoin();
  }
}
