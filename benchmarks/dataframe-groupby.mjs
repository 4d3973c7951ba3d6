// Dataframe benchmark: the db-benchmark groupby queries on the table of benchmarks/dataframe-gen.mjs
// (id1,id2,id3 strings, id4,id5,id6 ints, v1,v2 ints, v3 float; 1e7 rows = 509 MB of CSV),
// dask-ts side by side with Dask (dd.read_csv, default blocksize) and DuckDB (@duckdb/node-api).
//
//   read-all   dd.readCsv(path).persist() + len()                       CSV to memory, all columns
//   q1         dd.readCsv(path).groupby("id1").col("v1").sum()          end to end, 100 groups
//   q3         dd.readCsv(path).groupby("id3").agg({ v1: "sum", v3: "mean" })     N/100 groups
//   q5         dd.readCsv(path).groupby("id6").agg({ v1: "sum", v2: "sum", v3: "sum" })  N/100 groups
//   q1-mem, q3-mem, q5-mem   the same queries on a frame persisted once first: only the query is timed
//
// Schedulers sync and threads (numWorkers 2) for every tool (DuckDB: threads 1 and 2), plus Dask
// on a distributed LocalCluster (2 worker processes, 1 thread each). Results are checked against
// the answers the generator stored beside the CSV.
//
// Prints one JSON line per (tool, workload, scheduler) on stdout:
//   {"tool":"dask-ts","workload":"q1","scheduler":"threads","rows":1e7,"seconds":..,"rows_per_s":..,
//    "mb_per_s":..,"peak_rss_mb":..,"runs":[..],"loadavg":..}
// ("mb_per_s" is CSV bytes over seconds for every workload, in-memory ones included: nominal), then
// a comparison table on stderr with dask-ts/Dask time ratios and the issue's targets (1e7, threads),
// and the machine's load average at the start and the end. Each (tool, workload, scheduler) runs in
// its own process, so peak_rss_mb is that workload's alone (Dask distributed: client + workers).
// The CSV is generated first if it is missing (benchmarks/data/, under .gitignore).
//
// Options:
//   --rows N           1e6 or 1e7 (default 1e7; 1e6 with --quick)
//   --runs N           timed runs, median reported (default 3, after 1 warm-up)
//   --warmups N        untimed runs first (default 1)
//   --quick            one run, no warm-up
//   --workloads a,b    subset of read-all,q1,q3,q5,q1-mem,q3-mem,q5-mem (default all)
//   --schedulers a,b   subset of sync,threads (default sync,threads)
//   --tools a,b        subset of dask-ts,dask,duckdb (default all)
//   --no-reference     dask-ts only (same as --tools dask-ts)
//   --no-distributed   skip Dask's distributed LocalCluster rows
//   --split-out N      groupby splitOut of q3 and q5 (Dask: split_out), for dask-ts and Dask (default: each one's default)
//   --cpu-prof         run the dask-ts children under node --cpu-prof (profiles in benchmarks/data/prof/)
import { childRowsOrErrorRow } from "./lib/child-rows.mjs";
import { mkdirSync, statSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { cli, median, peakRssMb } from "./lib/cli.mjs";
import { DESCRIPTIONS, QUERY_COLUMNS, TARGETS_1E7, WORKLOADS, checkQuery, loadavg } from "./lib/groupby-check.mjs";
import { DATA_DIR, ensureGroupbyData, parseRows, rowsLabel } from "./dataframe-gen.mjs";
import { findDaskPython, runDaskReference } from "./reference/find_python.mjs";

const NUM_WORKERS = 2;
const CHILD_TIMEOUT_MS = 20 * 60_000;
const KEY = { q1: "id1", q3: "id3", q5: "id6" };

const { flag, opt, quick, runs, warmups } = cli({ runs: 3, warmups: 1 });

/** groupby options of q3 and q5 (many groups): { splitOut } from --split-out, else the library's default. */
const SPLIT_OUT = opt("--split-out") !== undefined ? { splitOut: Number(opt("--split-out")) } : {};

/** The dask-ts expression of a query on a frame. */
const QUERIES = {
  q1: (df) => df.groupby("id1").col("v1").sum(),
  q3: (df) => df.groupby("id3", SPLIT_OUT).agg({ v1: "sum", v3: "mean" }),
  q5: (df) => df.groupby("id6", SPLIT_OUT).agg({ v1: "sum", v2: "sum", v3: "sum" }),
};

/**
 * A computed groupby result as { groups, keys, cols } for checkQuery: an Arrow Table (key column
 * and value columns by name, else in order after the key) or a Vector of values sorted by key.
 */
function resultColumns(query, r) {
  const names = QUERY_COLUMNS[query];
  if (r && typeof r.getChild === "function" && r.schema) {
    const fields = r.schema.fields.map((f) => f.name);
    const key = fields.includes(KEY[query]) ? KEY[query] : fields[0];
    const rest = fields.filter((f) => f !== key);
    const cols = {};
    names.forEach((n, i) => {
      const v = r.getChild(fields.includes(n) ? n : rest[i]);
      cols[n] = v ? v.toArray() : undefined;
    });
    const keys = query === "q1" ? [...r.getChild(key)].map(String) : null;
    return { groups: r.numRows, keys, cols };
  }
  if (r && typeof r.length === "number" && typeof r.get === "function") {
    return { groups: r.length, keys: null, cols: { [names[0]]: r.toArray() } };
  }
  throw new Error(`${query}: unexpected result ${Object.prototype.toString.call(r)}`);
}

/** One (workload, scheduler) of dask-ts, in this process: prints one JSON line. */
async function child(workload, scheduler, csv) {
  const { dd } = await import("@dask-ts/dataframe");
  const { closeSchedulers, getPool } = await import("@dask-ts/core");
  const meta = (await import("node:fs")).readFileSync(csv.replace(/\.csv$/, ".json"), "utf8");
  const m = JSON.parse(meta);
  const bytes = statSync(csv).size;
  const opts = { scheduler, numWorkers: NUM_WORKERS };
  if (scheduler !== "sync") {
    // Start the workers and load the dataframe kernels in them before the clock (Dask's threads have no start-up).
    getPool(scheduler, NUM_WORKERS).warm?.();
    await dd.fromColumns({ a: [1, 2, 3, 4] }, { npartitions: 2 }).len(opts);
  }
  const query = workload.replace(/-mem$/, "");
  let persisted = null;
  let persistSeconds;
  if (workload.endsWith("-mem")) {
    const t0 = performance.now();
    persisted = await dd.readCsv(csv).persist(opts);
    persistSeconds = (performance.now() - t0) / 1000;
  }
  const times = [];
  let result;
  let npartitions;
  for (let r = 0; r < warmups + runs; r++) {
    const t0 = performance.now();
    if (workload === "read-all") {
      const df = dd.readCsv(csv);
      const p = await df.persist(opts);
      const n = await p.len(opts);
      const dt = (performance.now() - t0) / 1000;
      if (n !== m.rows) throw new Error(`read-all on ${scheduler}: ${n} rows, want ${m.rows}`);
      result = { rows: n };
      npartitions = df.npartitions;
      if (r >= warmups) times.push(dt);
      continue;
    }
    const df = persisted ?? dd.readCsv(csv);
    const out = await QUERIES[query](df).compute(opts);
    const dt = (performance.now() - t0) / 1000;
    result = checkQuery(query, resultColumns(query, out), m);
    npartitions = df.npartitions;
    if (r >= warmups) times.push(dt);
  }
  await closeSchedulers();
  const seconds = median(times);
  console.log(JSON.stringify({
    tool: "dask-ts", workload, scheduler, rows: m.rows, seconds: +seconds.toFixed(4),
    rows_per_s: Math.round(m.rows / seconds), mb_per_s: +(bytes / seconds / 1e6).toFixed(1), peak_rss_mb: peakRssMb(),
    runs: times.map((t) => +t.toFixed(4)), warmups, npartitions, result, ...SPLIT_OUT,
    ...(persistSeconds !== undefined ? { persist_seconds: +persistSeconds.toFixed(4) } : {}),
    num_workers: scheduler === "sync" ? 1 : NUM_WORKERS, node: process.version, cpus: cpus().length, loadavg: loadavg()?.[0],
  }));
}

/** Runs a node script in a child process; resolves with the JSON rows it prints, or one error row. */
function runNode(label, argv, nodeFlags = []) {
  return childRowsOrErrorRow(label, argv, { nodeFlags, timeoutMs: CHILD_TIMEOUT_MS });
}

if (flag("--child")) {
  await child(opt("--workload"), opt("--child"), opt("--csv"));
} else {
  const rowsN = parseRows(opt("--rows", quick ? "1e6" : "1e7"));
  const workloads = opt("--workloads", WORKLOADS.join(",")).split(",").filter(Boolean);
  for (const w of workloads) if (!WORKLOADS.includes(w)) throw new Error(`unknown workload ${w}; use ${WORKLOADS.join(",")}`);
  const schedulers = opt("--schedulers", "sync,threads").split(",").filter(Boolean);
  for (const s of schedulers) if (s !== "sync" && s !== "threads") throw new Error(`unknown scheduler ${s}; use sync,threads`);
  const tools = flag("--no-reference") ? ["dask-ts"] : opt("--tools", "dask-ts,dask,duckdb").split(",").filter(Boolean);
  const python = tools.includes("dask") ? await findDaskPython() : null;
  if (tools.includes("dask") && !python) console.error("# Dask not installed (apt-get install python3-dask): Dask reference skipped");
  let duckdb = tools.includes("duckdb");
  if (duckdb) {
    try {
      await import("@duckdb/node-api");
    } catch {
      duckdb = false;
      console.error("# @duckdb/node-api not installed: DuckDB reference skipped");
    }
  }
  const distributed = python && !flag("--no-distributed");

  const data = ensureGroupbyData(rowsN, { dir: DATA_DIR, log: (s) => console.error(s) });
  const csv = data.csv;
  const mb = data.bytes / 1e6;
  const load0 = loadavg();
  const started = new Date();
  console.error(`# groupby ${rowsLabel(rowsN)} rows (${mb.toFixed(1)} MB CSV ${csv}), ${cpus().length} cores, node ${process.version}, ` +
    `runs ${runs} after ${warmups} warm-up(s)${SPLIT_OUT.splitOut ? `, q3/q5 splitOut ${SPLIT_OUT.splitOut}` : ""}, load average ${load0?.join(" ") ?? "?"} at start, ${started.toISOString()}`);

  const rows = [];
  const emit = (base) => (row) => {
    const r = row.error ? { ...base, ...row } : row;
    rows.push(r);
    console.log(JSON.stringify(r));
    if (r.error) console.error(`# ${r.tool} ${r.workload} ${r.scheduler}: FAILED ${r.error}`);
  };
  const self = fileURLToPath(import.meta.url);
  const duckScript = fileURLToPath(new URL("./reference/duckdb_groupby.mjs", import.meta.url));
  const daskScript = fileURLToPath(new URL("./reference/dask_dataframe_groupby.py", import.meta.url));
  const common = ["--runs", String(runs), "--warmups", String(warmups)];
  const splitArgs = SPLIT_OUT.splitOut !== undefined ? ["--split-out", String(SPLIT_OUT.splitOut)] : [];
  const profDir = fileURLToPath(new URL("./data/prof/", import.meta.url));
  const nodeFlags = flag("--cpu-prof") ? (mkdirSync(profDir, { recursive: true }), ["--cpu-prof", "--cpu-prof-dir", profDir]) : [];
  const dask = async (w, s) => {
    const base = { tool: "dask", workload: w, scheduler: s, rows: rowsN };
    try {
      const out = await runDaskReference(daskScript, ["--csv", csv, "--workloads", w, "--schedulers", s, ...common, ...splitArgs], { python, timeoutMs: CHILD_TIMEOUT_MS });
      out.forEach(emit(base));
    } catch (e) {
      emit(base)({ error: String(e.message).split("\n").filter(Boolean).slice(-1)[0]?.slice(0, 300) });
    }
  };

  for (const w of workloads) {
    console.error(`# ${w}: ${DESCRIPTIONS[w]}`);
    for (const s of schedulers) {
      if (tools.includes("dask-ts")) {
        const out = await runNode(`dask-ts ${w} ${s}`, [self, "--child", s, "--workload", w, "--csv", csv, ...common, ...splitArgs], nodeFlags);
        out.forEach(emit({ tool: "dask-ts", workload: w, scheduler: s, rows: rowsN }));
      }
      if (python) await dask(w, s);
      if (duckdb) {
        const out = await runNode(`duckdb ${w} ${s}`, [duckScript, "--csv", csv, "--workloads", w, "--schedulers", s, ...common]);
        out.forEach(emit({ tool: "duckdb", workload: w, scheduler: s, rows: rowsN }));
      }
    }
    if (distributed) await dask(w, "distributed");
  }

  // Comparison table.
  const load1 = loadavg();
  const find = (tool, w, s) => rows.find((r) => r.tool === tool && r.workload === w && r.scheduler === s);
  const f = (v, n) => (v === undefined || v === null ? "-" : String(v)).padStart(n);
  const secs = (r) => (r ? (r.error ? "fail" : r.seconds) : undefined);
  const is1e7 = rowsN === 1e7;
  console.error(`\n# ${rowsLabel(rowsN)} rows, ${mb.toFixed(1)} MB CSV; seconds are medians of ${runs} run(s); ts/Dask = dask-ts time / Dask time (below 1: dask-ts faster)`);
  console.error("workload  scheduler    dask-ts s    Dask s  DuckDB s  ts/Dask  ts/DuckDB  dask-ts rows/s  dask-ts MB/s  ts RSS MB  Dask RSS MB  DuckDB RSS MB  target s");
  for (const w of workloads) {
    for (const s of [...schedulers, ...(distributed ? ["distributed"] : [])]) {
      const o = find("dask-ts", w, s);
      const d = find("dask", w, s);
      const k = find("duckdb", w, s);
      const ok = (r) => r && !r.error;
      const ratio = (a, b) => (ok(a) && ok(b) ? (a.seconds / b.seconds).toFixed(2) : undefined);
      const target = is1e7 && s === "threads" && TARGETS_1E7[w] !== undefined ? `${TARGETS_1E7[w]}${ok(o) ? (o.seconds <= TARGETS_1E7[w] ? " met" : " MISSED") : ""}` : undefined;
      console.error(`${w.padEnd(9)} ${s.padEnd(11)} ${f(secs(o), 10)} ${f(secs(d), 9)} ${f(secs(k), 9)} ${f(ratio(o, d), 8)} ${f(ratio(o, k), 10)} ` +
        `${f(ok(o) ? o.rows_per_s : undefined, 15)} ${f(ok(o) ? o.mb_per_s : undefined, 13)} ${f(ok(o) ? o.peak_rss_mb : undefined, 10)} ` +
        `${f(ok(d) ? d.peak_rss_mb : undefined, 12)} ${f(ok(k) ? k.peak_rss_mb : undefined, 14)} ${f(target, 10)}`);
    }
  }
  console.error(`# load average ${load0?.join(" ") ?? "?"} at start, ${load1?.join(" ") ?? "?"} at end (${cpus().length} cores; other processes on the machine slow every tool alike)`);
  console.log(JSON.stringify({ tool: "machine", rows: rowsN, csv_bytes: data.bytes, cpus: cpus().length, loadavg_start: load0, loadavg_end: load1, started: started.toISOString(), finished: new Date().toISOString() }));
}
