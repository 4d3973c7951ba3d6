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
  | { t: "error"; run: number; key: string; error: unknown };
