/**
 * The records of the scheduler state machine: tasks, task groups and prefixes, workers and clients.
 * Plain mutable classes (as in dask.distributed): the state machine mutates them, the server and the
 * dashboard read them.
 */

/** The states a task can be in on the scheduler. */
export type TaskStateName =
  | "released"
  | "waiting"
  | "queued"
  | "no-worker"
  | "processing"
  | "memory"
  | "erred"
  | "forgotten";

/** A task priority: [-userPriority, generation, order]; lower runs first. */
export type Priority = [number, number, number];

/** All tasks whose keys share a prefix (e.g. "inc"): holds the duration estimate. */
export class TaskPrefix {
  /** Exponentially weighted mean duration in seconds of finished tasks; -1 while none finished. */
  durationAverage = -1;
  /** Number of live (not forgotten) tasks of this prefix. */
  size = 0;
  /** Worker deaths while processing a task of this prefix. */
  suspicious = 0;
  constructor(readonly name: string) {}
}

/** All tasks of one key name (one collection layer): used to recognise root-ish tasks. */
export class TaskGroup {
  /** Number of live (not forgotten) tasks in this group. */
  size = 0;
  /** Groups that tasks of this group depend on (only grows, as in Dask). */
  readonly dependencies = new Set<TaskGroup>();
  constructor(readonly name: string, readonly prefix: TaskPrefix) {}
}

/** One key the scheduler knows. */
export class TaskState {
  state: TaskStateName = "released";
  /** Encoded task node; undefined for data that was scattered (cannot be recomputed). */
  run: Uint8Array | undefined;
  readonly dependencies = new Set<TaskState>();
  readonly dependents = new Set<TaskState>();
  /** Dependencies not in memory yet (only while waiting). */
  readonly waitingOn = new Set<TaskState>();
  /** Dependents that still need this task's result (waiting, queued, no-worker or processing). */
  readonly waiters = new Set<TaskState>();
  readonly whoWants = new Set<ClientState>();
  readonly whoHas = new Set<WorkerState>();
  processingOn: WorkerState | undefined = undefined;
  /** Bytes of the result; -1 while unknown. */
  nbytes = -1;
  type = "";
  priority: Priority;
  retries = 0;
  /** How many workers died while this task was processing on them. */
  suspicious = 0;
  /** Addresses of the workers that died while running this task. */
  readonly killedOn: string[] = [];
  exception: unknown = undefined;
  /** Key of the task whose failure made this one err (itself when it failed on its own). */
  exceptionBlame: string | undefined = undefined;
  resourceRestrictions: Record<string, number> | undefined = undefined;
  /** Worker addresses or names allowed to run this task. */
  workerRestrictions: Set<string> | undefined = undefined;
  /** Other workers may run it when no restricted worker can. */
  loose = false;
  actor = false;
  /** A dependency was forgotten while this task lived: it cannot be recomputed. */
  hasLostDependencies = false;
  /** Position in the queued heap; -1 when not queued. */
  heapIndex = -1;

  constructor(
    readonly key: string,
    readonly prefix: TaskPrefix,
    readonly group: TaskGroup,
    run: Uint8Array | undefined,
    priority: Priority,
  ) {
    this.run = run;
    this.priority = priority;
  }
}

/** One worker known to the scheduler. */
export class WorkerState {
  /** Tasks assigned to this worker with their duration estimates (seconds). */
  readonly processing = new Map<TaskState, number>();
  /** Results this worker holds. */
  readonly hasWhat = new Set<TaskState>();
  /** Total bytes of the results it holds. */
  nbytes = 0;
  /** Sum of the duration estimates of its processing tasks (seconds). */
  occupancy = 0;
  /** Processing tasks that seceded from their thread (secede()): they hold no slot and count 0 occupancy. */
  readonly longRunning = new Set<TaskState>();
  paused = false;
  /** How many entries of the scheduler's module list this worker was sent. */
  modulesSent = 0;

  constructor(
    readonly address: string,
    readonly name: string,
    readonly nthreads: number,
    readonly memoryLimit: number,
    readonly resources: Readonly<Record<string, number>>,
    readonly pid: number,
  ) {}
}

/** One connected client. */
export class ClientState {
  /** Keys this client holds futures for. */
  readonly wantsWhat = new Set<TaskState>();
  constructor(readonly id: string) {}
}

/** True for the states in which a task still needs its dependencies' results. */
export function needsDependencies(state: TaskStateName): boolean {
  return state === "waiting" || state === "processing" || state === "queued" || state === "no-worker";
}
