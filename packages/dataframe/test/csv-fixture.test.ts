// dd.readCsv against pandas: fixtures/csv/mixed.csv (2,000 rows of mixed types with quoting, missing
// values, unicode, CRLF, blank lines, a BOM) and pandas' parse of it (mixed.json, made by generate.py).
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type * as A from "apache-arrow";
import { dd } from "@dask-ts/dataframe";
import { SCHEDULERS, closePoolsAfterAll } from "./helpers.js";

closePoolsAfterAll();
const csv = fileURLToPath(new URL("./fixtures/csv/mixed.csv", import.meta.url));
const expected = JSON.parse(readFileSync(new URL("./fixtures/csv/mixed.json", import.meta.url), "utf8")) as {
  rows: number;
  columns: Record<string, unknown[]>;
};

/** A column as the fixture encodes it: int64 as strings, infinities as "inf"/"-inf", NaN and nulls as null. */
function encoded(t: A.Table, name: string): unknown[] {
  const v = t.getChild(name)!;
  const out: unknown[] = [];
  for (let i = 0; i < t.numRows; i++) {
    const x = v.get(i) as unknown;
    if (x === null || (typeof x === "number" && Number.isNaN(x))) out.push(null);
    else if (typeof x === "bigint") out.push(String(x));
    else if (x === Infinity) out.push("inf");
    else if (x === -Infinity) out.push("-inf");
    else out.push(x);
  }
  return out;
}

describe("readCsv matches pandas on the mixed fixture", () => {
  it("infers the types pandas infers (ints with missing values stay int32, as documented)", () => {
    const df = dd.readCsv(csv, { dtype: { d: "date", c: "category" } });
    expect(df.dtypes).toEqual({ id: "int32", i: "int32", big: "int64", f: "float64", s: "string", b: "bool", d: "date", c: "category" });
  });

  for (const scheduler of SCHEDULERS) {
    for (const blocksize of scheduler === "sync" ? [undefined, 997, 10_000] : [4_000]) {
      it(`value by value on ${scheduler}, blocksize ${blocksize ?? "default"}`, async () => {
        const t = await dd.readCsv(csv, { blocksize, dtype: { d: "date", c: "category" } }).compute({ scheduler });
        expect(t.numRows).toBe(expected.rows);
        for (const name of Object.keys(expected.columns)) {
          const got = encoded(t, name);
          const want = expected.columns[name]!;
          for (let i = 0; i < want.length; i++) {
            // Object.is: floats bit for bit, -0 included.
            if (!Object.is(got[i], want[i])) expect(got[i], `column ${name}, row ${i}`).toEqual(want[i]);
          }
        }
      });
    }
  }
});
