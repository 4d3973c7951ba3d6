#!/usr/bin/env python3
"""Dask reference: the bag word count of benchmarks/bag-wordcount.mjs.

    db.read_text(path, blocksize=B).str.split().flatten().frequencies().topk(10, key=lambda x: x[1])

on the text file of benchmarks/bag-gen.mjs (1e6 lines, ~8M words, ~55 MB), timed end to end (building
the bag, reading the file, counting). The result is checked against the 10 most frequent words the
generator stored beside the file (<name>.json): a wrong answer raises.

Schedulers:
  sync         dask.local.get_sync
  processes    dask.multiprocessing.get, num_workers=2, on one ProcessPoolExecutor started before the
               clock and reused across runs (steady state; its start-up is "pool_start_seconds").
               Dask's own default starts a new pool on every compute.
  distributed  a LocalCluster of 2 worker processes with 1 thread each, started before the clock. Each
               run waits (untimed) until the scheduler has released the previous run's keys: the graphs
               of repeated runs have the same keys, and a result still held would be reused.

Each scheduler runs --warmups times untimed (default 1), then --runs times (default 3); the median is
reported. peak_rss_mb is this process's high-water mark plus its worker processes' (VmHWM of the child
processes for processes, the workers' ru_maxrss for distributed).

Usage:
  /usr/bin/python3 dask_bag_wordcount.py --path benchmarks/data/words-1e6.txt [--blocksize 16MB]
      [--schedulers processes,distributed] [--runs N] [--warmups N] [--quick]

Prints one JSON line per scheduler on stdout; progress goes to stderr.
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
import dask.bag as db

NUM_WORKERS = 2


def peak_rss_mb():
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def children_peak_rss_mb():
    """Sum of the peak resident sizes (VmHWM) of this process's live child processes (Linux)."""
    me = str(os.getpid())
    total = 0.0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                ppid = f.read().rsplit(")", 1)[1].split()[1]
            if ppid != me:
                continue
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1]) / 1024
        except (OSError, IndexError, ValueError):
            continue
    return total


def _worker_peak_rss_kib():
    import resource as r

    return r.getrusage(r.RUSAGE_SELF).ru_maxrss


def _noop(x):
    return x


def count_words(path, blocksize, **kwargs):
    b = db.read_text(path, blocksize=blocksize)
    return b.str.split().flatten().frequencies().topk(10, key=lambda x: x[1]).compute(**kwargs)


class Runner:
    def __init__(self, scheduler):
        self.scheduler = scheduler
        self.pool = None
        self.client = None
        self.cluster = None
        self.pool_start_seconds = None
        if scheduler == "processes":
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            t0 = time.perf_counter()
            # Same set-up as dask.multiprocessing.get when it makes its own pool.
            ctx = multiprocessing.get_context(dask.config.get("multiprocessing.context", "spawn"))
            self.pool = ProcessPoolExecutor(NUM_WORKERS, mp_context=ctx)
            list(self.pool.map(_noop, range(NUM_WORKERS * 4)))
            self.pool_start_seconds = time.perf_counter() - t0
        elif scheduler == "distributed":
            from distributed import Client, LocalCluster

            self.cluster = LocalCluster(n_workers=NUM_WORKERS, threads_per_worker=1, processes=True, dashboard_address=None)
            self.client = Client(self.cluster)
        elif scheduler != "sync":
            raise SystemExit(f"unknown scheduler {scheduler!r}; use sync, processes or distributed")

    def kwargs(self):
        if self.scheduler == "sync":
            return {"scheduler": "sync"}
        if self.scheduler == "processes":
            return {"scheduler": "processes", "num_workers": NUM_WORKERS, "pool": self.pool}
        return {}  # the client is the default scheduler

    def settle(self):
        """Distributed only: waits until the scheduler holds no task of the last run."""
        if self.client is None:
            return
        deadline = time.perf_counter() + 30
        while self.client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)):
            if time.perf_counter() > deadline:
                raise RuntimeError("distributed: results still held 30 s after the run")
            time.sleep(0.01)

    def peak_rss_mb(self):
        mb = peak_rss_mb()
        if self.client is not None:
            kib = self.client.run(_worker_peak_rss_kib)
            mb += sum(kib.values()) / 1024
        elif self.pool is not None:
            mb += children_peak_rss_mb()
        return round(mb, 1)

    def close(self):
        if self.client is not None:
            self.client.close()
            self.cluster.close()
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--path", required=True)
    p.add_argument("--blocksize", default="16MB")
    p.add_argument("--schedulers", default="processes,distributed")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--warmups", type=int, default=1)
    p.add_argument("--quick", action="store_true", help="one run, no warm-up")
    a = p.parse_args()
    runs, warmups = (1, 0) if a.quick else (a.runs, a.warmups)
    meta_path = os.path.splitext(a.path)[0] + ".json"
    with open(meta_path) as f:
        meta = json.load(f)
    expected = [tuple(x) for x in meta["top10"]]
    blocksize = int(a.blocksize) if a.blocksize.isdigit() else a.blocksize
    nbytes = os.path.getsize(a.path)
    for s in [x for x in a.schedulers.split(",") if x]:
        runner = Runner(s)
        try:
            times = []
            npartitions = db.read_text(a.path, blocksize=blocksize).npartitions
            for r in range(warmups + runs):
                runner.settle()
                t0 = time.perf_counter()
                top = count_words(a.path, blocksize, **runner.kwargs())
                dt = time.perf_counter() - t0
                got = [(w, int(n)) for w, n in top]
                if got != expected:
                    raise RuntimeError(f"{s}: wrong top 10 {got[:3]}..., want {expected[:3]}...")
                if r >= warmups:
                    times.append(dt)
                print(f"# dask {s} run {r}: {dt:.3f} s", file=sys.stderr, flush=True)
            sec = statistics.median(times)
            row = {
                "tool": "dask", "workload": "wordcount", "scheduler": s, "seconds": round(sec, 4),
                "words": meta["words"], "bytes": nbytes, "m_words_per_s": round(meta["words"] / sec / 1e6, 2),
                "mb_per_s": round(nbytes / sec / 1e6, 1), "blocksize": a.blocksize, "npartitions": npartitions,
                "runs": [round(t, 4) for t in times], "warmups": warmups, "peak_rss_mb": runner.peak_rss_mb(),
                "num_workers": 1 if s == "sync" else NUM_WORKERS, "version": dask.__version__,
                "python": platform.python_version(), "cpus": os.cpu_count(), "loadavg": os.getloadavg()[0],
            }
            if runner.pool_start_seconds is not None:
                row["pool_start_seconds"] = round(runner.pool_start_seconds, 4)
            print(json.dumps(row), flush=True)
        finally:
            runner.close()


if __name__ == "__main__":
    main()
