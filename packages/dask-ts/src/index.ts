/** dask-ts: parallel and distributed computing for TypeScript. */
export * from "@dask-ts/core";
export { da } from "@dask-ts/array";
export { dd, DataFrame, Series, Scalar, UnknownColumnError, CsvParseError, ColumnTypeError, AlignmentError } from "@dask-ts/dataframe";
export { db, Bag, Item, BagFunctionError } from "@dask-ts/bag";
export {
  Client,
  Future,
  LocalCluster,
  SchedulerServer,
  Worker,
  Nanny,
  asCompleted,
  wait,
  fireAndForget,
  submitOptions,
  Queue,
  Variable,
  Lock,
  Event,
  Semaphore,
  KilledWorker,
  FutureCancelledError,
  CommClosedError,
  ConnectTimeoutError,
  VersionMismatchError,
  getClient,
  secede,
  rejoin,
  withWorkerClient,
  ActorLostError,
  RestartTimeoutError,
  type Actor,
  type ActorHandle,
} from "@dask-ts/distributed";
