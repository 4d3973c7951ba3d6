// Distributed benchmark: dask-ts's LocalCluster (2 worker processes, 1 thread each) side by side with
// dask.distributed 2022.12 on the same machine in the same run (benchmarks/reference/dask_distributed.py).
//
//   cluster-start   LocalCluster.start({ nWorkers: 2, threadsPerWorker: 1 }) + Client.connect, median of --starts
//   map-10k         client.map(inc, 10,000 ints) + client.gather, end to end (new ints every run)
//   chain-2k        2,000 client.submit(inc, previousFuture), then the last result
//   tree-10k        10,000 inc leaves summed 8 at a time up to one root (11,431 tasks), one graph
//                   submitted at once: compute(rawGraph, { scheduler: client })
//   p2p-64mb        a 64 MiB Float64Array made on worker A (workers [A], pure false), then lengthOf(it) on
//                   worker B: only the second task is timed, submit to result, after the first is in memory
//   sum-ones        da.ones([20000, 20000], { chunks: [2000, 2000] }).sum(): cluster vs local threads (2)
//   groupby-q1      dd.readCsv(csv).groupby("id1").col("v1").sum(): cluster vs local threads (2), checked
//                   against the answers benchmarks/dataframe-gen.mjs stored beside the CSV
//
// Prints one JSON line per (tool, workload, scheduler) on stdout (median "seconds", "runs", a rate), then a
// table on stderr with the targets and the ratios. Dask's side runs "distributed" (its defaults:
// root-task queuing on) and "distributed-saturation-inf" (queuing off) for map-10k and tree-10k.
//
// Options:
//   --quick            one run, no warm-up, 1e6-row CSV
//   --runs N           timed runs of dask-ts (default 5, after 2 warm-ups); Dask gets --dask-runs (default 3,
//                      after 1 warm-up: its task workloads take 5-18 s a run here)
//   --starts N         cluster starts timed (default 5, after 1 warm-up start)
//   --rows N           CSV of groupby-q1: 1e6 or 1e7 (default 1e7)
//   --workloads a,b    subset of the workloads above
//   --no-reference     skip Dask even when it is installed
import { existsSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import {
  Client, LocalCluster, closeSchedulers, compute, da, dd, getPool, submitOptions, wait,
} from "dask-ts";
import { checkQuery, loadavg } from "./lib/groupby-check.mjs";
import { rawCollection, tasks, treeGraph } from "./lib/task-graphs.mjs";
import { cli, median } from "./lib/cli.mjs";
import { findDaskPython, runDaskReference } from "./reference/find_python.mjs";

const { flag, opt, quick, runs, warmups } = cli();
const NUM_WORKERS = 2;
const ALL = ["cluster-start", "map-10k", "chain-2k", "tree-10k", "p2p-64mb", "sum-ones", "groupby-q1"];
const selected = opt("--workloads", ALL.join(",")).split(",").filter(Boolean);
for (const w of selected) if (!ALL.includes(w)) throw new Error(`unknown workload ${w}; choose from ${ALL.join(", ")}`);
const starts = quick ? 1 : Number(opt("--starts", 5));
const daskRuns = quick ? 1 : Number(opt("--dask-runs", 3));
const rows = quick ? "1e6" : opt("--rows", "1e7");
const csv = fileURLToPath(new URL(`./data/groupby-${rows}.csv`, import.meta.url));

const { inc, makeArray, lengthOf } = tasks;

const N_MAP = 10_000;
const N_CHAIN = 2_000;
const N_TREE = 10_000;
const P2P_ELEMENTS = 8 * 1024 * 1024; // 64 MiB of float64
const SUM_SHAPE = [20000, 20000];

const results = [];
const emit = (row) => {
  results.push(row);
  console.log(JSON.stringify(row));
};
const common = () => ({ node: process.version, cpus: cpus().length, workers: NUM_WORKERS, threads_per_worker: 1, warmups, loadavg: loadavg()?.[0] });
const round = (x, d = 4) => +x.toFixed(d);

/** Runs `once(runIndex) -> seconds` after the warm-ups; returns the timed runs. */
async function timed(once) {
  const times = [];
  for (let r = 0; r < warmups + runs; r++) {
    const dt = await once(r);
    if (r >= warmups) times.push(dt);
  }
  return times;
}

/** One JSON row of dask-ts: the median of `times`, plus the rate fields `rate(seconds)` gives. */
function emitOurs(workload, scheduler, times, rate = () => ({})) {
  const seconds = median(times);
  emit({ tool: "dask-ts", workload, scheduler, seconds: round(seconds), ...rate(seconds), runs: times.map((t) => round(t)), ...common() });
}

/** Keys of a collection, flattened. */
const flatKeys = (k) => (typeof k === "string" ? [k] : k.flatMap(flatKeys));

/**
 * Waits until the scheduler has forgotten `keys`, so the next run computes them again: a compute of the same
 * graph right after the last one could otherwise find its result still held (the release is asynchronous).
 */
async function forget(client, keys) {
  const deadline = performance.now() + 30_000;
  for (;;) {
    const states = await client.taskStates(keys);
    if (Object.keys(states).length === 0) return;
    if (performance.now() > deadline) throw new Error(`the cluster still holds ${Object.keys(states).join(", ")} 30 s after the run`);
    await new Promise((res) => setTimeout(res, 5));
  }
}

/** The tree-reduction graph; run `r` gets its own keys and leaf values, so nothing from an earlier run is reused. */
function runTree(r) {
  const offset = r * N_TREE;
  const { graph, root } = treeGraph(N_TREE, { offset, tag: [r] });
  // sum over i of (i + offset + 1)
  const want = (N_TREE * (N_TREE + 1)) / 2 + offset * N_TREE;
  return { coll: rawCollection(graph, [root]), tasks: graph.size, want };
}

// -------------------------------------------------------------------------------------------------
// Workloads

async function clusterStart() {
  const times = [];
  for (let r = 0; r < (quick ? 0 : 1) + starts; r++) {
    let cluster;
    let client;
    try {
      const t0 = performance.now();
      cluster = await LocalCluster.start({ nWorkers: NUM_WORKERS, threadsPerWorker: 1 });
      client = await Client.connect(cluster, { setAsDefault: false });
      const dt = (performance.now() - t0) / 1000;
      const n = Object.keys((await client.schedulerInfo()).workers).length;
      if (n !== NUM_WORKERS) throw new Error(`cluster-start: ${n} workers registered, want ${NUM_WORKERS}`);
      if (r >= (quick ? 0 : 1)) times.push(dt);
    } finally {
      await client?.close();
      await cluster?.close();
    }
  }
  emitOurs("cluster-start", "distributed", times);
}

async function map10k(client, label = "distributed") {
  const times = await timed(async (r) => {
    const base = r * N_MAP;
    const items = Array.from({ length: N_MAP }, (_, i) => base + i);
    const t0 = performance.now();
    const futures = client.map(inc, items);
    const out = await client.gather(futures);
    const dt = (performance.now() - t0) / 1000;
    for (const f of futures) f.release();
    if (out.length !== N_MAP || out[0] !== base + 1 || out[N_MAP - 1] !== base + N_MAP) throw new Error(`map-10k: wrong result`);
    return dt;
  });
  emitOurs("map-10k", label, times, (s) => ({ tasks: N_MAP, tasks_per_s: Math.round(N_MAP / s) }));
}

async function chain2k(client) {
  const times = await timed(async (r) => {
    const start = r * 1_000_000;
    const futures = [];
    const t0 = performance.now();
    let f = client.submit(inc, start);
    futures.push(f);
    for (let i = 1; i < N_CHAIN; i++) futures.push((f = client.submit(inc, f)));
    const v = await f.result();
    const dt = (performance.now() - t0) / 1000;
    for (const x of futures) x.release();
    if (v !== start + N_CHAIN) throw new Error(`chain-2k: wrong result ${v}`);
    return dt;
  });
  emitOurs("chain-2k", "distributed", times, (s) => ({ tasks: N_CHAIN, tasks_per_s: Math.round(N_CHAIN / s) }));
}

async function tree10k(client, label = "distributed") {
  let tasks = 0;
  const times = await timed(async (r) => {
    const { coll, tasks: n, want } = runTree(r);
    tasks = n;
    const t0 = performance.now();
    const [out] = await compute(coll, { scheduler: client, optimize: false });
    const dt = (performance.now() - t0) / 1000;
    const v = Array.isArray(out) ? out[0] : out; // the collection's keys are a list of one root
    if (v !== want) throw new Error(`tree-10k: wrong result ${v}, want ${want}`);
    return dt;
  });
  emitOurs("tree-10k", label, times, (s) => ({ tasks, tasks_per_s: Math.round(tasks / s) }));
}

async function p2p(client, cluster) {
  const [a, b] = cluster.workerInfo().map((w) => w.address);
  const bytes = P2P_ELEMENTS * 8;
  const times = await timed(async () => {
    const src = client.submit(makeArray, P2P_ELEMENTS, submitOptions({ workers: [a], pure: false }));
    await wait([src]);
    if (src.status !== "finished") throw new Error(`p2p-64mb: the array task ended ${src.status}`);
    const t0 = performance.now();
    const dst = client.submit(lengthOf, src, submitOptions({ workers: [b], pure: false }));
    const n = await dst.result();
    const dt = (performance.now() - t0) / 1000;
    src.release();
    dst.release();
    if (n !== P2P_ELEMENTS) throw new Error(`p2p-64mb: wrong result ${n}`);
    await new Promise((res) => setTimeout(res, 50)); // let both workers drop the 64 MiB before the next run
    return dt;
  });
  emitOurs("p2p-64mb", "distributed", times, (s) => ({ bytes, bytes_per_s: Math.round(bytes / s) }));
}

async function sumOnes(client) {
  for (const [label, scheduler] of [["distributed", client], ["threads", "threads"]]) {
    const times = await timed(async () => {
      const x = da.ones(SUM_SHAPE, { chunks: [2000, 2000] }).sum();
      const t0 = performance.now();
      const v = await x.compute({ scheduler, numWorkers: NUM_WORKERS });
      const dt = (performance.now() - t0) / 1000;
      if (scheduler === client) await forget(client, flatKeys(x.daskKeys()));
      if (v !== SUM_SHAPE[0] * SUM_SHAPE[1]) throw new Error(`sum-ones on ${label}: wrong result ${v}`);
      return dt;
    });
    emitOurs("sum-ones", label, times);
  }
}

/** q1's result as { groups, keys, cols } for checkQuery: an Arrow Table, or a Vector of sums sorted by key. */
function q1Columns(r) {
  if (r && typeof r.getChild === "function" && r.schema) {
    const fields = r.schema.fields.map((f) => f.name);
    const key = fields.includes("id1") ? "id1" : fields[0];
    const val = fields.includes("v1") ? "v1" : fields.find((f) => f !== key);
    return { groups: r.numRows, keys: [...r.getChild(key)].map(String), cols: { v1: r.getChild(val).toArray() } };
  }
  if (r && typeof r.length === "number" && typeof r.get === "function") return { groups: r.length, keys: null, cols: { v1: r.toArray() } };
  throw new Error(`groupby-q1: unexpected result ${Object.prototype.toString.call(r)}`);
}

async function groupbyQ1(client) {
  if (!existsSync(csv)) {
    console.error(`# groupby-q1 skipped: ${csv} is missing (make it with: node benchmarks/dataframe-gen.mjs --rows ${rows})`);
    return;
  }
  const meta = JSON.parse(readFileSync(csv.replace(/\.csv$/, ".json"), "utf8"));
  for (const [label, scheduler] of [["distributed", client], ["threads", "threads"]]) {
    const times = await timed(async () => {
      const q = dd.readCsv(csv).groupby("id1").col("v1").sum();
      const t0 = performance.now();
      const out = await q.compute({ scheduler, numWorkers: NUM_WORKERS });
      const dt = (performance.now() - t0) / 1000;
      if (scheduler === client) await forget(client, flatKeys(q.daskKeys()));
      checkQuery("q1", q1Columns(out), meta);
      return dt;
    });
    emitOurs("groupby-q1", label, times, (s) => ({ rows: meta.rows, rows_per_s: Math.round(meta.rows / s) }));
  }
}

/** Runs one workload; a failure becomes an error row so the other workloads still run. */
async function attempt(name, fn) {
  if (!selected.includes(name)) return;
  console.error(`# dask-ts: ${name}`);
  try {
    await fn();
  } catch (e) {
    console.error(`# ${name} failed: ${e?.stack ?? e}`);
    emit({ tool: "dask-ts", workload: name, scheduler: "distributed", error: String(e?.message ?? e) });
  }
}

// -------------------------------------------------------------------------------------------------
// Main

const loadStart = loadavg();
console.error(`# distributed: LocalCluster of ${NUM_WORKERS} worker processes x 1 thread, ${cpus().length} cores, node ${process.version}, ${new Date().toISOString()}, load ${loadStart?.join(" ")}`);
getPool("threads", NUM_WORKERS).warm?.();
await attempt("cluster-start", clusterStart);
if (selected.some((w) => w !== "cluster-start")) {
  let cluster;
  let client;
  try {
    cluster = await LocalCluster.start({ nWorkers: NUM_WORKERS, threadsPerWorker: 1 });
    client = await Client.connect(cluster, { setAsDefault: false });
    // Load the task module in both workers before any clock starts.
    for (const f of client.map(inc, [-1, -2, -3, -4], { pure: false })) await f.result();
    await attempt("map-10k", () => map10k(client));
    await attempt("chain-2k", () => chain2k(client));
    await attempt("tree-10k", () => tree10k(client));
    await attempt("p2p-64mb", () => p2p(client, cluster));
    await attempt("sum-ones", () => sumOnes(client));
    await attempt("groupby-q1", () => groupbyQ1(client));
  } finally {
    await client?.close();
    await cluster?.close();
    await closeSchedulers();
  }
}

// The same two task workloads with root-task queuing off (workerSaturation Infinity), as on Dask's side.
if (selected.includes("map-10k") || selected.includes("tree-10k")) {
  let cluster;
  let client;
  try {
    cluster = await LocalCluster.start({ nWorkers: NUM_WORKERS, threadsPerWorker: 1, scheduler: { workerSaturation: Infinity } });
    client = await Client.connect(cluster, { setAsDefault: false });
    for (const f of client.map(inc, [-1, -2, -3, -4], { pure: false })) await f.result();
    await attempt("map-10k", () => map10k(client, "distributed-saturation-inf"));
    await attempt("tree-10k", () => tree10k(client, "distributed-saturation-inf"));
  } finally {
    await client?.close();
    await cluster?.close();
  }
}

if (!flag("--no-reference")) {
  const python = await findDaskPython();
  if (!python) console.error("# Dask not installed (apt-get install python3-dask python3-distributed): reference skipped");
  else {
    const script = fileURLToPath(new URL("./reference/dask_distributed.py", import.meta.url));
    const pyArgs = quick ? ["--quick"] : ["--runs", String(daskRuns), "--starts", String(starts)];
    pyArgs.push("--workloads", selected.join(","), "--csv", csv);
    try {
      const rowsOut = await runDaskReference(script, pyArgs, { python, timeoutMs: 30 * 60_000, onStderr: (d) => process.stderr.write(d) });
      for (const row of rowsOut) emit(row);
    } catch (e) {
      console.error(`# Dask reference failed: ${e?.message ?? e}`);
    }
  }
}

// -------------------------------------------------------------------------------------------------
// Table: dask-ts against Dask (defaults and queuing off), the targets, cluster against threads.

const TARGETS = {
  "cluster-start": { text: "< 0.5 s", met: (r) => r.seconds < 0.5 },
  "map-10k": { text: ">= 10,000 tasks/s", met: (r) => r.tasks_per_s >= 10_000 },
  "chain-2k": { text: ">= 2,000 tasks/s", met: (r) => r.tasks_per_s >= 2_000 },
  "p2p-64mb": { text: ">= 1 GB/s", met: (r) => r.bytes_per_s >= 1e9 },
};
const find = (tool, workload, scheduler) => results.find((r) => r.tool === tool && r.workload === workload && r.scheduler === scheduler && !r.error);
const rate = (r) => {
  if (!r) return "-";
  if (r.tasks_per_s) return `${Math.round(r.tasks_per_s).toLocaleString("en-US")} tasks/s`;
  if (r.bytes_per_s) return `${(r.bytes_per_s / 1e9).toFixed(2)} GB/s`;
  return `${r.seconds.toFixed(3)} s`;
};
console.error("\nworkload       scheduler                    dask-ts                Dask                   dask-ts vs Dask   target");
for (const w of ALL) {
  for (const sched of ["distributed", "distributed-saturation-inf", "threads"]) {
    const ours = find("dask-ts", w, sched);
    const theirs = find("dask", w, sched);
    if (!ours && !theirs) continue;
    const ratio = ours && theirs ? theirs.seconds / ours.seconds : undefined;
    const speedup = ratio === undefined ? "-" : ratio >= 1 ? `${ratio.toFixed(1)}x faster` : `${(1 / ratio).toFixed(1)}x slower`;
    const t = sched === "distributed" && TARGETS[w];
    const target = t && ours ? `${t.text}: ${t.met(ours) ? "met" : "MISSED"}` : "";
    console.error(`${w.padEnd(14)} ${sched.padEnd(28)} ${rate(ours).padEnd(22)} ${rate(theirs).padEnd(22)} ${speedup.padEnd(17)} ${target}`);
  }
}
for (const w of ["sum-ones", "groupby-q1"]) {
  const c = find("dask-ts", w, "distributed");
  const t = find("dask-ts", w, "threads");
  if (c && t) console.error(`# ${w}: dask-ts cluster ${c.seconds.toFixed(3)} s vs local threads ${t.seconds.toFixed(3)} s (cluster/threads ${(c.seconds / t.seconds).toFixed(2)}x)`);
}
for (const r of results.filter((x) => x.error)) console.error(`# FAILED ${r.tool} ${r.workload}: ${r.error}`);
console.error(`# load average at start ${loadStart?.join(" ")}, at end ${loadavg()?.join(" ")}`);
