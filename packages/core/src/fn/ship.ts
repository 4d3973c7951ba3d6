/** Turning user functions into references other threads, processes and machines can load. */
import { createHash } from "node:crypto";
import { CapturedVariableError, InvalidArgumentError, UnshippableFunctionError } from "../errors.js";
import { FnRef } from "./fnref.js";
import { analyzeFunctionSource, type FunctionSourceInfo } from "./freevars.js";
import { describeValue, toModuleUrl } from "./module-url.js";

type AnyFn = (...args: any[]) => unknown;
type Failure = (what: string | undefined) => Error;

// Per function object: the reference, or how to build the error (so a rejected function is not re-parsed).
const byFunction = new WeakMap<Function, FnRef | Failure>();

// Per source text: the analysis. Closures created in a loop are new objects with the same source,
// so this keeps them from being parsed again. Bounded: oldest entries are dropped first.
const bySource = new Map<string, FunctionSourceInfo | SyntaxError>();
const BY_SOURCE_LIMIT = 2000;

// Helpers that esbuild-based runners (tsx, esbuild with keepNames) insert into function bodies; they are
// module-level in the output, so shipped code gets its own copy instead of a CapturedVariableError.
const BUNDLER_HELPERS: Record<string, string> = {
  __name: `(target, value) => Object.defineProperty(target, "name", { value, configurable: true })`,
};

const NATIVE = /\{\s*\[native code\]\s*\}\s*$/;
const HOW_TO_WRAP =
  `Wrap it in an arrow function that calls it with plain arguments (e.g. x => Math.sqrt(x) instead of Math.sqrt), ` +
  `or export a function from a module and use fromModule(import.meta.url, "name").`;

/**
 * A reference to `fn` that workers can load: FnRefs pass through; plain functions are shipped as source text after
 * checking that they capture nothing but globals. `what` names where the function came from, for error messages.
 */
export function toFnRef(fn: Function | FnRef, what?: string): FnRef {
  if (fn instanceof FnRef) return fn;
  if (typeof fn !== "function") {
    throw new InvalidArgumentError(`${prefix(what)}expected a function or FnRef, got ${describeValue(fn)}.`);
  }
  let hit = byFunction.get(fn);
  if (hit === undefined) {
    hit = shipFunction(fn);
    byFunction.set(fn, hit);
  }
  if (hit instanceof FnRef) return hit;
  throw hit(what);
}

// Classes shipped for construction (actors), kept apart: as functions the same objects are refused.
const byClass = new WeakMap<Function, FnRef | Failure>();

/**
 * A reference to class `cls` that workers can load and construct (actors): like toFnRef, but a class is what
 * is wanted here. FnRefs (fromModule) pass through; a class that captures local variables is refused.
 */
export function toClassRef(cls: Function | FnRef, what?: string): FnRef {
  if (cls instanceof FnRef) return cls;
  if (typeof cls !== "function") {
    throw new InvalidArgumentError(`${prefix(what)}expected a class or FnRef, got ${describeValue(cls)}.`);
  }
  let hit = byClass.get(cls);
  if (hit === undefined) {
    hit = shipFunction(cls, true);
    byClass.set(cls, hit);
  }
  if (hit instanceof FnRef) return hit;
  throw hit(what);
}

/** A reference to the export `exportName` of a module (import.meta.url, a file URL or an absolute path). */
export function fromModule(moduleUrl: string | URL, exportName: string): FnRef {
  const url = toModuleUrl(moduleUrl, "fromModule");
  if (typeof exportName !== "string" || exportName === "") {
    throw new InvalidArgumentError(
      `fromModule("${url}", ...): the export name must be a non-empty string, got ${describeValue(exportName)}.`,
    );
  }
  return new FnRef({ kind: "module", url, name: exportName });
}

/** A stable hex content hash of a function's shipped source (the compile cache key on workers). */
export function sourceHash(source: string): string {
  return createHash("sha1").update(source).digest("hex");
}

function shipFunction(fn: Function, asClass = false): FnRef | Failure {
  const name = fn.name || "lambda";
  // Function.prototype.toString, not fn.toString: an own toString could return anything.
  const text = Function.prototype.toString.call(fn);
  if (NATIVE.test(text)) {
    if (fn.name.startsWith("bound ")) {
      return unshippable(
        `Function '${name}' is a bound function (made with .bind()); its target, this and bound arguments ` +
          `cannot be sent to another thread, process or machine. ${HOW_TO_WRAP}`,
      );
    }
    return unshippable(
      `Function '${name}' is a built-in (native) function, so there is no source text to send to ` +
        `another thread, process or machine. ${HOW_TO_WRAP}`,
    );
  }
  const info = analyze(text);
  if (info instanceof SyntaxError) {
    return unshippable(`The source of function '${name}' could not be parsed (${info.message}). ${HOW_TO_WRAP}`);
  }
  if (info.form === "class" && !asClass) {
    return unshippable(
      `'${name}' is a class; tasks call functions, and a class cannot be called without new. ` +
        `Export a factory function from a module and use fromModule(import.meta.url, "name"), ` +
        `or wrap the construction in an arrow function. ${HOW_TO_WRAP}`,
    );
  }
  // In a class, super is its own base class (a free variable like any other when it is not a global).
  if (info.usesSuper && info.form !== "class") {
    return unshippable(
      `Method '${name}' uses super, which needs the object it was defined on and cannot be sent ` +
        `to another thread, process or machine. ${HOW_TO_WRAP}`,
    );
  }

  // A function may call itself through the binding it was declared with (`const fact = n => ... fact(n - 1)`):
  // that free variable is the function itself, so bind the name around it instead of rejecting it. Not for
  // methods (`{ f(x) { return f(x) } }` calls an outer f: defining a method binds no name) nor for global
  // names (`{ fetch: (u) => fetch(u) }` calls the global).
  const selfName =
    fn.name !== "" && info.form !== "method" && info.freeVariables.includes(fn.name) && !isGlobalName(fn.name)
      ? fn.name
      : undefined;
  const outside = info.freeVariables.filter((v) => v !== selfName && !isGlobalName(v));
  const helpers = outside.filter((v) => Object.hasOwn(BUNDLER_HELPERS, v));
  const captured = outside.filter((v) => !Object.hasOwn(BUNDLER_HELPERS, v));
  // An arrow's `this` is its creator's `this` (e.g. a class instance): as lost on a worker as a captured variable.
  if (info.usesLexicalThis) captured.push("this");
  if (captured.length > 0) {
    return (what) => withContext(new CapturedVariableError(name, captured), what);
  }
  const source = bindNames(info.expression, selfName, helpers);
  return new FnRef({ kind: "source", source, hash: sourceHash(source), name }, fn as AnyFn);
}

// Wraps a function expression so that its own name and bundler helpers are bound around it.
function bindNames(expression: string, selfName: string | undefined, helpers: string[]): string {
  if (!selfName && helpers.length === 0) return expression;
  const pre = helpers.map((h) => `const ${h} = ${BUNDLER_HELPERS[h]}; `).join("");
  return selfName
    ? `(() => { ${pre}let ${selfName} = ${expression}; return ${selfName}; })()`
    : `(() => { ${pre}return ${expression}; })()`;
}

function analyze(text: string): FunctionSourceInfo | SyntaxError {
  let info = bySource.get(text);
  if (info === undefined) {
    try {
      info = analyzeFunctionSource(text);
    } catch (e) {
      info = e instanceof SyntaxError ? e : new SyntaxError(String(e));
    }
    if (bySource.size >= BY_SOURCE_LIMIT) bySource.delete(bySource.keys().next().value!);
    bySource.set(text, info);
  }
  return info;
}

// A free name is fine when a worker's global scope has it too (Math, JSON, console, Buffer, ...).
// Names only inherited from Object.prototype (toString, constructor, ...) are more likely locals.
function isGlobalName(name: string): boolean {
  if (Object.prototype.hasOwnProperty.call(globalThis, name)) return true;
  return name in globalThis && !(name in Object.prototype);
}

function unshippable(message: string): Failure {
  return (what) => withContext(new UnshippableFunctionError(message), what);
}

function withContext<E extends Error>(err: E, what: string | undefined): E {
  // Safe before the stack is first read: V8 formats the stack header lazily.
  if (what) err.message = `${what}: ${err.message}`;
  return err;
}

function prefix(what: string | undefined): string {
  return what ? `${what}: ` : "toFnRef: ";
}
