import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { FnRef } from "@dask-ts/core/fn/fnref";
import { fromModule, sourceHash, toFnRef } from "@dask-ts/core/fn/ship";
import { resolveCacheStats, resolveFn, resolveFnSync } from "@dask-ts/core/fn/resolve";
import {
  getKernel,
  hasKernel,
  kernel,
  kernelInfo,
  kernelNames,
  registerKernel,
  registerWorkerModule,
  workerModules,
} from "@dask-ts/core/fn/registry";
import {
  CapturedVariableError,
  InvalidArgumentError,
  UnknownKernelError,
  UnshippableFunctionError,
} from "@dask-ts/core/errors";
// The fixture is transformed by vitest like the test file, but module-scope names stay plain identifiers.
import { fact, fib, quadruple, scaled } from "../../../test/fixtures/fns.mjs";

const FIXTURE_URL = new URL("../../../test/fixtures/fns.mjs", import.meta.url).href;
const MODULE_LEVEL = 10;
function moduleHelper(x: number) {
  return x;
}

/** What a worker does: it only gets the serializable spec, never `local`. */
async function roundTrip(fn: Function) {
  const ref = toFnRef(fn);
  const remote = new FnRef(JSON.parse(JSON.stringify(ref.spec)));
  expect(remote.local).toBeUndefined();
  return resolveFn(remote);
}

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a throw");
}

describe("toFnRef", () => {
  it("ships pure functions as source with a stable hash and keeps the local function", () => {
    const inc = (x: number) => x + 1;
    const ref = toFnRef(inc);
    expect(ref.spec).toEqual({ kind: "source", source: inc.toString(), hash: sourceHash(inc.toString()), name: "inc" });
    expect(ref.spec.kind === "source" && ref.spec.hash).toMatch(/^[0-9a-f]{40}$/);
    expect(ref.local).toBe(inc);
    expect(Object.keys(ref)).toEqual(["spec"]); // local is not enumerable, so never serialized
    expect(ref.label).toBe("inc");
    expect(ref.id).toBe(`source:${sourceHash(inc.toString())}`);
    expect(toFnRef((x: number) => x).label).toBe("lambda");
  });

  it("sees test-file functions as plain JavaScript (vitest strips the types)", () => {
    const twice = (x: number): number => x * 2;
    expect(twice.toString()).toBe("(x) => x * 2");
  });

  it("returns the same reference for the same function, and the same hash for the same source", () => {
    const f = (x: number) => x * 3;
    expect(toFnRef(f)).toBe(toFnRef(f));
    const make = () => (x: number) => x * 3;
    const a = toFnRef(make());
    const b = toFnRef(make());
    expect(a).not.toBe(b);
    expect(a.id).toBe(b.id);
  });

  it("passes FnRefs through", () => {
    const ref = fromModule(FIXTURE_URL, "double");
    expect(toFnRef(ref)).toBe(ref);
  });

  it("accepts async functions, generators, methods and functions using globals", () => {
    for (const fn of [
      async (x: number) => x,
      function* (n: number) {
        yield n;
      },
      async function* (n: number) {
        yield n;
      },
      (x: number) => Math.sqrt(x) + JSON.stringify(x).length + Number.parseFloat("1"),
      (s: string) => Buffer.from(s).toString("base64") + process.pid + structuredClone([1]).length,
      (x: unknown) => {
        console.log(x);
        return globalThis.setTimeout !== undefined && new Map().size === 0 && new Date(0).getTime() === 0;
      },
      new Function("a", "b", "return a + b"),
    ]) {
      expect(toFnRef(fn).spec.kind).toBe("source");
    }
  });

  it("rejects a closure over locals with every captured name and how to pass them", () => {
    const scale = 2;
    const offset = 1;
    const lookup = new Map<number, number>();
    const f = (x: number) => x * scale + offset + (lookup.get(x) ?? 0) + MODULE_LEVEL;
    const err = thrown(() => toFnRef(f));
    expect(err).toBeInstanceOf(CapturedVariableError);
    expect((err as CapturedVariableError).variables).toEqual(["scale", "offset", "lookup", "MODULE_LEVEL"]);
    expect((err as CapturedVariableError).functionName).toBe("f");
    expect(err.message).toContain("scale, offset, lookup, MODULE_LEVEL");
    expect(err.message).toMatch(/extra arguments/);
    expect(err.message).toMatch(/fromModule/);
    // Cached rejections still throw, each time a fresh error with the caller's context.
    const again = thrown(() => toFnRef(f, "bag.map(fn)"));
    expect(again).toBeInstanceOf(CapturedVariableError);
    expect(again).not.toBe(err);
    expect(again.message).toMatch(/^bag\.map\(fn\): Function 'f' uses variables/);
  });

  it("reports imports, which vitest turns into helper identifiers, as captured", () => {
    const usesImport = (x: number) => toFnRef(x as never);
    const err = thrown(() => toFnRef(usesImport)) as CapturedVariableError;
    expect(err).toBeInstanceOf(CapturedVariableError);
    expect(err.variables.length).toBe(1);
    expect(err.variables[0]).toMatch(/^__vite_ssr_import_\d+__$/);
  });

  it("rejects module functions that use their module scope", () => {
    expect((thrown(() => toFnRef(scaled)) as CapturedVariableError).variables).toEqual(["FACTOR"]);
    expect((thrown(() => toFnRef(quadruple)) as CapturedVariableError).variables).toEqual(["double"]);
  });

  it("rejects an arrow that uses its creator's this", () => {
    class Scaler {
      k = 3;
      mapper() {
        return (x: number) => x * this.k;
      }
    }
    const err = thrown(() => toFnRef(new Scaler().mapper())) as CapturedVariableError;
    expect(err).toBeInstanceOf(CapturedVariableError);
    expect(err.variables).toEqual(["this"]);
  });

  it("rejects native and bound functions and classes, saying how to wrap them", () => {
    for (const fn of [Math.sqrt, ((x: number) => x).bind(null), class Point {}, parseInt]) {
      const err = thrown(() => toFnRef(fn));
      expect(err).toBeInstanceOf(UnshippableFunctionError);
      expect(err.message).toContain("x => Math.sqrt(x)");
      expect(err.message).toContain("fromModule");
    }
    expect(thrown(() => toFnRef(Math.sqrt)).message).toMatch(/'sqrt' is a built-in/);
    expect(thrown(() => toFnRef(function g() {}.bind(null))).message).toMatch(/'bound g' is a bound function/);
    expect(thrown(() => toFnRef(class Point {})).message).toMatch(/'Point' is a class/);
  });

  it("rejects methods that use super", () => {
    const base = { m() { return 1; } };
    const obj = { __proto__: base, m() { return super.m() + 1; } };
    expect(thrown(() => toFnRef(obj.m))).toBeInstanceOf(UnshippableFunctionError);
  });

  it("rejects values that are not functions", () => {
    expect(thrown(() => toFnRef(42 as never))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => toFnRef(null as never, "delayed(fn)")).message).toMatch(/^delayed\(fn\): expected a function/);
  });
});

describe("round trip: toFnRef -> spec -> resolveFn", () => {
  it("gives a function that computes the same result, compiled once per hash", async () => {
    // new Function gives a source no other test uses, so the compile counter is ours.
    const add = new Function("a", "b", "return a * 1000 + b + 0.5") as (a: number, b: number) => number;
    const before = resolveCacheStats();
    const f1 = await roundTrip(add);
    expect(f1(2, 3)).toBe(add(2, 3));
    const mid = resolveCacheStats();
    expect(mid.sourceCompiles).toBe(before.sourceCompiles + 1);
    const f2 = await roundTrip(add);
    expect(f2).toBe(f1);
    const after = resolveCacheStats();
    expect(after.sourceCompiles).toBe(mid.sourceCompiles);
    expect(after.sourceHits).toBe(mid.sourceHits + 1);
  });

  it("round-trips async functions, generators, methods, getters and default/destructured params", async () => {
    const asyncFn = async (x: number) => (await Promise.resolve(x)) * 2;
    expect(await (await roundTrip(asyncFn))(4)).toBe(8);

    const gen = function* (n: number) {
      for (let i = 0; i < n; i++) yield i * i;
    };
    expect([...((await roundTrip(gen))(4) as Iterable<number>)]).toEqual([0, 1, 4, 9]);

    const obj = {
      sum(xs: number[], { start = 0 } = {}) {
        return xs.reduce((a, b) => a + b, start);
      },
      async *chunks(xs: number[]) {
        for (const x of xs) yield [x];
      },
      get answer() {
        return 42;
      },
    };
    expect((await roundTrip(obj.sum))([1, 2, 3], { start: 10 })).toBe(16);
    const chunks: number[][] = [];
    for await (const c of (await roundTrip(obj.chunks))([1, 2]) as AsyncIterable<number[]>) chunks.push(c);
    expect(chunks).toEqual([[1], [2]]);
    const getter = Object.getOwnPropertyDescriptor(obj, "answer")!.get!;
    expect((await roundTrip(getter))()).toBe(42);

    const usesGlobals = (xs: number[]) => JSON.stringify(xs.map((x) => Math.round(Math.sqrt(x))));
    expect((await roundTrip(usesGlobals))([4, 9, 10])).toBe("[2,3,3]");
  });

  it("compiles in strict mode", async () => {
    const f = function () {
      // @ts-expect-error: this is implicitly any
      return this;
    };
    expect((await roundTrip(f))()).toBeUndefined();
  });

  it("binds a function's own name when it calls itself", async () => {
    const countdown = (n: number): number => (n <= 0 ? 0 : 1 + countdown(n - 1));
    const ref = toFnRef(countdown);
    expect(ref.spec.kind === "source" && ref.spec.source).toContain("let countdown =");
    expect((await roundTrip(countdown))(5)).toBe(5);
    // A module-level declaration and a module-level const arrow.
    expect((await roundTrip(fact))(5)).toBe(120);
    expect((await roundTrip(fib))(10)).toBe(55);
    // Only its own name is allowed: other captures are still reported.
    const limit = 3;
    const capped = (n: number): number => (n > limit ? capped(n - 1) : n);
    expect((thrown(() => toFnRef(capped)) as CapturedVariableError).variables).toEqual(["limit"]);
  });

  it("does not bind a method's name, nor an arrow's name that is a global", async () => {
    const obj = {
      parseFloat(s: string) {
        return parseFloat(s) * 2;
      },
      moduleHelper(x: number) {
        return moduleHelper(x);
      },
    };
    expect((await roundTrip(obj.parseFloat))("1.5")).toBe(3);
    expect((thrown(() => toFnRef(obj.moduleHelper)) as CapturedVariableError).variables).toEqual(["moduleHelper"]);
    const table = { isFinite: (x: number) => isFinite(x) && x > 0 };
    expect((await roundTrip(table.isFinite))(2)).toBe(true);
  });

  it("gives esbuild's __name helper (tsx, keepNames) its own copy instead of rejecting it", async () => {
    const withHelper = new Function("n", 'const g = __name(function () { return n; }, "g"); return g.name + g();');
    expect((await roundTrip(withHelper))(7)).toBe("g7");
  });

  it("reports source that does not compile or is not a function, naming the function", async () => {
    const broken = new FnRef({ kind: "source", source: "x => {", hash: "0".repeat(40), name: "broken" });
    await expect(resolveFn(broken)).rejects.toThrow(UnshippableFunctionError);
    await expect(resolveFn(broken)).rejects.toThrow(/'broken'/);
    const notFn = new FnRef({ kind: "source", source: "42", hash: "1".repeat(40), name: "answer" });
    await expect(resolveFn(notFn)).rejects.toThrow(/'answer'.*not a function/);
  });

  it("prefers the local function and resolves synchronously what needs no import", () => {
    const f = (x: number) => x - 1;
    const ref = toFnRef(f);
    expect(resolveFnSync(ref)).toBe(f);
    const remote = new FnRef(ref.spec);
    const compiled = resolveFnSync(remote)!;
    expect(compiled(3)).toBe(2);
    expect(resolveFnSync(new FnRef(ref.spec))).toBe(compiled);
    expect(resolveFnSync(new FnRef({ kind: "module", url: FIXTURE_URL, name: "notImportedYet" }))).toBeUndefined();
  });
});

describe("fromModule", () => {
  it("references a module export that workers import", async () => {
    const ref = fromModule(FIXTURE_URL, "double");
    expect(ref.spec).toEqual({ kind: "module", url: FIXTURE_URL, name: "double" });
    expect(ref.local).toBeUndefined();
    expect(ref.label).toBe("double");
    const double = (await resolveFn(ref)) as (x: number) => number;
    expect(double(21)).toBe(42);
    expect(resolveFnSync(fromModule(FIXTURE_URL, "double"))).toBe(double);
  });

  it("keeps module scope, async functions and typed errors", async () => {
    expect((await resolveFn(fromModule(FIXTURE_URL, "scaled")))(2)).toBe(6);
    expect((await resolveFn(fromModule(FIXTURE_URL, "quadruple")))(2)).toBe(8);
    expect(await (await resolveFn(fromModule(FIXTURE_URL, "addAsync")))(2, 3)).toBe(5);
    const throwsTyped = await resolveFn(fromModule(FIXTURE_URL, "throwsTyped"));
    const err = thrown(() => throwsTyped("x")) as Error & { code?: number };
    expect(err.name).toBe("FixtureError");
    expect(err.message).toBe("bad input: x");
    expect(err.code).toBe(42);
  });

  it("imports each module once", async () => {
    const url = new URL("../../../test/fixtures/fns.mjs?once", import.meta.url).href;
    const before = resolveCacheStats().moduleImports;
    await Promise.all([resolveFn(fromModule(url, "double")), resolveFn(fromModule(url, "fact"))]);
    await resolveFn(fromModule(url, "fib"));
    expect(resolveCacheStats().moduleImports).toBe(before + 1);
  });

  it("accepts absolute paths and normalizes them to file URLs", () => {
    const ref = fromModule(fileURLToPath(FIXTURE_URL), "double");
    expect(ref.spec).toEqual({ kind: "module", url: FIXTURE_URL, name: "double" });
    expect(fromModule(new URL(FIXTURE_URL), "double").id).toBe(ref.id);
  });

  it("validates its arguments", () => {
    expect(thrown(() => fromModule("./fns.mjs", "double"))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => fromModule("./fns.mjs", "double")).message).toMatch(/import\.meta\.url/);
    expect(thrown(() => fromModule("lodash", "map")).message).toMatch(/import\.meta\.resolve\("lodash"\)/);
    expect(thrown(() => fromModule("https://example.com/x.mjs", "f"))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => fromModule("", "double"))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => fromModule(FIXTURE_URL, ""))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => fromModule(FIXTURE_URL, undefined as never))).toBeInstanceOf(InvalidArgumentError);
  });

  it("says which exports exist when the export is missing", async () => {
    const err = await resolveFn(fromModule(FIXTURE_URL, "dobule")).catch((e: Error) => e);
    expect(err).toBeInstanceOf(UnshippableFunctionError);
    expect((err as Error).message).toContain(`Module ${FIXTURE_URL} has no export 'dobule'`);
    expect((err as Error).message).toMatch(/Its exports are: .*addAsync.*double.*throwsTyped/);
    await expect(resolveFn(fromModule(FIXTURE_URL, "answer"))).rejects.toThrow(/'answer'.*is a number, not a function/);
  });

  it("says when the module does not exist", async () => {
    const url = new URL("../../../test/fixtures/no-such-module.mjs", import.meta.url).href;
    const err = (await resolveFn(fromModule(url, "f")).catch((e: Error) => e)) as Error;
    expect(err).toBeInstanceOf(UnshippableFunctionError);
    expect(err.message).toContain(`Cannot load function 'f' from ${url}: the module was not found`);
    expect(err.cause).toBeDefined();
  });
});

describe("kernel registry", () => {
  it("registers, gets and references kernels", async () => {
    const inc = (x: number) => x + 1;
    const ref = registerKernel("fntest.inc", inc, { inline: true });
    expect(ref.spec).toEqual({ kind: "kernel", name: "fntest.inc" });
    expect(ref.local).toBe(inc);
    expect(ref.label).toBe("inc");
    expect(kernel("fntest.inc")).toBe(ref);
    expect(getKernel("fntest.inc")).toBe(inc);
    expect(hasKernel("fntest.inc")).toBe(true);
    expect(kernelInfo("fntest.inc")).toEqual({ name: "fntest.inc", fn: inc, inline: true });
    expect(kernelNames()).toContain("fntest.inc");
    expect(await resolveFn(new FnRef({ kind: "kernel", name: "fntest.inc" }))).toBe(inc);
    // Registering the same function again is harmless.
    expect(registerKernel("fntest.inc", inc, { inline: true })).toBe(ref);
  });

  it("refuses a second function under the same name unless told to replace it", () => {
    const a = () => "a";
    const b = () => "b";
    const ref = registerKernel("fntest.dup", a);
    const err = thrown(() => registerKernel("fntest.dup", b));
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err.message).toMatch(/'fntest\.dup'.*replace: true/);
    expect(getKernel("fntest.dup")).toBe(a);
    registerKernel("fntest.dup", b, { replace: true });
    expect(getKernel("fntest.dup")).toBe(b);
    expect(ref.local).toBe(b);
    expect(kernelInfo("fntest.dup")!.inline).toBe(false);
  });

  it("references kernels registered later, e.g. only on workers", () => {
    const ref = kernel("fntest.later");
    expect(ref.local).toBeUndefined();
    expect(resolveFnSync(ref)).toBeUndefined();
    const f = () => "later";
    registerKernel("fntest.later", f);
    expect(ref.local).toBe(f);
  });

  it("names unknown kernels and says how to provide them", async () => {
    const err = thrown(() => getKernel("fntest.missing"));
    expect(err).toBeInstanceOf(UnknownKernelError);
    expect(err.message).toContain("No kernel is registered as 'fntest.missing'");
    expect(err.message).toContain('registerKernel("fntest.missing", fn)');
    expect(hasKernel("fntest.missing")).toBe(false);
    expect(kernelInfo("fntest.missing")).toBeUndefined();
    await expect(resolveFn(new FnRef({ kind: "kernel", name: "fntest.missing" }))).rejects.toThrow(UnknownKernelError);
  });

  it("validates its arguments", () => {
    expect(thrown(() => registerKernel("", () => 1))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => registerKernel("fntest.bad", 1 as never))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => kernel(""))).toBeInstanceOf(InvalidArgumentError);
  });
});

describe("worker modules", () => {
  it("lists modules in registration order without duplicates", () => {
    const start = workerModules().length;
    const other = new URL("../../../test/fixtures/other.mjs", import.meta.url).href;
    registerWorkerModule(FIXTURE_URL);
    registerWorkerModule(other);
    registerWorkerModule(FIXTURE_URL);
    registerWorkerModule(fileURLToPath(FIXTURE_URL));
    const mods = workerModules();
    expect(mods.slice(start)).toEqual([FIXTURE_URL, other]);
    expect(Object.isFrozen(mods)).toBe(true);
    expect(thrown(() => registerWorkerModule("relative/mod.mjs"))).toBeInstanceOf(InvalidArgumentError);
  });
});
