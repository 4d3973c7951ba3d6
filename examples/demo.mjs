// dask-ts demo: a parallel word count over real files with delayed tasks, on every local scheduler.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closeSchedulers, compute, delayed, fromModule } from "dask-ts";

const tasks = new URL("./wordcount-tasks.mjs", import.meta.url).href;
const makeFile = delayed(fromModule(tasks, "makeFile"), { pure: true });
const countWords = delayed(fromModule(tasks, "countWords"), { pure: true });
const mergeCounts = delayed(fromModule(tasks, "mergeCounts"), { pure: true });
const topK = delayed(fromModule(tasks, "topK"), { pure: true });

const dir = await mkdtemp(join(tmpdir(), "dask-ts-demo-"));
try {
  const nFiles = 16;
  const files = Array.from({ length: nFiles }, (_, i) => makeFile(join(dir, `part-${i}.txt`), 200_000, i + 1));
  // Tree reduction: merge counts 4 at a time, as Dask's tree reductions do.
  let level = files.map((f) => countWords(f));
  while (level.length > 1) {
    const next = [];
    for (let i = 0; i < level.length; i += 4) next.push(mergeCounts(level.slice(i, i + 4)));
    level = next;
  }
  const top = topK(level[0], 5);

  const outDir = new URL("./out/", import.meta.url);
  await mkdir(outDir, { recursive: true });
  const svg = new URL("wordcount-graph.svg", outDir).pathname;
  await top.visualize({ filename: svg });
  console.log(`task graph: ${top.graph().size} tasks, drawn to ${svg}`);

  let reference;
  for (const scheduler of ["sync", "threads", "processes"]) {
    const t0 = performance.now();
    const [result] = await compute(top, { scheduler, progress: true });
    const ms = performance.now() - t0;
    reference ??= JSON.stringify(result);
    const same = JSON.stringify(result) === reference ? "same result" : "DIFFERENT RESULT";
    console.log(`${scheduler.padEnd(9)} ${ms.toFixed(0).padStart(6)} ms  ${same}  top: ${result.map(([w, n]) => `${w}=${n}`).join(" ")}`);
  }
} finally {
  await closeSchedulers();
  await rm(dir, { recursive: true, force: true });
}
