/**
 * The type extensions every process registers: graph nodes (Task, TaskRef, Literal, FnRef),
 * errors with their remote stacks, and ndarray chunks. Importing this module registers them
 * (codec.ts imports it, so using the codec is enough).
 */
import ndarray from "ndarray";
import { FnRef, type FnSpec } from "../fn/fnref.js";
import { Literal, Task, TaskRef } from "../graph/task.js";
import { registerTypeExtension, type TypeExtension } from "./extensions.js";
import { orDescribe } from "./portable.js";

/** A Task travels as `[fn, args]`; args are converted recursively, so inner Tasks work. */
export const taskExtension: TypeExtension<Task, [FnRef, readonly unknown[]] | [FnRef, readonly unknown[], string]> = {
  name: "Task",
  test: (v): v is Task => v instanceof Task,
  encode: (t) => (t.key === undefined ? [t.fn, t.args] : [t.fn, t.args, t.key]),
  decode: ([fn, args, key]) => new Task(fn, args, key),
};

/** A TaskRef travels as its key string. */
export const taskRefExtension: TypeExtension<TaskRef, string> = {
  name: "TaskRef",
  test: (v): v is TaskRef => v instanceof TaskRef,
  encode: (r) => r.key,
  decode: (key) => new TaskRef(key),
};

/** A Literal travels as its value (whose class instances are converted like any other). */
export const literalExtension: TypeExtension<Literal, unknown> = {
  name: "Literal",
  test: (v): v is Literal => v instanceof Literal,
  encode: (l) => l.value,
  decode: (value) => new Literal(value),
};

/** Only the spec of an FnRef travels: the local function exists in the sending process only. */
export const fnRefExtension: TypeExtension<FnRef, FnSpec> = {
  name: "FnRef",
  test: (v): v is FnRef => v instanceof FnRef,
  encode: (f) => f.spec,
  decode: (spec) => new FnRef(spec),
};

// ---------------------------------------------------------------------------------------------
// Errors
import * as coreErrors from "../errors.js";

/** What an Error becomes on the wire. */
export interface EncodedError {
  name: string;
  message: string;
  stack?: string;
  code?: unknown;
  cause?: unknown;
  /** AggregateError's inner errors. */
  errors?: unknown[];
  /** Own enumerable properties other than the ones above. */
  props?: Record<string, unknown>;
}

const RESERVED_ERROR_KEYS = new Set(["name", "message", "stack", "code", "cause", "errors"]);

/** Built-in classes rebuilt as themselves; any other name becomes an Error with that name. */
const BUILTIN_ERRORS: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/** Error classes of packages, rebuilt as themselves when every process registers them (registerErrorClass). */
const ERROR_CLASSES = new Map<string, { prototype: Error }>();

/**
 * Makes errors named `name` decode as instances of `cls` (so `instanceof` works across processes). The class
 * is not called: the decoded error gets its prototype, message, stack and own fields.
 */
export function registerErrorClass(cls: { prototype: Error; name: string }, name: string = cls.name): void {
  ERROR_CLASSES.set(name, cls);
}

// dask-ts's own errors arrive as themselves everywhere (a remote MissingDependencyError is one here too).
for (const cls of Object.values(coreErrors)) {
  if (typeof cls === "function" && cls.prototype instanceof Error) registerErrorClass(cls as unknown as { prototype: Error; name: string });
}

/** An Error of this realm, or of another one (vm contexts) checked by its brand. */
function isError(v: unknown): v is Error {
  if (v instanceof Error) return true;
  // The cheap property test first: toString allocates, and this runs on many non-errors.
  const e = v as { message?: unknown; stack?: unknown };
  return typeof e.message === "string" && typeof e.stack === "string" && Object.prototype.toString.call(v) === "[object Error]";
}

/**
 * An error must always arrive (it is how failures are reported), so its code, cause, inner
 * errors and properties are marked with orDescribe: one that cannot be sent (an unknown class,
 * a function, a cycle back to the error) becomes a short description instead.
 */
function encodeError(err: Error): EncodedError {
  const out: EncodedError = { name: String(err.name ?? "Error"), message: String(err.message ?? "") };
  if (typeof err.stack === "string") out.stack = err.stack;
  const code = (err as { code?: unknown }).code;
  if (code !== undefined) out.code = orDescribe(code);
  if (Object.hasOwn(err, "cause")) out.cause = orDescribe(err.cause);
  if (err instanceof AggregateError && Array.isArray(err.errors)) out.errors = err.errors.map(orDescribe);
  let props: Record<string, unknown> | undefined;
  for (const k of Object.keys(err)) {
    if (RESERVED_ERROR_KEYS.has(k)) continue;
    (props ??= {})[k] = orDescribe((err as unknown as Record<string, unknown>)[k]);
  }
  if (props) out.props = props;
  return out;
}

function decodeError(e: EncodedError): Error {
  const options = Object.hasOwn(e, "cause") ? { cause: e.cause } : undefined;
  const Builtin = Object.hasOwn(BUILTIN_ERRORS, e.name) ? BUILTIN_ERRORS[e.name] : undefined;
  let err: Error;
  if (e.name === "AggregateError") err = new AggregateError(e.errors ?? [], e.message, options);
  else if (Builtin) err = new Builtin(e.message, options);
  else {
    err = new Error(e.message, options);
    const cls = ERROR_CLASSES.get(e.name);
    if (cls) Object.setPrototypeOf(err, cls.prototype);
    // Like a subclass's prototype would: not enumerable, so it does not show up as a field.
    Object.defineProperty(err, "name", { value: e.name, writable: true, configurable: true, enumerable: false });
  }
  // The original stack says where it really failed; this process's frames would only mislead.
  Object.defineProperty(err, "stack", {
    value: e.stack ?? `${e.name}: ${e.message}`,
    writable: true,
    configurable: true,
    enumerable: false,
  });
  if (Object.hasOwn(e, "code")) (err as { code?: unknown }).code = e.code;
  if (e.props) {
    // defineProperty, not assignment: a key named "__proto__" must stay a key, not swap the prototype.
    for (const k of Object.keys(e.props)) {
      Object.defineProperty(err, k, { value: e.props[k], writable: true, enumerable: true, configurable: true });
    }
  }
  return err;
}

/**
 * Any Error (subclasses included) travels as name, message, stack, code, cause (recursively),
 * AggregateError's errors and its own enumerable properties. Built-in classes are rebuilt as
 * themselves; others as an Error whose `name` is the original class name, keeping the remote stack.
 */
export const errorExtension: TypeExtension<Error, EncodedError> = {
  name: "Error",
  test: isError,
  encode: encodeError,
  decode: decodeError,
};

// ---------------------------------------------------------------------------------------------
// ndarray

type NdData = ndarray.Data<number> | ndarray.Data<bigint>;

/**
 * ndarray's constructors are generated per dtype and dimension (View2dfloat64, ...), so
 * there is no class to test with instanceof: recognize the shape of the object instead.
 */
function isNdarray(v: unknown): v is ndarray.NdArray<NdData> {
  const a = v as { data?: unknown; shape?: unknown; stride?: unknown; offset?: unknown; constructor?: { name?: unknown } };
  return (
    typeof a.offset === "number" &&
    Array.isArray(a.shape) &&
    Array.isArray(a.stride) &&
    (ArrayBuffer.isView(a.data) || Array.isArray(a.data)) &&
    typeof a.constructor?.name === "string" &&
    a.constructor.name.startsWith("View")
  );
}

/**
 * An ndarray travels as `[data, shape, stride, offset]`. The data array is sent as it is (raw
 * bytes in the binary codec; shared, not copied, by structured clone when it lives on a
 * SharedArrayBuffer), so a view sends its whole underlying array.
 */
export const ndarrayExtension: TypeExtension<ndarray.NdArray<NdData>, [NdData, number[], number[], number]> = {
  name: "ndarray",
  test: isNdarray,
  encode: (a) => [a.data, a.shape.slice(), a.stride.slice(), a.offset],
  decode: ([data, shape, stride, offset]) => ndarray(data as ndarray.Data<number>, shape, stride, offset),
};

// Registered oldest first: findExtension tries the newest first, so the most frequent graph
// nodes (Task, TaskRef, FnRef) are registered last.
registerTypeExtension(ndarrayExtension);
registerTypeExtension(errorExtension);
registerTypeExtension(literalExtension);
registerTypeExtension(fnRefExtension);
registerTypeExtension(taskRefExtension);
registerTypeExtension(taskExtension);
