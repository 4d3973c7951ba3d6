#!/usr/bin/env python3
"""Dask reference: basic dask.array workloads, the same as benchmarks/array-*.mjs.

Prints one JSON line per (workload, scheduler) on stdout; progress goes to stderr.

Workloads (each timed end to end: building the array expression, then compute):

  sum-ones      da.ones((20000, 20000), chunks=2000).sum()            (3.2 GB nominal)
  elementwise   x = da.random.random((10000, 10000), chunks=1000)
                (x + x.T).mean(axis=0)                                (random generation included)
  random-sample np.random.RandomState(seed).random_sample((1000, 1000)) in one thread,
                no Dask: the generator's own speed, in M values/s

Schedulers: sync (dask.local.get_sync) and threads (dask.threaded.get, num_workers=2).

Each (workload, scheduler) runs --warmups times untimed (default 2), then --runs times
(default 5); the median is reported. peak_rss_mb is this process's high-water mark
(ru_maxrss) after the workload: run one workload and scheduler per process
(as the Node runners do) to read it per workload.

Usage:
  /usr/bin/python3 dask_array_basic.py [--workloads sum-ones,elementwise,random-sample]
      [--schedulers sync,threads] [--runs N] [--warmups N] [--quick]
"""

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time

import dask
import dask.array as da
import numpy as np

NUM_WORKERS = 2


def peak_rss_mb():
    # Linux reports ru_maxrss in KiB.
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def compute(arr, scheduler):
    if scheduler == "sync":
        return arr.compute(scheduler="sync")
    if scheduler == "threads":
        return arr.compute(scheduler="threads", num_workers=NUM_WORKERS)
    raise SystemExit(f"unknown scheduler {scheduler!r}")


def run_sum_ones(scheduler, seed):
    r = compute(da.ones((20000, 20000), chunks=2000).sum(), scheduler)
    if float(r) != 4e8:
        raise RuntimeError(f"sum-ones: wrong result {r}")
    return float(r)


def run_elementwise(scheduler, seed):
    x = da.random.random((10000, 10000), chunks=1000)
    r = compute((x + x.T).mean(axis=0), scheduler)
    if r.shape != (10000,) or abs(float(r.mean()) - 1.0) > 0.01 or np.abs(r - 1.0).max() > 0.05:
        raise RuntimeError(f"elementwise: wrong result (mean {float(r.mean())})")
    return float(r.mean())


WORKLOADS = {
    "sum-ones": (run_sum_ones, 20000 * 20000 * 8),
    "elementwise": (run_elementwise, 10000 * 10000 * 8),
}


def timed(fn, scheduler, runs, warmups):
    times = []
    result = None
    for r in range(warmups + runs):
        t0 = time.perf_counter()
        result = fn(scheduler, r)
        dt = time.perf_counter() - t0
        if r >= warmups:
            times.append(dt)
    return statistics.median(times), times, result


def base_row():
    return {
        "tool": "dask",
        "version": dask.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "num_workers": NUM_WORKERS,
    }


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--workloads", default="sum-ones,elementwise")
    p.add_argument("--schedulers", default="sync,threads")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--warmups", type=int, default=2)
    p.add_argument("--quick", action="store_true", help="one run, no warm-up")
    a = p.parse_args()
    runs, warmups = (1, 0) if a.quick else (a.runs, a.warmups)
    for w in [s for s in a.workloads.split(",") if s]:
        if w == "random-sample":
            n = 1000 * 1000
            rs = np.random.RandomState(0)
            for _ in range(warmups + 3):
                rs.random_sample((1000, 1000))
            reps = 50
            t0 = time.perf_counter()
            for _ in range(reps):
                rs.random_sample((1000, 1000))
            dt = (time.perf_counter() - t0) / reps
            print(json.dumps({**base_row(), "workload": "random-sample", "scheduler": "none", "seconds": round(dt, 6),
                              "m_values_per_s": round(n / dt / 1e6, 1), "peak_rss_mb": peak_rss_mb()}), flush=True)
            continue
        if w not in WORKLOADS:
            raise SystemExit(f"unknown workload {w!r}; use {', '.join(WORKLOADS)} or random-sample")
        fn, nbytes = WORKLOADS[w]
        for s in [s for s in a.schedulers.split(",") if s]:
            print(f"# dask {w} {s}", file=sys.stderr, flush=True)
            seconds, times, result = timed(fn, s, runs, warmups)
            print(json.dumps({**base_row(), "workload": w, "scheduler": s, "seconds": round(seconds, 4),
                              "gb_per_s": round(nbytes / seconds / 1e9, 2), "runs": [round(t, 4) for t in times],
                              "warmups": warmups, "result": result, "peak_rss_mb": peak_rss_mb()}), flush=True)


if __name__ == "__main__":
    main()
