// dask-ts dataframe demo: write a few CSV files of the db-benchmark groupby shape, read them back in
// parallel (byte ranges of every file, one partition each) and run groupby queries on every local scheduler.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closeSchedulers, dd } from "dask-ts";

const FILES = 4;
const ROWS = 400_000; // per file (about 13 MB)

/** Deterministic rows: id1 with 100 values, id3 with ROWS/100 per file, ints and a float. */
function csvText(seed) {
  let s = seed >>> 0;
  const rnd = (n) => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) % n) + 1;
  const lines = ["id1,id3,id6,v1,v3"];
  for (let i = 0; i < ROWS; i++) {
    lines.push(`id${String(rnd(100)).padStart(3, "0")},id${String(rnd(ROWS / 100)).padStart(10, "0")},${rnd(ROWS / 100)},${rnd(5)},${(rnd(1e6) / 1e4).toFixed(4)}`);
  }
  return lines.join("\n") + "\n";
}

const dir = await mkdtemp(join(tmpdir(), "dask-ts-df-demo-"));
try {
  for (let f = 0; f < FILES; f++) await writeFile(join(dir, `part-${f}.csv`), csvText(f + 1));
  const df = dd.readCsv(join(dir, "*.csv"), { blocksize: "4MB" });
  console.log(`${df.npartitions} partitions, columns ${JSON.stringify(df.dtypes)}`);

  let reference;
  for (const scheduler of ["sync", "threads", "processes"]) {
    // Twice: the first run also starts the pool (workers load their modules); the second is timed.
    let q1, q3, ms;
    for (let run = 0; run < 2; run++) {
      const t0 = performance.now();
      q1 = await df.groupby("id1").agg({ v1: "sum", v3: "mean" }).compute({ scheduler, progress: run === 1 });
      q3 = await df.groupby("id3").col("v1").sum().compute({ scheduler });
      ms = performance.now() - t0;
    }
    const summary = `${q1.numRows} id1 groups, ${q3.numRows} id3 groups, first: ${JSON.stringify(q1.get(0)?.toJSON(), (_, v) => (typeof v === "bigint" ? Number(v) : v))}`;
    reference ??= summary;
    console.log(`${scheduler.padEnd(9)} ${ms.toFixed(0).padStart(6)} ms  ${summary === reference ? "same result" : "DIFFERENT RESULT"}  ${summary}`);
  }
} finally {
  await closeSchedulers();
  await rm(dir, { recursive: true, force: true });
}
