// Shape operations against NumPy: fixtures/shape.json is written by fixtures/make_shape.py.
import { afterAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import ndarray from "ndarray";
import { closeSchedulers, compute } from "@dask-ts/core";
import { da, type DType } from "@dask-ts/array";
import { flatValues } from "./helpers.js";

type Idx = number | string | null;
interface Side { shape: number[]; dtype?: string; data: number[] }
interface Input extends Side { dtype: string }
interface Fixture {
  numpy: string;
  inputs: Record<string, Input>;
  getitem: { input: string; index: Idx[]; chunks: number[][][]; outChunks: number[][][]; out: Side }[];
  transpose: { input: string; axes: number[] | null; chunks: number[][][]; out: Side }[];
  reshape: { input: string; shape: number[]; chunks: number[][][]; out: Side }[];
  concatenate: { arrays: (Input & { chunks: number[][] })[]; axis: number; out: Side }[];
  stack: { arrays: (Input & { chunks: number[][] })[]; axis: number; out: Side }[];
}
const fx = JSON.parse(readFileSync(new URL("./fixtures/shape.json", import.meta.url), "utf8")) as Fixture;

type Arr = ReturnType<typeof da.ones>;

function typed(dtype: string, data: number[]): ArrayLike<number> {
  switch (dtype) {
    case "float64": return Float64Array.from(data);
    case "float32": return Float32Array.from(data);
    case "int32": return Int32Array.from(data);
    case "int16": return Int16Array.from(data);
    case "int8": return Int8Array.from(data);
    case "uint32": return Uint32Array.from(data);
    case "uint16": return Uint16Array.from(data);
    case "uint8": case "bool": return Uint8Array.from(data);
    case "int64": return BigInt64Array.from(data.map((v) => BigInt(v))) as unknown as ArrayLike<number>;
    default: throw new Error(`dtype ${dtype}`);
  }
}

function input(s: Input, chunks: number[][]): Arr {
  return da.fromArray(ndarray(typed(s.dtype, s.data) as never, s.shape) as never, { chunks, dtype: s.dtype as DType });
}

/** Computed value as flat numbers in C order. */

function sameValues(got: number[], want: number[]): boolean {
  return got.length === want.length && got.every((v, i) => v === want[i] || (Number.isNaN(v) && Number.isNaN(want[i]!)));
}

/** Computes all arrays in one merged graph and checks shape/values (and optionally chunks/dtype). */
async function check(
  scheduler: string,
  items: { label: string; arr: Arr; out: Side; chunks?: number[][] }[],
): Promise<string[]> {
  const failures: string[] = [];
  const results = await compute(...items.map((i) => i.arr), { scheduler: scheduler as "sync" });
  items.forEach(({ label, arr, out, chunks }, k) => {
    if (JSON.stringify(arr.shape) !== JSON.stringify(out.shape)) failures.push(`${label}: shape [${arr.shape}] != [${out.shape}]`);
    if (chunks && JSON.stringify(arr.chunks) !== JSON.stringify(chunks)) failures.push(`${label}: chunks ${JSON.stringify(arr.chunks)} != ${JSON.stringify(chunks)}`);
    if (out.dtype && arr.dtype !== out.dtype) failures.push(`${label}: dtype ${arr.dtype} != ${out.dtype}`);
    const sum = arr.chunks.map((c) => c.reduce((a, b) => a + b, 0));
    if (JSON.stringify(sum) !== JSON.stringify(arr.shape)) failures.push(`${label}: chunks do not sum to the shape`);
    const got = flatValues(results[k]);
    if (!sameValues(got, out.data)) failures.push(`${label}: values ${JSON.stringify(got.slice(0, 12))}... != ${JSON.stringify(out.data.slice(0, 12))}...`);
  });
  return failures;
}

afterAll(() => closeSchedulers());

describe.each(["sync", "threads", "processes"])("shape operations against NumPy on %s", (scheduler) => {
  it(`get(...): ${fx.getitem.length} index expressions, each on several chunkings, values and Dask's chunks`, async () => {
    const items = fx.getitem.flatMap((c) =>
      c.chunks.map((ch, j) => ({
        label: `${c.input}${JSON.stringify(ch)}.get(${JSON.stringify(c.index).slice(1, -1)})`,
        arr: input(fx.inputs[c.input]!, ch).get(...c.index),
        out: c.out,
        chunks: c.outChunks[j],
      })),
    );
    expect((await check(scheduler, items)).slice(0, 20)).toEqual([]);
  });

  it(`transpose: ${fx.transpose.length} permutations (default, negative axes)`, async () => {
    const items = fx.transpose.flatMap((c) =>
      c.chunks.map((ch) => {
        const x = input(fx.inputs[c.input]!, ch);
        const arr = c.axes === null ? x.T : x.transpose(c.axes);
        // chunks are the input's, permuted
        const perm = c.axes === null ? ch.map((_, i) => ch.length - 1 - i) : c.axes.map((a) => (a < 0 ? a + ch.length : a));
        return { label: `${c.input}${JSON.stringify(ch)}.transpose(${JSON.stringify(c.axes)})`, arr, out: c.out, chunks: perm.map((a) => ch[a]!) };
      }),
    );
    expect((await check(scheduler, items)).slice(0, 20)).toEqual([]);
  });

  it(`reshape: ${fx.reshape.length} target shapes (merges, splits, mixed, -1), each on several chunkings`, async () => {
    const items = fx.reshape.flatMap((c) =>
      c.chunks.map((ch) => ({
        label: `${c.input}${JSON.stringify(ch)}.reshape(${JSON.stringify(c.shape)})`,
        arr: input(fx.inputs[c.input]!, ch).reshape(c.shape),
        out: c.out,
      })),
    );
    expect((await check(scheduler, items)).slice(0, 20)).toEqual([]);
  });

  it(`concatenate and stack: ${fx.concatenate.length + fx.stack.length} cases with dtype promotion and uneven chunks`, async () => {
    const items = [
      ...fx.concatenate.map((c) => ({
        label: `concatenate(${c.arrays.map((a) => `${a.dtype}[${a.shape}]`).join(", ")}, axis ${c.axis})`,
        arr: da.concatenate(c.arrays.map((a) => input(a, a.chunks)), c.axis),
        out: c.out,
      })),
      ...fx.stack.map((c) => ({
        label: `stack(${c.arrays.map((a) => `${a.dtype}[${a.shape}]`).join(", ")}, axis ${c.axis})`,
        arr: da.stack(c.arrays.map((a) => input(a, a.chunks)), c.axis),
        out: c.out,
      })),
    ];
    expect((await check(scheduler, items)).slice(0, 20)).toEqual([]);
  });
});
