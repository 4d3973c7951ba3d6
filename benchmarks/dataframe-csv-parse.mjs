// Microbenchmark of dd.readCsv's partition parser on a db-benchmark-shaped file (id1,id2,id3 strings,
// id4..id6,v1,v2 ints, v3 float): MB/s of one parse task on one core (CPU time, best of --reps) for all
// columns, for the two columns q1 uses (id1, v1), and with no column converted (the scan alone); the
// quote-count pass that later ranges wait for; a trivial read+count loop as the machine's yardstick;
// then readCsv on the threads scheduler (persist: all columns in memory, and q1).
//
//   node benchmarks/dataframe-csv-parse.mjs [file.csv] [--reps 5] [--bytes N] [--no-threads]
// Default file: benchmarks/data/groupby-1e6.csv (node benchmarks/dataframe-gen.mjs --rows 1e6).
// --bytes N parses only the first N bytes as one range (e.g. one 64 MB partition of the 1e7 file).
// The machine's load average is printed before and after: compare figures taken under similar load.
import { closeSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { closeSchedulers } from "@dask-ts/core";
import { dd } from "@dask-ts/dataframe";
import { inferSchema } from "@dask-ts/dataframe/io/csv/infer";
import { naValueList } from "@dask-ts/dataframe/io/csv/options";
import { parsePart } from "@dask-ts/dataframe/io/csv/parse";
import { quoteCount } from "@dask-ts/dataframe/io/csv/ranges";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const reps = opt("--reps", 5);
const file = args.find((a, i) => !a.startsWith("--") && !["--reps", "--bytes"].includes(args[i - 1])) ?? fileURLToPath(new URL("./data/groupby-1e6.csv", import.meta.url));
const fileSize = statSync(file).size;
const size = Math.min(fileSize, opt("--bytes", fileSize));
const mb = size / 1e6;
const na = naValueList(undefined);
const schema = inferSchema(file, fileSize, 44, true, na);
const spec = { path: file, start: 0, end: size, fileSize, header: true, skipHeader: true, sep: 44, names: schema.names, dtypes: schema.dtypes, naValues: na, onBadLines: "error", rowBytes: schema.rowBytes };

function readAndCount() {
  const fd = openSync(file, "r");
  const b = Buffer.allocUnsafe(1 << 20);
  let n = 0;
  for (let pos = 0; pos < size; ) {
    const got = readSync(fd, b, 0, Math.min(b.length, size - pos), pos);
    if (!got) break;
    pos += got;
    for (let i = 0; i < got; i++) if (b[i] === 44) n++;
  }
  closeSync(fd);
  return n;
}

const cases = [
  ["read + count commas (yardstick)", readAndCount],
  ["quote count (task before ranges)", () => quoteCount(file, 0, size)],
  ["parse, no column converted", () => parsePart({ ...spec, columns: [] }, [])],
  ["parse, id1 + v1 (q1)", () => parsePart({ ...spec, columns: ["id1", "v1"] }, [])],
  ["parse, all columns", () => parsePart({ ...spec, columns: schema.names }, [])],
];
const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
console.log(`load average ${loadavg()}`);
console.log(`${file}: ${mb.toFixed(1)} MB parsed as one range; columns ${schema.names.map((n, i) => `${n}:${schema.dtypes[i]}`).join(" ")}`);
const best = new Map();
for (let r = 0; r < reps; r++) {
  for (const [label, fn] of cases) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    const c = process.cpuUsage(c0);
    const cpu = (c.user + c.system) / 1e6;
    const wall = (performance.now() - t0) / 1000;
    const b = best.get(label) ?? { cpu: Infinity, wall: Infinity };
    best.set(label, { cpu: Math.min(b.cpu, cpu), wall: Math.min(b.wall, wall) });
  }
}
for (const [label, { cpu, wall }] of best) {
  console.log(`${label.padEnd(36)} cpu ${cpu.toFixed(3)} s  ${(mb / cpu).toFixed(0).padStart(5)} MB/s per core   (wall ${wall.toFixed(3)} s)`);
}
console.log(`load average ${loadavg()}`);

if (!args.includes("--no-threads")) {
  await dd.readCsv(file, { blocksize: 1_000_000 }).head(1, { scheduler: "threads" }); // start the pool
  for (const [label, run] of [
    ["readCsv persist (threads)", (df) => df.persist({ scheduler: "threads" })],
    ["readCsv q1 groupby(id1).v1.sum (threads)", (df) => df.groupby("id1").col("v1").sum().compute({ scheduler: "threads" })],
  ]) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await run(dd.readCsv(file));
    const c = process.cpuUsage(c0);
    const wall = (performance.now() - t0) / 1000;
    console.log(`${label.padEnd(42)} wall ${wall.toFixed(2)} s (${(fileSize / 1e6 / wall).toFixed(0)} MB/s), cpu ${((c.user + c.system) / 1e6).toFixed(2)} s`);
  }
  await closeSchedulers();
}
