/** NumPy basic indexing. OWNED BY: shape helper. */
import { Task, TaskRef, kernel, type Graph } from "@dask-ts/core";
import { DaskArray } from "./array.js";
import { arrayName, blockIndices, blockKey, layerGraph } from "./blocks.js";
import { offsets } from "./chunks.js";
import { IndexError } from "./errors.js";
import type { AxisView } from "./kernels/shape.js";

/** One index of `x.get(...)`: a number, slice text "start:stop:step", null for ":", or "..." for the remaining axes. */
export type Index = number | string | null;

/** A slice resolved against an axis length (as Python's slice.indices): positions start, start + step, ... (count of them). */
export interface ResolvedSlice {
  start: number;
  stop: number;
  step: number;
  count: number;
}

/** A parsed slice before it meets an axis. */
export interface SliceSpec {
  start: number | null;
  stop: number | null;
  step: number | null;
}

const SLICE_RE = /^\s*([+-]?\d+)?\s*:\s*([+-]?\d+)?\s*(?::\s*([+-]?\d+)?\s*)?$/;

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

function describeIndex(index: readonly unknown[]): string {
  return index.map((i) => (typeof i === "string" ? JSON.stringify(i) : i === null ? "null" : String(i))).join(", ");
}

/** Reads slice text "start:stop:step" (any part may be empty); null is ":". */
export function parseSlice(text: string | null, shape: readonly number[] = []): SliceSpec {
  if (text === null) return { start: null, stop: null, step: null };
  const m = SLICE_RE.exec(text);
  if (!m) {
    const hint = /^\s*[+-]?\d+\s*$/.test(text) ? ` For an integer index pass the number ${text.trim()}, not a string.` : "";
    throw new IndexError(
      `Cannot read the index ${JSON.stringify(text)} (array of shape ${shapeText(shape)}): slices are written "start:stop:step" with integer parts, any of which may be empty (e.g. "1:5", "::2", "::-1"), or "..." for the remaining axes.${hint}`,
    );
  }
  const num = (s: string | undefined): number | null => (s === undefined ? null : Number(s));
  const spec = { start: num(m[1]), stop: num(m[2]), step: num(m[3]) };
  if (spec.step === 0) throw new IndexError(`Slice ${JSON.stringify(text)} has step 0 (array of shape ${shapeText(shape)}); the step must be a non-zero integer.`);
  for (const v of [spec.start, spec.stop, spec.step]) {
    if (v !== null && !Number.isSafeInteger(v)) throw new IndexError(`Slice ${JSON.stringify(text)} has a part that is not a safe integer (array of shape ${shapeText(shape)}).`);
  }
  return spec;
}

/** Python's slice.indices(n): clips start and stop to the axis and counts the positions. */
export function resolveSlice(s: SliceSpec, n: number): ResolvedSlice {
  const step = s.step ?? 1;
  const lower = step < 0 ? -1 : 0;
  const upper = step < 0 ? n - 1 : n;
  const clip = (v: number | null, dflt: number): number => {
    if (v === null) return dflt;
    let r = v < 0 ? v + n : v;
    if (r < lower) r = lower;
    else if (r > upper) r = upper;
    return r;
  };
  const start = clip(s.start, step < 0 ? upper : lower);
  const stop = clip(s.stop, step < 0 ? lower : upper);
  let count = 0;
  if (step > 0 && start < stop) count = Math.ceil((stop - start) / step);
  else if (step < 0 && stop < start) count = Math.ceil((start - stop) / -step);
  return { start, stop, step, count };
}

/** One output block along a sliced axis: the input block, and the view [start, count, step] inside it. */
type AxisPiece = { block: number; view: readonly [number, number, number] };

/**
 * The output blocks of a slice along one axis with input block sizes `sizes` (Dask's slice_1d): one
 * output block per input block the slice touches, in the order of the slice (reversed for negative
 * steps); an empty slice gives one empty block.
 */
export function slicePlan(sizes: readonly number[], r: ResolvedSlice): AxisPiece[] {
  if (r.count === 0) return [{ block: 0, view: [0, 0, 1] }];
  const off = offsets(sizes);
  const out: AxisPiece[] = [];
  const { start, step, count } = r;
  const order = step > 0 ? sizes.map((_, i) => i) : sizes.map((_, i) => sizes.length - 1 - i);
  for (const i of order) {
    const lo = off[i]!;
    const hi = off[i + 1]!;
    if (hi === lo) continue;
    let kLo: number;
    let kHi: number;
    if (step > 0) {
      // start + k*step in [lo, hi)
      kLo = Math.max(0, Math.ceil((lo - start) / step));
      kHi = Math.min(count, Math.ceil((hi - start) / step));
    } else {
      // start + k*step in [lo, hi): k >= (hi - 1 - start) / step, k <= (lo - start) / step
      kLo = Math.max(0, Math.ceil((hi - 1 - start) / step));
      kHi = Math.min(count, Math.floor((lo - start) / step) + 1);
    }
    if (kHi > kLo) out.push({ block: i, view: [start + kLo * step - lo, kHi - kLo, step] });
  }
  return out;
}

/** Index entries normalized against the array: a number per dropped axis, a resolved slice per kept axis. */
export function normalizeIndex(shape: readonly number[], index: readonly unknown[]): (number | ResolvedSlice)[] {
  const nd = shape.length;
  const ellipses = index.filter((i) => i === "..." || (typeof i === "string" && i.trim() === "...")).length;
  if (ellipses > 1) throw new IndexError(`An index can only have a single "..." (got ${describeIndex(index)} for shape ${shapeText(shape)}).`);
  const real = index.length - ellipses;
  if (real > nd) {
    throw new IndexError(`Too many indices for array: array of shape ${shapeText(shape)} is ${nd}-dimensional, but ${real} were indexed (${describeIndex(index)}).`);
  }
  const out: (number | ResolvedSlice)[] = [];
  let ax = 0;
  for (const i of index) {
    if (typeof i === "string" && i.trim() === "...") {
      for (let k = 0; k < nd - real; k++) {
        out.push(resolveSlice(parseSlice(null), shape[ax]!));
        ax++;
      }
      continue;
    }
    const n = shape[ax]!;
    if (typeof i === "number") {
      if (!Number.isInteger(i)) {
        throw new IndexError(`Index ${i} on axis ${ax} is not an integer (array of shape ${shapeText(shape)}); use integers, slice text "start:stop:step" or null.`);
      }
      if (i < -n || i >= n) {
        throw new IndexError(`Index ${i} is out of bounds for axis ${ax} with size ${n} (array of shape ${shapeText(shape)}).`);
      }
      out.push(i < 0 ? i + n : i);
    } else if (typeof i === "string" || i === null) {
      out.push(resolveSlice(parseSlice(i, shape), n));
    } else {
      throw new IndexError(
        `Unsupported index ${typeof i === "object" ? JSON.stringify(i) : String(i)} on axis ${ax} (array of shape ${shapeText(shape)}): use integers, slice text "start:stop:step", null for ":" or "...".`,
      );
    }
    ax++;
  }
  while (ax < nd) out.push(resolveSlice(parseSlice(null), shape[ax++]!));
  return out;
}

/** x.get(...index): numbers drop axes (negative from the end), "start:stop:step" slices, null for ":", "..." for the rest. */
export function getitem(x: DaskArray, index: readonly (number | string | null)[]): DaskArray {
  const shape = x.shape;
  const norm = normalizeIndex(shape, index);
  const isFull = (e: number | ResolvedSlice, ax: number): boolean =>
    typeof e !== "number" && e.step === 1 && e.start === 0 && e.count === shape[ax];
  if (norm.every(isFull)) return x;

  // Per input axis: either a picked [block, position] or the output pieces along it.
  const plans = norm.map((e, ax): { pick: [number, number] } | { pieces: AxisPiece[] } => {
    const sizes = x.chunks[ax]!;
    if (typeof e === "number") {
      const off = offsets(sizes);
      let b = 0;
      while (off[b + 1]! <= e) b++;
      return { pick: [b, e - off[b]!] };
    }
    if (isFull(e, ax)) return { pieces: sizes.map((n, b) => ({ block: b, view: [0, n, 1] as const })) };
    return { pieces: slicePlan(sizes, e) };
  });
  const kept = plans.map((p, ax) => ({ p, ax })).filter((q): q is { p: { pieces: AxisPiece[] }; ax: number } => "pieces" in q.p);
  const chunks = kept.map(({ p }) => p.pieces.map((q) => q.view[1]));
  const name = arrayName(
    "getitem",
    x.name,
    norm.map((e) => (typeof e === "number" ? e : [e.start, e.step, e.count])),
  );
  const tasks: Graph = new Map();
  const fn = kernel("array.view");
  for (const idx of blockIndices(chunks.map((c) => c.length))) {
    const inIdx: number[] = [];
    const spec: AxisView[] = [];
    let whole = true;
    let k = 0;
    plans.forEach((p, ax) => {
      if ("pick" in p) {
        inIdx.push(p.pick[0]);
        spec.push(p.pick[1]);
        whole = false;
      } else {
        const piece = p.pieces[idx[k++]!]!;
        inIdx.push(piece.block);
        spec.push(piece.view);
        const [s, c, st] = piece.view;
        if (!(s === 0 && st === 1 && c === x.chunks[ax]![piece.block])) whole = false;
      }
    });
    const ref = new TaskRef(blockKey(x.name, inIdx));
    // A block taken whole is an alias of the input block; anything else is a view of it.
    tasks.set(blockKey(name, idx), whole ? ref : new Task(fn, [ref, spec]));
  }
  return new DaskArray(layerGraph(name, tasks, [x]), name, chunks, x.dtype);
}
