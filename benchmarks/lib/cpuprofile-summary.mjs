// Summarizes V8 .cpuprofile files (node --cpu-prof): where the time goes by function (self time)
// and by source file, so a benchmark's profile can be read without DevTools.
//
//   node benchmarks/lib/cpuprofile-summary.mjs FILE.cpuprofile [...] [--top 25]
//
// One block per file (node writes one profile per thread: the main thread and each worker).
import { readFileSync } from "node:fs";
import { basename } from "node:path";

/** Self time in ms per function and per source file, and the profile's wall span. */
export function summarize(profile) {
  const { nodes, samples, timeDeltas } = profile;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  for (let i = 0; i < samples.length; i++) selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + (timeDeltas[i] ?? 0));
  const fns = new Map();
  const files = new Map();
  let total = 0;
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    const cf = n.callFrame;
    const file = cf.url ? cf.url.replace(/^file:\/\//, "").replace(/.*\/node_modules\//, "node_modules/").replace(/.*\/packages\//, "packages/") : `(${cf.functionName || "program"})`;
    const fn = `${cf.functionName || "(anonymous)"}  ${file ? basename(file) : ""}${cf.lineNumber >= 0 ? `:${cf.lineNumber + 1}` : ""}`;
    fns.set(fn, (fns.get(fn) ?? 0) + us);
    files.set(file, (files.get(file) ?? 0) + us);
    total += us;
  }
  const sorted = (m) => [...m].sort((a, b) => b[1] - a[1]).map(([k, us]) => ({ name: k, ms: +(us / 1000).toFixed(1), pct: +((100 * us) / total).toFixed(1) }));
  return { totalMs: +(total / 1000).toFixed(1), spanMs: +((profile.endTime - profile.startTime) / 1000).toFixed(1), functions: sorted(fns), files: sorted(files) };
}

if (process.argv[1] && import.meta.url.endsWith(basename(process.argv[1]))) {
  const args = process.argv.slice(2);
  const ti = args.indexOf("--top");
  const top = ti >= 0 ? Number(args[ti + 1]) : 25;
  const paths = args.filter((a, i) => !a.startsWith("--") && (ti < 0 || i !== ti + 1));
  for (const p of paths) {
    const s = summarize(JSON.parse(readFileSync(p, "utf8")));
    console.log(`\n== ${p}\n   sampled ${s.totalMs} ms over a ${s.spanMs} ms span`);
    console.log("   -- self time by function");
    for (const f of s.functions.slice(0, top)) console.log(`   ${String(f.ms).padStart(9)} ms ${String(f.pct).padStart(5)}%  ${f.name}`);
    console.log("   -- self time by file");
    for (const f of s.files.slice(0, Math.min(top, 15))) console.log(`   ${String(f.ms).padStart(9)} ms ${String(f.pct).padStart(5)}%  ${f.name}`);
  }
}
