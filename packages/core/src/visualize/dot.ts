/**
 * Task graphs as Graphviz DOT text, drawn the way Dask draws them: every task is an
 * ellipse labeled with its function, every key a box labeled with its (abbreviated)
 * key, and edges run dependency key -> task -> the task's key. Literal data is a box only.
 *
 * Large graphs (more than `maxNodes` drawn nodes) collapse to one node per key prefix,
 * so that a graph of 100k tasks still lays out in a moment.
 */
import { InvalidArgumentError } from "../errors.js";
import { keyPrefix, parseKey } from "../graph/key.js";
import { Task, TaskRef, dependenciesOf, isComputable, isPlainObject } from "../graph/task.js";
import type { Graph, GraphNode } from "../graph/task.js";

/** Graph direction, as Graphviz's `rankdir`: "BT" (Dask's default) draws inputs at the bottom. */
export type RankDir = "TB" | "LR" | "BT" | "RL";

export interface DotOptions {
  /** Keys to highlight as the results of the computation (keys not in the graph are ignored). */
  outputs?: readonly string[];
  /** Layout direction; default "BT" (inputs at the bottom, results at the top, as in Dask). */
  rankdir?: RankDir;
  /**
   * Above this many drawn nodes (key boxes + task ellipses + boxes for missing dependencies),
   * the graph is collapsed to one node per key prefix. Default 2000; `Infinity` never collapses.
   */
  maxNodes?: number;
  /** A title drawn at the top of the picture. */
  title?: string;
}

/** The default of `DotOptions.maxNodes`. */
export const DEFAULT_MAX_NODES = 2000;

const RANKDIRS: readonly RankDir[] = ["TB", "LR", "BT", "RL"];

const OUTPUT_STYLE = 'style="filled,bold", fillcolor="#ffe08a", penwidth=2';
const MISSING_STYLE = 'style=dashed, color="#888888", fontcolor="#666666"';

/**
 * Quotes a string for DOT (an escString: node labels and the graph title), so the picture shows
 * exactly the text given: backslashes and quotes are escaped, newlines become line breaks,
 * `&` is written as `&amp;` (Graphviz would otherwise decode HTML entities such as `&lt;`),
 * other control characters are shown as `\xNN`, and lone surrogates become U+FFFD.
 */
export function dotString(text: string): string {
  return quote(text, "\\\\");
}

/**
 * Quotes a string for a `tooltip`: Graphviz unescapes tooltips twice (and expands `\N`
 * and friends on the second pass), so a backslash is written as four.
 */
export function dotTooltip(text: string): string {
  return quote(text, "\\\\\\\\");
}

function quote(text: string, backslash: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const ch = text[i]!;
    if (ch === "\\") out += backslash;
    else if (ch === '"') out += '\\"';
    else if (ch === "&") out += "&amp;";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") {
      out += "\\n";
      if (text[i + 1] === "\n") i++;
    } else if (c < 0x20 || c === 0x7f) out += backslash + "x" + c.toString(16).padStart(2, "0");
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += ch + text[i + 1]!;
        i++;
      } else out += "\uFFFD";
    } else if (c >= 0xdc00 && c <= 0xdfff) out += "\uFFFD";
    else out += ch;
  }
  return out + '"';
}

/**
 * The short label of a key: its prefix (name without the token) plus block indices,
 * e.g. `sum (0, 1)` for `["sum-3f2a11aa", 0, 1]` and `inc` for `"inc-0123456789abcdef"`.
 */
export function keyLabel(key: string): string {
  const k = parseKey(key);
  const prefix = keyPrefix(k);
  if (typeof k === "string") return prefix;
  return k.length > 1 ? `${prefix} (${k.slice(1).join(", ")})` : prefix;
}

/** The label of the function ellipse of a computable node (for a nested task, its outer function). */
function taskLabel(node: GraphNode): string {
  if (node instanceof Task) {
    const label = (node.fn as { label?: unknown } | undefined)?.label;
    return typeof label === "string" && label !== "" ? label : "task";
  }
  if (Array.isArray(node)) return "array";
  if (isPlainObject(node)) return "object";
  return "task";
}

interface Entry {
  key: string;
  node: GraphNode;
  deps: string[];
  /** "task": a function node is drawn; "alias": a TaskRef (edge straight to the key); "data": box only. */
  kind: "task" | "alias" | "data";
}

function classify(key: string, node: GraphNode): Entry {
  if (node instanceof TaskRef) return { key, node, deps: [node.key], kind: "alias" };
  if (node instanceof Task || isComputable(node)) return { key, node, deps: dependenciesOf(node), kind: "task" };
  return { key, node, deps: [], kind: "data" };
}

interface SortKey {
  name: string;
  indices: readonly unknown[];
  text: string;
}

function sortKey(key: string): SortKey {
  const k = parseKey(key);
  return typeof k === "string" ? { name: k, indices: [], text: key } : { name: k[0], indices: k.slice(1), text: key };
}

/** Orders keys by name, then block indices numerically, then canonical text: `x,2` before `x,10`. */
function compareSortKeys(a: SortKey, b: SortKey): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  const n = Math.min(a.indices.length, b.indices.length);
  for (let i = 0; i < n; i++) {
    const x = a.indices[i];
    const y = b.indices[i];
    if (x === y) continue;
    if (typeof x === "number" && typeof y === "number" && x !== y) return x - y;
    const sx = String(x);
    const sy = String(y);
    if (sx !== sy) return sx < sy ? -1 : 1;
  }
  if (a.indices.length !== b.indices.length) return a.indices.length - b.indices.length;
  return a.text === b.text ? 0 : a.text < b.text ? -1 : 1;
}

function sortKeys(keys: Iterable<string>): string[] {
  return [...keys]
    .map(sortKey)
    .sort(compareSortKeys)
    .map((k) => k.text);
}

function validate(opts: DotOptions): { rankdir: RankDir; maxNodes: number } {
  const rankdir = opts.rankdir ?? "BT";
  if (!RANKDIRS.includes(rankdir)) {
    throw new InvalidArgumentError(`rankdir must be one of ${RANKDIRS.join(", ")}; got ${JSON.stringify(rankdir)}.`);
  }
  const maxNodes = opts.maxNodes ?? DEFAULT_MAX_NODES;
  if (typeof maxNodes !== "number" || Number.isNaN(maxNodes) || maxNodes < 1) {
    throw new InvalidArgumentError(
      `maxNodes must be a positive number (or Infinity to never collapse); got ${String(maxNodes)}.`,
    );
  }
  if (opts.outputs !== undefined && !Array.isArray(opts.outputs)) {
    throw new InvalidArgumentError(`outputs must be an array of key strings; got ${typeof opts.outputs}.`);
  }
  return { rankdir, maxNodes };
}

function header(rankdir: RankDir, labels: string[]): string[] {
  const graphAttrs = [`rankdir=${rankdir}`];
  if (labels.length > 0) graphAttrs.push(`label=${dotString(labels.join("\n"))}`, "labelloc=t", "fontsize=14");
  return [
    "digraph dask {",
    `  graph [${graphAttrs.join(", ")}];`,
    '  node [fontname="Helvetica", fontsize=12];',
    '  edge [color="#555555"];',
  ];
}

/**
 * The DOT text of a task graph. The same graph always gives the same text (keys are
 * drawn in sorted order, node ids are generated from that order: `k<i>` for key boxes,
 * `f<i>` for task ellipses, `m<i>` for keys depended on but missing from the graph).
 */
export function graphToDot(graph: Graph, opts: DotOptions = {}): string {
  if (!(graph instanceof Map)) {
    throw new InvalidArgumentError(`graphToDot expects a task graph (a Map from key to task); got ${typeof graph}.`);
  }
  const { rankdir, maxNodes } = validate(opts);
  const outputs = new Set(opts.outputs ?? []);

  let entries: Entry[] = [];
  let nodeCount = 0;
  for (const [key, node] of graph) {
    const e = classify(key, node);
    entries.push(e);
    nodeCount += e.kind === "task" ? 2 : 1;
  }
  const missing = new Set<string>();
  for (const e of entries) for (const d of e.deps) if (!graph.has(d)) missing.add(d);
  nodeCount += missing.size;

  const labels = opts.title !== undefined && opts.title !== "" ? [opts.title] : [];
  if (nodeCount > maxNodes) return collapsed(entries, missing, outputs, rankdir, maxNodes, nodeCount, labels);

  const byKey = new Map(entries.map((e) => [e.key, e]));
  entries = sortKeys(byKey.keys()).map((k) => byKey.get(k)!);
  const ids = new Map<string, string>();
  entries.forEach((e, i) => ids.set(e.key, `k${i}`));
  const missingSorted = sortKeys(missing);
  missingSorted.forEach((k, i) => ids.set(k, `m${i}`));

  const lines = header(rankdir, labels);
  const edges: string[] = [];
  entries.forEach((e, i) => {
    const kid = `k${i}`;
    if (e.kind === "task") {
      const fid = `f${i}`;
      lines.push(`  ${fid} [label=${dotString(taskLabel(e.node))}, shape=ellipse];`);
      for (const d of e.deps) edges.push(`  ${ids.get(d)!} -> ${fid};`);
      edges.push(`  ${fid} -> ${kid};`);
    } else if (e.kind === "alias") {
      edges.push(`  ${ids.get(e.deps[0]!)!} -> ${kid};`);
    }
    const style = outputs.has(e.key) ? `, ${OUTPUT_STYLE}` : "";
    lines.push(`  ${kid} [label=${dotString(keyLabel(e.key))}, shape=box, tooltip=${dotTooltip(e.key)}${style}];`);
  });
  missingSorted.forEach((k, i) => {
    lines.push(`  m${i} [label=${dotString(keyLabel(k))}, shape=box, tooltip=${dotTooltip(`${k} (not in graph)`)}, ${MISSING_STYLE}];`);
  });
  lines.push(...edges, "}");
  return lines.join("\n") + "\n";
}

interface Group {
  prefix: string;
  keys: number;
  tasks: number;
  output: boolean;
  missing: boolean;
}

/** One node per key prefix (at most `maxNodes`; the smallest groups beyond that merge into one). */
function collapsed(
  entries: Entry[],
  missing: Set<string>,
  outputs: Set<string>,
  rankdir: RankDir,
  maxNodes: number,
  nodeCount: number,
  labels: string[],
): string {
  const groups = new Map<string, Group>();
  const groupOf = new Map<string, string>();
  const add = (key: string, isTask: boolean, isMissing: boolean): void => {
    const prefix = keyPrefix(key);
    groupOf.set(key, prefix);
    let g = groups.get(prefix);
    if (!g) groups.set(prefix, (g = { prefix, keys: 0, tasks: 0, output: false, missing: true }));
    g.keys++;
    if (isTask) g.tasks++;
    if (!isMissing) g.missing = false;
    if (outputs.has(key)) g.output = true;
  };
  for (const e of entries) add(e.key, e.kind === "task", false);
  for (const k of missing) add(k, false, true);

  let list = [...groups.values()].sort((a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0));
  let otherName = "(other)";
  while (groups.has(otherName)) otherName += "*";
  let merged = 0;
  if (list.length > maxNodes) {
    // Keep the largest groups; fold the rest into one node so the picture stays drawable.
    const keep = Math.max(1, Math.floor(maxNodes) - 1);
    const bySize = [...list].sort((a, b) => b.keys - a.keys || (a.prefix < b.prefix ? -1 : 1));
    const kept = new Set(bySize.slice(0, keep).map((g) => g.prefix));
    const other: Group = { prefix: otherName, keys: 0, tasks: 0, output: false, missing: true };
    for (const g of list) {
      if (kept.has(g.prefix)) continue;
      merged++;
      other.keys += g.keys;
      other.tasks += g.tasks;
      other.output ||= g.output;
      other.missing &&= g.missing;
    }
    for (const [k, p] of groupOf) if (!kept.has(p)) groupOf.set(k, otherName);
    list = list.filter((g) => kept.has(g.prefix));
    list.push(other);
  }

  const ids = new Map<string, string>();
  list.forEach((g, i) => ids.set(g.prefix, `g${i}`));
  const edgeSet = new Set<string>();
  for (const e of entries) {
    const to = ids.get(groupOf.get(e.key)!)!;
    for (const d of e.deps) {
      const from = ids.get(groupOf.get(d)!)!;
      if (from !== to) edgeSet.add(`${from} -> ${to}`);
    }
  }
  const edges = [...edgeSet].sort((a, b) => {
    const [a1, a2] = a.split(" -> ").map((s) => Number(s.slice(1)));
    const [b1, b2] = b.split(" -> ").map((s) => Number(s.slice(1)));
    return a1! - b1! || a2! - b2!;
  });

  const fmt = (n: number): string => n.toLocaleString("en-US");
  labels.push(
    `${fmt(entries.length)} keys (${fmt(nodeCount)} nodes) collapsed into ${fmt(list.length)} groups by key prefix` +
      ` (above maxNodes=${fmt(maxNodes)})` +
      (merged > 0 ? `; ${fmt(merged)} smallest prefixes merged into "${otherName}"` : ""),
  );
  const lines = header(rankdir, labels);
  list.forEach((g, i) => {
    const what = g.tasks === g.keys ? "tasks" : g.tasks === 0 ? "keys" : `keys, ${fmt(g.tasks)} tasks`;
    const label = `${g.prefix}\n${fmt(g.keys)} ${what}`;
    const style = g.output ? `, ${OUTPUT_STYLE}` : g.missing ? `, ${MISSING_STYLE}` : "";
    lines.push(`  g${i} [label=${dotString(label)}, shape=box3d${style}];`);
  });
  for (const e of edges) lines.push(`  ${e};`);
  lines.push("}");
  return lines.join("\n") + "\n";
}
