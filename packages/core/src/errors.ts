/** Typed errors of dask-ts. Every message says what was wrong and what to do. */

/** Base class of every error dask-ts raises on purpose. */
export class DaskError extends Error {
  override name = "DaskError";
}

/** The task graph has a cycle; `keys` lists the keys on it. */
export class GraphCycleError extends DaskError {
  override name = "GraphCycleError";
  constructor(readonly keys: string[]) {
    super(
      `The task graph has a cycle: ${keys.slice(0, 8).join(" -> ")}${keys.length > 8 ? " -> ..." : ""}. ` +
        `A task cannot depend on its own result; check how the graph was built.`,
    );
  }
}

/** A task refers to a key that is neither in the graph nor given as data. */
export class MissingDependencyError extends DaskError {
  override name = "MissingDependencyError";
  constructor(readonly key: string, readonly missing: string) {
    super(
      `Task '${key}' depends on '${missing}', which is not in the graph. ` +
        `Build the dependency into the same graph (pass the Delayed or collection itself, not its key).`,
    );
  }
}

/** A function captures variables of its enclosing scope and cannot be sent to another thread, process or machine. */
export class CapturedVariableError extends DaskError {
  override name = "CapturedVariableError";
  constructor(readonly functionName: string, readonly variables: string[]) {
    super(
      `Function '${functionName}' uses variables from its enclosing scope: ${variables.join(", ")}. ` +
        `Functions are shipped to other threads, processes or machines as source text, so they cannot capture variables. ` +
        `Pass the values as extra arguments (delayed(fn)(x, ${variables[0] ?? "value"})), ` +
        `or export the function from a module and use fromModule(import.meta.url, "name").`,
    );
  }
}

/** A function cannot be turned into a reference a worker can load (native, bound, or unparseable). */
export class UnshippableFunctionError extends DaskError {
  override name = "UnshippableFunctionError";
}

/** No kernel is registered under a name a task refers to. */
export class UnknownKernelError extends DaskError {
  override name = "UnknownKernelError";
  constructor(readonly kernel: string) {
    super(
      `No kernel is registered as '${kernel}'. Import the package that provides it ` +
        `(its module registers its kernels), or register it with registerKernel("${kernel}", fn).`,
    );
  }
}

/** A value cannot be serialized to cross a thread, process or network boundary. */
export class SerializationError extends DaskError {
  override name = "SerializationError";
}

/** The scheduler named in compute()/config is not known. */
export class UnknownSchedulerError extends DaskError {
  override name = "UnknownSchedulerError";
  constructor(readonly scheduler: unknown) {
    super(
      `Unknown scheduler ${JSON.stringify(String(scheduler))}. Use "sync", "threads" or "processes", ` +
        `a connected distributed Client, or an object implementing the Executor interface (submit, size, close).`,
    );
  }
}

/** A task raised an error; `key` names it and `cause` is the original (or reconstructed remote) error. */
export class TaskError extends DaskError {
  override name = "TaskError";
  /** The stack of the error where it was raised (another thread, process or machine). */
  readonly remoteStack: string | undefined;
  constructor(readonly key: string, cause: unknown) {
    const c = cause as { name?: string; message?: string; stack?: string } | undefined;
    const what = c && typeof c === "object" ? `${c.name ?? "Error"}: ${c.message ?? String(c)}` : String(cause);
    super(`Task '${key}' failed with ${what}`, { cause });
    this.remoteStack = c && typeof c === "object" ? c.stack : undefined;
    if (this.remoteStack) this.stack = `${this.stack}\nCaused by (task '${key}'):\n${this.remoteStack}`;
  }
}

/** A worker thread or process died while it was running tasks. */
export class WorkerDiedError extends DaskError {
  override name = "WorkerDiedError";
  constructor(readonly worker: string, readonly keys: string[], readonly reason: string) {
    super(
      `Worker ${worker} died (${reason}) while running ${keys.length} task(s)` +
        `${keys.length ? `, e.g. '${keys[0]}'` : ""}. The pool has started a replacement; ` +
        `check the task for process.exit(), native crashes or running out of memory, then compute again.`,
    );
  }
}

/** The computation was cancelled before it finished. */
export class CancelledError extends DaskError {
  override name = "CancelledError";
}

/** A configuration value is invalid. */
export class ConfigError extends DaskError {
  override name = "ConfigError";
}

/** An argument given to a public function is invalid. */
export class InvalidArgumentError extends DaskError {
  override name = "InvalidArgumentError";
}

/** A path, glob or list that names no readable file (readCsv, readText, ...). */
export class FileNotFoundError extends DaskError {
  override name = "FileNotFoundError";
}
