/** User functions over blocks: mapBlocks (same block structure) and blockwise (Dask's index notation). */
import { Task, TaskRef, toFnRef, type FnRef, type Graph } from "@dask-ts/core";
import ndarray from "ndarray";
import { DaskArray } from "./array.js";
import { arrayName, blockIndices, blockKey, layerGraph } from "./blocks.js";
import { normalizeChunks, type Chunks } from "./chunks.js";
import { checkDType, dtypeOfData, type DType } from "./dtype.js";
import { ShapeError } from "./errors.js";
import { rechunk } from "./rechunk.js";

/** Options of mapBlocks/blockwise, passed as the last argument wrapped in `blockOptions({...})`. */
export class BlockOptions {
  constructor(
    /** dtype of the result (default: inferred by calling fn on empty blocks, else the input's). */
    readonly dtype?: DType,
    /** Chunks of the result when fn changes block shapes (default: the input's). */
    readonly chunks?: Chunks,
    /** Key name prefix. */
    readonly name?: string,
  ) {}
}

/** Options for mapBlocks/blockwise: `x.mapBlocks(fn, blockOptions({ dtype: "float32" }))`. */
export function blockOptions(o: { dtype?: DType; chunks?: Chunks; name?: string }): BlockOptions {
  return new BlockOptions(o.dtype, o.chunks, o.name);
}

type BlockFn = ((...args: any[]) => unknown) | FnRef;

function splitOptions(args: unknown[]): [unknown[], BlockOptions] {
  const last = args[args.length - 1];
  return last instanceof BlockOptions ? [args.slice(0, -1), last] : [args, new BlockOptions()];
}

/** dtype of fn's output on empty blocks (as Dask's meta inference); undefined if that fails. */
function inferDType(fn: FnRef, inputs: readonly DaskArray[], extra: readonly unknown[]): DType | undefined {
  const local = fn.local;
  if (!local) return undefined;
  try {
    const empties = inputs.map((a) => ndarray(new (dataCtor(a.dtype))(0) as never, a.shape.map(() => 0)));
    const out = local(...empties, ...extra) as { data?: unknown } | undefined;
    return out && typeof out === "object" && out.data ? dtypeOfData(out.data) : undefined;
  } catch {
    return undefined;
  }
}

function dataCtor(d: DType): new (n: number) => unknown {
  return ({ float64: Float64Array, float32: Float32Array, int32: Int32Array, int16: Int16Array, int8: Int8Array, uint32: Uint32Array, uint16: Uint16Array, uint8: Uint8Array, bool: Uint8Array, int64: BigInt64Array } as const)[d];
}

/**
 * Applies `fn(block, ...args)` to every block. Other dask arrays among args are aligned block by block
 * (they must have the same number of blocks; they are rechunked to x's chunks when shapes match).
 */
export function mapBlocks(x: DaskArray, fn: BlockFn, ...rawArgs: unknown[]): DaskArray {
  const [args, opts] = splitOptions(rawArgs);
  const ref = toFnRef(fn as (...a: unknown[]) => unknown, "mapBlocks(fn)");
  const aligned = args.map((a) => {
    if (!(a instanceof DaskArray)) return a;
    if (a.ndim === x.ndim && a.shape.every((n, i) => n === x.shape[i])) return rechunk(a, x.chunks.map((c) => [...c]));
    if (a.numblocks.length !== x.numblocks.length || a.numblocks.some((n, i) => n !== x.numblocks[i])) {
      throw new ShapeError(`mapBlocks: array argument with blocks [${a.numblocks}] does not match [${x.numblocks}] of the array.`);
    }
    return a;
  });
  const arrays = [x, ...aligned.filter((a): a is DaskArray => a instanceof DaskArray)];
  const dtype = opts.dtype ? checkDType(opts.dtype) : (inferDType(ref, [x], aligned.filter((a) => !(a instanceof DaskArray))) ?? x.dtype);
  const chunks = opts.chunks ? normalizeChunks(opts.chunks, x.shape, dtype) : x.chunks.map((c) => [...c]);
  if (chunks.length !== x.ndim || chunks.some((c, i) => c.length !== x.numblocks[i])) {
    throw new ShapeError(`mapBlocks: chunks ${JSON.stringify(opts.chunks)} must have the same number of blocks as the input ([${x.numblocks}]).`);
  }
  const name = opts.name ? `${opts.name}-${arrayName("", ref, ...arrays.map((a) => a.name), args).slice(1)}` : arrayName(`${ref.label}`, ref, x.name, ...aligned.map((a) => (a instanceof DaskArray ? a.name : a)));
  const tasks: Graph = new Map();
  for (const idx of blockIndices(x.numblocks)) {
    const callArgs = [new TaskRef(blockKey(x.name, idx)), ...aligned.map((a) => (a instanceof DaskArray ? new TaskRef(blockKey(a.name, idx)) : a))];
    tasks.set(blockKey(name, idx), new Task(ref, callArgs));
  }
  return new DaskArray(layerGraph(name, tasks, arrays), name, chunks, dtype);
}

/**
 * Dask's blockwise: `blockwise(fn, "ij", x, "ik", y, "kj", blockOptions({...}))`. Each output block calls
 * fn with, per input, its block (or, for indices not in the output, the list of blocks along them).
 */
export function blockwise(fn: BlockFn, outIndex: string, ...rest: unknown[]): DaskArray {
  const [pairs, opts] = splitOptions(rest);
  if (pairs.length % 2 !== 0) throw new ShapeError(`blockwise: inputs come in pairs (array, "index"); got ${pairs.length} values.`);
  const ref = toFnRef(fn as (...a: unknown[]) => unknown, "blockwise(fn)");
  const inputs: Array<[DaskArray, string]> = [];
  for (let i = 0; i < pairs.length; i += 2) {
    const a = pairs[i];
    const ind = pairs[i + 1];
    if (!(a instanceof DaskArray) || typeof ind !== "string" || ind.length !== a.ndim) {
      throw new ShapeError(`blockwise: input ${i / 2} must be an array followed by an index string with one letter per axis.`);
    }
    inputs.push([a, ind]);
  }
  // Chunks per index letter, from the first array that has it; others are rechunked to match.
  const indexChunks = new Map<string, number[]>();
  for (const [a, ind] of inputs) {
    [...ind].forEach((l, ax) => {
      const c = indexChunks.get(l);
      if (!c) indexChunks.set(l, [...a.chunks[ax]!]);
      else if (c.reduce((p, q) => p + q, 0) !== a.shape[ax]) {
        throw new ShapeError(`blockwise: index '${l}' has length ${c.reduce((p, q) => p + q, 0)} in one input and ${a.shape[ax]} in another.`);
      }
    });
  }
  const aligned = inputs.map(([a, ind]) => [rechunk(a, [...ind].map((l) => indexChunks.get(l)!)), ind] as [DaskArray, string]);
  for (const l of outIndex) if (!indexChunks.has(l)) throw new ShapeError(`blockwise: output index '${l}' appears in no input.`);
  const outChunks = [...outIndex].map((l) => indexChunks.get(l)!);
  const dtype = opts.dtype ? checkDType(opts.dtype) : aligned[0]![0].dtype;
  const chunks = opts.chunks ? normalizeChunks(opts.chunks, outChunks.map((c) => c.reduce((p, q) => p + q, 0)), dtype) : outChunks;
  const name = opts.name ? `${opts.name}-${arrayName("", ref, outIndex, ...aligned.map(([a, i]) => a.name + i)).slice(1)}` : arrayName(ref.label, ref, outIndex, ...aligned.map(([a, i]) => a.name + i));
  const tasks: Graph = new Map();
  for (const idx of blockIndices(outChunks.map((c) => c.length))) {
    const fixed = new Map([...outIndex].map((l, i) => [l, idx[i]!]));
    const args = aligned.map(([a, ind]) => {
      const contracted = [...ind].filter((l) => !fixed.has(l));
      const build = (k: number, bound: Map<string, number>): unknown => {
        if (k === contracted.length) return new TaskRef(blockKey(a.name, [...ind].map((l) => bound.get(l) ?? fixed.get(l)!)));
        const l = contracted[k]!;
        return indexChunks.get(l)!.map((_, b) => build(k + 1, new Map(bound).set(l, b)));
      };
      return build(0, new Map());
    });
    tasks.set(blockKey(name, idx), new Task(ref, args));
  }
  return new DaskArray(layerGraph(name, tasks, aligned.map(([a]) => a)), name, chunks, dtype);
}
