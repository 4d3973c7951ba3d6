/** Source analysis of functions: which names a function uses from outside itself, and how to re-create it from text. */
import { parse } from "acorn";
import { analyze } from "eslint-scope";

/** What `analyzeFunctionSource` learns from a function's source text. */
export interface FunctionSourceInfo {
  /** An expression that evaluates to the function (method shorthand rewritten as a function expression). */
  readonly expression: string;
  /** Names read or written but not declared inside the function, in source order. */
  readonly freeVariables: readonly string[];
  /** The syntactic form the source had. */
  readonly form: "function" | "arrow" | "class" | "method";
  /** True for an arrow function whose own code uses `this` (it would see its creator's `this`). */
  readonly usesLexicalThis: boolean;
  /** True for a method whose own code uses `super` (it needs its home object). */
  readonly usesSuper: boolean;
}

// Minimal structural view of acorn's ESTree nodes: enough to walk them generically.
interface AstNode {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

// fn.toString() yields one of three shapes; each is parsed inside a wrapper that makes it a
// valid program, and the node found at `offset` must span the whole source.
const WRAPPERS = [
  { form: "expression", prefix: "(", suffix: "\n)" },
  // Object-literal methods, getters and setters: `foo(a) { ... }`, `async *gen() {}`, `get x() {}`.
  { form: "object-method", prefix: "({", suffix: "\n})" },
  // Class methods that only parse inside a class (private names: `#m() {}`).
  { form: "class-method", prefix: "(class{", suffix: "\n})" },
] as const;

/** The names a function's source reads or writes without declaring them (its free variables), in source order. */
export function freeVariables(source: string): string[] {
  return [...analyzeFunctionSource(source).freeVariables];
}

/**
 * Parses a function's source text (as given by `Function.prototype.toString`) and analyzes its scope.
 * Throws a SyntaxError when the text is not the source of a single function, arrow, class or method.
 */
export function analyzeFunctionSource(source: string): FunctionSourceInfo {
  const src = source.trim();
  let firstError: unknown;
  for (const w of WRAPPERS) {
    let program: AstNode;
    try {
      program = parse(w.prefix + src + w.suffix, { ecmaVersion: "latest", ranges: true }) as unknown as AstNode;
    } catch (e) {
      firstError ??= e;
      continue;
    }
    const found = findTarget(program, w.form, w.prefix.length, src.length);
    if (found) return describe(program, found, src, w.prefix.length);
  }
  const why = firstError instanceof Error ? firstError.message : String(firstError);
  throw new SyntaxError(`Not the source of a function (${why}): ${preview(src)}`);
}

interface Target {
  /** The function (or class) node whose scope is analyzed. */
  fn: AstNode;
  /** The method definition or property around it, for method shorthand. */
  method?: AstNode;
}

// Finds the function node in the wrapped program, or undefined when the text was something else
// (e.g. `a => a) + (b` parses as an expression but is not one function).
function findTarget(program: AstNode, form: string, offset: number, length: number): Target | undefined {
  const body = program.body as AstNode[];
  if (body.length !== 1 || body[0]!.type !== "ExpressionStatement") return undefined;
  const expr = body[0]!.expression as AstNode;
  const spans = (n: AstNode) => n.start === offset && n.end === offset + length;
  if (form === "expression") {
    const ok = expr.type === "FunctionExpression" || expr.type === "ArrowFunctionExpression" || expr.type === "ClassExpression";
    return ok && spans(expr) ? { fn: expr } : undefined;
  }
  const members = (form === "object-method" ? expr.properties : (expr.body as AstNode).body) as AstNode[];
  if (members.length !== 1) return undefined;
  const m = members[0]!;
  const isMethod =
    m.type === "MethodDefinition" || (m.type === "Property" && (m.method === true || m.kind === "get" || m.kind === "set"));
  return isMethod && spans(m) ? { fn: m.value as AstNode, method: m } : undefined;
}

function describe(program: AstNode, target: Target, src: string, offset: number): FunctionSourceInfo {
  const fn = target.fn;
  // Real scope analysis: every reference that no scope inside the program resolves ends up in the
  // global scope's `through` list. Keep those inside the function node (this drops computed method
  // keys, which are not part of the function that gets shipped).
  const manager = analyze(program as unknown as Parameters<typeof analyze>[0], {
    ecmaVersion: 2022,
    sourceType: "script",
    // A direct eval() would otherwise make eslint-scope report every local as unresolved.
    ignoreEval: true,
  });
  const refs = (manager.globalScope?.through ?? [])
    .map((r) => r.identifier as unknown as { name: string; start: number })
    .filter((id) => id.start >= fn.start && id.start < fn.end)
    .sort((a, b) => a.start - b.start);
  const freeVariables = [...new Set(refs.map((id) => id.name))];

  let form: FunctionSourceInfo["form"];
  let expression = src;
  if (target.method) {
    form = "method";
    // `async *gen(a) {...}` -> `async function* (a) {...}`: the value node starts at the parameter list.
    expression =
      `${fn.async ? "async " : ""}function${fn.generator ? "*" : ""} ` + src.slice(fn.start - offset, fn.end - offset);
  } else if (fn.type === "ClassExpression") form = "class";
  else if (fn.type === "ArrowFunctionExpression") form = "arrow";
  else form = "function";

  let usesLexicalThis = false;
  let usesSuper = false;
  if (form === "arrow" || form === "method") {
    walkOwnCode(fn, (n) => {
      if (n.type === "ThisExpression") usesLexicalThis = form === "arrow";
      else if (n.type === "Super") usesSuper = true;
    });
  }
  return { expression, freeVariables, form, usesLexicalThis, usesSuper };
}

// Visits the nodes whose `this` and `super` are the function's own: nested arrows share them,
// nested non-arrow functions and class bodies have their own (but computed class keys do not).
function walkOwnCode(fn: AstNode, visit: (n: AstNode) => void): void {
  const walk = (n: AstNode): void => {
    visit(n);
    if (n.type === "FunctionExpression" || n.type === "FunctionDeclaration") return;
    if (n.type === "ClassBody") {
      for (const m of n.body as AstNode[]) if (m.computed) walk(m.key as AstNode);
      return;
    }
    forEachChild(n, walk);
  };
  for (const p of fn.params as AstNode[]) walk(p);
  walk(fn.body as AstNode);
}

function forEachChild(n: AstNode, visit: (child: AstNode) => void): void {
  for (const key in n) {
    if (key === "type" || key === "start" || key === "end" || key === "range" || key === "loc") continue;
    const v = n[key];
    if (Array.isArray(v)) {
      for (const c of v) if (isNode(c)) visit(c);
    } else if (isNode(v)) visit(v);
  }
}

function isNode(v: unknown): v is AstNode {
  return typeof v === "object" && v !== null && typeof (v as { type?: unknown }).type === "string";
}

function preview(src: string): string {
  const oneLine = src.replace(/\s+/g, " ");
  return oneLine.length > 80 ? `${oneLine.slice(0, 77)}...` : oneLine;
}
