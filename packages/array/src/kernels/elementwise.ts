/** The elementwise kernel: any op over chunks and scalars with NumPy broadcasting, one compiled loop per op. */
import { registerKernel } from "@dask-ts/core";
import type { DType } from "../dtype.js";
import { allocChunk, asNumeric, broadcastShapes, broadcastView, forEachRow, toInt64, type Chunk } from "./nd.js";

/** Each op as a JS expression over x, y, z (its operands' elements). */
export const ELEMENTWISE_OPS: Record<string, { arity: number; expr: string }> = {
  add: { arity: 2, expr: "x + y" },
  sub: { arity: 2, expr: "x - y" },
  mul: { arity: 2, expr: "x * y" },
  div: { arity: 2, expr: "x / y" },
  pow: { arity: 2, expr: "x ** y" },
  // Python/NumPy modulo: the result takes the sign of the divisor.
  mod: { arity: 2, expr: "(y === 0 ? NaN : x - Math.floor(x / y) * y)" },
  eq: { arity: 2, expr: "x === y ? 1 : 0" },
  ne: { arity: 2, expr: "x !== y ? 1 : 0" },
  lt: { arity: 2, expr: "x < y ? 1 : 0" },
  le: { arity: 2, expr: "x <= y ? 1 : 0" },
  gt: { arity: 2, expr: "x > y ? 1 : 0" },
  ge: { arity: 2, expr: "x >= y ? 1 : 0" },
  and: { arity: 2, expr: "x && y ? 1 : 0" },
  or: { arity: 2, expr: "x || y ? 1 : 0" },
  // NaN-propagating like np.maximum / np.minimum.
  maximum: { arity: 2, expr: "(x !== x || y !== y) ? NaN : (x > y ? x : y)" },
  minimum: { arity: 2, expr: "(x !== x || y !== y) ? NaN : (x < y ? x : y)" },
  neg: { arity: 1, expr: "-x" },
  abs: { arity: 1, expr: "Math.abs(x)" },
  sqrt: { arity: 1, expr: "Math.sqrt(x)" },
  exp: { arity: 1, expr: "Math.exp(x)" },
  log: { arity: 1, expr: "Math.log(x)" },
  sin: { arity: 1, expr: "Math.sin(x)" },
  cos: { arity: 1, expr: "Math.cos(x)" },
  not: { arity: 1, expr: "x ? 0 : 1" },
  isnan: { arity: 1, expr: "x !== x ? 1 : 0" },
  identity: { arity: 1, expr: "x" },
  where: { arity: 3, expr: "x ? y : z" },
};

type RowLoop = (o: ArrayLike<number>, po: number, so: number, n: number, ...ops: unknown[]) => void;
const loops = new Map<string, RowLoop>();

/** The row loop of an op for a given pattern of operands ("a" array, "s" scalar), compiled once. */
function rowLoop(op: string, pattern: string): RowLoop {
  const id = `${op}:${pattern}`;
  let f = loops.get(id);
  if (f) return f;
  const spec = ELEMENTWISE_OPS[op]!;
  const names = ["x", "y", "z"].slice(0, spec.arity);
  const params: string[] = [];
  const reads: string[] = [];
  const steps: string[] = [];
  names.forEach((v, k) => {
    if (pattern[k] === "a") {
      params.push(`d${k}`, `p${k}`, `s${k}`);
      reads.push(`const ${v} = d${k}[p${k}];`);
      steps.push(`p${k} += s${k};`);
    } else {
      params.push(v);
    }
  });
  const body = `for (let i = 0; i < n; i++) { ${reads.join(" ")} o[po] = ${spec.expr}; po += so; ${steps.join(" ")} }`;
  f = new Function("o", "po", "so", "n", ...params, body) as RowLoop;
  loops.set(id, f);
  return f;
}

/** Applies `op` to chunks and numbers, broadcasting, into a new chunk of `dtype`. */
export function elementwise(op: string, dtype: DType, ...operands: (Chunk | number | boolean)[]): Chunk {
  const spec = ELEMENTWISE_OPS[op];
  if (!spec) throw new Error(`Unknown elementwise op '${op}'`);
  const chunks = operands.map((o) => (typeof o === "object" ? asNumeric(o) : o));
  const shape = broadcastShapes(chunks.filter((c): c is Chunk => typeof c === "object").map((c) => c.shape));
  const big = dtype === "int64";
  // Every element of the broadcast shape is written below: no need to clear a recycled buffer.
  const out = allocChunk(big ? "float64" : dtype, shape, { uninitialized: true });
  const views = chunks.map((c) => (typeof c === "object" ? broadcastView(c, shape) : +c));
  const arrays = views.filter((v): v is Chunk => typeof v === "object");
  const pattern = views.map((v) => (typeof v === "object" ? "a" : "s")).join("");
  const loop = rowLoop(op, pattern);
  const nd = shape.length;
  const last = (a: Chunk): number => (nd ? a.stride[nd - 1]! : 1);
  const so = nd ? out.stride[nd - 1]! : 1;
  forEachRow(shape, [out, ...arrays], (offs, n) => {
    const args: unknown[] = [];
    let k = 1;
    for (const v of views) {
      if (typeof v === "object") args.push(v.data, offs[k++], last(v));
      else args.push(v);
    }
    loop(out.data as unknown as ArrayLike<number>, offs[0]!, so, n, ...args);
  });
  return big ? toInt64(out) : out;
}

registerKernel("array.elementwise", elementwise, { stateless: true });
