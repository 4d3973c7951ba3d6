/** Layered graphs (Dask's HighLevelGraph): one layer per operation, materialized to a flat map on demand. */
import type { Graph, GraphNode } from "./task.js";

/** One operation's tasks. */
export interface Layer {
  /** The tasks of this layer, by canonical key. */
  materialize(): Graph;
  /** Number of tasks, without materializing where possible. */
  readonly size: number;
  /** Free-form notes for optimizations and the dashboard (e.g. { kind: "blockwise" }). */
  readonly annotations?: Readonly<Record<string, unknown>>;
}

/** A layer that already holds its tasks. */
export class MaterializedLayer implements Layer {
  constructor(
    readonly tasks: Graph,
    readonly annotations?: Readonly<Record<string, unknown>>,
  ) {}
  materialize(): Graph {
    return this.tasks;
  }
  get size(): number {
    return this.tasks.size;
  }
}

/** A graph of named layers plus the layer-level dependencies between them. */
export class LayeredGraph {
  constructor(
    readonly layers: ReadonlyMap<string, Layer>,
    readonly dependencies: ReadonlyMap<string, ReadonlySet<string>>,
  ) {}

  /** An empty graph. */
  static empty(): LayeredGraph {
    return new LayeredGraph(new Map(), new Map());
  }

  /** A graph of one layer on top of the given dependency graphs. */
  static fromLayer(name: string, layer: Layer | Graph, deps: readonly LayeredGraph[] = []): LayeredGraph {
    const merged = LayeredGraph.merge(...deps);
    const layers = new Map(merged.layers);
    const dependencies = new Map(merged.dependencies);
    layers.set(name, layer instanceof Map ? new MaterializedLayer(layer) : layer);
    const depNames = new Set<string>();
    for (const d of deps) for (const n of d.topLayers()) depNames.add(n);
    depNames.delete(name);
    dependencies.set(name, depNames);
    return new LayeredGraph(layers, dependencies);
  }

  /** Union of several graphs; layers with the same name are the same operation and kept once. */
  static merge(...graphs: readonly LayeredGraph[]): LayeredGraph {
    if (graphs.length === 1) return graphs[0]!;
    const layers = new Map<string, Layer>();
    const dependencies = new Map<string, ReadonlySet<string>>();
    for (const g of graphs) {
      for (const [n, l] of g.layers) if (!layers.has(n)) layers.set(n, l);
      for (const [n, d] of g.dependencies) if (!dependencies.has(n)) dependencies.set(n, d);
    }
    return new LayeredGraph(layers, dependencies);
  }

  /** Layers no other layer depends on (the outputs of this graph). */
  topLayers(): string[] {
    const used = new Set<string>();
    for (const d of this.dependencies.values()) for (const n of d) used.add(n);
    return [...this.layers.keys()].filter((n) => !used.has(n));
  }

  /** Total number of tasks. */
  get size(): number {
    let n = 0;
    for (const l of this.layers.values()) n += l.size;
    return n;
  }

  /** The flat graph: every layer's tasks in one map. Treat it as read-only (a single layer's map is shared). */
  materialize(): Graph {
    if (this.layers.size === 1) return this.layers.values().next().value!.materialize();
    const out: Graph = new Map<string, GraphNode>();
    for (const l of this.layers.values()) for (const [k, v] of l.materialize()) out.set(k, v);
    return out;
  }
}
