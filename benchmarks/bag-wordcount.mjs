// Bag benchmark: word count of a text file (benchmarks/bag-gen.mjs: 1e6 lines, ~8M words from a 10k-word
// Zipf vocabulary, ~55 MB), the 10 most frequent words:
//
//   dask-ts  db.readText(path, { blocksize }).str.split().flatten().frequencies().topk(10, ([, n]) => n)
//            on sync, threads and processes (numWorkers 2)
//   js-map   plain single-threaded JS in one process: readFileSync, split on whitespace, count in a Map, sort
//   Dask     db.read_text(path, blocksize=...).str.split().flatten().frequencies().topk(10, key=lambda x: x[1])
//            on processes (a reused pool of 2) and a distributed LocalCluster (2 workers, 1 thread each)
//            (benchmarks/reference/dask_bag_wordcount.py with /usr/bin/python3)
//
// Every run is timed end to end (building the bag, reading the file, counting) and checked against the
// answer the generator stored beside the file. Prints one JSON line per (tool, scheduler) on stdout:
//   {"tool":"dask-ts","workload":"wordcount","scheduler":"processes","seconds":..,"m_words_per_s":..,
//    "mb_per_s":..,"vs_js_map":..,"runs":[..],"peak_rss_mb":..,"loadavg":..}
// then a comparison table on stderr with the targets (processes: at least 1.5x faster than js-map and
// at most 0.6 s) and the load average at the start and the end. Each (tool, scheduler) runs in its own
// process; peak_rss_mb adds the peak of the worker processes (processes) to the process's own.
//
// Options:
//   --runs N           timed runs, median reported (default 3, after 1 warm-up)
//   --warmups N        untimed runs first (default 1)
//   --quick            one run, no warm-up
//   --blocksize B      readText / read_text blocksize, both tools (default 8MB)
//   --lines N          data size (default 1e6)
//   --schedulers a,b   dask-ts subset of sync,threads,processes (default all)
//   --no-reference     skip Dask (js-map still runs)
//   --no-distributed   skip Dask's LocalCluster row
//   --cpu-prof         run the dask-ts children under node --cpu-prof (profiles in benchmarks/data/prof/)
import { childRowsOrErrorRow } from "./lib/child-rows.mjs";
import { mkdirSync, readFileSync, readdirSync, statSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { cli, median, peakRssMb } from "./lib/cli.mjs";
import { ensureWordData } from "./bag-gen.mjs";
import { findDaskPython, runDaskReference } from "./reference/find_python.mjs";

const WORKLOAD = "wordcount";
const NUM_WORKERS = 2;
const CHILD_TIMEOUT_MS = 10 * 60_000;
const TARGET_SECONDS = 0.6;
const TARGET_VS_JS = 1.5;

const { flag, opt, quick, runs, warmups } = cli({ runs: 3, warmups: 1 });
const BLOCKSIZE = opt("--blocksize", "8MB");

/** The load averages (1, 5, 15 min), or null off Linux. */
function loadavg() {
  try {
    return readFileSync("/proc/loadavg", "utf8").trim().split(/\s+/).slice(0, 3).map(Number);
  } catch {
    return null;
  }
}

/** Sum of the peak resident sizes (VmHWM) of this process's live child processes, in MB (Linux; 0 elsewhere). */
function childrenPeakRssMb() {
  let total = 0;
  let entries = [];
  try {
    entries = readdirSync("/proc");
  } catch {
    return 0;
  }
  for (const pid of entries) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) !== process.pid) continue;
      const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m) total += Number(m[1]) / 1024;
    } catch {
      // gone
    }
  }
  return total;
}

/** The answer as [word, count] pairs, checked against the generator's. */
function check(label, got, meta) {
  const norm = Array.from(got, ([w, n]) => [String(w).trim(), Number(n)]);
  if (JSON.stringify(norm) !== JSON.stringify(meta.top10)) {
    throw new Error(`${label}: wrong top 10 ${JSON.stringify(norm.slice(0, 3))}..., want ${JSON.stringify(meta.top10.slice(0, 3))}...`);
  }
}

/** The plain single-threaded count: read the file, split on whitespace, count in a Map, top 10. */
function jsMapCount(path) {
  const text = readFileSync(path, "utf8");
  const counts = new Map();
  for (const w of text.split(/\s+/)) if (w !== "") counts.set(w, (counts.get(w) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, 10);
}

/** One tool/scheduler in this process: prints one JSON line. */
async function child(which, path) {
  const meta = JSON.parse(readFileSync(path.replace(/\.txt$/, ".json"), "utf8"));
  const bytes = statSync(path).size;
  let run;
  let npartitions;
  if (which === "js-map") {
    run = async () => jsMapCount(path);
  } else {
    const { db } = await import("@dask-ts/bag");
    const { getPool } = await import("@dask-ts/core");
    const opts = { scheduler: which, numWorkers: NUM_WORKERS };
    if (which !== "sync") {
      // Start the workers and load the bag kernels in them before the clock.
      getPool(which, NUM_WORKERS).warm?.();
      await db.range(4, { npartitions: 2 }).compute(opts);
    }
    npartitions = db.readText(path, { blocksize: BLOCKSIZE }).npartitions;
    run = () => db.readText(path, { blocksize: BLOCKSIZE }).str.split().flatten().frequencies().topk(10, ([, n]) => n).compute(opts);
  }
  const times = [];
  for (let r = 0; r < warmups + runs; r++) {
    const t0 = performance.now();
    const top = await run();
    const dt = (performance.now() - t0) / 1000;
    check(`${which} run ${r}`, top, meta);
    if (r >= warmups) times.push(dt);
    console.error(`# ${which === "js-map" ? which : `dask-ts ${which}`} run ${r}: ${dt.toFixed(3)} s`);
  }
  const rss = peakRssMb() + (which.endsWith("processes") ? childrenPeakRssMb() : 0);
  if (which !== "js-map") await (await import("@dask-ts/core")).closeSchedulers();
  const seconds = median(times);
  console.log(JSON.stringify({
    tool: which === "js-map" ? "js-map" : "dask-ts", workload: WORKLOAD,
    scheduler: which === "js-map" ? "single-thread" : which,
    seconds: +seconds.toFixed(4), words: meta.words, bytes, m_words_per_s: +(meta.words / seconds / 1e6).toFixed(2),
    mb_per_s: +(bytes / seconds / 1e6).toFixed(1), ...(npartitions !== undefined ? { blocksize: BLOCKSIZE, npartitions } : {}),
    runs: times.map((t) => +t.toFixed(4)), warmups, peak_rss_mb: +rss.toFixed(1),
    num_workers: which.endsWith("sync") || which === "js-map" ? 1 : NUM_WORKERS, node: process.version, cpus: cpus().length, loadavg: loadavg()?.[0],
  }));
}

/** Runs this script as a child; resolves with the JSON rows it prints, or one error row. */
function runNode(label, argv, nodeFlags = []) {
  return childRowsOrErrorRow(label, [fileURLToPath(import.meta.url), ...argv], { nodeFlags, timeoutMs: CHILD_TIMEOUT_MS });
}

if (flag("--child")) {
  await child(opt("--child"), opt("--path"));
} else {
  const lines = Number(opt("--lines", "1e6"));
  const schedulers = opt("--schedulers", "sync,threads,processes").split(",").filter(Boolean);
  for (const s of schedulers) if (!["sync", "threads", "processes"].includes(s)) throw new Error(`unknown scheduler ${s}; use sync,threads,processes`);
  const python = flag("--no-reference") ? null : await findDaskPython();
  if (!python && !flag("--no-reference")) console.error("# Dask not installed (apt-get install python3-dask python3-distributed): Dask reference skipped");
  const data = ensureWordData(lines, { log: (s) => console.error(s) });
  const path = data.txt;
  const load0 = loadavg();
  const started = new Date();
  console.error(`# ${WORKLOAD}: ${data.lines} lines, ${data.words} words, ${(data.bytes / 1e6).toFixed(1)} MB (${path}), blocksize ${BLOCKSIZE}, ` +
    `${cpus().length} cores, node ${process.version}, runs ${runs} after ${warmups} warm-up(s), load average ${load0?.join(" ") ?? "?"} at start, ${started.toISOString()}`);
  const rows = [];
  const emit = (base) => (row) => {
    const r = row.error ? { ...base, ...row } : row;
    rows.push(r);
    if (r.error) console.error(`# ${r.tool} ${r.scheduler}: FAILED ${r.error}`);
  };
  const common = ["--path", path, "--runs", String(runs), "--warmups", String(warmups), "--blocksize", BLOCKSIZE];
  const profDir = fileURLToPath(new URL("./data/prof/", import.meta.url));
  const nodeFlags = flag("--cpu-prof") ? (mkdirSync(profDir, { recursive: true }), ["--cpu-prof", "--cpu-prof-dir", profDir]) : [];

  (await runNode("js-map", ["--child", "js-map", ...common])).forEach(emit({ tool: "js-map", workload: WORKLOAD, scheduler: "single-thread" }));
  for (const s of schedulers) (await runNode(`dask-ts ${s}`, ["--child", s, ...common], nodeFlags)).forEach(emit({ tool: "dask-ts", workload: WORKLOAD, scheduler: s }));
  if (python) {
    const daskSchedulers = flag("--no-distributed") ? "processes" : "processes,distributed";
    const script = fileURLToPath(new URL("./reference/dask_bag_wordcount.py", import.meta.url));
    try {
      const out = await runDaskReference(script, ["--schedulers", daskSchedulers, ...common], { python, timeoutMs: CHILD_TIMEOUT_MS, onStderr: (d) => process.stderr.write(d) });
      out.forEach(emit({ tool: "dask", workload: WORKLOAD }));
    } catch (e) {
      emit({ tool: "dask", workload: WORKLOAD, scheduler: daskSchedulers })({ error: String(e.message).split("\n").filter(Boolean).slice(-1)[0]?.slice(0, 300) });
    }
  }

  // Speed-ups over the plain count, then the rows and the table.
  const js = rows.find((r) => r.tool === "js-map" && !r.error);
  for (const r of rows) if (js && !r.error && r !== js) r.vs_js_map = +(js.seconds / r.seconds).toFixed(2);
  for (const r of rows) console.log(JSON.stringify(r));
  const load1 = loadavg();
  const f = (v, n) => (v === undefined || v === null ? "-" : String(v)).padStart(n);
  const daskBest = Math.min(...rows.filter((r) => r.tool === "dask" && !r.error).map((r) => r.seconds));
  console.error(`\n# ${(data.bytes / 1e6).toFixed(1)} MB, ${(data.words / 1e6).toFixed(2)}M words; seconds are medians of ${runs} run(s); ` +
    `vs js-map = js-map time / this time (above 1: faster than the plain count)`);
  console.error("tool           scheduler        seconds   M words/s   MB/s   vs js-map   vs best Dask   peak RSS MB   target");
  for (const r of rows) {
    const ok = !r.error;
    let target;
    if (r.tool.startsWith("dask-ts") && r.scheduler === "processes" && ok) {
      const t1 = r.seconds <= TARGET_SECONDS;
      const t2 = (r.vs_js_map ?? 0) >= TARGET_VS_JS;
      target = `<=${TARGET_SECONDS}s ${t1 ? "met" : "MISSED"}, >=${TARGET_VS_JS}x js ${t2 ? "met" : "MISSED"}`;
    }
    console.error(`${r.tool.padEnd(14)} ${String(r.scheduler).padEnd(14)} ${f(ok ? r.seconds : "fail", 9)} ${f(ok ? r.m_words_per_s : undefined, 11)} ${f(ok ? r.mb_per_s : undefined, 6)} ` +
      `${f(ok ? r.vs_js_map : undefined, 11)} ${f(ok && r.tool.startsWith("dask-ts") && Number.isFinite(daskBest) ? (daskBest / r.seconds).toFixed(2) + "x" : undefined, 14)} ${f(ok ? r.peak_rss_mb : undefined, 13)}   ${target ?? ""}`);
  }
  console.error(`# load average ${load0?.join(" ") ?? "?"} at start, ${load1?.join(" ") ?? "?"} at end (${cpus().length} cores; other processes on the machine slow every tool alike)`);
  console.log(JSON.stringify({ tool: "machine", workload: WORKLOAD, lines: data.lines, words: data.words, bytes: data.bytes, blocksize: BLOCKSIZE, cpus: cpus().length, node: process.version,
    loadavg_start: load0, loadavg_end: load1, started: started.toISOString(), finished: new Date().toISOString() }));
}
