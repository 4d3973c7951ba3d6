#!/usr/bin/env python3
"""Dask reference: scheduler overhead on trivial-task graphs.

The dask-ts benchmark runner calls this script to put Dask's figures side by
side with our own scheduler in the same run. It prints one JSON line per
(workload, scheduler) on stdout; progress and errors go to stderr.

Workloads (graphs are built before the clock starts; only compute is timed,
except for ``delayed-independent-10k``, which is end-to-end):

  independent-10k          raw dict graph {("inc", i): (inc, i)}, all 10,000
                           keys requested, run through the scheduler's ``get``
  chain-2k                 raw dict graph, 2,000 tasks, each depends on the
                           previous one; only the last key is requested
  tree-10k                 raw dict graph, 10,000 ``inc`` leaves summed in
                           groups of 8 level by level up to one root
                           (11,431 tasks in all); only the root is requested
  delayed-independent-10k  ``[delayed(inc)(i) for i in range(10000)]`` then
                           ``dask.compute(*ts, scheduler=...)``; "seconds" is
                           construction + compute, both also given apart

Schedulers:

  sync       dask.local.get_sync
  threads    dask.threaded.get, num_workers=2 (Dask caches this thread pool)
  processes  dask.multiprocessing.get, num_workers=2, on one ProcessPoolExecutor
             created up front the way Dask creates it (spawn context, Dask's
             worker initializer) and reused for every run, so the timing is
             steady-state scheduling; its start-up time is "pool_start_seconds"
  processes-fresh  (opt-in) dask.multiprocessing.get with no pool: Dask's
             default, which starts and shuts down 2 processes on every compute

The raw-graph runs call ``get`` with ``optimize_graph=False`` on the process
scheduler, which would otherwise ``fuse`` the chain into a single task (the
sync and threaded ``get`` functions do not optimize).

Each (workload, scheduler) is run once as a warm-up and then 3 times; the
median is reported. ``--quick`` runs once with no warm-up.

Usage:
  /usr/bin/python3 dask_scheduler_overhead.py [--quick] [--runs N]
      [--workloads independent-10k,chain-2k,tree-10k,delayed-independent-10k]
      [--schedulers sync,threads,processes[,processes-fresh]]

Short workload names are accepted: independent, chain, tree, delayed (or a,b,c,d).
"""

import argparse
import json
import os
import platform
import signal
import statistics
import sys
import time

# Everything the worker processes need is defined at module top level, and all
# side effects sit behind ``if __name__ == "__main__"``: the process scheduler
# uses the "spawn" context, which re-imports this module in each worker.


def inc(x):
    return x + 1


def add_all(xs):
    return sum(xs)


N_INDEPENDENT = 10_000
N_CHAIN = 2_000
N_TREE_LEAVES = 10_000
TREE_FANIN = 8
NUM_WORKERS = 2


# ---------------------------------------------------------------------------
# Graphs


def graph_independent(n=N_INDEPENDENT):
    dsk = {("inc", i): (inc, i) for i in range(n)}
    keys = [("inc", i) for i in range(n)]

    def check(result):
        assert len(result) == n and result[0] == 1 and result[-1] == n, "bad result"

    return dsk, keys, len(dsk), check


def graph_chain(n=N_CHAIN):
    dsk = {("chain", 0): (inc, 0)}
    for i in range(1, n):
        dsk[("chain", i)] = (inc, ("chain", i - 1))
    key = ("chain", n - 1)

    def check(result):
        assert result == n, f"bad result {result!r}"

    return dsk, key, len(dsk), check


def graph_tree(n=N_TREE_LEAVES, fanin=TREE_FANIN):
    dsk = {}
    level = [("leaf", i) for i in range(n)]
    for i in range(n):
        dsk[("leaf", i)] = (inc, i)
    depth = 0
    while len(level) > 1:
        depth += 1
        nxt = []
        for j in range(0, len(level), fanin):
            k = ("sum", depth, j // fanin)
            # A list of keys inside a task is substituted by the list of values.
            dsk[k] = (add_all, level[j : j + fanin])
            nxt.append(k)
        level = nxt
    key = level[0]
    expected = n * (n + 1) // 2

    def check(result):
        assert result == expected, f"bad result {result!r} != {expected}"

    return dsk, key, len(dsk), check


RAW_GRAPHS = {
    "independent-10k": graph_independent,
    "chain-2k": graph_chain,
    "tree-10k": graph_tree,
}
WORKLOADS = ["independent-10k", "chain-2k", "tree-10k", "delayed-independent-10k"]
ALIASES = {
    "a": "independent-10k",
    "independent": "independent-10k",
    "b": "chain-2k",
    "chain": "chain-2k",
    "c": "tree-10k",
    "tree": "tree-10k",
    "d": "delayed-independent-10k",
    "delayed": "delayed-independent-10k",
}
SCHEDULERS = ["sync", "threads", "processes", "processes-fresh"]
DEFAULT_SCHEDULERS = ["sync", "threads", "processes"]


# ---------------------------------------------------------------------------
# Schedulers


class Schedulers:
    """Holds the long-lived process pool and maps names to get functions."""

    def __init__(self):
        self.pool = None
        self.pool_start_seconds = None

    def ensure_pool(self):
        if self.pool is not None:
            return
        from concurrent.futures import ProcessPoolExecutor
        from functools import partial

        from dask.multiprocessing import get_context, initialize_worker_process

        # Same set-up as dask.multiprocessing.get when it makes its own pool.
        if os.environ.get("PYTHONHASHSEED") in (None, "0"):
            os.environ["PYTHONHASHSEED"] = "6640"
        t0 = time.perf_counter()
        pool = ProcessPoolExecutor(
            NUM_WORKERS,
            mp_context=get_context(),
            initializer=partial(initialize_worker_process, user_initializer=None),
        )
        # Executors start processes lazily: make both start and import dask.
        list(pool.map(inc, range(NUM_WORKERS * 4)))
        self.pool_start_seconds = time.perf_counter() - t0
        self.pool = pool

    def shutdown(self):
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def raw_get(self, name):
        """A function (dsk, keys) -> results for a raw dict graph."""
        if name == "sync":
            from dask.local import get_sync

            return lambda dsk, keys: get_sync(dsk, keys)
        if name == "threads":
            from dask.threaded import get

            return lambda dsk, keys: get(dsk, keys, num_workers=NUM_WORKERS)
        if name == "processes":
            from dask.multiprocessing import get

            self.ensure_pool()
            pool = self.pool
            return lambda dsk, keys: get(
                dsk, keys, num_workers=NUM_WORKERS, pool=pool, optimize_graph=False
            )
        if name == "processes-fresh":
            from dask.multiprocessing import get

            return lambda dsk, keys: get(
                dsk, keys, num_workers=NUM_WORKERS, optimize_graph=False
            )
        raise ValueError(f"unknown scheduler {name!r}")

    def compute_kwargs(self, name):
        """Keyword arguments for dask.compute."""
        if name == "sync":
            return {"scheduler": "sync"}
        if name == "threads":
            return {"scheduler": "threads", "num_workers": NUM_WORKERS}
        if name == "processes":
            self.ensure_pool()
            return {"scheduler": "processes", "num_workers": NUM_WORKERS, "pool": self.pool}
        if name == "processes-fresh":
            return {"scheduler": "processes", "num_workers": NUM_WORKERS}
        raise ValueError(f"unknown scheduler {name!r}")


# ---------------------------------------------------------------------------
# Runs


def run_raw(workload, scheduler, scheds, warmups, runs):
    dsk, keys, ntasks, check = RAW_GRAPHS[workload]()
    get = scheds.raw_get(scheduler)
    for _ in range(warmups):
        check(get(dsk, keys))
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = get(dsk, keys)
        times.append(time.perf_counter() - t0)
        check(result)
    return ntasks, times, {}


def run_delayed(scheduler, scheds, warmups, runs, n=N_INDEPENDENT):
    import dask
    from dask import delayed

    kwargs = scheds.compute_kwargs(scheduler)

    def once():
        t0 = time.perf_counter()
        ts = [delayed(inc)(i) for i in range(n)]
        t1 = time.perf_counter()
        result = dask.compute(*ts, **kwargs)
        t2 = time.perf_counter()
        assert len(result) == n and result[0] == 1 and result[-1] == n, "bad result"
        return t1 - t0, t2 - t1

    for _ in range(warmups):
        once()
    construct, compute, total = [], [], []
    for _ in range(runs):
        c, k = once()
        construct.append(c)
        compute.append(k)
        total.append(c + k)
    extra = {
        "construct_seconds": statistics.median(construct),
        "compute_seconds": statistics.median(compute),
        "construct_runs": construct,
        "compute_runs": compute,
    }
    return n, total, extra


def parse_list(text, allowed, aliases=None):
    out = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        item = (aliases or {}).get(item, item)
        if item not in allowed:
            raise SystemExit(f"unknown name {item!r}; choose from {', '.join(allowed)}")
        if item not in out:
            out.append(item)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="one run, no warm-up")
    ap.add_argument("--runs", type=int, default=3, help="timed runs (default 3)")
    ap.add_argument(
        "--workloads",
        default=",".join(WORKLOADS),
        help="comma-separated: " + ",".join(WORKLOADS) + " (or a,b,c,d)",
    )
    ap.add_argument(
        "--schedulers",
        default=",".join(DEFAULT_SCHEDULERS),
        help="comma-separated: " + ",".join(SCHEDULERS),
    )
    args = ap.parse_args(argv)
    workloads = parse_list(args.workloads, WORKLOADS, ALIASES)
    schedulers = parse_list(args.schedulers, SCHEDULERS)
    warmups, runs = (0, 1) if args.quick else (1, max(1, args.runs))

    import dask

    common = {
        "tool": "dask",
        "version": dask.__version__,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "num_workers": NUM_WORKERS,
        "warmups": warmups,
    }
    # On SIGTERM (the Node runner's timeout) unwind through ``finally`` so the
    # process pool is shut down rather than orphaned.
    def _terminate(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _terminate)

    scheds = Schedulers()
    try:
        for workload in workloads:
            for scheduler in schedulers:
                print(f"# {workload} / {scheduler} ...", file=sys.stderr, flush=True)
                if workload == "delayed-independent-10k":
                    ntasks, times, extra = run_delayed(scheduler, scheds, warmups, runs)
                else:
                    ntasks, times, extra = run_raw(workload, scheduler, scheds, warmups, runs)
                med = statistics.median(times)
                rec = dict(common)
                rec.update(
                    {
                        "workload": workload,
                        "scheduler": scheduler,
                        "tasks": ntasks,
                        "seconds": med,
                        "tasks_per_s": ntasks / med if med > 0 else None,
                        "us_per_task": med / ntasks * 1e6,
                        "runs": times,
                    }
                )
                rec.update(extra)
                if scheduler == "processes":
                    rec["pool_start_seconds"] = scheds.pool_start_seconds
                print(json.dumps(rec), flush=True)
    finally:
        scheds.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
