// Array benchmark: (x + x.T).mean({ axis: 0 }) with x = da.random.random([10000, 10000], { chunks: [1000, 1000], seed }),
// on sync and threads, random generation included, side by side with Dask
// (x = da.random.random((10000, 10000), chunks=1000); (x + x.T).mean(axis=0)) when it is installed.
//
// Prints one JSON line per (tool, workload, scheduler) on stdout:
//   {"tool":"dask-ts","workload":"elementwise","scheduler":"threads","seconds":..,"gb_per_s":..,"runs":[..],"peak_rss_mb":..}
// then a comparison table and the threads/sync speed-up (target >= 1.7x) on stderr. "gb_per_s" is
// nominal: the 0.8 GB of x over the seconds. Also one "random-generator" row: the uniform
// generator alone on one thread, in M values/s (1000x1000 blocks, into fresh memory as the
// kernel runs and into a reused buffer), next to NumPy's RandomState.random_sample.
// Each (tool, scheduler) runs in its own process, so peak_rss_mb is that workload's alone.
//
// Options:
//   --runs N           timed runs, median reported (default 5, after 2 warm-ups)
//   --warmups N        untimed runs first (default 2)
//   --quick            one run, no warm-up
//   --schedulers a,b   subset of sync,threads,processes (default sync,threads)
//   --no-generator     skip the generator's own throughput
//   --no-reference     skip Dask even when it is installed
import { childRowsOrThrow } from "./lib/child-rows.mjs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { findDaskPython, runDaskReference } from "./reference/find_python.mjs";
import { cli, median, peakRssMb } from "./lib/cli.mjs";

const WORKLOAD = "elementwise";
const SHAPE = [10000, 10000];
const CHUNKS = [1000, 1000];
const NOMINAL_BYTES = SHAPE[0] * SHAPE[1] * 8;
const NUM_WORKERS = 2;

const { args, flag, opt, quick, runs, warmups } = cli();

/** Checks (x + x.T).mean(axis 0) of uniforms: every column mean is close to 1. */
function check(r, scheduler) {
  if (!r || r.shape?.length !== 1 || r.shape[0] !== SHAPE[1]) throw new Error(`${WORKLOAD} on ${scheduler}: wrong result shape ${r?.shape}`);
  let s = 0;
  let worst = 0;
  for (let i = 0; i < SHAPE[1]; i++) {
    const v = r.get(i);
    s += v;
    worst = Math.max(worst, Math.abs(v - 1));
  }
  if (Math.abs(s / SHAPE[1] - 1) > 0.01 || worst > 0.05) throw new Error(`${WORKLOAD} on ${scheduler}: wrong result (mean ${s / SHAPE[1]}, worst ${worst})`);
  return s / SHAPE[1];
}

/** One scheduler, in this process: prints one JSON line. */
async function child(scheduler) {
  const { da } = await import("@dask-ts/array");
  const { closeSchedulers, getPool } = await import("@dask-ts/core");
  if (scheduler !== "sync") getPool(scheduler, NUM_WORKERS).warm?.();
  const times = [];
  let result;
  for (let r = 0; r < warmups + runs; r++) {
    const t0 = performance.now();
    const x = da.random.random(SHAPE, { chunks: CHUNKS, seed: 1000 + r });
    const out = await x.add(x.T).mean({ axis: 0 }).compute({ scheduler, numWorkers: NUM_WORKERS });
    const dt = (performance.now() - t0) / 1000;
    result = check(out, scheduler);
    if (r >= warmups) times.push(dt);
  }
  await closeSchedulers();
  const seconds = median(times);
  console.log(JSON.stringify({
    tool: "dask-ts", workload: WORKLOAD, scheduler, seconds: +seconds.toFixed(4),
    gb_per_s: +(NOMINAL_BYTES / seconds / 1e9).toFixed(2), runs: times.map((t) => +t.toFixed(4)), warmups, result,
    num_workers: scheduler === "sync" ? 1 : NUM_WORKERS, node: process.version, cpus: cpus().length, peak_rss_mb: peakRssMb(),
  }));
}

/** The uniform generator alone, one thread: M values/s into fresh blocks and into a reused buffer. */
async function generator() {
  const K = await import("@dask-ts/array/kernels/random");
  const [hi, lo] = K.streamKey(1, K.DIST_UNIFORM);
  const n = 1000 * 1000;
  const rate = (f, reps) => {
    for (let r = 0; r < 5; r++) f(r);
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) f(r);
    return +((reps * n) / ((performance.now() - t0) / 1000) / 1e6).toFixed(1);
  };
  const fresh = rate((r) => K.randomUniform(hi, lo, [1000, 1000], [r * 1000, 0], [1e6, 1000]), 40);
  const buf = new Float64Array(new SharedArrayBuffer(8 * n));
  const reused = rate((r) => K.fillUniform(buf, 0, n, r * n, hi, lo), 100);
  K.setRandomBackend("js");
  const js = rate((r) => K.fillUniform(buf, 0, n, r * n, hi, lo), 10);
  K.setRandomBackend("wasm");
  const normal = rate((r) => K.fillNormal(buf, 0, n, r * n, hi, lo, 0, 1), 10);
  console.log(JSON.stringify({
    tool: "dask-ts", workload: "random-generator", scheduler: "none", backend: K.randomBackend(),
    m_values_per_s: fresh, m_values_per_s_reused_buffer: reused, m_values_per_s_js_fallback: js, m_values_per_s_normal: normal,
    node: process.version, peak_rss_mb: peakRssMb(),
  }));
}

/** Runs this file with --child and returns the JSON rows it prints. */
function runChild(what) {
  return childRowsOrThrow(what, [fileURLToPath(import.meta.url), "--child", what, "--runs", String(runs), "--warmups", String(warmups)]);
}

if (flag("--child")) {
  const what = opt("--child");
  if (what === "generator") await generator();
  else await child(what);
} else {
  const schedulers = opt("--schedulers", "sync,threads").split(",");
  const python = flag("--no-reference") ? null : await findDaskPython();
  if (!python && !flag("--no-reference")) console.error("# Dask not installed (apt-get install python3-dask): reference skipped");
  const script = fileURLToPath(new URL("./reference/dask_array_basic.py", import.meta.url));
  console.error(`# ${WORKLOAD}: (x + x.T).mean(axis 0), x random [${SHAPE}] chunks [${CHUNKS}], ${cpus().length} cores, node ${process.version}, ${new Date().toISOString()}`);
  const rows = [];
  const emit = (row) => {
    rows.push(row);
    console.log(JSON.stringify(row));
  };
  const reference = async (workload, scheduler) => {
    if (!python) return;
    const pyArgs = ["--workloads", workload, "--schedulers", scheduler, "--runs", String(runs), "--warmups", String(warmups)];
    for (const row of await runDaskReference(script, pyArgs, { python })) emit(row);
  };
  if (!flag("--no-generator")) {
    for (const row of await runChild("generator")) emit(row);
    await reference("random-sample", "none");
  }
  for (const scheduler of schedulers) {
    for (const row of await runChild(scheduler)) emit(row);
    if (scheduler !== "processes") await reference(WORKLOAD, scheduler);
  }
  const find = (tool, w, s) => rows.find((r) => r.tool === tool && r.workload === w && r.scheduler === s);
  const gen = find("dask-ts", "random-generator", "none");
  const np = find("dask", "random-sample", "none");
  if (gen) {
    console.error(`\nuniform generator, one thread: ${gen.m_values_per_s} M values/s into fresh 1000x1000 blocks, ${gen.m_values_per_s_reused_buffer} into a reused buffer` +
      ` (${gen.backend}; JS fallback ${gen.m_values_per_s_js_fallback}; normal ${gen.m_values_per_s_normal})${np ? `; NumPy random_sample ${np.m_values_per_s}` : ""}`);
  }
  console.error("\nscheduler   dask-ts s   Dask s   dask-ts peak RSS MB   Dask peak RSS MB   dask-ts speed vs Dask");
  for (const s of schedulers) {
    const o = find("dask-ts", WORKLOAD, s);
    const d = find("dask", WORKLOAD, s);
    const f = (v, n) => (v === undefined ? "-" : String(v)).padStart(n);
    console.error(`${s.padEnd(11)} ${f(o?.seconds, 9)} ${f(d?.seconds, 8)} ${f(o?.peak_rss_mb, 21)} ${f(d?.peak_rss_mb, 18)} ${f(o && d ? (d.seconds / o.seconds).toFixed(2) + "x" : undefined, 23)}`);
  }
  const sync = find("dask-ts", WORKLOAD, "sync");
  const threads = find("dask-ts", WORKLOAD, "threads");
  if (sync && threads) {
    const ratio = sync.seconds / threads.seconds;
    console.error(`dask-ts threads vs sync: ${ratio.toFixed(2)}x (target >= 1.7x)`);
    emit({ tool: "dask-ts", workload: `${WORKLOAD}-threads-vs-sync`, scheduler: "threads", speedup: +ratio.toFixed(2) });
  }
  const dsync = find("dask", WORKLOAD, "sync");
  const dthreads = find("dask", WORKLOAD, "threads");
  if (dsync && dthreads) console.error(`Dask threads vs sync: ${(dsync.seconds / dthreads.seconds).toFixed(2)}x`);
}
