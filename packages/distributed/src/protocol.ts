/**
 * The messages of the distributed protocol: client <-> scheduler, scheduler <-> worker, worker <-> worker.
 *
 * Every message is a plain object with an `op`. Task nodes travel as opaque bytes (`run`, made by core's
 * `encode`): the scheduler never decodes them, only the worker that runs the task does. Results travel only
 * between workers and from workers to clients (`get-data`); the scheduler tracks who has what.
 */

/** A key's dependency locations: key -> worker addresses that hold it. */
export type WhoHas = Record<string, string[]>;

/** One task of an update-graph. */
export interface TaskSpec {
  key: string;
  /** The encoded task node (core `encode`); absent when the key names data that already exists on the cluster. */
  run?: Uint8Array;
  /** Keys this task reads. */
  deps: string[];
  /** Position in the graph's run order (lower first), from core's makePlan. */
  order: number;
  /** Per-task options (from submit options or annotations). */
  retries?: number;
  /** Higher runs first (Dask's user priority). */
  priority?: number;
  /** Abstract resources the task holds while it runs, e.g. { GPU: 1 }. */
  resources?: Record<string, number>;
  /** Worker addresses or names that may run the task. */
  workers?: string[];
  /** With `workers`: other workers may run it when none of those can. */
  allowOtherWorkers?: boolean;
  /** Run as an actor: the result stays on its worker, clients call its methods there. */
  actor?: boolean;
}

/** Client -> scheduler. */
export type ClientToScheduler =
  | {
      op: "update-graph";
      tasks: TaskSpec[];
      /** Keys the client holds futures for. */
      keys: string[];
      /** Modules workers must import before running these tasks (kernel registries, fromModule functions). */
      modules: string[];
    }
  | { op: "client-releases-keys"; keys: string[] }
  | { op: "client-desires-keys"; keys: string[] }
  /** Data the client put on workers itself (scatter). */
  | { op: "update-data"; who_has: WhoHas; nbytes: Record<string, number>; types: Record<string, string> }
  | { op: "cancel"; keys: string[]; force?: boolean }
  /**
   * Gracefully retire workers (by address or name, or `n` chosen by the scheduler, or with neither the idle
   * ones memory allows): their unique results are copied elsewhere first. Replies `{ retired, lost }`.
   */
  | { op: "retire-workers"; workers?: string[]; n?: number; close?: boolean };

/** Scheduler -> client. */
export type SchedulerToClient =
  | { op: "key-in-memory"; key: string; nbytes: number; type: string }
  | { op: "task-erred"; key: string; exception: unknown }
  | { op: "cancelled-keys"; keys: string[]; reason?: string }
  /** A result was lost with its worker and is being recomputed: futures go back to pending. */
  | { op: "lost-data"; key: string };

/** Scheduler -> worker (batched stream). */
export type SchedulerToWorker =
  | {
      op: "compute-task";
      key: string;
      run: Uint8Array;
      /** Where each dependency is held. */
      who_has: WhoHas;
      /** Size of each dependency in bytes. */
      nbytes: Record<string, number>;
      /** Lower runs first on the worker: [-userPriority, generation, order]. */
      priority: [number, number, number];
      resources?: Record<string, number>;
      actor?: boolean;
      /** Modules to import before running (only those the scheduler has not sent this worker yet). */
      modules?: string[];
    }
  /** Forget these keys (drop held data; cancel if queued or running). */
  | { op: "free-keys"; keys: string[] }
  /** Work stealing: give `key` up unless it already started; the worker answers with steal-response. */
  | { op: "steal-request"; key: string }
  /** client.restart(): stop every task and start afresh (a supervised worker exits and is started again). */
  | { op: "restart" }
  /** Leave the cluster for good (sent after a graceful retirement). */
  | { op: "close" };

/** What a worker says about a task it was asked to give up (steal-response). */
export type StealResponseState = "ready" | "fetching" | "executing" | null;

/** A task's outcome as the worker reports it. */
export type WorkerToScheduler =
  | { op: "task-finished"; key: string; nbytes: number; type: string; start: number; stop: number }
  | { op: "task-erred"; key: string; exception: unknown; start: number; stop: number }
  /** The worker fetched these keys from peers and now holds copies. */
  | { op: "add-keys"; keys: string[]; nbytes: Record<string, number> }
  /** A dependency could not be fetched from `errant` (it no longer has it, or died). */
  | { op: "missing-data"; key: string; errant: string }
  /** The worker dropped these keys on its own (e.g. a released task finished late). */
  | { op: "release-worker-data"; keys: string[] }
  /**
   * Answer to a steal-request: "ready" / "fetching" = not started and dropped (the scheduler may run it
   * elsewhere), "executing" = too late, null = unknown key (e.g. it just finished).
   */
  | { op: "steal-response"; key: string; state: StealResponseState }
  /** The task seceded from its thread (secede()): it no longer counts against the worker's slots. */
  | { op: "long-running"; key: string; compute_duration: number };

/** Requests (with replies) that carry a `rid` and get `{ op: "reply", rid, ok, value | error }`. */
export interface Reply {
  op: "reply";
  rid: number;
  ok: boolean;
  value?: unknown;
  error?: unknown;
}

/** The first message on every connection, in both directions. */
export interface Hello {
  op: "hello";
  /** What the sender is. */
  role: "client" | "worker" | "scheduler" | "peer" | "nanny";
  /** dask-ts package version of the sender. */
  version: string;
  /** Node.js version of the sender (informational). */
  node: string;
}

/** What a worker says when it registers with the scheduler (request `register-worker`). */
export interface WorkerInfo {
  /** tcp://host:port where the worker serves get-data to peers and clients. */
  address: string;
  name: string;
  nthreads: number;
  /** Bytes; 0 = no limit. */
  memoryLimit: number;
  resources: Record<string, number>;
  pid: number;
  /** A nanny (or the LocalCluster that started it) starts this worker again after a restart. */
  supervised?: boolean;
}

/** Periodic worker metrics (request `heartbeat-worker`). */
export interface WorkerMetrics {
  executing: number;
  ready: number;
  /** Bytes of results held in memory. */
  memory: number;
  /** Bytes spilled to disk. */
  spilled: number;
  rss: number;
  paused: boolean;
}
