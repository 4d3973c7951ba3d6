/** Elementwise operations: NumPy broadcasting and type promotion, one task per output block. */
import { Task, TaskRef, kernel, type Graph } from "@dask-ts/core";
import { DaskArray, type Operand } from "./array.js";
import { arrayName, blockIndices, blockKey, layerGraph } from "./blocks.js";
import { checkDType, divisionType, floatResultType, resultType, resultTypeWithScalar, scalarDType, type DType } from "./dtype.js";
import { ShapeError } from "./errors.js";
import { rechunk } from "./rechunk.js";

const COMPARISONS = new Set(["eq", "ne", "lt", "le", "gt", "ge", "and", "or", "not", "isnan"]);
const FLOAT_FUNCS = new Set(["sqrt", "exp", "log", "sin", "cos"]);

/** The broadcast shape of several shapes, or a ShapeError naming them. */
export function broadcastShape(shapes: readonly (readonly number[])[]): number[] {
  const nd = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(nd).fill(1);
  for (const s of shapes) {
    const pad = nd - s.length;
    s.forEach((v, j) => {
      const cur = out[j + pad]!;
      if (v === cur || v === 1) return;
      if (cur === 1) out[j + pad] = v;
      else throw new ShapeError(`Shapes ${shapes.map((x) => `[${x.join(", ")}]`).join(" and ")} cannot be broadcast together (axis ${j + pad}: ${cur} vs ${v}).`);
    });
  }
  return out;
}

function operandType(o: Operand): DType | number | boolean {
  return o instanceof DaskArray ? o.dtype : o;
}

function promote(operands: readonly Operand[]): DType {
  const arrays = operands.filter((o): o is DaskArray => o instanceof DaskArray);
  let t = arrays[0]!.dtype;
  for (const a of arrays.slice(1)) t = resultType(t, a.dtype);
  for (const o of operands) if (!(o instanceof DaskArray)) t = resultTypeWithScalar(t, o);
  return t;
}

/** Result dtype of an elementwise op over operands. */
export function opResultType(op: string, operands: readonly Operand[]): DType {
  if (COMPARISONS.has(op)) return "bool";
  if (op === "where") {
    const [, a, b] = operands;
    if (a instanceof DaskArray || b instanceof DaskArray) return promote([a!, b!].sort((x) => (x instanceof DaskArray ? -1 : 1)));
    return resultType(scalarDType(a as number), scalarDType(b as number));
  }
  const t = promote(operands);
  if (op === "div") return divisionType(t);
  if (FLOAT_FUNCS.has(op)) return floatResultType(t);
  return t;
}

/** Applies an elementwise op to arrays and numbers: broadcast, unify chunks, one kernel call per block. */
export function elemwise(op: string, operands: readonly Operand[], dtype?: DType): DaskArray {
  for (const o of operands) {
    if (!(o instanceof DaskArray) && typeof o !== "number" && typeof o !== "boolean") {
      throw new ShapeError(`${op}: operands must be dask arrays or numbers; got ${Object.prototype.toString.call(o)}.`);
    }
  }
  if (!operands.some((o) => o instanceof DaskArray)) throw new ShapeError(`${op}: at least one operand must be a dask array.`);
  const outDtype = dtype ?? opResultType(op, operands);
  const arrays = operands.filter((o): o is DaskArray => o instanceof DaskArray);
  const shape = broadcastShape(arrays.map((a) => a.shape));
  const nd = shape.length;
  // Common chunks per output axis: taken from the first array that spans that axis fully.
  const chunks: number[][] = shape.map((n, ax) => {
    for (const a of arrays) {
      const j = ax - (nd - a.ndim);
      if (j >= 0 && a.shape[j] === n) return [...a.chunks[j]!];
    }
    return [n];
  });
  const aligned = operands.map((o) => {
    if (!(o instanceof DaskArray)) return o;
    const pad = nd - o.ndim;
    const want = o.chunks.map((c, j) => (o.shape[j] === shape[j + pad] ? chunks[j + pad]! : [...c]));
    return rechunk(o, want);
  });
  const name = arrayName(op, outDtype, ...aligned.map((o) => (o instanceof DaskArray ? o.name : o)));
  const tasks: Graph = new Map();
  const fn = kernel("array.elementwise");
  for (const idx of blockIndices(chunks.map((c) => c.length))) {
    const args: unknown[] = [op, outDtype];
    for (const o of aligned) {
      if (!(o instanceof DaskArray)) {
        args.push(o);
        continue;
      }
      const pad = nd - o.ndim;
      const bi = o.chunks.map((c, j) => (c.length === 1 && chunks[j + pad]!.length > 1 ? 0 : idx[j + pad]!));
      args.push(new TaskRef(blockKey(o.name, bi)));
    }
    tasks.set(blockKey(name, idx), new Task(fn, args));
  }
  return new DaskArray(layerGraph(name, tasks, aligned.filter((o): o is DaskArray => o instanceof DaskArray)), name, chunks, outDtype);
}

/** A binary op between an array and an array or number. */
export function binary(op: string, a: DaskArray, b: Operand): DaskArray {
  return elemwise(op, [a, b]);
}

/** A unary op. */
export function unary(op: string, a: DaskArray): DaskArray {
  return elemwise(op, [a]);
}

/** Conversion to another dtype. */
export function astype(a: DaskArray, dtype: DType): DaskArray {
  const d = checkDType(dtype);
  if (d === a.dtype) return a;
  // NumPy: any non-zero value (NaN included) is true.
  if (d === "bool") return elemwise("ne", [a, 0], "bool");
  return elemwise("identity", [a], d);
}

/** `where(cond, a, b)`: a where cond is true, else b (broadcast). */
export function where(cond: Operand, a: Operand, b: Operand): DaskArray {
  return elemwise("where", [cond, a, b]);
}

/** Elementwise maximum (NaN propagates). */
export function maximum(a: Operand, b: Operand): DaskArray {
  return elemwise("maximum", [a, b]);
}

/** Elementwise minimum (NaN propagates). */
export function minimum(a: Operand, b: Operand): DaskArray {
  return elemwise("minimum", [a, b]);
}

export { operandType };
