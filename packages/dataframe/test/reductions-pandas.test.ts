// Reductions, unique/nunique and describe against pandas 1.5 on a generated 2,000-row frame with
// NaN/None (fixtures/series/generate.py), over several partition layouts and tree shapes.
import { describe, expect, it } from "vitest";
import { compute } from "@dask-ts/core";
import type { DataFrame } from "@dask-ts/dataframe";
import { SCHEDULERS, closePoolsAfterAll, rows } from "./helpers.js";
import { close, fixtureFrame, fromFixture, seriesFixture, type FixtureData } from "./series-helpers.js";

closePoolsAfterAll();

const data = seriesFixture<FixtureData>("data.json");
type Stats = Record<string, unknown>;
const want = seriesFixture<Record<string, Stats> & { describe: Record<string, unknown[]> }>("reductions.json");

const LAYOUTS: { sizes: number[]; splitEvery: number }[] = [
  { sizes: [2000], splitEvery: 8 },
  { sizes: [0, 1, 999, 0, 500, 500, 0], splitEvery: 2 },
  { sizes: Array.from({ length: 16 }, () => 125), splitEvery: 3 },
];

/** Every reduction of a numeric column, in one list of Scalars (computed together). */
function numericReductions(df: DataFrame, col: string, splitEvery: number) {
  const s = df.col(col);
  const o = { splitEvery };
  return {
    sum: s.sum(o), mean: s.mean(o), min: s.min(o), max: s.max(o), count: s.count(o),
    std1: s.std(o), std0: s.std({ ...o, ddof: 0 }), var1: s.var(o), var0: s.var({ ...o, ddof: 0 }), nunique: s.nunique(o),
  };
}

describe("reductions match pandas", () => {
  for (const scheduler of SCHEDULERS) {
    for (const { sizes, splitEvery } of LAYOUTS) {
      it(`numeric, bool, string and date columns over ${sizes.length} partitions (splitEvery ${splitEvery}) on ${scheduler}`, async () => {
        const df = fixtureFrame(data, sizes);
        const cols = ["f", "g", "i", "w", "k", "n", "b"];
        const plans = cols.map((c) => numericReductions(df, c, splitEvery));
        const keys = Object.keys(plans[0]!) as (keyof ReturnType<typeof numericReductions>)[];
        const s = df.col("s"), d = df.col("d");
        const extra = [s.min(), s.max(), s.count(), s.nunique(), s.nunique({ skipna: false }), d.min(), d.max(), d.count(), d.nunique()];
        const results = await compute(...plans.flatMap((p) => keys.map((k) => p[k])), ...extra, { scheduler });
        cols.forEach((c, ci) => {
          const exp = want[c]!;
          keys.forEach((k, ki) => {
            const got = results[ci * keys.length + ki];
            const e = exp[k];
            const label = `${c}.${k}: ${String(got)} vs pandas ${String(e)}`;
            if (c === "k" && (k === "sum" || k === "min" || k === "max")) expect(got, label).toBe(BigInt(e as string));
            else if (k === "sum" && (c === "i" || c === "w")) expect(got, label).toBe(Number(e));
            else if (c === "b" && (k === "min" || k === "max")) expect(got, label).toBe(e);
            else if (k === "count" || k === "nunique" || k === "min" || k === "max" || (k === "sum" && c !== "f" && c !== "g")) expect(got, label).toBe(e);
            else expect(close(got, e, 1e-12), label).toBe(true);
          });
        });
        const rest = results.slice(cols.length * keys.length);
        const ws = want.s!, wd = want.d!;
        expect(rest.slice(0, 5)).toEqual([ws.min, ws.max, ws.count, ws.nunique, ws.nuniqueWithNull]);
        expect((rest[5] as Date).getTime()).toBe(wd.min);
        expect((rest[6] as Date).getTime()).toBe(wd.max);
        expect(rest.slice(7)).toEqual([wd.count, wd.nunique]);
      });
    }

    it(`unique keeps pandas' order of first appearance on ${scheduler}`, async () => {
      const df = fixtureFrame(data, [0, 1, 999, 0, 500, 500, 0]);
      const o = { scheduler };
      expect(await df.col("s").unique().toArray(o)).toEqual(want.s!.unique);
      expect(await df.col("i").unique().toArray(o)).toEqual(want.i!.unique);
      expect(await df.col("f").unique().toArray(o)).toEqual(want.f!.unique);
      expect(await df.col("k").unique().toArray(o)).toEqual(fromFixture(want.k!.unique as unknown[], "int64"));
    });

    it(`describe matches pandas on ${scheduler}`, async () => {
      for (const { sizes } of LAYOUTS) {
        const df = fixtureFrame(data, sizes);
        const got = rows(await df.describe().compute({ scheduler }));
        const exp = want.describe;
        expect(got.map((r) => r.statistic)).toEqual(exp.statistic);
        for (const c of ["f", "g", "i", "w", "k", "n"]) {
          got.forEach((r, i) => expect(close(r[c], exp[c]![i], 1e-12), `${c} ${String(r.statistic)}: ${String(r[c])} vs ${String(exp[c]![i])}`).toBe(true));
        }
      }
    });
  }
});
