import { describe, expect, it } from "vitest";
import { analyzeFunctionSource, freeVariables } from "@dask-ts/core/fn/freevars";

// Sources are written as strings so the exact text is what gets analyzed (no test-file transform).
const fv = (src: string) => freeVariables(src);

describe("freeVariables", () => {
  it("finds nothing in pure functions of every form", () => {
    expect(fv("x => x + 1")).toEqual([]);
    expect(fv("(a, b) => { const c = a * b; return c; }")).toEqual([]);
    expect(fv("function (a) { var v = a; let l = v; return l; }")).toEqual([]);
    expect(fv("function named(a) { return a; }")).toEqual([]);
    expect(fv("async function (a) { return await a; }")).toEqual([]);
    expect(fv("async (a) => await a")).toEqual([]);
    expect(fv("async x => x")).toEqual([]);
    expect(fv("function* (n) { for (let i = 0; i < n; i++) yield i; }")).toEqual([]);
    expect(fv("async function* g(n) { for await (const x of n) yield x; }")).toEqual([]);
  });

  it("reports reads and writes of outer names once each, in source order", () => {
    expect(fv("x => x + y")).toEqual(["y"]);
    expect(fv("x => { total += x; return scale * x + total; }")).toEqual(["total", "scale"]);
    expect(fv("() => { counter++; }")).toEqual(["counter"]);
    expect(fv("() => { [p, q] = [1, 2]; ({ r } = {}); }")).toEqual(["p", "q", "r"]);
    expect(fv("x => Math.max(x, limit)")).toEqual(["Math", "limit"]);
  });

  it("handles nested closures and shadowing", () => {
    expect(fv("x => { const f = y => x + y + z; return f(1); }")).toEqual(["z"]);
    expect(fv("x => { { const x = 1; } return y => { let x = y; return x + w; }; }")).toEqual(["w"]);
    expect(fv("a => { if (a) { let b = 1; } return b; }")).toEqual(["b"]);
    expect(fv("a => { if (a) { var b = 1; } return b; }")).toEqual([]);
    expect(fv("() => { function inner() { return hoisted; } var hoisted = 1; return inner(); }")).toEqual([]);
    expect(fv("() => { class C { m() { return C; } } return new C(); }")).toEqual([]);
  });

  it("understands destructuring, defaults and rest parameters", () => {
    expect(fv("({ a, b: { c }, ...rest }) => a + c + rest.d")).toEqual([]);
    expect(fv("([first, , third = first, ...others]) => first + third + others.length")).toEqual([]);
    expect(fv("(a, b = a * 2) => a + b")).toEqual([]);
    expect(fv("(a, b = dflt) => a + b")).toEqual(["dflt"]);
    expect(fv("({ a = fallback } = defaults) => a")).toEqual(["fallback", "defaults"]);
    // A default cannot see the body's declarations: `v` here is the outer one.
    expect(fv("function (a = v) { var v = 1; return a; }")).toEqual(["v"]);
  });

  it("scopes catch parameters, labels and named function expressions", () => {
    expect(fv("() => { try { risky(); } catch (e) { return e.message; } }")).toEqual(["risky"]);
    expect(fv("() => { try {} catch ({ message }) { return message; } }")).toEqual([]);
    expect(fv("() => { try {} catch { return err; } }")).toEqual(["err"]);
    expect(fv("() => { outer: for (;;) { inner: for (;;) { break outer; } } }")).toEqual([]);
    expect(fv("() => { const f = function self(n) { return n ? self(n - 1) : 0; }; return f(3); }")).toEqual([]);
    expect(fv("function fact(n) { return n ? n * fact(n - 1) : 1; }")).toEqual([]);
  });

  it("does not treat property names, object keys, this or labels as variables", () => {
    expect(fv("o => o.a.b + o['c'] + o?.d?.e")).toEqual([]);
    expect(fv("() => ({ key: 1, 'quoted': 2, method() { return this.key; }, get g() { return 3; } })")).toEqual([]);
    expect(fv("() => ({ [computed]: 1, short })")).toEqual(["computed", "short"]);
    expect(fv("function () { return this.x + arguments.length; }")).toEqual([]);
    expect(fv("a => a?.[idx] ?? a?.(arg)")).toEqual(["idx", "arg"]);
  });

  it("reads template literals, tagged templates, spread, new and typeof", () => {
    expect(fv("x => `${x} and ${other}`")).toEqual(["other"]);
    expect(fv("x => tag`v=${x}`")).toEqual(["tag"]);
    expect(fv("xs => [...xs, ...more]")).toEqual(["more"]);
    expect(fv("() => new Thing()")).toEqual(["Thing"]);
    expect(fv("() => typeof maybe === 'undefined'")).toEqual(["maybe"]);
  });

  it("reports `arguments` only where it comes from outside (arrows)", () => {
    expect(fv("function () { return arguments[0]; }")).toEqual([]);
    expect(fv("() => arguments[0]")).toEqual(["arguments"]);
    expect(fv("function () { return () => arguments[0]; }")).toEqual([]);
  });

  it("handles class bodies", () => {
    expect(fv("() => class extends Base { x = init; static s = 1; #p = 2; m(a) { return a + this.#p + helper(a); } }"))
      .toEqual(["Base", "init", "helper"]);
    expect(fv("() => { class A { static { tmp = 1; } get v() { return A.name; } set v(x) { store = x; } } }"))
      .toEqual(["tmp", "store"]);
    expect(fv("class Foo { m() { return dep; } }")).toEqual(["dep"]);
  });

  it("parses method shorthand, getters and class methods as given by toString()", () => {
    expect(fv("foo(a) { return a + b; }")).toEqual(["b"]);
    expect(fv("async *gen() { yield await src; }")).toEqual(["src"]);
    expect(fv("get size() { return this.n; }")).toEqual([]);
    expect(fv("set size(v) { this.n = v + delta; }")).toEqual(["delta"]);
    expect(fv("[Symbol.iterator]() { return items[Symbol.iterator](); }")).toEqual(["items", "Symbol"]);
    expect(fv("#hidden(a) { return a; }")).toEqual([]);
    // The computed key is not part of the function.
    expect(fv("[keyName](a) { return a; }")).toEqual([]);

    const obj = { foo(a: number) { return a; }, async *gen() { yield 1; }, get g() { return 1; } };
    expect(fv(obj.foo.toString())).toEqual([]);
    expect(fv(obj.gen.toString())).toEqual([]);
    expect(fv(Object.getOwnPropertyDescriptor(obj, "g")!.get!.toString())).toEqual([]);
    class K { static s(x: number) { return x; } m(x: number) { return x; } }
    expect(fv(K.s.toString())).toEqual([]);
    expect(fv(K.prototype.m.toString())).toEqual([]);
  });

  it("rejects text that is not one function", () => {
    expect(() => fv("a + b")).toThrow(SyntaxError);
    expect(() => fv("a => a) + (b")).toThrow(SyntaxError);
    expect(() => fv("function (")).toThrow(/Not the source of a function/);
    expect(() => fv("x => x; y")).toThrow(SyntaxError);
  });
});

describe("analyzeFunctionSource", () => {
  it("rewrites method shorthand as a function expression and keeps async/generator", () => {
    expect(analyzeFunctionSource("foo(a) { return a; }")).toMatchObject({
      form: "method",
      expression: "function (a) { return a; }",
    });
    expect(analyzeFunctionSource("async *gen(n) { yield n; }").expression).toBe("async function* (n) { yield n; }");
    expect(analyzeFunctionSource("async foo() {}").expression).toBe("async function () {}");
    expect(analyzeFunctionSource("get x() { return 1; }").expression).toBe("function () { return 1; }");
  });

  it("classifies forms and flags lexical this and super", () => {
    expect(analyzeFunctionSource("x => x").form).toBe("arrow");
    expect(analyzeFunctionSource("function () {}").form).toBe("function");
    expect(analyzeFunctionSource("class A {}").form).toBe("class");
    expect(analyzeFunctionSource("x => this.k * x").usesLexicalThis).toBe(true);
    expect(analyzeFunctionSource("x => function () { return this; }").usesLexicalThis).toBe(false);
    expect(analyzeFunctionSource("x => ({ m() { return this; } })").usesLexicalThis).toBe(false);
    expect(analyzeFunctionSource("function () { return this; }").usesLexicalThis).toBe(false);
    expect(analyzeFunctionSource("m() { return super.m() + 1; }").usesSuper).toBe(true);
    expect(analyzeFunctionSource("m() { return { n() { return super.n(); } }; }").usesSuper).toBe(false);
  });
});
