import { describe, expect, it } from "vitest";
import { fromModule } from "@dask-ts/core";
import { DataFrame } from "@dask-ts/dataframe";
import { db } from "@dask-ts/bag";
import { toDataFrame } from "@dask-ts/bag/elementwise";
import { SCHEDULERS, closePoolsAfterAll } from "./helpers.js";

closePoolsAfterAll();

const fns = new URL("./fixtures/elementwise-fns.mjs", import.meta.url).href;

/** What a table computes to, as plain rows (bigints as numbers, missing as null). */
function rows(t: { numRows: number; schema: { fields: { name: string }[] }; getChild(n: string): { get(i: number): unknown } | null }): Record<string, unknown>[] {
  const names = t.schema.fields.map((f) => f.name);
  return Array.from({ length: t.numRows }, (_, i) =>
    Object.fromEntries(names.map((n) => {
      const v = t.getChild(n)!.get(i);
      return [n, typeof v === "bigint" ? Number(v) : typeof v === "number" && Number.isNaN(v) ? null : (v ?? null)];
    })),
  );
}

const people = Array.from({ length: 23 }, (_, i) => ({ name: `p${i}${i % 5 === 0 ? "ü😀" : ""}`, age: i % 7 === 0 ? null : 20 + i / 2, member: i % 2 === 0 }));

describe("toDataFrame schema", () => {
  it("comes from the first non-empty partition, or from columns and dtype", () => {
    const b = db.fromSequence(people, { npartitions: 4 });
    const df = b.toDataFrame();
    expect(df).toBeInstanceOf(DataFrame);
    expect(df.npartitions).toBe(4);
    expect(df.meta).toEqual([{ name: "name", dtype: "string" }, { name: "age", dtype: "float64" }, { name: "member", dtype: "bool" }]);
    expect(b.toDataFrame(["member", "name"]).meta).toEqual([{ name: "member", dtype: "bool" }, { name: "name", dtype: "string" }]);
    // Integers are float64 unless dtype says otherwise: later partitions may hold fractions.
    expect(db.fromSequence([[1, "a"], [2, "b"]]).toDataFrame().meta).toEqual([{ name: "0", dtype: "float64" }, { name: "1", dtype: "string" }]);
    expect(toDataFrame(db.fromSequence([[1, "a"]]), ["n", "s"], { dtype: { n: "int32" } }).meta).toEqual([{ name: "n", dtype: "int32" }, { name: "s", dtype: "string" }]);
    // Partition 0 emptied by a filter: the schema comes from partition 1.
    expect(db.fromSequence([1, 2, 3, 4], { npartitions: 2 }).filter((x: number) => x > 2).toDataFrame(["v"]).meta).toEqual([{ name: "v", dtype: "float64" }]);
  });

  it("asks for dtype when the first partition cannot be computed while building", () => {
    // A module function loads asynchronously: nothing can be computed synchronously.
    const b = db.range(5, { npartitions: 2 }).map(fromModule(fns, "record"));
    expect(() => b.toDataFrame()).toThrow(/dtype/);
    expect(() => toDataFrame(b, ["id", "name"], { dtype: { id: "int32" } })).toThrow(/dtype/);
    expect(toDataFrame(b, ["id", "name"], { dtype: { id: "int32", name: "string" } }).meta).toEqual([{ name: "id", dtype: "int32" }, { name: "name", dtype: "string" }]);
    expect(toDataFrame(b, undefined, { dtype: { id: "int32", name: "string" } }).columns).toEqual(["id", "name"]);
  });

  it("rejects bad columns and dtypes", () => {
    const b = db.fromSequence(people);
    expect(() => b.toDataFrame(["a", "a"])).toThrow(/unique/);
    expect(() => toDataFrame(b, undefined, { dtype: { age: "float32" as never } })).toThrow(/float64/);
    expect(() => toDataFrame(b, undefined, { dtype: { nope: "string" } })).toThrow(/nope/);
    expect(() => db.fromSequence([]).toDataFrame()).toThrow(/no elements/);
    expect(() => db.fromSequence([{ a: [1] }]).toDataFrame()).toThrow(/column 'a'/);
  });
});

for (const scheduler of SCHEDULERS) {
  describe(`toDataFrame on ${scheduler}`, () => {
    it("objects: columns by key (picked and ordered by columns), missing keys as null", async () => {
      for (const np of [1, 4, 23]) {
        const b = db.fromSequence(people, { npartitions: np });
        expect(rows(await b.toDataFrame().compute({ scheduler }))).toEqual(people.map((p) => ({ name: p.name, age: p.age, member: p.member })));
        expect(rows(await b.toDataFrame(["age", "name"]).compute({ scheduler }))).toEqual(people.map((p) => ({ age: p.age, name: p.name })));
      }
      const ragged = db.fromSequence([{ a: 1, b: "x" }, { a: 2 }, { b: "z", c: true }], { npartitions: 2 });
      expect(rows(await ragged.toDataFrame().compute({ scheduler }))).toEqual([{ a: 1, b: "x" }, { a: 2, b: null }, { a: null, b: "z" }]);
    });

    it("tuples by position, scalars as one column, and dataframe operations on the result", async () => {
      const pairs = Array.from({ length: 30 }, (_, i) => [`k${i % 4}`, i * 1.5] as const);
      const b = db.fromSequence(pairs, { npartitions: 6 });
      const df = b.toDataFrame(["key", "value"]);
      expect(rows(await df.compute({ scheduler }))).toEqual(pairs.map(([key, value]) => ({ key, value })));
      expect(rows(await b.toDataFrame().compute({ scheduler }))).toEqual(pairs.map(([k, v]) => ({ 0: k, 1: v })));
      // The frame works with dataframe kernels (registered on the workers too).
      const sums = rows(await df.groupby("key").sum().compute({ scheduler }));
      const expected = new Map<string, number>();
      for (const [k, v] of pairs) expected.set(k, (expected.get(k) ?? 0) + v);
      expect(Object.fromEntries(sums.map((r) => [r.key, r.value]))).toEqual(Object.fromEntries(expected));
      expect(rows(await db.fromSequence(["ä", "b", "c"], { npartitions: 2 }).toDataFrame(["letter"]).compute({ scheduler }))).toEqual([{ letter: "ä" }, { letter: "b" }, { letter: "c" }]);
      // Filtered to nothing in some partitions: empty tables of the same schema.
      const sparse = db.fromSequence(pairs, { npartitions: 10 }).filter((p: readonly [string, number]) => p[1] < 6 || p[1] > 40);
      const kept = pairs.filter((p) => p[1] < 6 || p[1] > 40);
      expect(rows(await sparse.toDataFrame(["key", "value"]).compute({ scheduler }))).toEqual(kept.map(([key, value]) => ({ key, value })));
    });

    it("of reduction and grouping results, without dtype (their kernels run synchronously when built)", async () => {
      const recs = [{ k: "a", v: 1 }, { k: "b", v: 2 }, { k: "a", v: 3 }, { k: "c", v: 4 }];
      const b = db.fromSequence(recs, { npartitions: 2 });
      expect(rows(await b.distinct("k").toDataFrame().compute({ scheduler }))).toEqual([{ k: "a", v: 1 }, { k: "b", v: 2 }, { k: "c", v: 4 }]);
      expect(rows(await b.topk(2, "v").toDataFrame().compute({ scheduler }))).toEqual([{ k: "c", v: 4 }, { k: "a", v: 3 }]);
      const byKey = b.foldby("k", (n: number, r: { v: number }) => n + r.v, 0, (x: number, y: number) => x + y, 0);
      expect(rows(await byKey.toDataFrame(["k", "total"]).compute({ scheduler }))).toEqual([{ k: "a", total: 4 }, { k: "b", total: 2 }, { k: "c", total: 4 }]);
      const sizes = b.groupby("k", { npartitions: 1 }).map(([k, rs]: [unknown, unknown[]]) => [k, rs.length]);
      expect(rows(await sizes.toDataFrame(["k", "n"]).compute({ scheduler }))).toEqual([{ k: "a", n: 2 }, { k: "b", n: 1 }, { k: "c", n: 1 }]);
    });

    it("with dtype from a module function, and errors naming the partition", async () => {
      const b = db.range(7, { npartitions: 3 }).map(fromModule(fns, "record"));
      const df = toDataFrame(b, ["id", "name"], { dtype: { id: "int64", name: "string" } });
      expect(rows(await df.compute({ scheduler }))).toEqual(Array.from({ length: 7 }, (_, i) => ({ id: i, name: `n${i}` })));
      const bad = db.fromSequence([[1, 2], [3, 4], [5]], { npartitions: 3 });
      await expect(bad.toDataFrame(["a", "b"]).compute({ scheduler })).rejects.toThrow(/element 0 of partition 2: the element has 1 values but the frame has 2 columns/);
      const mixed = db.fromSequence([{ n: true }, { n: "x" }, { n: false }], { npartitions: 3 });
      await expect(toDataFrame(mixed, ["n"], { dtype: { n: "bool" } }).compute({ scheduler })).rejects.toThrow(/partition 1: column 'n' is bool/);
    });
  });
}
