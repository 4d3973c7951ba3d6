// End to end: array, dataframe, bag and delayed computations on a LocalCluster of worker processes give the
// same results as the sync scheduler (odd chunks, empty partitions, NaN/null, unicode), plus bad input.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UnknownKeyError } from "@dask-ts/distributed";
import { Client, LocalCluster, TaskError, compute, da, db, dd, delayed, submitOptions, type Delayed } from "dask-ts";

let cluster: LocalCluster;
let client: Client;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dask-ts-e2e-"));
  cluster = await LocalCluster.start({ nWorkers: 2, threadsPerWorker: 1 });
  client = await Client.connect(cluster, { setAsDefault: false });
});

afterAll(async () => {
  await client?.close();
  await cluster?.close();
  await rm(dir, { recursive: true, force: true });
});

type Computable = { compute(opts?: object): Promise<unknown> };

/** The value on the sync scheduler and on the cluster, made comparable (Arrow tables -> rows, ndarrays -> arrays). */
async function both(c: Computable): Promise<[unknown, unknown]> {
  const local = plain(await c.compute({ scheduler: "sync" }));
  const remote = plain(await c.compute({ scheduler: client }));
  return [local, remote];
}

function plain(v: unknown): unknown {
  if (v && typeof v === "object") {
    const t = v as { toArray?: () => unknown[]; schema?: unknown; shape?: number[]; data?: ArrayLike<number>; get?: unknown };
    if (t.schema && typeof t.toArray === "function") return t.toArray().map((r) => (r as { toJSON(): unknown }).toJSON());
    if (Array.isArray(t.shape) && t.data && typeof t.get === "function") return { shape: t.shape, data: Array.from(t.data as ArrayLike<number>) };
    if (Array.isArray(v)) return v.map(plain);
  }
  return v;
}

describe("arrays on a cluster of worker processes", () => {
  it("elementwise, reductions, transposes with uneven chunks match the sync scheduler", async () => {
    const x = da.random.random([150, 150], { chunks: [40, 70], seed: 7 });
    const cases: Computable[] = [
      x.add(x.T).mean({ axis: 0 }),
      x.sum(),
      x.std({ axis: 1 }),
      x.get("3:140:7", "-1::-3").max({ axis: 0 }),
      x.dot(x.T).sum({ axis: 1 }),
      x.cumsum(0).get(149),
    ];
    for (const c of cases) {
      const [l, r] = await both(c);
      expect(r).toEqual(l);
    }
  });

  it("computes the README's ones-sum", async () => {
    const s = da.ones([2000, 2000], { chunks: [300, 700] }).sum();
    expect(await s.compute({ scheduler: client })).toBe(4_000_000);
  });
});

describe("dataframes on a cluster of worker processes", () => {
  it("readCsv, groupby, merge, sort and filters with NaN, unicode and empty partitions match sync", async () => {
    const rows = ["id,name,v,w"];
    for (let i = 0; i < 600; i++) {
      const name = ["α", "b", "café", "日本", ""][i % 5];
      const v = i % 11 === 0 ? "" : String((i * 37) % 101);
      rows.push(`${i % 13},${name},${v},${(i % 7) * 0.5}`);
    }
    const path = join(dir, "data.csv");
    await writeFile(path, rows.join("\n") + "\n");
    const df = dd.readCsv(path, { blocksize: 2000 });
    expect(df.npartitions).toBeGreaterThan(3);
    const other = dd.fromRecords(
      Array.from({ length: 13 }, (_, i) => ({ id: i, label: `L${i}✓` })),
      { npartitions: 2 },
    );
    const cases: Computable[] = [
      df.groupby("id").agg({ v: ["sum", "mean", "count"], w: "max" }),
      df.groupby("name").col("v").nunique(),
      df.filter(df.col("id").gt(100)), // every partition empty
      df.filter(df.col("v").isNull()),
      df.merge(other, { on: "id", how: "left" }).groupby("label").agg({ v: "sum" }),
      df.sortValues(["v", "id"]),
      df.col("v").sum(),
      df.dropDuplicates(["name"]),
      df.groupby("id", { splitOut: 3 }).agg({ w: "sum" }),
    ];
    for (const c of cases) {
      const [l, r] = await both(c);
      expect(r).toEqual(l);
    }
  });

  it("persists a frame on the cluster and keeps computing from it", async () => {
    const df = dd.fromColumns({ k: [1, 2, 1, 3, 2, 1], v: [1.5, NaN, 2, 3, 4, 5] }, { npartitions: 3 });
    const p = client.persist(df);
    const [l, r] = [plain(await df.groupby("k").sum().compute({ scheduler: "sync" })), plain(await p.groupby("k").sum().compute({ scheduler: client }))];
    expect(r).toEqual(l);
  });
});

describe("bags on a cluster of worker processes", () => {
  it("map/filter/frequencies/foldby/groupby/distinct/topk and readText match sync", async () => {
    const b = db.fromSequence(Array.from({ length: 500 }, (_, i) => i), { npartitions: 7 });
    const words = ["ünï", "code", "a", "", "b"].flatMap((w, i) => Array.from({ length: i + 1 }, () => w));
    await writeFile(join(dir, "t1.txt"), "x y z\nünï ünï\n");
    await writeFile(join(dir, "t2.txt"), "\n\nlast line no newline ✓");
    const cases: Computable[] = [
      b.map((x: number) => x * 2).filter((x: number) => x % 3 === 0).sum(),
      b.frequencies(),
      b.foldby((x: number) => x % 5, (acc: number, x: number) => acc + x, 0),
      b.groupby((x: number) => x % 4).map((kv: [number, number[]]) => [kv[0], kv[1].length]),
      db.fromSequence(words, { npartitions: 3 }).distinct(),
      b.topk(5),
      db.readText(join(dir, "t*.txt")).str.strip().str.split().flatten().frequencies(),
    ];
    for (const c of cases) {
      const [l, r] = await both(c);
      expect(r).toEqual(l);
    }
  });
});

describe("delayed on a cluster of worker processes", () => {
  it("a diamond of delayed calls and a shared intermediate computed once", async () => {
    const inc = delayed((x: number) => x + 1, { pure: true });
    const add = delayed((a: number, b: number) => a + b, { pure: true });
    const a = inc(1);
    const z: Delayed<number> = add(inc(a), add(a, 10));
    const [r1, r2] = await compute(z, add(z, a), { scheduler: client });
    expect([r1, r2]).toEqual([15, 17]);
  });
});

describe("bad input on a cluster", () => {
  it("a result that cannot be serialized fails its task with a clear message; the worker survives", async () => {
    const f = client.submit(() => {
      class Hidden {
        x = 1;
      }
      return new Hidden();
    }, submitOptions({ pure: false }));
    const e = await f.result().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TaskError);
    expect((e as Error).message).toMatch(/Hidden/);
    expect((e as TaskError).key).toBe(f.key);
    const before = cluster.workerInfo().map((w) => w.pid);
    expect(await client.submit((x: number) => x * 2, 21).result()).toBe(42);
    expect(cluster.workerInfo().map((w) => w.pid)).toEqual(before);
  });

  it("asking for a key that does not exist is a typed error", async () => {
    const f = client.futureOf("no-such-key");
    const e = await f.result().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UnknownKeyError);
    expect((e as Error).message).toContain("no-such-key");
    expect(f.status).toBe("error");
  });
});
