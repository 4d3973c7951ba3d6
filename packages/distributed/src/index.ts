/** @dask-ts/distributed: scheduler server, workers, clients, futures and LocalCluster over TCP. */
export * from "./errors.js";
export { VERSION } from "./version.js";
export { parseAddress, formatAddress } from "./comm/address.js";
export { Connection, type Message } from "./comm/connection.js";
export { connect, listen, type Listener } from "./comm/tcp.js";
export * from "./client/index.js";
export { SchedulerServer, type SchedulerServerOptions } from "./scheduler/server.js";
export { SchedulerState, TaskState, WorkerState, ClientState, type SchedulerStateOptions, type TransitionRecord, type SchedulerEvent, type TaskStateName } from "./scheduler/state.js";
export { Worker, type WorkerOptions } from "./worker/worker.js";
export { Nanny, WorkerStartError, type NannyOptions } from "./worker/nanny.js";
export { LocalCluster, type LocalClusterOptions } from "./cluster/local-cluster.js";
export { Adaptive, type AdaptiveOptions, type AdaptiveLogEntry } from "./cluster/adaptive.js";
export type { RetireResult } from "./scheduler/retire.js";
export * from "./client/coordination/index.js";
