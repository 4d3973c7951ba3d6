/**
 * Rendering DOT text with Graphviz (compiled to WebAssembly by @viz-js/viz), and
 * `visualizeGraph`, which draws a task graph and optionally writes it to a file.
 */
import { randomBytes } from "node:crypto";
import { rename, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";
import { InvalidArgumentError } from "../errors.js";
import type { Graph } from "../graph/task.js";
import { graphToDot } from "./dot.js";
import type { DotOptions } from "./dot.js";

/** What `renderDot` and `visualizeGraph` can produce. */
export type VisualizeFormat = "svg" | "dot";

/** The formats `renderDot` and `visualizeGraph` support. */
export const VISUALIZE_FORMATS: readonly VisualizeFormat[] = ["svg", "dot"];

/** File extensions and the format each one means. */
const EXTENSIONS: Readonly<Record<string, VisualizeFormat>> = { ".svg": "svg", ".dot": "dot", ".gv": "dot" };

type VizModule = typeof import("@viz-js/viz");
type Viz = Awaited<ReturnType<VizModule["instance"]>>;

let vizPromise: Promise<Viz> | undefined;

/**
 * The Graphviz instance, created once per process (thread) and shared. The module is
 * imported lazily, so importing this file costs nothing until the first SVG is drawn.
 */
function getViz(): Promise<Viz> {
  vizPromise ??= import("@viz-js/viz")
    .then((m) => m.instance())
    .catch((err: unknown) => {
      vizPromise = undefined; // let a later call try again
      throw err;
    });
  return vizPromise;
}

function checkFormat(format: unknown): asserts format is VisualizeFormat {
  if (!VISUALIZE_FORMATS.includes(format as VisualizeFormat)) {
    throw new InvalidArgumentError(
      `Unsupported visualize format ${JSON.stringify(format)}; supported formats are ${VISUALIZE_FORMATS.map((f) => `"${f}"`).join(" and ")}.`,
    );
  }
}

/**
 * Renders DOT text. "svg" lays the graph out with Graphviz (dot engine) and returns the SVG
 * document; "dot" returns the DOT text unchanged (no layout, no WebAssembly).
 */
export async function renderDot(dot: string, format: VisualizeFormat): Promise<string> {
  checkFormat(format);
  if (typeof dot !== "string") throw new InvalidArgumentError(`renderDot expects DOT text; got ${typeof dot}.`);
  if (format === "dot") return dot;
  const viz = await getViz();
  const result = viz.render(dot, { format: "svg", engine: "dot" });
  if (result.status !== "success") {
    const messages = result.errors.filter((e) => e.level !== "warning").map((e) => e.message.trim());
    throw new InvalidArgumentError(
      `Graphviz could not render the DOT text: ${messages.join("; ") || "unknown error"}. Check the DOT syntax.`,
    );
  }
  return result.output;
}

export interface VisualizeOptions extends DotOptions {
  /** Write the picture to this file too (atomically). Its extension (.svg, .dot, .gv) gives the format if `format` is not set. */
  filename?: string;
  /** "svg" (default) or "dot". */
  format?: VisualizeFormat;
}

/** The format to write `filename` in, from `format` or the file's extension. */
function formatFor(filename: string, format: VisualizeFormat | undefined): VisualizeFormat {
  const ext = extname(filename).toLowerCase();
  const fromExt = EXTENSIONS[ext];
  const supported = `supported extensions are ${Object.keys(EXTENSIONS).join(", ")}`;
  if (format !== undefined) {
    checkFormat(format);
    if (fromExt !== undefined && fromExt !== format) {
      throw new InvalidArgumentError(
        `filename ${JSON.stringify(filename)} has extension ${ext} (${fromExt}) but format is "${format}"; ` +
          `make them agree, or drop one of them.`,
      );
    }
    if (fromExt === undefined && ext !== "" && IMAGE_EXTENSIONS.has(ext)) {
      throw new InvalidArgumentError(
        `Cannot write ${ext} files: ${supported} (formats ${VISUALIZE_FORMATS.join(", ")}). Convert the SVG with another tool if you need ${ext}.`,
      );
    }
    return format;
  }
  if (fromExt === undefined) {
    throw new InvalidArgumentError(
      ext === ""
        ? `Cannot tell the format of ${JSON.stringify(filename)}: it has no extension. Use a name ending in .svg or .dot, or pass format.`
        : `Unsupported file extension ${ext} in ${JSON.stringify(filename)}: ${supported}.`,
    );
  }
  return fromExt;
}

/** Image formats Graphviz can make elsewhere but this package does not: writing SVG or DOT under these names would mislead. */
const IMAGE_EXTENSIONS = new Set([".png", ".jpg", ".jpeg", ".gif", ".pdf", ".ps", ".eps", ".bmp", ".tif", ".tiff", ".webp"]);

/** Writes `text` to `filename` through a temporary file in the same directory and a rename, so no half-written file is ever left. */
async function writeAtomic(filename: string, text: string): Promise<void> {
  const tmp = join(dirname(filename), `.${basename(filename)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await writeFile(tmp, text, { encoding: "utf8", flag: "wx" });
    await rename(tmp, filename);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
}

/**
 * Draws a task graph: returns the SVG (default) or DOT text, and writes it to `filename` when given.
 * Graphs above `maxNodes` drawn nodes are collapsed to one node per key prefix (see `graphToDot`).
 */
export async function visualizeGraph(graph: Graph, opts: VisualizeOptions = {}): Promise<string> {
  const { filename, format, ...dotOpts } = opts;
  let fmt: VisualizeFormat;
  if (filename !== undefined) {
    if (typeof filename !== "string" || filename === "") {
      throw new InvalidArgumentError(`filename must be a non-empty string; got ${JSON.stringify(filename)}.`);
    }
    fmt = formatFor(filename, format);
  } else {
    fmt = format ?? "svg";
    checkFormat(fmt);
  }
  const text = await renderDot(graphToDot(graph, dotOpts), fmt);
  if (filename !== undefined) await writeAtomic(filename, text);
  return text;
}
