// Scheduler overhead: trivial-task graphs on sync, threads and processes, side by side with Dask.
// Prints one JSON line per (tool, workload, scheduler), then a ratio table. Options:
//   --quick            one run, no warm-up
//   --runs N           timed runs (median reported; default 5, after 2 warm-ups: V8 needs a few runs to
//                      optimize; Dask's side gets the same number of timed runs)
//   --no-reference     skip Dask even when it is installed
//   --schedulers a,b   subset of sync,threads,processes
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { Task, TaskRef, closeSchedulers, compute, delayed, getPool } from "dask-ts";
import { findDaskPython, runDaskReference } from "./reference/find_python.mjs";
import { cli, median } from "./lib/cli.mjs";
import { rawCollection, tasks, treeGraph } from "./lib/task-graphs.mjs";

const { flag, opt, quick, runs, warmups } = cli();
const schedulers = opt("--schedulers", "sync,threads,processes").split(",");
const NUM_WORKERS = 2;

const { inc } = tasks;

const workloads = {
  "independent-10k": () => {
    const g = new Map();
    const keys = [];
    for (let i = 0; i < 10_000; i++) {
      const k = JSON.stringify(["inc", i]);
      g.set(k, new Task(inc, [i]));
      keys.push(k);
    }
    return { coll: rawCollection(g, keys), tasks: g.size, check: (r) => r === 10_000 };
  },
  "chain-2k": () => {
    const g = new Map();
    g.set(JSON.stringify(["chain", 0]), new Task(inc, [0]));
    for (let i = 1; i < 2000; i++) g.set(JSON.stringify(["chain", i]), new Task(inc, [new TaskRef(JSON.stringify(["chain", i - 1]))]));
    return { coll: rawCollection(g, [JSON.stringify(["chain", 1999])]), tasks: g.size, check: (r) => r === 2000 };
  },
  "tree-10k": () => {
    const { graph, root } = treeGraph(10_000);
    return { coll: rawCollection(graph, [root]), tasks: graph.size, check: (r) => r === (10_000 * 10_001) / 2 };
  },

};

const results = [];
const emit = (row) => {
  results.push(row);
  console.log(JSON.stringify(row));
};

async function timeRaw(name, scheduler, optimize) {
  const { coll, tasks, check } = workloads[name]();
  const times = [];
  for (let r = 0; r < warmups + runs; r++) {
    const t0 = performance.now();
    const out = await compute(coll, { scheduler, numWorkers: NUM_WORKERS, optimize });
    const dt = (performance.now() - t0) / 1000;
    const v = out[0];
    const value = Array.isArray(v) ? v[v.length - 1] : v;
    if (!check(value)) throw new Error(`${name} on ${scheduler}: wrong result ${value}`);
    if (r >= warmups) times.push(dt);
  }
  const seconds = median(times);
  emit({
    tool: "dask-ts", workload: optimize ? `${name}-optimized` : name, scheduler, tasks, seconds,
    tasks_per_s: Math.round(tasks / seconds), us_per_task: +((seconds / tasks) * 1e6).toFixed(2), runs: times,
  });
}

async function timeDelayed(scheduler) {
  const f = delayed(inc, { pure: true });
  const times = [];
  const build = [];
  for (let r = 0; r < warmups + runs; r++) {
    const t0 = performance.now();
    const ts = Array.from({ length: 10_000 }, (_, i) => f(i));
    const t1 = performance.now();
    const out = await compute(...ts, { scheduler, numWorkers: NUM_WORKERS });
    const t2 = performance.now();
    if (out[9999] !== 10_000) throw new Error("delayed: wrong result");
    if (r >= warmups) {
      times.push((t2 - t0) / 1000);
      build.push((t1 - t0) / 1000);
    }
  }
  const seconds = median(times);
  emit({
    tool: "dask-ts", workload: "delayed-independent-10k", scheduler, tasks: 10_000, seconds,
    construction_seconds: median(build), tasks_per_s: Math.round(10_000 / seconds),
    us_per_task: +((seconds / 10_000) * 1e6).toFixed(2), runs: times,
  });
}

console.error(`# dask-ts scheduler overhead, ${cpus().length} cores, node ${process.version}, ${new Date().toISOString()}`);
for (const s of schedulers) if (s !== "sync") getPool(s, NUM_WORKERS).warm();
for (const scheduler of schedulers) {
  for (const name of Object.keys(workloads)) await timeRaw(name, scheduler, false);
  await timeRaw("chain-2k", scheduler, true);
  await timeDelayed(scheduler);
}
await closeSchedulers();

if (!flag("--no-reference")) {
  const python = await findDaskPython();
  if (!python) console.error("# Dask not installed (apt-get install python3-dask python3-distributed): reference skipped");
  else {
    const script = fileURLToPath(new URL("./reference/dask_scheduler_overhead.py", import.meta.url));
    const pyArgs = quick ? ["--quick"] : ["--runs", String(runs)];
    pyArgs.push("--schedulers", schedulers.join(","));
    for (const row of await runDaskReference(script, pyArgs, { python })) emit(row);
  }
}

// Ratio table: dask-ts speed over Dask's, same workload and scheduler ("-optimized" rows: our fused
// chain against Dask's unfused one, to show what fusion buys; Dask's sync/threads get() never fuses).
const ours = results.filter((r) => r.tool === "dask-ts");
const theirs = new Map(results.filter((r) => r.tool === "dask").map((r) => [`${r.workload}|${r.scheduler}`, r]));
console.error("\nworkload                         scheduler   dask-ts tasks/s   Dask tasks/s   speed-up");
for (const r of ours) {
  const d = theirs.get(`${r.workload.replace(/-optimized$/, "")}|${r.scheduler}`);
  const ratio = d ? (r.tasks_per_s / d.tasks_per_s).toFixed(1) + "x" : "-";
  const theirsRate = d ? String(Math.round(d.tasks_per_s)) : "-";
  console.error(`${r.workload.padEnd(32)} ${r.scheduler.padEnd(11)} ${String(r.tasks_per_s).padStart(15)} ${theirsRate.padStart(14)} ${ratio.padStart(10)}`);
}
