#!/usr/bin/env python3
"""Dask reference: dask.distributed on a LocalCluster of 2 worker processes, 1 thread each.

benchmarks/distributed-bench.mjs runs this script to put Dask's figures beside dask-ts's in the
same run. One JSON line per (workload, scheduler) on stdout; progress on stderr.

Workloads (the issue's list; "seconds" is the median of the timed runs):

  cluster-start   LocalCluster(n_workers=2, threads_per_worker=1, processes=True) + Client,
                  until connected (the workers have registered); closed after each start
  map-10k         client.map(inc, 10,000 ints) + client.gather, end to end (new ints every run)
  chain-2k        2,000 client.submit(inc, previous_future), then the last result
  tree-10k        a raw graph of 10,000 inc leaves summed 8 at a time up to a root (11,431 tasks),
                  client.get(dsk, root): the graph is submitted at once
  p2p-64mb        np.full(8 Mi, 1.5) (64 MiB) made on worker A (workers=[A], pure=False), then
                  len() of it on worker B; only the second task is timed, from submit to result
  sum-ones        da.ones((20000, 20000), chunks=2000).sum(): on the cluster and on threads (2)
  groupby-q1      dd.read_csv(path).groupby("id1").v1.sum(): on the cluster and on threads (2)

Scheduler "distributed" is Dask's defaults (root-task queuing on: worker-saturation 1.1);
"distributed-saturation-inf" sets distributed.scheduler.worker-saturation: inf before the
cluster starts (queuing off), for map-10k and tree-10k.

Usage:
  /usr/bin/python3 dask_distributed.py [--quick] [--runs N] [--warmups N] [--starts N]
      [--workloads cluster-start,map-10k,chain-2k,tree-10k,p2p-64mb,sum-ones,groupby-q1]
      [--csv PATH]
"""

import argparse
import json
import os
import platform
import signal
import statistics
import sys
import time
import warnings

# The threads rows run beside an active client on purpose (same run, same machine state).
warnings.filterwarnings("ignore", message="Running on a single-machine scheduler")

NUM_WORKERS = 2
N_MAP = 10_000
N_CHAIN = 2_000
N_TREE = 10_000
FANIN = 8
P2P_ELEMENTS = 8 * 1024 * 1024
WORKLOADS = ["cluster-start", "map-10k", "chain-2k", "tree-10k", "p2p-64mb", "sum-ones", "groupby-q1"]


def inc(x):
    return x + 1


def add_all(xs):
    return sum(xs)


def make_array(n):
    import numpy as np

    return np.full(n, 1.5)


def length_of(a):
    return len(a)


def start_cluster():
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=NUM_WORKERS, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = Client(cluster)
    return cluster, client


def forget(client, keys):
    """Waits until the scheduler has dropped keys, so the next run computes them again (a compute of the
    same graph right after the last one could otherwise find its result still held)."""
    from dask.utils import stringify

    keys = [stringify(k) for k in keys]

    def held(dask_scheduler, keys=keys):
        return any(k in dask_scheduler.tasks for k in keys)

    deadline = time.perf_counter() + 30
    while client.run_on_scheduler(held):
        if time.perf_counter() > deadline:
            raise RuntimeError("distributed: results still held 30 s after the run")
        time.sleep(0.005)


def flat_keys(keys):
    return [k for sub in keys for k in flat_keys(sub)] if isinstance(keys, list) else [keys]


def tree_graph(offset):
    dsk = {}
    level = []
    for i in range(N_TREE):
        dsk[("leaf", i)] = (inc, i + offset)
        level.append(("leaf", i))
    depth = 0
    while len(level) > 1:
        depth += 1
        nxt = []
        for j in range(0, len(level), FANIN):
            k = ("sum", depth, j // FANIN)
            dsk[k] = (add_all, level[j : j + FANIN])
            nxt.append(k)
        level = nxt
    return dsk, level[0]


class Bench:
    def __init__(self, warmups, runs, common):
        self.warmups = warmups
        self.runs = runs
        self.common = common

    def emit(self, workload, scheduler, times, **extra):
        med = statistics.median(times)
        rec = dict(self.common)
        rec.update({"workload": workload, "scheduler": scheduler, "seconds": med, "runs": times})
        for k, v in extra.items():
            rec[k] = v(med) if callable(v) else v
        print(json.dumps(rec), flush=True)

    def timed(self, fn):
        """fn(run_index) -> seconds (it times itself); warm-ups first, then the timed runs."""
        for r in range(self.warmups):
            fn(r)
        return [fn(self.warmups + r) for r in range(self.runs)]


def run_cluster_start(b, starts):
    times = []
    for _ in range(starts):
        t0 = time.perf_counter()
        cluster, client = start_cluster()
        client.wait_for_workers(NUM_WORKERS)
        times.append(time.perf_counter() - t0)
        client.close()
        cluster.close()
    b.emit("cluster-start", "distributed", times, workers=NUM_WORKERS)


def run_map(b, client, scheduler):
    def once(r):
        base = r * N_MAP
        t0 = time.perf_counter()
        futures = client.map(inc, range(base, base + N_MAP))
        out = client.gather(futures)
        dt = time.perf_counter() - t0
        assert len(out) == N_MAP and out[-1] == base + N_MAP, "map: bad result"
        del futures
        return dt

    b.emit("map-10k", scheduler, b.timed(once), tasks=N_MAP, tasks_per_s=lambda s: N_MAP / s)


def run_chain(b, client, scheduler):
    def once(r):
        start = r * 1_000_000
        t0 = time.perf_counter()
        f = client.submit(inc, start)
        for _ in range(N_CHAIN - 1):
            f = client.submit(inc, f)
        v = f.result()
        dt = time.perf_counter() - t0
        assert v == start + N_CHAIN, f"chain: bad result {v}"
        return dt

    b.emit("chain-2k", scheduler, b.timed(once), tasks=N_CHAIN, tasks_per_s=lambda s: N_CHAIN / s)


def run_tree(b, client, scheduler):
    ntasks = len(tree_graph(0)[0])

    def once(r):
        dsk, root = tree_graph(r * N_TREE)
        want = sum(range(r * N_TREE + 1, r * N_TREE + N_TREE + 1))
        t0 = time.perf_counter()
        v = client.get(dsk, root)
        dt = time.perf_counter() - t0
        assert v == want, f"tree: bad result {v} != {want}"
        return dt

    b.emit("tree-10k", scheduler, b.timed(once), tasks=ntasks, tasks_per_s=lambda s: ntasks / s)


def run_p2p(b, client):
    from distributed import wait

    a_addr, b_addr = sorted(client.scheduler_info()["workers"])[:2]
    nbytes = P2P_ELEMENTS * 8

    def once(r):
        a = client.submit(make_array, P2P_ELEMENTS, workers=[a_addr], pure=False)
        wait(a)
        t0 = time.perf_counter()
        n = client.submit(length_of, a, workers=[b_addr], pure=False).result()
        dt = time.perf_counter() - t0
        assert n == P2P_ELEMENTS, f"p2p: bad result {n}"
        del a
        time.sleep(0.05)  # let the scheduler release both copies before the next array is made
        return dt

    b.emit("p2p-64mb", "distributed", b.timed(once), bytes=nbytes, bytes_per_s=lambda s: nbytes / s)


def run_sum_ones(b, scheduler, client):
    import dask.array as da

    kwargs = {} if scheduler == "distributed" else {"scheduler": "threads", "num_workers": NUM_WORKERS}

    def once(r):
        x = da.ones((20000, 20000), chunks=(2000, 2000)).sum()
        t0 = time.perf_counter()
        v = x.compute(**kwargs)
        dt = time.perf_counter() - t0
        if scheduler == "distributed":
            forget(client, flat_keys(x.__dask_keys__()))
        assert v == 20000 * 20000, f"sum-ones: bad result {v}"
        return dt

    b.emit("sum-ones", scheduler, b.timed(once))


def run_groupby(b, scheduler, csv, meta, client):
    import dask.dataframe as dd

    kwargs = {} if scheduler == "distributed" else {"scheduler": "threads", "num_workers": NUM_WORKERS}
    want = meta["q1"]["v1_by_id1"]

    def once(r):
        q = dd.read_csv(csv).groupby("id1").v1.sum()
        t0 = time.perf_counter()
        out = q.compute(**kwargs)
        dt = time.perf_counter() - t0
        if scheduler == "distributed":
            forget(client, flat_keys(q.__dask_keys__()))
        got = {str(k): int(v) for k, v in out.items()}
        assert got == want, "groupby-q1: wrong sums"
        return dt

    b.emit("groupby-q1", scheduler, b.timed(once), rows=meta["rows"], rows_per_s=lambda s: meta["rows"] / s)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="one run, no warm-up")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--warmups", type=int, default=1)
    ap.add_argument("--starts", type=int, default=5, help="cluster starts timed (default 5)")
    ap.add_argument("--workloads", default=",".join(WORKLOADS))
    ap.add_argument("--csv", default=None, help="groupby CSV (with its .json answers beside it)")
    args = ap.parse_args(argv)
    workloads = [w for w in args.workloads.split(",") if w]
    for w in workloads:
        if w not in WORKLOADS:
            raise SystemExit(f"unknown workload {w!r}; choose from {', '.join(WORKLOADS)}")
    warmups, runs = (0, 1) if args.quick else (args.warmups, max(1, args.runs))
    starts = 1 if args.quick else args.starts

    import dask
    import distributed

    common = {
        "tool": "dask", "version": dask.__version__, "distributed": distributed.__version__,
        "python": platform.python_version(), "cpus": os.cpu_count(), "workers": NUM_WORKERS,
        "threads_per_worker": 1, "warmups": warmups,
    }

    def _terminate(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _terminate)
    b = Bench(warmups, runs, common)
    log = lambda s: print(f"# dask: {s}", file=sys.stderr, flush=True)

    if "cluster-start" in workloads:
        log("cluster-start")
        run_cluster_start(b, starts)

    cluster_workloads = [w for w in workloads if w != "cluster-start"]
    if cluster_workloads:
        cluster, client = start_cluster()
        try:
            client.wait_for_workers(NUM_WORKERS)
            for w in cluster_workloads:
                log(w)
                if w == "map-10k":
                    run_map(b, client, "distributed")
                elif w == "chain-2k":
                    run_chain(b, client, "distributed")
                elif w == "tree-10k":
                    run_tree(b, client, "distributed")
                elif w == "p2p-64mb":
                    run_p2p(b, client)
                elif w == "sum-ones":
                    run_sum_ones(b, "distributed", client)
                    run_sum_ones(b, "threads", client)
                elif w == "groupby-q1":
                    if not args.csv or not os.path.exists(args.csv):
                        log(f"groupby-q1 skipped: no CSV at {args.csv}")
                        continue
                    with open(os.path.splitext(args.csv)[0] + ".json") as f:
                        meta = json.load(f)
                    run_groupby(b, "distributed", args.csv, meta, client)
                    run_groupby(b, "threads", args.csv, meta, client)
        finally:
            client.close()
            cluster.close()

    queued = [w for w in ("map-10k", "tree-10k") if w in workloads]
    if queued:
        # Root-task queuing off: the scheduler reads this when it starts.
        with dask.config.set({"distributed.scheduler.worker-saturation": float("inf")}):
            cluster, client = start_cluster()
            try:
                client.wait_for_workers(NUM_WORKERS)
                for w in queued:
                    log(f"{w} (worker-saturation inf)")
                    if w == "map-10k":
                        run_map(b, client, "distributed-saturation-inf")
                    else:
                        run_tree(b, client, "distributed-saturation-inf")
            finally:
                client.close()
                cluster.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
