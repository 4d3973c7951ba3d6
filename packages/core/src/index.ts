/** @dask-ts/core: task graphs, delayed, optimizations, serialization and local schedulers. */
export * from "./errors.js";
export { keyStr, parseKey, keyName, keyPrefix, type Key } from "./graph/key.js";
export {
  Task,
  TaskRef,
  Literal,
  dependenciesOf,
  mapRefs,
  isPlainObject,
  type Graph,
  type GraphNode,
} from "./graph/task.js";
export { tokenize, randomToken, type Tokenizable } from "./graph/tokenize.js";
export { LayeredGraph, MaterializedLayer, type Layer } from "./graph/layered.js";
export { makePlan, type Plan } from "./graph/plan.js";
export { evaluate } from "./graph/evaluate.js";
export { FnRef, type FnSpec } from "./fn/fnref.js";
export { fromModule, toFnRef, toClassRef } from "./fn/ship.js";
export { registerKernel, getKernel, hasKernel, kernel, registerWorkerModule, workerModules } from "./fn/registry.js";
export { resolveFn, resolveFnSync } from "./fn/resolve.js";
export { cull } from "./optimize/cull.js";
export { fuseLinear } from "./optimize/fuse.js";
export { inlineConstants } from "./optimize/inline.js";
export { optimizeGraph, type OptimizeOptions } from "./optimize/optimize.js";
export {
  isDaskCollection,
  flattenKeys,
  packValues,
  type DaskCollection,
  type NestedKeys,
} from "./collection/collection.js";
export {
  partitionKey,
  opName,
  addLayer,
  mapPartitionsLayer,
  treeReduceLayer,
  shuffleLayer,
  type PartitionedInput,
  type PartArg,
  type Stage,
} from "./collection/partitioned.js";
export { Delayed, delayed, type DelayedOptions, type DelayedFunction, type DelayedArg } from "./delayed/delayed.js";
export { compute, persist, visualize, collectionsToGraph, type VisualizeOptions } from "./compute/compute.js";
export { computeSync } from "./compute/compute-sync.js";
export { expandPaths, globSync } from "./io/glob.js";
export { parseBytes } from "./io/bytes.js";
export { readFully } from "./io/read-fully.js";
export { partitionPaths, writePartitionFiles, type PartitionWriter } from "./io/write-files.js";
export type { ComputeOptions, RunStats } from "./compute/options.js";
export { config, type ConfigValues } from "./config/config.js";
export type { Scheduler, RunOptions } from "./schedulers/scheduler.js";
export { isScheduler } from "./schedulers/scheduler.js";
export { runJob, isExecutor, type Executor, type ExecutorJob } from "./schedulers/executor.js";
export { getScheduler, getPool, closeSchedulers, PoolScheduler } from "./schedulers/get-scheduler.js";
export { syncScheduler } from "./schedulers/sync.js";
export { ProgressBar, createProgress, type ProgressReporter } from "./diagnostics/progress.js";
export { encode, decode, encodeParts, decodeParts, loadOptionalExtensions } from "./serialize/codec.js";
export { FrameReader, onFrames, writeFrame, DEFAULT_MAX_FRAME_SIZE } from "./serialize/frames.js";
export { registerTypeExtension, type TypeExtension } from "./serialize/extensions.js";
export { registerErrorClass } from "./serialize/builtin-extensions.js";
import "./kernels/core-kernels.js";
export {
  allocTyped,
  allocatesShared,
  setSharedAllocation,
  bufferPoolStats,
  setBufferPoolLimit,
  type AllocOptions,
  type BufferPoolStats,
  type TypedArrayConstructor,
} from "./memory/alloc.js";
