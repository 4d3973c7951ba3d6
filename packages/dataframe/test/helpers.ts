// Shared by the dataframe tests.
import type * as A from "apache-arrow";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { closeSchedulers } from "@dask-ts/core";

/** Every local scheduler: each test runs its computation on all of them. */
export const SCHEDULERS = ["sync", "threads", "processes"] as const;

/** Closes the pools this test file started. */
export function closePoolsAfterAll(): void {
  afterAll(async () => {
    await closeSchedulers();
  });
}

/**
 * A temporary directory (removed after the file's tests) and a writer of numbered CSV files in it:
 * `file(text)` writes `${name}0.csv`, `${name}1.csv`, ... and returns the path.
 */
export function tempCsvFiles(prefix: string, name = "f"): { dir: string; file(text: string): string } {
  const dir = mkdtempSync(join(tmpdir(), `dask-ts-${prefix}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  return {
    dir,
    file(text: string): string {
      const p = join(dir, `${name}${n++}.csv`);
      writeFileSync(p, text);
      return p;
    },
  };
}

/** A table as plain rows: { col: value } with null for missing, bigints as numbers, Dates as ISO strings. */
export function rows(t: A.Table): Record<string, unknown>[] {
  const names = t.schema.fields.map((f) => f.name);
  const cols = names.map((n) => t.getChild(n)!);
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < t.numRows; i++) {
    const r: Record<string, unknown> = {};
    names.forEach((n, j) => {
      let v = cols[j]!.get(i) as unknown;
      if (typeof v === "bigint") v = Number(v);
      if (v instanceof Date) v = v.toISOString();
      if (typeof v === "number" && Number.isNaN(v)) v = null;
      r[n] = v ?? null;
    });
    out.push(r);
  }
  return out;
}

/** A table as { column: values[] } (same conversions as rows). */
export function columnsOf(t: A.Table): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const f of t.schema.fields) out[f.name] = [];
  for (const r of rows(t)) for (const k of Object.keys(out)) out[k]!.push(r[k]);
  return out;
}
