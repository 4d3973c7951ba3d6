// Array benchmark: da.ones([20000, 20000], { chunks: [2000, 2000] }).sum(), on sync and threads,
// side by side with Dask (da.ones((20000, 20000), chunks=2000).sum()) when it is installed.
//
// Prints one JSON line per (tool, workload, scheduler) on stdout:
//   {"tool":"dask-ts","workload":"sum-ones","scheduler":"threads","seconds":..,"gb_per_s":..,"runs":[..],"peak_rss_mb":..}
// then a comparison table on stderr. "gb_per_s" is nominal: the 3.2 GB a dense float64 array
// would hold over the seconds (constant chunks hold one element each, in both tools).
// Each (tool, scheduler) runs in its own process, so peak_rss_mb is that workload's alone.
//
// Options:
//   --runs N           timed runs, median reported (default 5, after 2 warm-ups)
//   --warmups N        untimed runs first (default 2)
//   --quick            one run, no warm-up
//   --schedulers a,b   subset of sync,threads,processes (default sync,threads)
//   --no-reference     skip Dask even when it is installed
import { childRowsOrThrow } from "./lib/child-rows.mjs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { findDaskPython, runDaskReference } from "./reference/find_python.mjs";
import { cli, median, peakRssMb } from "./lib/cli.mjs";

const WORKLOAD = "sum-ones";
const SHAPE = [20000, 20000];
const CHUNKS = [2000, 2000];
const NOMINAL_BYTES = SHAPE[0] * SHAPE[1] * 8;
const NUM_WORKERS = 2;

const { args, flag, opt, quick, runs, warmups } = cli();

/** One scheduler, in this process: prints one JSON line. */
async function child(scheduler) {
  const { da } = await import("@dask-ts/array");
  const { closeSchedulers, getPool } = await import("@dask-ts/core");
  if (scheduler !== "sync") getPool(scheduler, NUM_WORKERS).warm?.();
  const times = [];
  for (let r = 0; r < warmups + runs; r++) {
    const t0 = performance.now();
    const v = await da.ones(SHAPE, { chunks: CHUNKS }).sum().compute({ scheduler, numWorkers: NUM_WORKERS });
    const dt = (performance.now() - t0) / 1000;
    if (v !== SHAPE[0] * SHAPE[1]) throw new Error(`${WORKLOAD} on ${scheduler}: wrong result ${v}`);
    if (r >= warmups) times.push(dt);
  }
  await closeSchedulers();
  const seconds = median(times);
  console.log(JSON.stringify({
    tool: "dask-ts", workload: WORKLOAD, scheduler, seconds: +seconds.toFixed(4),
    gb_per_s: +(NOMINAL_BYTES / seconds / 1e9).toFixed(2), runs: times.map((t) => +t.toFixed(4)), warmups,
    num_workers: scheduler === "sync" ? 1 : NUM_WORKERS, node: process.version, cpus: cpus().length, peak_rss_mb: peakRssMb(),
  }));
}

/** Runs this file with --child and returns the JSON rows it prints. */
function runChild(scheduler) {
  return childRowsOrThrow(`${WORKLOAD} on ${scheduler}`, [fileURLToPath(import.meta.url), "--child", scheduler, "--runs", String(runs), "--warmups", String(warmups)]);
}

if (flag("--child")) {
  await child(opt("--child"));
} else {
  const schedulers = opt("--schedulers", "sync,threads").split(",");
  const python = flag("--no-reference") ? null : await findDaskPython();
  if (!python && !flag("--no-reference")) console.error("# Dask not installed (apt-get install python3-dask): reference skipped");
  const script = fileURLToPath(new URL("./reference/dask_array_basic.py", import.meta.url));
  console.error(`# ${WORKLOAD}: da.ones([${SHAPE}], chunks [${CHUNKS}]).sum(), ${cpus().length} cores, node ${process.version}, ${new Date().toISOString()}`);
  const rows = [];
  const emit = (row) => {
    rows.push(row);
    console.log(JSON.stringify(row));
  };
  for (const scheduler of schedulers) {
    for (const row of await runChild(scheduler)) emit(row);
    if (python && scheduler !== "processes") {
      const pyArgs = ["--workloads", WORKLOAD, "--schedulers", scheduler, "--runs", String(runs), "--warmups", String(warmups)];
      for (const row of await runDaskReference(script, pyArgs, { python })) emit(row);
    }
  }
  const find = (tool, s) => rows.find((r) => r.tool === tool && r.scheduler === s);
  console.error("\nscheduler   dask-ts s   Dask s   dask-ts GB/s   Dask GB/s   dask-ts speed vs Dask");
  for (const s of schedulers) {
    const o = find("dask-ts", s);
    const d = find("dask", s);
    const f = (v, n) => (v === undefined ? "-" : String(v)).padStart(n);
    console.error(`${s.padEnd(11)} ${f(o?.seconds, 9)} ${f(d?.seconds, 8)} ${f(o?.gb_per_s, 14)} ${f(d?.gb_per_s, 11)} ${f(o && d ? (d.seconds / o.seconds).toFixed(2) + "x" : undefined, 23)}`);
  }
  const sync = find("dask-ts", "sync");
  const threads = find("dask-ts", "threads");
  if (sync && threads) console.error(`dask-ts threads vs sync: ${(sync.seconds / threads.seconds).toFixed(2)}x`);
}
