// Series elementwise operations against pandas 1.5 on generated data (fixtures/series/generate.py):
// 400 rows with NaN/None, int32 values that wrap, int64 values past 2^53, unicode strings.
import { describe, expect, it } from "vitest";
import type { Series } from "@dask-ts/dataframe";
import { SCHEDULERS, closePoolsAfterAll } from "./helpers.js";
import { close, fixtureFrame, fromFixture, seriesFixture, type FixtureData } from "./series-helpers.js";

closePoolsAfterAll();

const data = seriesFixture<FixtureData>("data.json");
const expected = seriesFixture<Record<string, unknown[]>>("elementwise.json");
const ROWS = expected.rows as unknown as number;
// Uneven partitions, empty ones included.
const SIZES = [0, 1, 150, 0, 200, 49];

/** The pandas result of `key` as dask-ts values of `dtype`. */
function want(key: string, dtype: "float64" | "int32" | "int64" | "bool" | "string"): unknown[] {
  return fromFixture(expected[key]!, dtype);
}

describe("elementwise results match pandas", () => {
  for (const scheduler of SCHEDULERS) {
    it(`arithmetic, comparisons, isin, fillNull, astype on ${scheduler}`, async () => {
      const df = fixtureFrame(data, SIZES, ROWS);
      const f = df.col("f"), g = df.col("g"), i = df.col("i"), w = df.col("w"), k = df.col("k"), s = df.col("s");
      const cases: [string, Series, "float64" | "int32" | "int64" | "bool" | "string"][] = [
        ["f_add_i", f.add(i), "float64"],
        ["f_sub_g", f.sub(g), "float64"],
        ["f_mul_g", f.mul(g), "float64"],
        ["f_div_g", f.div(g), "float64"],
        ["f_mod_g", f.mod(g), "float64"],
        ["f_pow_2", f.pow(2), "float64"],
        ["i_mod_7", i.mod(7), "int32"],
        ["i_mod_neg7", i.mod(-7), "int32"],
        ["i_div_i", i.div(i), "float64"],
        ["w_add_w", w.add(w), "int32"],
        ["w_mul_i", w.mul(i), "int32"],
        ["w_sub_i", w.sub(i), "int32"],
        ["k_add_k", k.add(k), "int64"],
        ["k_mod_1000", k.mod(1000), "int64"],
        ["k_mul_w", k.mul(w), "int64"],
        ["f_lt_g", f.lt(g), "bool"],
        ["f_ne_g", f.ne(g), "bool"],
        ["f_ge_i", f.ge(i), "bool"],
        ["s_lt_m", s.lt("m"), "bool"],
        ["s_ge_apfel", s.ge("Äpfel"), "bool"],
        ["s_gt_fullwidth", s.gt("\uff5e"), "bool"],
        ["s_eq_japan", s.eq("日本"), "bool"],
        ["s_ne_empty", s.ne(""), "bool"],
        ["s_isin", s.isin(["apple", "😀", null]), "bool"],
        ["i_isin", i.isin([1, 2, 3, -1000, 1000, 500]), "bool"],
        ["f_isnull", f.isNull(), "bool"],
        ["f_fill", f.fillNull(-1.5), "float64"],
        ["neg_w", w.neg(), "int32"],
        ["abs_f", f.abs(), "float64"],
        ["f_astype_str", f.astype("string"), "string"],
        ["f_astype_int32", f.astype("int32"), "int32"],
      ];
      for (const [key, series, dtype] of cases) {
        expect(series.dtype, key).toBe(dtype);
        const got = await series.toArray({ scheduler });
        expect(got.length, key).toBe(ROWS);
        // Same IEEE operations in the same order: exact equality (NaN read back as null on both sides).
        expect(got, key).toEqual(want(key, dtype));
      }
      // A general power goes through each platform's pow(): equal within an ulp or two.
      const pw = await g.abs().pow(g).toArray({ scheduler });
      const pwWant = want("g_pow_g", "float64");
      pw.forEach((v, r) => expect(close(v, pwWant[r], 1e-15), `g_pow_g row ${r}: ${String(v)} vs ${String(pwWant[r])}`).toBe(true));
    });
  }
});
