import { afterAll, describe, expect, it } from "vitest";
import { InvalidArgumentError, closeSchedulers } from "@dask-ts/core";
import { ChunkError, ShapeError, da, type DaskArray } from "@dask-ts/array";
import * as K from "@dask-ts/array/kernels/random";

afterAll(() => closeSchedulers());

type Nd = { data: ArrayLike<number>; shape: number[]; stride: number[]; offset: number };

/** The values of a computed array in C order, whatever its strides. */
async function values(x: DaskArray, scheduler: "sync" | "threads" | "processes" = "sync"): Promise<number[]> {
  const r = await x.compute({ scheduler });
  if (typeof r === "number") return [r];
  const a = r as unknown as Nd;
  const out: number[] = [];
  const walk = (axis: number, off: number): void => {
    if (axis === a.shape.length) {
      out.push(Number(a.data[off]));
      return;
    }
    for (let i = 0; i < a.shape[axis]!; i++) walk(axis + 1, off + i * a.stride[axis]!);
  };
  walk(0, a.offset);
  return out;
}

/** The raw data of a computed, C-contiguous result (large arrays). */
async function data(x: DaskArray): Promise<ArrayLike<number>> {
  const r = (await x.compute({ scheduler: "threads" })) as unknown as Nd;
  expect(r.offset).toBe(0);
  return r.data;
}

// --- an independent reference: SplitMix64 in BigInt -------------------------------------------
const MASK = (1n << 64n) - 1n;
const GAMMA = 0x9e3779b97f4a7c15n;
function splitmix(key: bigint, i: number): bigint {
  let z = (key + BigInt(i + 1) * GAMMA) & MASK;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
  return z ^ (z >> 31n);
}
const keyOf = (seed: number, dist: number): bigint => {
  const [hi, lo] = K.streamKey(seed, dist);
  return (BigInt(hi) << 32n) | BigInt(lo);
};
const refUniform = (key: bigint, i: number): number => Number(splitmix(key, i) >> 11n) * 2 ** -53;

describe("generator", () => {
  it("is SplitMix64: the published outputs for seed 1234567", () => {
    // Vigna's splitmix64.c, seeded with 1234567: the first five outputs.
    const expected = [6457827717110365317n, 3203168211198807973n, 9817491932198370423n, 4593380528125082431n, 16408922859458223821n];
    for (let i = 0; i < 5; i++) {
      expect(splitmix(1234567n, i)).toBe(expected[i]);
      const [hi, lo] = K.output64(0, 1234567, i);
      expect((BigInt(hi) << 32n) | BigInt(lo)).toBe(expected[i]);
    }
  });

  it("the WebAssembly and JS paths give the BigInt reference's bits, at small and huge counters", () => {
    expect(K.randomBackend()).toBe("wasm");
    const key = keyOf(7, K.DIST_UNIFORM);
    const [hi, lo] = K.streamKey(7, K.DIST_UNIFORM);
    for (const start of [0, 1, 2 ** 32 - 3, 123456789012, 2 ** 52 - 5000]) {
      const n = 5000; // more than one WebAssembly batch, not a multiple of it
      const w = new Float64Array(n);
      const j = new Float64Array(n + 3);
      K.fillUniform(w, 0, n, start, hi, lo);
      K.setRandomBackend("js");
      try {
        K.fillUniform(j, 3, n, start, hi, lo);
      } finally {
        K.setRandomBackend("wasm");
      }
      for (let i = 0; i < n; i += 97) expect(w[i]).toBe(refUniform(key, start + i));
      expect(Array.from(j.subarray(3))).toEqual(Array.from(w));
    }
  });

  it("normal and randint are the same on both paths (randint including rejections)", () => {
    const [hi, lo] = K.streamKey(3, K.DIST_RANDINT);
    const n = 10_000;
    const run = (): [Float64Array, Int32Array, Int32Array] => {
      const z = new Float64Array(n);
      const a = new Int32Array(n);
      const b = new Int32Array(n);
      K.fillNormal(z, 0, n, 1001, hi, lo, 1, 2);
      K.fillRandint(a, 0, n, 77, hi, lo, -5, 11);
      K.fillRandint(b, 0, n, 77, hi, lo, -(2 ** 30), 2 ** 31 + 1); // about half the first words are rejected
      return [z, a, b];
    };
    const w = run();
    K.setRandomBackend("js");
    let j: ReturnType<typeof run>;
    try {
      j = run();
    } finally {
      K.setRandomBackend("wasm");
    }
    for (let k = 0; k < 3; k++) expect(Array.from(j[k]!)).toEqual(Array.from(w[k]!));
  });

  it("randint uses Lemire's rule on the low word, then the high word", () => {
    const [hi, lo] = K.streamKey(11, K.DIST_RANDINT);
    const key = keyOf(11, K.DIST_RANDINT);
    const range = 1000;
    const threshold = 2 ** 32 % range;
    const out = new Int32Array(3000);
    K.fillRandint(out, 0, 3000, 0, hi, lo, 0, range);
    for (let i = 0; i < 3000; i++) {
      const z = splitmix(key, i);
      let expected = -1;
      for (const word of [z & 0xffffffffn, z >> 32n]) {
        const m = word * BigInt(range);
        if (Number(m & 0xffffffffn) >= threshold) {
          expected = Number(m >> 32n);
          break;
        }
      }
      if (expected >= 0) expect(out[i]).toBe(expected);
    }
  });
});

describe("da.random: values depend only on the seed and the position", () => {
  it("random() element i is the reference uniform at counter i", async () => {
    const key = keyOf(42, K.DIST_UNIFORM);
    const v = await values(da.random.random([7, 9], { chunks: [3, 4], seed: 42 }));
    expect(v).toEqual(Array.from({ length: 63 }, (_, i) => refUniform(key, i)));
  });

  it("normal() is Box-Muller on the pairs (2p, 2p+1) of its stream", async () => {
    const key = keyOf(5, K.DIST_NORMAL);
    const v = await values(da.random.normal(1, 2, [5], { chunks: 2, seed: 5 }));
    for (let i = 0; i < 5; i++) {
      const p = Math.floor(i / 2);
      const r = Math.sqrt(-2 * Math.log(1 - refUniform(key, 2 * p)));
      const t = 2 * Math.PI * refUniform(key, 2 * p + 1);
      expect(v[i]).toBe(1 + 2 * (i % 2 ? r * Math.sin(t) : r * Math.cos(t)));
    }
  });

  const makers: [string, (chunks: number | number[] | number[][]) => DaskArray][] = [
    ["random", (chunks) => da.random.random([20, 30], { chunks, seed: 123 })],
    ["normal", (chunks) => da.random.normal(-1, 0.5, [20, 30], { chunks, seed: 123 })],
    ["randint", (chunks) => da.random.randint(-50, 50, [20, 30], { chunks, seed: 123 })],
  ];
  for (const [name, make] of makers) {
    it(`${name}: same values for chunks 10, [3, 7], one chunk, uneven lists and odd sizes`, async () => {
      const ref = await values(make(-1));
      expect(new Set(ref).size).toBeGreaterThan(name === "randint" ? 90 : 590);
      for (const chunks of [10, [3, 7], [20, 30], [[5, 15], [1, 29]], [[7, 13], [11, 9, 10]], 1]) {
        expect(await values(make(chunks as number[]))).toEqual(ref);
      }
    });
  }

  it("1-d, 3-d and 4-d arrays agree across chunkings (normal pairs split at odd block edges)", async () => {
    for (const shape of [[101], [5, 6, 7], [3, 4, 5, 3]]) {
      const one = await values(da.random.normal(0, 1, shape, { chunks: -1, seed: 9 }));
      for (const chunks of [1, 2, 3]) expect(await values(da.random.normal(0, 1, shape, { chunks, seed: 9 }))).toEqual(one);
      const u = await values(da.random.random(shape, { chunks: -1, seed: 9 }));
      expect(await values(da.random.random(shape, { chunks: 3, seed: 9 }))).toEqual(u);
      const r = await values(da.random.randint(0, 7, shape, { chunks: -1, seed: 9 }));
      expect(await values(da.random.randint(0, 7, shape, { chunks: 2, seed: 9 }))).toEqual(r);
    }
  });

  it("same values on sync, threads and processes", async () => {
    const arrays = [
      () => da.random.random([40, 50], { chunks: [13, 17], seed: 2024 }),
      () => da.random.normal(3, 2, [40, 50], { chunks: [7, 50], seed: 2024 }),
      () => da.random.randint(0, 1000, [40, 50], { chunks: 9, seed: 2024 }),
    ];
    for (const make of arrays) {
      const sync = await values(make(), "sync");
      expect(await values(make(), "threads")).toEqual(sync);
      expect(await values(make(), "processes")).toEqual(sync);
    }
  });

  it("a block computed alone holds the same values as that part of the whole array", async () => {
    const whole = await values(da.random.random([12, 12], { chunks: -1, seed: 1 }));
    const [hi, lo] = K.streamKey(1, K.DIST_UNIFORM);
    // The block at rows 5..9, columns 10..11.
    const block = K.randomUniform(hi, lo, [5, 2], [5, 10], [12, 12]) as unknown as Nd;
    for (let r = 0; r < 5; r++) for (let c = 0; c < 2; c++) expect(block.data[r * 2 + c]).toBe(whole[(5 + r) * 12 + 10 + c]);
  });

  it("different seeds and different distributions give different values", async () => {
    const a = await values(da.random.random([100], { seed: 1 }));
    const b = await values(da.random.random([100], { seed: 2 }));
    const c = await values(da.random.random([100], { seed: 2 ** 40 + 1 }));
    expect(a.filter((v, i) => v === b[i]).length).toBe(0);
    expect(a.filter((v, i) => v === c[i]).length).toBe(0);
    const n = await values(da.random.normal(0, 1, [100], { seed: 1 }));
    expect(n.filter((v, i) => v === a[i]).length).toBe(0);
  });

  it("without a seed: each call draws a new seed, and the array's name fixes its values", async () => {
    const x = da.random.random([50], { chunks: 7 });
    const y = da.random.random([50], { chunks: 7 });
    expect(x.name).not.toBe(y.name);
    const [vx, vy] = [await values(x), await values(y)];
    expect(vx).not.toEqual(vy);
    expect(await values(x, "threads")).toEqual(vx);
  });

  it("names are deterministic: same arguments, same name; any change, another name", () => {
    const n = (x: DaskArray) => x.name;
    expect(n(da.random.random([4, 4], { chunks: 2, seed: 1 }))).toBe(n(da.random.random([4, 4], { chunks: 2, seed: 1 })));
    expect(n(da.random.random([4, 4], { chunks: 2, seed: 1 }))).toMatch(/^random_sample-/);
    const names = [
      da.random.random([4, 4], { chunks: 2, seed: 1 }),
      da.random.random([4, 4], { chunks: 2, seed: 2 }),
      da.random.random([4, 4], { chunks: 4, seed: 1 }),
      da.random.normal(0, 1, [4, 4], { chunks: 2, seed: 1 }),
      da.random.normal(0, 2, [4, 4], { chunks: 2, seed: 1 }),
      da.random.randint(0, 5, [4, 4], { chunks: 2, seed: 1 }),
      da.random.randint(0, 6, [4, 4], { chunks: 2, seed: 1 }),
    ].map(n);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe("da.random: metadata and edge shapes", () => {
  it("shape, chunks, dtype", () => {
    const x = da.random.random([10, 7], { chunks: [4, 7], seed: 0 });
    expect(x.shape).toEqual([10, 7]);
    expect(x.chunks).toEqual([[4, 4, 2], [7]]);
    expect(x.dtype).toBe("float64");
    expect(da.random.normal(0, 1, 5, { seed: 0 }).shape).toEqual([5]);
    const r = da.random.randint(0, 3, [6], { chunks: 4, seed: 0 });
    expect(r.dtype).toBe("int32");
    expect(r.chunks).toEqual([[4, 2]]);
  });

  it("auto chunks when none are given", () => {
    const x = da.random.random([100, 100], { seed: 1 });
    expect(x.numblocks).toEqual([1, 1]);
  });

  it("0-d and empty arrays", async () => {
    const key = keyOf(8, K.DIST_UNIFORM);
    expect(await da.random.random([], { seed: 8 }).compute()).toBe(refUniform(key, 0));
    const e = da.random.random([0, 5], { seed: 8 });
    expect(e.shape).toEqual([0, 5]);
    expect(await e.toArray()).toEqual([]);
    expect(await da.random.randint(0, 2, [3, 0], { chunks: 2, seed: 1 }).toArray()).toEqual([[], [], []]);
  });

  it("scale 0 gives loc; randint with one value gives it", async () => {
    expect(new Set(await values(da.random.normal(4, 0, [10], { seed: 1 })))).toEqual(new Set([4]));
    expect(new Set(await values(da.random.randint(-7, -6, [10], { seed: 1 })))).toEqual(new Set([-7]));
  });
});

describe("da.random: statistics on 1e6 values", () => {
  const N = 1_000_000;

  it("random: in [0, 1), mean 1/2, variance 1/12, flat over 100 bins, no lag-1 correlation", async () => {
    const d = await data(da.random.random([1000, 1000], { chunks: [300, 700], seed: 314 }));
    let s = 0;
    let s2 = 0;
    let lag = 0;
    let min = Infinity;
    let max = -Infinity;
    const bins = new Array<number>(100).fill(0);
    for (let i = 0; i < N; i++) {
      const v = d[i]!;
      s += v;
      s2 += v * v;
      if (i) lag += (v - 0.5) * (d[i - 1]! - 0.5);
      if (v < min) min = v;
      if (v > max) max = v;
      bins[Math.floor(v * 100)]!++;
    }
    const mean = s / N;
    const variance = s2 / N - mean * mean;
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.003);
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.001);
    expect(Math.abs(lag / (N - 1) / (1 / 12))).toBeLessThan(0.005); // correlation ~ N(0, 0.001)
    const chi = bins.reduce((a, c) => a + (c - N / 100) ** 2 / (N / 100), 0);
    expect(chi).toBeLessThan(160); // 99 degrees of freedom: p < 1e-4 above 160
  });

  it("normal: mean, std, skew, kurtosis and the one-sigma fraction", async () => {
    const d = await data(da.random.normal(2, 3, [N], { chunks: 99_999, seed: 271 }));
    let s = 0;
    for (let i = 0; i < N; i++) s += d[i]!;
    const mean = s / N;
    let m2 = 0;
    let m3 = 0;
    let m4 = 0;
    let within = 0;
    for (let i = 0; i < N; i++) {
      const c = d[i]! - mean;
      m2 += c * c;
      m3 += c * c * c;
      m4 += c * c * c * c;
      if (Math.abs(d[i]! - 2) < 3) within++;
    }
    const std = Math.sqrt(m2 / N);
    expect(Math.abs(mean - 2)).toBeLessThan(0.015); // standard error 0.003
    expect(Math.abs(std - 3)).toBeLessThan(0.015); // standard error 0.002
    expect(Math.abs(m3 / N / std ** 3)).toBeLessThan(0.015); // skew, standard error 0.0025
    expect(Math.abs(m4 / N / std ** 4 - 3)).toBeLessThan(0.03); // kurtosis, standard error 0.005
    expect(Math.abs(within / N - 0.682689)).toBeLessThan(0.003); // standard error 0.0005
  });

  it("randint: every value of [-3, 4) about equally often (chi-square), nothing outside", async () => {
    const d = await data(da.random.randint(-3, 4, [1000, 1000], { chunks: 333, seed: 99 }));
    const counts = new Map<number, number>();
    for (let i = 0; i < N; i++) counts.set(d[i]!, (counts.get(d[i]!) ?? 0) + 1);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
    const chi = [...counts.values()].reduce((a, c) => a + (c - N / 7) ** 2 / (N / 7), 0);
    expect(chi).toBeLessThan(27); // 6 degrees of freedom: p < 1.5e-4 above 27
  });

  it("randint over wide ranges: bounds respected, mean in the middle, halves balanced", async () => {
    for (const [low, high] of [
      [-(2 ** 30), 2 ** 30 + 1], // range 2^31 + 1: half the words rejected
      [-(2 ** 31), 2 ** 31], // the whole int32 range
      [-1000, 3_000_000], // the multiply needs more than 53 bits
    ]) {
      const d = await data(da.random.randint(low!, high!, [200_000], { chunks: 70_000, seed: 5 }));
      let s = 0;
      let lowerHalf = 0;
      let outside = 0;
      const mid = (low! + high! - 1) / 2;
      for (let i = 0; i < d.length; i++) {
        const v = d[i]!;
        if (!(v >= low! && v < high!)) outside++;
        s += v;
        if (v < mid) lowerHalf++;
      }
      expect(outside).toBe(0);
      const width = high! - low!;
      expect(Math.abs(s / d.length - mid) / width).toBeLessThan(0.005); // standard error 0.00065
      expect(Math.abs(lowerHalf / d.length - 0.5)).toBeLessThan(0.006);
    }
  });

  it("randint of two values: a fair coin", async () => {
    const d = await data(da.random.randint(0, 2, [N], { chunks: 250_000, seed: 1 }));
    let ones = 0;
    for (let i = 0; i < N; i++) ones += d[i]!;
    expect(Math.abs(ones / N - 0.5)).toBeLessThan(0.002); // standard error 0.0005
  });
});

describe("da.random: bad arguments raise typed errors at the call", () => {
  it("shapes", () => {
    expect(() => da.random.random([2, -1], { seed: 1 })).toThrow(ShapeError);
    expect(() => da.random.random([2.5], { seed: 1 })).toThrow(ShapeError);
    expect(() => da.random.normal(0, 1, "3" as never, { seed: 1 })).toThrow(ShapeError);
    expect(() => da.random.randint(0, 1, [2 ** 27, 2 ** 27], { seed: 1 })).toThrow(/more than 2\^52/);
  });

  it("chunks", () => {
    expect(() => da.random.random([10], { chunks: [[3, 3]], seed: 1 })).toThrow(ChunkError);
    expect(() => da.random.random([10, 10], { chunks: [3], seed: 1 })).toThrow(ChunkError);
  });

  it("seeds", () => {
    for (const seed of [-1, 1.5, 2 ** 53, Number.NaN, "1" as never]) {
      expect(() => da.random.random([3], { seed })).toThrow(InvalidArgumentError);
    }
    expect(() => da.random.random([3], { seed: 2 ** 53 - 1 })).not.toThrow();
  });

  it("normal parameters", () => {
    expect(() => da.random.normal(0, -1, [3], { seed: 1 })).toThrow(InvalidArgumentError);
    expect(() => da.random.normal(Number.NaN, 1, [3], { seed: 1 })).toThrow(InvalidArgumentError);
    expect(() => da.random.normal(0, Infinity, [3], { seed: 1 })).toThrow(InvalidArgumentError);
  });

  it("randint bounds", () => {
    expect(() => da.random.randint(5, 5, [3], { seed: 1 })).toThrow(/low must be less than high; got low=5, high=5/);
    expect(() => da.random.randint(6, 5, [3], { seed: 1 })).toThrow(InvalidArgumentError);
    expect(() => da.random.randint(0.5, 5, [3], { seed: 1 })).toThrow(InvalidArgumentError);
    expect(() => da.random.randint(0, 5.5, [3], { seed: 1 })).toThrow(InvalidArgumentError);
    expect(() => da.random.randint(-(2 ** 31) - 1, 0, [3], { seed: 1 })).toThrow(/int32/);
    expect(() => da.random.randint(-(2 ** 31), 2 ** 31, [3], { seed: 1 })).not.toThrow();
    expect(() => da.random.randint(0, 2 ** 31 + 1, [3], { seed: 1 })).toThrow(/int32/);
  });
});
