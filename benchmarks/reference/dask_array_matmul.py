#!/usr/bin/env python3
"""Dask reference: a.dot(a.T).sum() on a random n x n float64 array with square chunks.

Called by benchmarks/array-matmul.mjs to put Dask's figures beside ours in the same run.
Prints one JSON line per (workload, scheduler) on stdout; progress goes to stderr.

Workloads:
  dot-aT-sum             ``a`` is generated and persisted first (not timed); the timed part is
                         ``a.dot(a.T).sum().compute()``: the same work as the dask-ts benchmark,
                         whose input blocks are made before the clock starts
  dot-aT-sum+random      end to end: ``da.random.random(...)`` inside the timed graph
  dot-aT-persist         ``a.dot(a.T).persist()`` (the product without the sum), for runs where
                         the dask-ts side cannot use ``.sum()`` yet

Schedulers: sync (dask.local.get_sync) and threads (num_workers=2). NumPy's BLAS (OpenBLAS on Debian)
runs its own threads inside each block product, also under the sync scheduler; pass
``--blas-threads 1`` (sets OPENBLAS_NUM_THREADS etc. before NumPy loads) to measure one core.

gflops counts 2 n^3 floating-point operations. peak_rss_mb is this process's peak RSS so far (it only
grows across workloads). Median of --runs timed runs after one warm-up (--quick: one run, no warm-up).

Usage:
  /usr/bin/python3 dask_array_matmul.py [--n 4000] [--chunks 1000] [--runs 3] [--quick]
      [--schedulers sync,threads] [--workloads dot-aT-sum,dot-aT-sum+random,dot-aT-persist]
      [--blas-threads N]
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=4000)
    p.add_argument("--chunks", type=int, default=1000)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--schedulers", default="sync,threads")
    p.add_argument("--workloads", default="dot-aT-sum,dot-aT-sum+random")
    p.add_argument("--blas-threads", type=int, default=0)
    args = p.parse_args()
    if args.blas_threads:
        for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[v] = str(args.blas_threads)

    import resource

    import dask
    import dask.array as da
    import numpy as np

    n, c = args.n, args.chunks
    runs = 1 if args.quick else args.runs
    warmups = 0 if args.quick else 1
    flops = 2.0 * n**3

    def rss_mb():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

    def get(name):
        if name == "sync":
            return dict(scheduler="sync")
        if name == "threads":
            return dict(scheduler="threads", num_workers=2)
        raise SystemExit(f"unknown scheduler {name}")

    a_persisted = da.random.RandomState(42).random_sample((n, n), chunks=c).persist(scheduler="threads")

    def workload(name, sched):
        if name == "dot-aT-sum":
            return lambda: a_persisted.dot(a_persisted.T).sum().compute(**get(sched))
        if name == "dot-aT-sum+random":
            def f():
                a = da.random.RandomState(42).random_sample((n, n), chunks=c)
                return a.dot(a.T).sum().compute(**get(sched))
            return f
        if name == "dot-aT-persist":
            return lambda: dask.persist(a_persisted.dot(a_persisted.T), **get(sched))
        raise SystemExit(f"unknown workload {name}")

    for w in args.workloads.split(","):
        for s in args.schedulers.split(","):
            f = workload(w, s)
            for _ in range(warmups):
                f()
            times = []
            result = None
            for _ in range(runs):
                t = time.perf_counter()
                result = f()
                times.append(time.perf_counter() - t)
                print(f"{w} {s} {times[-1]:.3f}s", file=sys.stderr)
            sec = statistics.median(times)
            row = {
                "tool": "dask",
                "version": dask.__version__,
                "numpy": np.__version__,
                "python": platform.python_version(),
                "blas_threads": args.blas_threads or "default",
                "workload": w,
                "scheduler": s,
                "n": n,
                "chunks": c,
                "seconds": round(sec, 4),
                "gflops": round(flops / sec / 1e9, 2),
                "peak_rss_mb": round(rss_mb(), 1),
                "runs": [round(x, 4) for x in times],
            }
            if isinstance(result, (float, np.floating)):
                row["result"] = float(result)
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
