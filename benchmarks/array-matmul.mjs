// Matrix product benchmark: a.dot(a.T).sum() on a random 4000 x 4000 float64 array with 1000 x 1000
// chunks, on the sync and threads schedulers, side by side with Dask (benchmarks/reference/
// dask_array_matmul.py) when /usr/bin/python3 has dask. One JSON line per (tool, workload, scheduler):
//   {tool, workload, scheduler, seconds, gflops, peak_rss_mb, ...}
// gflops counts 2 n^3 floating-point operations (the sum is negligible).
//
// The input blocks are made before the clock starts by a deterministic counter-based generator (values
// depend only on the element's position, not on the chunking), as Literal blocks in shared memory, like a
// persisted array: da.random was being written in parallel when this benchmark was. Dask's comparable
// figure is its "dot-aT-sum" workload (input persisted first); "dot-aT-sum+random" includes generation.
// Each scheduler runs in its own child process so peak RSS is its own.
//
// When a.T or .sum() are not available yet, the benchmark uses da.tensordot(a, a, [[1], [1]]) (the same
// product) and times the product persisted (.persist()) instead, and says so in "variant".
//
// Options:
//   --n N --chunks C      size and chunk edge (default 4000, 1000)
//   --runs R              timed runs, median reported (default 3, after one warm-up); --quick: 1, no warm-up
//   --schedulers a,b      default sync,threads
//   --kernel wasm|js      float block kernel (sets DASK_TS_MATMUL for every worker; default: auto = wasm)
//   --kernels             only the single-thread block-kernel benchmark: GFLOP/s of each kernel variant on
//                         1000 x 1000 float64 (and float32) blocks, B contiguous and B transposed
//   --no-reference        skip Dask
import { childRowsOrThrow } from "./lib/child-rows.mjs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { findDaskPython, runDaskReference } from "./reference/find_python.mjs";
import { cli, median } from "./lib/cli.mjs";

const { args, flag, opt, quick, runs, warmups } = cli({ runs: 3, warmups: 1 });
const n = Number(opt("--n", 4000));
const chunk = Number(opt("--chunks", 1000));
const schedulers = opt("--schedulers", "sync,threads").split(",");
const kernelOpt = opt("--kernel", undefined);
const rssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

/** Deterministic uniform [0, 1) value of element (i, j) of an array with `cols` columns (splitmix32-like hash). */
function value(i, j, cols) {
  let x = (i * cols + j + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  x ^= x >>> 16;
  return (x >>> 0) / 4294967296;
}

// --- the single-thread block-kernel benchmark --------------------------------------------------------

async function kernelBench() {
  const gemm = await import("@dask-ts/array/kernels/matmul/gemm");
  const m = Number(opt("--size", 1000));
  const reps = quick ? 1 : 3;
  const A = new Float64Array(m * m).map((_, i) => value(Math.floor(i / m), i % m, m));
  const B = new Float64Array(m * m).map((_, i) => value(Math.floor(i / m) + m, i % m, m));
  const flops = 2 * m ** 3;
  const matA = { data: A, offset: 0, rs: m, cs: 1, rows: m, cols: m };
  const layouts = {
    // C = A . B with B row-major, and C = A . A^T (B a transposed view: rs = 1, cs = m), as x.dot(x.T).
    NN: { data: B, offset: 0, rs: m, cs: 1, rows: m, cols: m },
    NT: { data: A, offset: 0, rs: 1, cs: m, rows: m, cols: m },
  };
  const time = (f) => {
    f();
    const ts = [];
    for (let r = 0; r < reps; r++) {
      const t = performance.now();
      f();
      ts.push((performance.now() - t) / 1000);
    }
    return median(ts);
  };
  const rows = [];
  // Reference: the plain i-k-j loop with 128-blocking (what a straightforward JS matmul does).
  const ikj = () => {
    const C = new Float64Array(m * m);
    for (let kk = 0; kk < m; kk += 128) {
      const ke = Math.min(kk + 128, m);
      for (let i = 0; i < m; i++) {
        const ci = i * m;
        for (let k = kk; k < ke; k++) {
          const a = A[i * m + k];
          const bo = k * m;
          for (let j = 0; j < m; j++) C[ci + j] += a * B[bo + j];
        }
      }
    }
  };
  rows.push({ kernel: "js-ikj-blocked", dtype: "float64", layout: "NN", seconds: time(ikj) });
  const variants = [["js", "float64", new Float64Array(m * m)]];
  if (gemm.wasmAvailable()) variants.push(["wasm-f64", "float64", new Float64Array(m * m)], ["wasm-f32", "float32", new Float32Array(m * m)]);
  for (const [name, dtype, out] of variants) {
    const e = gemm.engineByName(name);
    for (const [layout, matB] of Object.entries(layouts)) {
      const f = () => {
        e.begin(m, m);
        e.add(matA, matB);
        e.finish(out, 0);
      };
      rows.push({ kernel: name, dtype, layout, seconds: time(f) });
    }
  }
  for (const r of rows) {
    console.log(JSON.stringify({ tool: "dask-ts", workload: `block-gemm-${m}`, ...r, seconds: +r.seconds.toFixed(4), gflops: +(flops / r.seconds / 1e9).toFixed(2), threads: 1 }));
  }
}

// --- one scheduler, in a child process ---------------------------------------------------------------

async function child(scheduler) {
  const { da } = await import("@dask-ts/array");
  const { LayeredGraph, Literal, closeSchedulers } = await import("@dask-ts/core");
  const { matmulKernel } = await import("@dask-ts/array/kernels/matmul/gemm");
  // ndarray is a dependency of @dask-ts/array, not of the workspace root.
  const ndarray = createRequire(new URL("../packages/array/package.json", import.meta.url))("ndarray");

  const t0 = performance.now();
  const name = `bench-random-${n}-${chunk}`;
  const tasks = new Map();
  const chunks = [[], []];
  for (let s = 0; s < n; s += chunk) chunks[0].push(Math.min(chunk, n - s));
  chunks[1] = [...chunks[0]];
  const colSums = new Float64Array(n);
  for (let bi = 0; bi < chunks[0].length; bi++) {
    for (let bj = 0; bj < chunks[1].length; bj++) {
      const r = chunks[0][bi];
      const c = chunks[1][bj];
      const data = new Float64Array(new SharedArrayBuffer(r * c * 8));
      for (let i = 0; i < r; i++) {
        for (let j = 0; j < c; j++) {
          const v = value(bi * chunk + i, bj * chunk + j, n);
          data[i * c + j] = v;
          colSums[bj * chunk + j] += v;
        }
      }
      tasks.set(JSON.stringify([name, bi, bj]), new Literal(ndarray(data, [r, c])));
    }
  }
  const a = new da.Array(LayeredGraph.fromLayer(name, tasks), name, chunks, "float64");
  const generateSeconds = (performance.now() - t0) / 1000;
  // sum(a . a^T) = sum over k of (sum over i of a[i, k])^2.
  let expected = 0;
  for (const s of colSums) expected += s * s;

  const notReady = (e) => /not implemented/i.test(String(e?.message ?? e));
  let product;
  let variant = "a.dot(a.T)";
  try {
    product = a.dot(a.T);
  } catch (e) {
    if (!notReady(e)) throw e;
    product = da.tensordot(a, a, [[1], [1]]);
    variant = "da.tensordot(a, a, [[1], [1]]) (a.T not implemented yet)";
  }
  let total;
  try {
    total = product.sum();
    variant += ".sum()";
  } catch (e) {
    if (!notReady(e)) throw e;
    variant += ".persist() (.sum() not implemented yet)";
  }
  const opts = { scheduler };
  const run = async () => {
    if (total) return Number(await total.compute(opts));
    const p = await product.persist(opts);
    return p;
  };
  const check = async (r) => {
    let got = r;
    if (typeof r !== "number") {
      const nd = await r.compute({ scheduler: "sync" });
      got = 0;
      for (let i = 0; i < nd.data.length; i++) got += nd.data[i];
    }
    if (!(Math.abs(got - expected) <= 1e-9 * Math.abs(expected))) throw new Error(`wrong result ${got}, expected ${expected}`);
  };
  for (let w = 0; w < warmups; w++) await check(await run());
  const times = [];
  let last;
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    last = await run();
    times.push((performance.now() - t) / 1000);
    process.stderr.write(`dask-ts ${scheduler} ${times[times.length - 1].toFixed(3)}s\n`);
  }
  await check(last);
  const seconds = median(times);
  console.log(
    JSON.stringify({
      tool: "dask-ts",
      workload: total ? "dot-aT-sum" : "dot-aT-persist",
      variant,
      scheduler,
      kernel: matmulKernel(),
      n,
      chunks: chunk,
      seconds: +seconds.toFixed(4),
      gflops: +((2 * n ** 3) / seconds / 1e9).toFixed(2),
      peak_rss_mb: rssMb(),
      generate_seconds: +generateSeconds.toFixed(3),
      runs: times.map((t) => +t.toFixed(4)),
      result: typeof last === "number" ? last : expected,
    }),
  );
  await closeSchedulers();
}

/** Runs this file with --child and returns the JSON rows it prints. */
function runChild(scheduler) {
  const env = { ...process.env };
  if (kernelOpt) env.DASK_TS_MATMUL = kernelOpt;
  return childRowsOrThrow(`${scheduler} run`, [fileURLToPath(import.meta.url), "--child", scheduler, ...args], { env });
}

async function main() {
  if (flag("--kernels")) return kernelBench();
  const childIdx = args.indexOf("--child");
  if (childIdx >= 0) return child(args[childIdx + 1]);

  const rows = [];
  for (const s of schedulers) {
    for (const r of await runChild(s)) {
      console.log(JSON.stringify(r));
      rows.push(r);
    }
  }
  if (!flag("--no-reference") && (await findDaskPython())) {
    const script = fileURLToPath(new URL("./reference/dask_array_matmul.py", import.meta.url));
    const workloads = rows.some((r) => r.workload === "dot-aT-persist") ? "dot-aT-sum,dot-aT-persist,dot-aT-sum+random" : "dot-aT-sum,dot-aT-sum+random";
    const refArgs = ["--n", String(n), "--chunks", String(chunk), "--schedulers", schedulers.join(","), "--workloads", workloads];
    if (quick) refArgs.push("--quick");
    else refArgs.push("--runs", String(runs));
    const dask = await runDaskReference(script, refArgs, { onStderr: (d) => process.stderr.write(d) });
    for (const r of dask) {
      console.log(JSON.stringify(r));
      rows.push(r);
    }
  } else {
    console.error("Dask reference skipped (no Python with dask, or --no-reference).");
  }
  // A short table: ours against Dask's comparable workload.
  console.error("\nworkload                 scheduler  dask-ts s  GFLOP/s   dask s  GFLOP/s  ratio");
  for (const r of rows.filter((x) => x.tool === "dask-ts")) {
    const d = rows.find((x) => x.tool === "dask" && x.workload === r.workload && x.scheduler === r.scheduler);
    console.error(
      `${r.workload.padEnd(24)} ${r.scheduler.padEnd(10)} ${r.seconds.toFixed(3).padStart(9)} ${r.gflops.toFixed(1).padStart(8)} ${d ? d.seconds.toFixed(3).padStart(8) : "       -"} ${d ? d.gflops.toFixed(1).padStart(8) : "       -"} ${d ? (r.seconds / d.seconds).toFixed(2).padStart(6) : ""}`,
    );
  }
}

await main();
