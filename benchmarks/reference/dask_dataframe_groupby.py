#!/usr/bin/env python3
"""Dask reference: the db-benchmark groupby queries, the same as benchmarks/dataframe-groupby.mjs.

Reads the CSV written by benchmarks/dataframe-gen.mjs (columns id1,id2,id3 strings, id4,id5,id6
ints, v1,v2 ints, v3 float) with dd.read_csv at its default blocksize, and times:

  read-all   dd.read_csv(path).persist(), then len() of the persisted frame   (CSV to memory)
  q1         dd.read_csv(path).groupby("id1").v1.sum().compute()               (end to end)
  q3         ....groupby("id3").agg({"v1": "sum", "v3": "mean"}).compute()
  q5         ....groupby("id6")[["v1", "v2", "v3"]].sum().compute()
  q1-mem, q3-mem, q5-mem   the same queries on a frame persisted once beforehand (untimed):
                           only the query is timed

Schedulers: sync (dask.local.get_sync), threads (dask.threaded.get, num_workers=2) and
distributed (a LocalCluster of 2 worker processes with 1 thread each, started before the clock;
its peak_rss_mb adds the workers' high-water marks to this process's). On distributed, each run waits
(untimed) until the scheduler has released the previous run's keys: the graphs of repeated runs have the
same keys, and a result not yet released would be reused instead of computed.

Each (workload, scheduler) runs --warmups times untimed (default 1), then --runs times (default 3);
the median is reported. Results are checked against the answers that dataframe-gen.mjs stored
beside the CSV (<name>.json): wrong answers raise.

Usage:
  /usr/bin/python3 dask_dataframe_groupby.py --csv benchmarks/data/groupby-1e7.csv
      [--workloads read-all,q1,q3,q5,q1-mem,q3-mem,q5-mem] [--schedulers sync,threads,distributed]
      [--runs N] [--warmups N] [--quick] [--split-out N]

Prints one JSON line per (workload, scheduler) on stdout; progress goes to stderr.
"""

import argparse
import json
import math
import os
import platform
import resource
import statistics
import sys
import time

import dask
import dask.dataframe as dd
import pandas as pd

NUM_WORKERS = 2
WORKLOADS = ["read-all", "q1", "q3", "q5", "q1-mem", "q3-mem", "q5-mem"]


def peak_rss_mb():
    # Linux reports ru_maxrss in KiB.
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _worker_peak_rss_kib():
    import resource as r

    return r.getrusage(r.RUSAGE_SELF).ru_maxrss


class Runner:
    """Computes and persists on one scheduler."""

    def __init__(self, scheduler):
        self.scheduler = scheduler
        self.client = None
        self.cluster = None
        if scheduler == "distributed":
            from distributed import Client, LocalCluster

            self.cluster = LocalCluster(
                n_workers=NUM_WORKERS, threads_per_worker=1, processes=True, dashboard_address=None
            )
            self.client = Client(self.cluster)
        elif scheduler not in ("sync", "threads"):
            raise SystemExit(f"unknown scheduler {scheduler!r}; use sync, threads or distributed")

    def kwargs(self):
        if self.scheduler == "sync":
            return {"scheduler": "sync"}
        if self.scheduler == "threads":
            return {"scheduler": "threads", "num_workers": NUM_WORKERS}
        return {}  # the client is the default scheduler

    def compute(self, obj):
        return obj.compute(**self.kwargs())

    def persist(self, df):
        if self.client is not None:
            from distributed import wait

            p = self.client.persist(df)
            wait(p)
            return p
        return df.persist(**self.kwargs())

    def length(self, df):
        if self.client is not None:
            return int(df.map_partitions(len).compute().sum())
        return int(df.map_partitions(len).compute(**self.kwargs()).sum())

    def forget(self, obj):
        """Waits until the cluster has dropped obj's keys (distributed only), so the next run computes
        them again: a compute of the same graph right after the last one could otherwise find its result
        still held by the scheduler, not yet released."""
        if self.client is None:
            return
        from dask.utils import stringify

        keys = [stringify(k) for k in obj.__dask_keys__()]

        def held(dask_scheduler, keys=keys):
            return any(k in dask_scheduler.tasks for k in keys)

        deadline = time.perf_counter() + 30
        while self.client.run_on_scheduler(held):
            if time.perf_counter() > deadline:
                raise RuntimeError("distributed: results still held 30 s after the run")
            time.sleep(0.01)

    def peak_rss_mb(self):
        mb = peak_rss_mb()
        if self.client is not None:
            kib = self.client.run(_worker_peak_rss_kib)
            mb = round(mb + sum(kib.values()) / 1024, 1)
        return mb

    def close(self):
        if self.client is not None:
            self.client.close()
            self.cluster.close()


SPLIT_OUT = {}  # {"split_out": N} from --split-out, for q3 and q5 (many groups)


def q1(df):
    return df.groupby("id1").v1.sum()


def q3(df):
    return df.groupby("id3").agg({"v1": "sum", "v3": "mean"}, **SPLIT_OUT)


def q5(df):
    return df.groupby("id6")[["v1", "v2", "v3"]].sum(**SPLIT_OUT)


QUERIES = {"q1": q1, "q3": q3, "q5": q5}


def close(a, b, rel=1e-9):
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-6)


def check(query, r, meta):
    """Raises unless the result matches the generator's answers."""
    if query == "q1":
        want = meta["q1"]["v1_by_id1"]
        if len(r) != meta["q1"]["groups"] or any(int(r[k]) != v for k, v in want.items()):
            raise RuntimeError(f"q1: wrong result ({len(r)} groups, total {r.sum()})")
        return {"groups": len(r), "sum_v1": int(r.sum())}
    if query == "q3":
        m = meta["q3"]
        got = {"groups": len(r), "sum_v1": int(r["v1"].sum()), "sum_of_v3_means": float(r["v3"].sum())}
        if got["groups"] != m["groups"] or got["sum_v1"] != m["sum_v1"] or not close(got["sum_of_v3_means"], m["sum_of_v3_means"]):
            raise RuntimeError(f"q3: wrong result {got}, want {m}")
        return got
    m = meta["q5"]
    got = {"groups": len(r), "sum_v1": int(r["v1"].sum()), "sum_v2": int(r["v2"].sum()), "sum_v3": float(r["v3"].sum())}
    if got["groups"] != m["groups"] or got["sum_v1"] != m["sum_v1"] or got["sum_v2"] != m["sum_v2"] or not close(got["sum_v3"], m["sum_v3"]):
        raise RuntimeError(f"q5: wrong result {got}, want {m}")
    return got


def run(workload, runner, path, meta, runs, warmups):
    """Returns (times, result summary, npartitions)."""
    persisted = None
    if workload.endswith("-mem"):
        persisted = runner.persist(dd.read_csv(path))
    times, result, nparts = [], None, None
    for i in range(warmups + runs):
        t0 = time.perf_counter()
        if workload == "read-all":
            df = dd.read_csv(path)
            p = runner.persist(df)
            n = runner.length(p)
            dt = time.perf_counter() - t0
            if n != meta["rows"]:
                raise RuntimeError(f"read-all: {n} rows, want {meta['rows']}")
            result, nparts = {"rows": n}, df.npartitions
            del p
            runner.forget(df)
        else:
            query = workload.removesuffix("-mem")
            df = persisted if persisted is not None else dd.read_csv(path)
            q = QUERIES[query](df)
            r = runner.compute(q)
            dt = time.perf_counter() - t0
            result, nparts = check(query, r, meta), df.npartitions
            runner.forget(q)
        if i >= warmups:
            times.append(dt)
    return times, result, nparts


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--csv", required=True)
    p.add_argument("--workloads", default=",".join(WORKLOADS))
    p.add_argument("--schedulers", default="threads")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--warmups", type=int, default=1)
    p.add_argument("--quick", action="store_true", help="one run, no warm-up")
    p.add_argument("--split-out", type=int, default=None, help="split_out of q3 and q5 (default: Dask's, 1)")
    a = p.parse_args()
    if a.split_out is not None:
        SPLIT_OUT["split_out"] = a.split_out
    runs, warmups = (1, 0) if a.quick else (a.runs, a.warmups)
    with open(os.path.splitext(a.csv)[0] + ".json") as f:
        meta = json.load(f)
    nbytes = os.path.getsize(a.csv)
    for s in [s for s in a.schedulers.split(",") if s]:
        runner = Runner(s)
        try:
            for w in [w for w in a.workloads.split(",") if w]:
                if w not in WORKLOADS:
                    raise SystemExit(f"unknown workload {w!r}; use {', '.join(WORKLOADS)}")
                print(f"# dask {w} {s}", file=sys.stderr, flush=True)
                times, result, nparts = run(w, runner, a.csv, meta, runs, warmups)
                sec = statistics.median(times)
                print(json.dumps({
                    "tool": "dask", "workload": w, "scheduler": s, "rows": meta["rows"],
                    "seconds": round(sec, 4), "rows_per_s": round(meta["rows"] / sec),
                    "mb_per_s": round(nbytes / sec / 1e6, 1), "peak_rss_mb": runner.peak_rss_mb(),
                    "runs": [round(t, 4) for t in times], "warmups": warmups, "npartitions": nparts,
                    "result": result, "num_workers": 1 if s == "sync" else NUM_WORKERS, **SPLIT_OUT,
                    "version": dask.__version__, "pandas": pd.__version__, "python": platform.python_version(),
                    "cpus": os.cpu_count(), "loadavg": os.getloadavg()[0],
                }), flush=True)
        finally:
            runner.close()


if __name__ == "__main__":
    main()
