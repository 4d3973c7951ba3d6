// DuckDB reference: the db-benchmark groupby queries of benchmarks/dataframe-groupby.mjs in SQL,
// through @duckdb/node-api (an in-memory database in this process).
//
//   read-all   CREATE TABLE x AS SELECT * FROM read_csv_auto(path); SELECT count(*) FROM x
//   q1         SELECT id1, sum(v1) AS v1 FROM read_csv_auto(path) GROUP BY id1          (end to end)
//   q3         SELECT id3, sum(v1) AS v1, avg(v3) AS v3 FROM read_csv_auto(path) GROUP BY id3
//   q5         SELECT id6, sum(v1) AS v1, sum(v2) AS v2, sum(v3) AS v3 FROM read_csv_auto(path) GROUP BY id6
//   q1-mem, q3-mem, q5-mem   the same queries on table x, loaded once beforehand (untimed)
//
// Schedulers map to DuckDB's thread count: sync = threads 1, threads = threads 2. Query results
// are read back into JS (runAndReadAll + getColumnsJS) inside the timing, as dask-ts returns an
// Arrow table; results are checked against the generator's answers.
//
// Usage: node benchmarks/reference/duckdb_groupby.mjs --csv benchmarks/data/groupby-1e7.csv
//          [--workloads read-all,q1,...] [--schedulers sync,threads] [--runs N] [--warmups N] [--quick]
// Prints one JSON line per (workload, scheduler) on stdout. Run one (workload, scheduler) per
// process (as dataframe-groupby.mjs does) to read peak_rss_mb per workload.
import { readFileSync, statSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { cli, median, peakRssMb } from "../lib/cli.mjs";
import { QUERY_COLUMNS, WORKLOADS, checkQuery, loadavg } from "../lib/groupby-check.mjs";

const THREADS = { sync: 1, threads: 2 };

const SQL = {
  q1: (src) => `SELECT id1, sum(v1) AS v1 FROM ${src} GROUP BY id1 ORDER BY id1`,
  q3: (src) => `SELECT id3, sum(v1) AS v1, avg(v3) AS v3 FROM ${src} GROUP BY id3`,
  q5: (src) => `SELECT id6, sum(v1) AS v1, sum(v2) AS v2, sum(v3) AS v3 FROM ${src} GROUP BY id6`,
};

const quote = (s) => `'${String(s).replace(/'/g, "''")}'`;

/** Runs the workloads on DuckDB and returns the JSON rows. */
export async function runDuckdb({ csv, workloads, schedulers, runs, warmups }) {
  const { DuckDBInstance, version } = await import("@duckdb/node-api");
  const meta = JSON.parse(readFileSync(csv.replace(/\.csv$/, ".json"), "utf8"));
  const bytes = statSync(csv).size;
  const src = `read_csv_auto(${quote(csv)})`;
  const out = [];
  for (const scheduler of schedulers) {
    if (!(scheduler in THREADS)) throw new Error(`duckdb: unknown scheduler ${scheduler}; use sync or threads`);
    const db = await DuckDBInstance.create(":memory:", { threads: String(THREADS[scheduler]) });
    const con = await db.connect();
    try {
      for (const w of workloads) {
        if (!WORKLOADS.includes(w)) throw new Error(`duckdb: unknown workload ${w}`);
        const query = w.replace(/-mem$/, "");
        if (w.endsWith("-mem")) await con.run(`CREATE OR REPLACE TABLE x AS SELECT * FROM ${src}`);
        const times = [];
        let result;
        for (let r = 0; r < warmups + runs; r++) {
          const t0 = performance.now();
          if (w === "read-all") {
            await con.run(`CREATE OR REPLACE TABLE t AS SELECT * FROM ${src}`);
            const n = Number((await con.runAndReadAll("SELECT count(*) AS n FROM t")).getColumnsJS()[0][0]);
            const dt = (performance.now() - t0) / 1000;
            if (n !== meta.rows) throw new Error(`duckdb read-all: ${n} rows, want ${meta.rows}`);
            await con.run("DROP TABLE t");
            result = { rows: n };
            if (r >= warmups) times.push(dt);
            continue;
          }
          const reader = await con.runAndReadAll(SQL[query](w.endsWith("-mem") ? "x" : src));
          const cols = reader.getColumnsJS();
          const dt = (performance.now() - t0) / 1000;
          const names = QUERY_COLUMNS[query];
          result = checkQuery(query, { groups: cols[0].length, keys: cols[0], cols: Object.fromEntries(names.map((n, i) => [n, cols[i + 1]])) }, meta);
          if (r >= warmups) times.push(dt);
        }
        if (w.endsWith("-mem")) await con.run("DROP TABLE x");
        const seconds = median(times);
        out.push({
          tool: "duckdb", workload: w, scheduler, rows: meta.rows, seconds: +seconds.toFixed(4),
          rows_per_s: Math.round(meta.rows / seconds), mb_per_s: +(bytes / seconds / 1e6).toFixed(1),
          peak_rss_mb: peakRssMb(), runs: times.map((t) => +t.toFixed(4)), warmups, result,
          threads: THREADS[scheduler], version: version(), node: process.version, cpus: cpus().length, loadavg: loadavg()?.[0],
        });
      }
    } finally {
      con.closeSync?.();
      db.closeSync?.();
    }
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { opt, runs, warmups } = cli({ runs: 3, warmups: 1 });
  const csv = opt("--csv");
  if (!csv) {
    console.error("usage: node benchmarks/reference/duckdb_groupby.mjs --csv FILE [--workloads ...] [--schedulers sync,threads] [--runs N] [--warmups N] [--quick]");
    process.exit(2);
  }
  const rows = await runDuckdb({
    csv,
    workloads: opt("--workloads", WORKLOADS.join(",")).split(",").filter(Boolean),
    schedulers: opt("--schedulers", "threads").split(",").filter(Boolean),
    runs,
    warmups,
  });
  for (const row of rows) console.log(JSON.stringify(row));
}
