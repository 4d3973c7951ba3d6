/** Messages between a local scheduler and its worker threads/processes. */

/** Scheduler -> worker. Values and nodes are portable (see serialize/portable). */
export type ToWorker =
  | {
      t: "run";
      /** The computation these tasks belong to. */
      run: number;
      /** [key, node] in the order to run them. */
      tasks: Array<[string, unknown]>;
      /** Dependency values the worker does not hold yet. */
      data: Array<[string, unknown]>;
      /** Keys of this run the worker may forget. */
      release: string[];
      /**
       * Keys of this run the worker may forget and whose memory nothing outside the worker can reach any
       * more: their chunk buffers may be reused once no result the worker holds refers to them (memory/recycle.ts).
       */
      recycle?: string[];
      /** Modules to import before running (kernel registries), when new ones were registered. */
      modules?: string[];
      /**
       * The run's tasks are independent (distributed workers): every input ships with its batch, a task that
       * awaits does not hold back the next ones, a task error fails only that task (`contained`), and tasks
       * run in a task context (worker/task-context.ts) so they can send events (secede/rejoin).
       */
      independent?: boolean;
      /** Keys whose values stay in the worker (actors): their results go back as undefined. */
      keep?: string[];
    }
  /** The run is over (finished, failed or cancelled): drop its queued tasks and held results. */
  | { t: "end"; run: number };

/** One finished task: [key, value, milliseconds, flags?]; flags ALIASES_INPUTS / MAY_KEEP_INPUTS of memory/recycle.ts. */
export type TaskResult = [string, unknown, number, number?];

/** Worker -> scheduler. */
export type FromWorker =
  | { t: "ready" }
  /** Finished tasks. */
  | { t: "done"; run: number; results: TaskResult[] }
  /** A task failed; `contained`: only this task (an independent run goes on), otherwise the run is over. */
  | { t: "error"; run: number; key: string; error: unknown; contained?: boolean }
  /** An event a running task sent through its task context (e.g. secede / rejoin). */
  | { t: "event"; run: number; key: string; name: string; data?: unknown };
