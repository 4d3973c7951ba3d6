// Data for the dataframe benchmarks: the db-benchmark "groupby" table (h2oai db-benchmark
// groupby-datagen.R, K = 100, no missing values, unsorted), written as CSV by a seeded PRNG so
// every run writes the same bytes.
//
//   id1, id2  "id001".."id100"              (sample 1..K)
//   id3       "id0000000001".."id" + N/K     (sample 1..N/K, zero-padded to 10 digits)
//   id4, id5  1..100                         (sample 1..K)
//   id6       1..N/K                         (sample 1..N/K)
//   v1        1..5 ; v2 1..15                (ints)
//   v3        round(runif(0, 100), 6)        (float, trailing zeros dropped as R's fwrite does)
//
// 1e7 rows is ~510 MB. Rows are written in blocks straight into a byte buffer (memory stays
// low: a few MB plus the per-group check sums), to a temporary file renamed at the end, so a
// file that is present is complete. Beside each CSV, <name>.json holds the row count, byte size,
// seed and the expected answers of the benchmark queries (computed here, independently of the
// code under test): per-id1 sums of v1 (q1), the number of id3 groups, the totals and the sum
// of the per-id3 means of v3 (q3), and the number of id6 groups with the totals of v1, v2, v3 (q5).
//
// Usage:
//   node benchmarks/dataframe-gen.mjs                  # 1e6 and 1e7 rows into benchmarks/data/
//   node benchmarks/dataframe-gen.mjs --rows 1e6       # one size (comma-separated list allowed)
//   options: --seed N (default 42), --out DIR, --force (rewrite even if present)
// A file that is present with the size and seed its .json records is kept (skipped).
// Import { ensureGroupbyData } to generate from another script.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const K = 100;
export const DEFAULT_SEED = 42;
export const DATA_DIR = fileURLToPath(new URL("./data/", import.meta.url));
export const HEADER = "id1,id2,id3,id4,id5,id6,v1,v2,v3";

/** "1e6" for powers of ten, the plain number otherwise. */
export function rowsLabel(rows) {
  const e = Math.round(Math.log10(rows));
  return rows === 10 ** e && e >= 3 ? `1e${e}` : String(rows);
}

/** Paths of the CSV and its .json sidecar for a row count. */
export function groupbyPaths(rows, dir = DATA_DIR) {
  const base = join(dir, `groupby-${rowsLabel(rows)}`);
  return { csv: `${base}.csv`, meta: `${base}.json` };
}

/** xoshiro128** seeded through splitmix32: four 32-bit words of state, one uint32 per call. */
function makeRng(seed) {
  let x = seed >>> 0;
  const splitmix = () => {
    x = (x + 0x9e3779b9) | 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix(), b = splitmix(), c = splitmix(), d = splitmix();
  return () => {
    const r = Math.imul(rotl(Math.imul(b, 5), 7), 9);
    const t = b << 9;
    c ^= a; d ^= b; b ^= c; a ^= d; c ^= t;
    d = rotl(d, 11);
    return r >>> 0;
  };
}
const rotl = (v, k) => (v << k) | (v >>> (32 - k));

/** Fixed-width ASCII labels: prefix + zero-padded 1..n, packed end to end. */
function labels(prefix, width, n) {
  const len = prefix.length + width;
  const out = new Uint8Array(len * n);
  for (let i = 0; i < n; i++) out.set(Buffer.from(prefix + String(i + 1).padStart(width, "0"), "latin1"), i * len);
  return { bytes: out, len };
}

/**
 * Writes the table for `rows` rows to `csv` (via a temporary file) and returns the sidecar record.
 * @param {number} rows
 * @param {{ seed?: number, csv: string }} opts
 */
export function writeGroupby(rows, { seed = DEFAULT_SEED, csv }) {
  if (!Number.isInteger(rows) || rows < K) throw new Error(`--rows must be an integer >= ${K}, got ${rows}`);
  const nk = Math.max(1, Math.floor(rows / K)); // N/K distinct values of id3 and id6
  const next = makeRng(seed);
  const id12 = labels("id", 3, K);
  const id3 = labels("id", 10, nk);

  // Expected answers, accumulated as rows are written.
  const v1ById1 = new Float64Array(K);
  const seen = { id1: new Uint8Array(K), id2: new Uint8Array(K), id3: new Uint8Array(nk), id6: new Uint8Array(nk) };
  const v3kById3 = new Float64Array(nk); // sums of v3 * 1e6 (integers, exact below 2^53)
  const nById3 = new Int32Array(nk);
  let sumV1 = 0, sumV2 = 0, sumV3k = 0;

  const BLOCK = 1 << 20;
  const buf = Buffer.allocUnsafe(BLOCK + 256);
  const tmp = `${csv}.tmp-${process.pid}`;
  mkdirSync(dirname(csv), { recursive: true });
  const fd = openSync(tmp, "w");
  let bytes = 0;
  let p = buf.write(HEADER + "\n", 0, "latin1");

  // Decimal digits of a non-negative integer at p; returns the new position.
  const int = (v, p) => {
    if (v < 10) { buf[p] = 48 + v; return p + 1; }
    let n = 0;
    for (let t = v; t > 0; t = Math.floor(t / 10)) n++;
    for (let i = p + n - 1; i >= p; i--) { buf[i] = 48 + (v % 10); v = Math.floor(v / 10); }
    return p + n;
  };
  const label = (l, i, p) => {
    const o = i * l.len;
    for (let j = 0; j < l.len; j++) buf[p + j] = l.bytes[o + j];
    return p + l.len;
  };
  const sample = (n) => Math.floor((next() * n) / 4294967296); // 0..n-1

  try {
    for (let r = 0; r < rows; r++) {
      const i1 = sample(K), i2 = sample(K), i3 = sample(nk);
      const i4 = sample(K) + 1, i5 = sample(K) + 1, i6 = sample(nk);
      const v1 = sample(5) + 1, v2 = sample(15) + 1;
      const v3k = Math.round((next() / 4294967296) * 1e8); // round(runif * 100, 6) * 1e6
      p = label(id12, i1, p); buf[p++] = 44;
      p = label(id12, i2, p); buf[p++] = 44;
      p = label(id3, i3, p); buf[p++] = 44;
      p = int(i4, p); buf[p++] = 44;
      p = int(i5, p); buf[p++] = 44;
      p = int(i6 + 1, p); buf[p++] = 44;
      p = int(v1, p); buf[p++] = 44;
      p = int(v2, p); buf[p++] = 44;
      const ip = Math.floor(v3k / 1e6);
      let frac = v3k - ip * 1e6;
      p = int(ip, p);
      if (frac !== 0) {
        buf[p++] = 46;
        let digits = 6;
        while (frac % 10 === 0) { frac /= 10; digits--; }
        for (let i = p + digits - 1; i >= p; i--) { buf[i] = 48 + (frac % 10); frac = Math.floor(frac / 10); }
        p += digits;
      }
      buf[p++] = 10;

      v1ById1[i1] += v1;
      seen.id1[i1] = 1; seen.id2[i2] = 1; seen.id3[i3] = 1; seen.id6[i6] = 1;
      v3kById3[i3] += v3k; nById3[i3]++;
      sumV1 += v1; sumV2 += v2; sumV3k += v3k;

      if (p >= BLOCK) { writeSync(fd, buf, 0, p); bytes += p; p = 0; }
    }
    if (p > 0) { writeSync(fd, buf, 0, p); bytes += p; }
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, csv);

  let meanSum = 0;
  for (let g = 0; g < nk; g++) if (nById3[g] > 0) meanSum += v3kById3[g] / 1e6 / nById3[g];
  const count = (a) => a.reduce((s, v) => s + v, 0);
  return {
    rows, bytes, seed, k: K, header: HEADER,
    sum_v1: sumV1, sum_v2: sumV2, sum_v3: sumV3k / 1e6,
    distinct: { id1: count(seen.id1), id2: count(seen.id2), id3: count(seen.id3), id6: count(seen.id6) },
    q1: { groups: count(seen.id1), v1_by_id1: Object.fromEntries([...v1ById1].map((v, i) => [`id${String(i + 1).padStart(3, "0")}`, v]).filter((_, i) => seen.id1[i])) },
    q3: { groups: count(seen.id3), sum_v1: sumV1, sum_of_v3_means: meanSum },
    q5: { groups: count(seen.id6), sum_v1: sumV1, sum_v2: sumV2, sum_v3: sumV3k / 1e6 },
  };
}

/** The sidecar of an existing, complete file for these rows and seed, or null. */
export function readGroupbyMeta(rows, { seed = DEFAULT_SEED, dir = DATA_DIR } = {}) {
  const { csv, meta } = groupbyPaths(rows, dir);
  if (!existsSync(csv) || !existsSync(meta)) return null;
  try {
    const m = JSON.parse(readFileSync(meta, "utf8"));
    if (m.rows !== rows || m.seed !== seed || m.bytes !== statSync(csv).size || m.header !== HEADER) return null;
    return { ...m, csv };
  } catch {
    return null;
  }
}

/** Makes sure the file for `rows` exists (writing it if absent or wrong); returns its sidecar plus { csv, generated, seconds }. */
export function ensureGroupbyData(rows, { seed = DEFAULT_SEED, dir = DATA_DIR, force = false, log = () => {} } = {}) {
  const have = force ? null : readGroupbyMeta(rows, { seed, dir });
  if (have) return { ...have, generated: false };
  const { csv, meta } = groupbyPaths(rows, dir);
  const t0 = performance.now();
  log(`# writing ${csv} (${rows} rows, seed ${seed})`);
  const m = writeGroupby(rows, { seed, csv });
  const seconds = (performance.now() - t0) / 1000;
  writeFileSync(meta, JSON.stringify(m, null, 1) + "\n");
  log(`# wrote ${(m.bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s`);
  return { ...m, csv, generated: true, seconds };
}

/** Parses "1e7", "10000000", "1_000_000". */
export function parseRows(s) {
  const n = Number(String(s).replace(/_/g, ""));
  if (!Number.isFinite(n) || n <= 0 || !Number.isInteger(n)) throw new Error(`bad row count ${JSON.stringify(s)}`);
  return n;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : dflt;
  };
  const seed = Number(opt("--seed", DEFAULT_SEED));
  const dir = opt("--out", DATA_DIR);
  const force = args.includes("--force");
  for (const r of opt("--rows", "1e6,1e7").split(",").filter(Boolean)) {
    const rows = parseRows(r);
    const m = ensureGroupbyData(rows, { seed, dir, force, log: (s) => console.error(s) });
    if (!m.generated) console.error(`# ${m.csv} present (${(m.bytes / 1e6).toFixed(1)} MB, seed ${seed}): skipped`);
    console.log(JSON.stringify({ csv: m.csv, rows: m.rows, bytes: m.bytes, seed: m.seed, generated: m.generated, seconds: m.seconds }));
  }
}
