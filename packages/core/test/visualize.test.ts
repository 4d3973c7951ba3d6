import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FnRef } from "@dask-ts/core/fn/fnref";
import { keyStr } from "@dask-ts/core/graph/key";
import { Literal, Task, TaskRef } from "@dask-ts/core/graph/task";
import type { Graph } from "@dask-ts/core/graph/task";
import { dotString, graphToDot, keyLabel } from "@dask-ts/core/visualize/dot";
import { renderDot, visualizeGraph } from "@dask-ts/core/visualize/render";
import { InvalidArgumentError } from "@dask-ts/core/errors";

const kernel = (name: string) => new FnRef({ kind: "kernel", name });
const inc = kernel("demo.inc");
const dec = kernel("demo.dec");
const add = kernel("demo.add");

const A = keyStr(["data-0123456789abcdef", 0]);
const B = keyStr(["inc-0123456789abcdef", 0]);
const C = keyStr(["dec-0123456789abcdef", 0]);
const D = "add-fedcba9876543210";

/** a (data) -> inc -> b, a -> dec -> c, (b, c) -> add -> d */
function diamond(order: "forward" | "reverse" = "forward"): Graph {
  const entries: [string, unknown][] = [
    [A, new Literal([1, 2, 3])],
    [B, new Task(inc, [new TaskRef(A)])],
    [C, new Task(dec, [new TaskRef(A)])],
    [D, new Task(add, [new TaskRef(B), { y: new TaskRef(C) }])],
  ];
  return new Map(order === "forward" ? entries : entries.reverse());
}

interface Parsed {
  nodes: Map<string, Record<string, string>>;
  edges: [string, string][];
  graphAttrs: string;
}

/** A small parser for the line-per-statement DOT that graphToDot writes. */
function parseDot(dot: string): Parsed {
  const nodes = new Map<string, Record<string, string>>();
  const edges: [string, string][] = [];
  let graphAttrs = "";
  for (const line of dot.split("\n")) {
    const edge = /^ {2}(\w+) -> (\w+);$/.exec(line);
    if (edge) {
      edges.push([edge[1]!, edge[2]!]);
      continue;
    }
    const g = /^ {2}graph \[(.*)\];$/.exec(line);
    if (g) {
      graphAttrs = g[1]!;
      continue;
    }
    const node = /^ {2}([kfmg]\d+) \[(.*)\];$/.exec(line);
    if (node) {
      const attrs: Record<string, string> = {};
      const re = /(\w+)=("(?:[^"\\]|\\.)*"|[^,\s]+)/g;
      for (let m = re.exec(node[2]!); m; m = re.exec(node[2]!)) {
        const v = m[2]!;
        attrs[m[1]!] = v.startsWith('"') ? (JSON.parse(v) as string) : v;
      }
      nodes.set(node[1]!, attrs);
    }
  }
  return { nodes, edges, graphAttrs };
}

function nodeByTooltip(p: Parsed, key: string): string {
  for (const [id, a] of p.nodes) if (a.tooltip === key) return id;
  throw new Error(`no node for ${key}`);
}

describe("graphToDot", () => {
  it("draws a diamond as Dask does: tasks are ellipses, keys are boxes", () => {
    const dot = graphToDot(diamond(), { outputs: [D] });
    expect(dot.startsWith("digraph dask {\n")).toBe(true);
    expect(dot.endsWith("}\n")).toBe(true);
    const p = parseDot(dot);
    expect(p.graphAttrs).toContain("rankdir=BT");

    const boxes = [...p.nodes.values()].filter((a) => a.shape === "box");
    const ellipses = [...p.nodes.values()].filter((a) => a.shape === "ellipse");
    expect(boxes).toHaveLength(4);
    expect(ellipses).toHaveLength(3);
    expect(p.nodes.size).toBe(7);
    expect(ellipses.map((a) => a.label).sort()).toEqual(["add", "dec", "inc"]);
    expect(boxes.map((a) => a.label).sort()).toEqual(["add", "data (0)", "dec (0)", "inc (0)"]);
    expect(p.edges).toHaveLength(7);

    const a = nodeByTooltip(p, A);
    const b = nodeByTooltip(p, B);
    const c = nodeByTooltip(p, C);
    const d = nodeByTooltip(p, D);
    const fn = (label: string) => [...p.nodes].find(([, x]) => x.shape === "ellipse" && x.label === label)![0];
    const edgeSet = new Set(p.edges.map(([x, y]) => `${x}->${y}`));
    for (const [x, y] of [
      [a, fn("inc")],
      [fn("inc"), b],
      [a, fn("dec")],
      [fn("dec"), c],
      [b, fn("add")],
      [c, fn("add")],
      [fn("add"), d],
    ]) {
      expect(edgeSet.has(`${x}->${y}`), `${x}->${y}`).toBe(true);
    }
    // the output key is highlighted, nothing else is
    expect(p.nodes.get(d)!.style).toBe("filled,bold");
    expect([...p.nodes.values()].filter((x) => x.style === "filled,bold")).toHaveLength(1);
  });

  it("labels nested tasks with the outer function and aliases with a direct edge", () => {
    const g: Graph = new Map<string, unknown>([
      ["x", 1],
      ["y", new Task(add, [new Task(inc, [new TaskRef("x")]), 2])],
      ["z", new TaskRef("y")],
      ["w", [new TaskRef("x"), new TaskRef("y")]],
    ]);
    const p = parseDot(graphToDot(g));
    const ellipses = [...p.nodes.values()].filter((a) => a.shape === "ellipse");
    expect(ellipses.map((a) => a.label).sort()).toEqual(["add", "array"]);
    const y = nodeByTooltip(p, "y");
    const z = nodeByTooltip(p, "z");
    expect(p.edges).toContainEqual([y, z]);
    expect(p.nodes.size).toBe(6); // 4 boxes + add + array
  });

  it("draws dependencies missing from the graph as dashed boxes", () => {
    const g: Graph = new Map([["y", new Task(inc, [new TaskRef("gone")])]]);
    const p = parseDot(graphToDot(g));
    const m = nodeByTooltip(p, "gone (not in graph)");
    expect(m).toMatch(/^m\d+$/);
    expect(p.nodes.get(m)!.style).toBe("dashed");
  });

  it("abbreviates keys to prefix plus block indices", () => {
    expect(keyLabel(keyStr(["sum-3f2a11aabb", 0, 1]))).toBe("sum (0, 1)");
    expect(keyLabel("inc-0123456789abcdef")).toBe("inc");
    expect(keyLabel("custom")).toBe("custom");
  });

  it("escapes quotes, backslashes, newlines, entities and unicode", () => {
    expect(dotString('a"b')).toBe('"a\\"b"');
    expect(dotString("a\\b")).toBe('"a\\\\b"');
    expect(dotString("a\nb")).toBe('"a\\nb"');
    expect(dotString("a\r\nb")).toBe('"a\\nb"');
    expect(dotString("a&lt;b")).toBe('"a&amp;lt;b"');
    expect(dotString("a\u0001b")).toBe('"a\\\\x01b"');
    expect(dotString("Δx ✓ 🚀")).toBe('"Δx ✓ 🚀"');
    expect(dotString("bad\uD800")).toBe('"bad\uFFFD"');
  });

  it("keeps a nasty key intact through DOT and Graphviz", async () => {
    const nasty = 'we"ird\\ \\N key: Δ 🚀\nline2 &lt;';
    const g: Graph = new Map<string, unknown>([
      [nasty, 1],
      ["out", new Task(inc, [new TaskRef(nasty)])],
    ]);
    const dot = graphToDot(g);
    const p = parseDot(dot);
    expect(p.nodes.size).toBe(3);
    // the raw newline never reaches the DOT text: every statement is on one line
    expect(dot.split("\n").filter((l) => l.includes("line2"))).toHaveLength(1);
    const svg = await renderDot(dot, "svg");
    // Graphviz shows the label in two lines, with the backslashes, quote, entity text and unicode as given
    expect(svg).toContain("we&quot;ird\\ \\N key: Δ 🚀</text>");
    expect(svg).toContain(">line2 &amp;lt;</text>");
    expect(svg).toContain('xlink:title="we&quot;ird\\ \\N key: Δ 🚀&#10;line2 &amp;lt;"');
  });

  it("shows a title with backslashes and entities as given", async () => {
    const svg = await renderDot(graphToDot(diamond(), { title: "C:\\data\\N & <b>" }), "svg");
    expect(svg).toContain(">C:\\data\\N &amp; &lt;b&gt;</text>");
  });

  it("is deterministic: same graph, same text, whatever the insertion order", () => {
    const a = graphToDot(diamond("forward"), { title: "t" });
    expect(graphToDot(diamond("forward"), { title: "t" })).toBe(a);
    expect(graphToDot(diamond("reverse"), { title: "t" })).toBe(a);
  });

  it("orders block indices numerically", () => {
    const g: Graph = new Map();
    for (const i of [10, 2, 1]) g.set(keyStr(["x-0123456789abcdef", i]), i);
    const p = parseDot(graphToDot(g));
    expect([...p.nodes.values()].map((a) => a.label)).toEqual(["x (1)", "x (2)", "x (10)"]);
  });

  it("puts the title and rankdir on the graph", () => {
    const p = parseDot(graphToDot(diamond(), { title: 'My "graph"', rankdir: "LR" }));
    expect(p.graphAttrs).toContain("rankdir=LR");
    expect(p.graphAttrs).toContain('label="My \\"graph\\""');
  });

  it("rejects bad options with typed errors", () => {
    expect(() => graphToDot(diamond(), { rankdir: "XX" as "TB" })).toThrow(InvalidArgumentError);
    expect(() => graphToDot(diamond(), { maxNodes: 0 })).toThrow(InvalidArgumentError);
    expect(() => graphToDot({} as Graph)).toThrow(InvalidArgumentError);
  });

  it("collapses a graph above maxNodes into one node per key prefix", () => {
    const p = parseDot(graphToDot(diamond(), { maxNodes: 6, outputs: [D] }));
    expect(p.nodes.size).toBe(4);
    expect([...p.nodes.values()].every((a) => a.shape === "box3d")).toBe(true);
    expect([...p.nodes.values()].map((a) => a.label).sort()).toEqual([
      "add\n1 tasks",
      "data\n1 keys",
      "dec\n1 tasks",
      "inc\n1 tasks",
    ]);
    expect(p.edges).toHaveLength(4);
    expect(p.graphAttrs).toMatch(/4 keys \(7 nodes\) collapsed into 4 groups by key prefix \(above maxNodes=6\)/);
    expect([...p.nodes.values()].find((a) => a.label!.startsWith("add"))!.style).toBe("filled,bold");
    // at the limit it is not collapsed
    expect(parseDot(graphToDot(diamond(), { maxNodes: 7 })).nodes.size).toBe(7);
  });

  it("collapses a 100k-task graph quickly and renders it", async () => {
    const n = 50_000;
    const g: Graph = new Map();
    const load = "load-00112233445566778899";
    const incName = "inc-aabbccddeeff00112233";
    const refs: TaskRef[] = [];
    for (let i = 0; i < n; i++) {
      const lk = keyStr([load, i]);
      const ik = keyStr([incName, i]);
      g.set(lk, new Task(kernel("io.load"), [i]));
      g.set(ik, new Task(inc, [new TaskRef(lk)]));
      refs.push(new TaskRef(ik));
    }
    g.set("total-ffeeddccbbaa99887766", new Task(kernel("array.sum"), [refs]));
    const t0 = performance.now();
    const dot = graphToDot(g, { outputs: ["total-ffeeddccbbaa99887766"] });
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(5000);
    const p = parseDot(dot);
    expect([...p.nodes.values()].map((a) => a.label).sort()).toEqual([
      "inc\n50,000 tasks",
      "load\n50,000 tasks",
      "total\n1 tasks",
    ]);
    expect(p.edges).toHaveLength(2);
    expect(p.graphAttrs).toContain("100,001 keys (200,002 nodes) collapsed into 3 groups");
    const svg = await renderDot(dot, "svg");
    expect(svg).toContain("50,000 tasks");
  });

  it("merges the smallest prefixes when even the prefixes are too many", () => {
    const g: Graph = new Map();
    for (let i = 0; i < 30; i++) g.set(`node${String(i).padStart(2, "0")}`, i);
    g.set("big-0123456789abcdef", 1);
    g.set("big-1123456789abcdef", 2);
    const p = parseDot(graphToDot(g, { maxNodes: 5 }));
    expect(p.nodes.size).toBe(5);
    const labels = [...p.nodes.values()].map((a) => a.label);
    expect(labels).toContain("big\n2 keys");
    expect(labels).toContain("(other)\n27 keys");
    expect(p.graphAttrs).toContain('27 smallest prefixes merged into \\"(other)\\"');
  });
});

describe("renderDot and visualizeGraph", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "dask-ts-visualize-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("renders SVG containing the node labels", async () => {
    const svg = await visualizeGraph(diamond());
    expect(svg.startsWith("<svg") || svg.startsWith("<?xml")).toBe(true);
    expect(svg).toContain("</svg>");
    for (const label of ["inc", "dec", "add", "data (0)", "inc (0)"]) expect(svg).toContain(`>${label}</text>`);
  });

  it("returns DOT text unchanged for format dot", async () => {
    expect(await renderDot("digraph { a }", "dot")).toBe("digraph { a }");
    expect(await visualizeGraph(diamond(), { format: "dot" })).toBe(graphToDot(diamond()));
  });

  it("reports DOT syntax errors as typed errors", async () => {
    await expect(renderDot("digraph { a -> }", "svg")).rejects.toThrow(InvalidArgumentError);
    await expect(renderDot("digraph {}", "png" as "svg")).rejects.toThrow(/supported formats are "svg" and "dot"/);
  });

  it("writes .svg and .dot files and leaves no temporary file", async () => {
    const svgPath = join(dir, "g.svg");
    const dotPath = join(dir, "g.dot");
    const svg = await visualizeGraph(diamond(), { filename: svgPath, outputs: [D] });
    const dot = await visualizeGraph(diamond(), { filename: dotPath });
    expect(await readFile(svgPath, "utf8")).toBe(svg);
    expect(svg).toContain("<svg");
    expect(await readFile(dotPath, "utf8")).toBe(dot);
    expect(dot.startsWith("digraph dask {")).toBe(true);
    // an explicit format for a name without extension
    await visualizeGraph(diamond(), { filename: join(dir, "plain"), format: "dot" });
    expect((await readdir(dir)).sort()).toEqual(["g.dot", "g.svg", "plain"]);
  });

  it("overwrites an existing file atomically", async () => {
    const p = join(dir, "over.dot");
    await writeFile(p, "old");
    await visualizeGraph(diamond(), { filename: p });
    expect(await readFile(p, "utf8")).toBe(graphToDot(diamond()));
    expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("rejects an unknown extension, saying which are supported, and writes nothing", async () => {
    const before = (await readdir(dir)).sort();
    await expect(visualizeGraph(diamond(), { filename: join(dir, "g.png") })).rejects.toThrow(InvalidArgumentError);
    await expect(visualizeGraph(diamond(), { filename: join(dir, "g.png") })).rejects.toThrow(/\.svg, \.dot/);
    await expect(visualizeGraph(diamond(), { filename: join(dir, "g.png"), format: "svg" })).rejects.toThrow(
      InvalidArgumentError,
    );
    await expect(visualizeGraph(diamond(), { filename: join(dir, "noext") })).rejects.toThrow(/no extension/);
    await expect(visualizeGraph(diamond(), { filename: join(dir, "g.svg"), format: "dot" })).rejects.toThrow(
      InvalidArgumentError,
    );
    expect((await readdir(dir)).sort()).toEqual(before);
  });

  it("cleans up the temporary file when the write fails", async () => {
    const missingDir = join(dir, "does-not-exist", "g.svg");
    await expect(visualizeGraph(diamond(), { filename: missingDir })).rejects.toThrow(/ENOENT/);
    expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});
