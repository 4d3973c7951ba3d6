/** Function references: how a task names the function a worker must call. */

/** The serializable description of a function. */
export type FnSpec =
  | { kind: "kernel"; name: string }
  | { kind: "module"; url: string; name: string }
  | { kind: "source"; source: string; hash: string; name: string };

/** A reference to a function that any thread, process or machine can load. */
export class FnRef {
  /** The function itself, in the process that made the reference (never serialized). */
  declare local: ((...args: any[]) => unknown) | undefined;

  constructor(
    readonly spec: FnSpec,
    local?: (...args: any[]) => unknown,
  ) {
    Object.defineProperty(this, "local", { value: local, writable: true, enumerable: false });
  }

  /** A stable identity: equal ids call the same function. */
  get id(): string {
    const s = this.spec;
    if (s.kind === "kernel") return `kernel:${s.name}`;
    if (s.kind === "module") return `module:${s.url}#${s.name}`;
    return `source:${s.hash}`;
  }

  /** A short human name for keys, errors and graph pictures. */
  get label(): string {
    const s = this.spec;
    if (s.kind === "kernel") return s.name.slice(s.name.lastIndexOf(".") + 1) || s.name;
    return s.name || "lambda";
  }
}
