// Runs the whole vitest suite, then prints one plain closing line "N passed, N failed" for CI.
import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";

const out = ".test-results.json";
rmSync(out, { force: true });
const child = spawn(
  process.execPath,
  ["node_modules/vitest/vitest.mjs", "run", "--reporter=default", "--reporter=json", `--outputFile=${out}`, ...process.argv.slice(2)],
  { stdio: "inherit" },
);
child.on("exit", (code, signal) => {
  let summary = "0 passed, 1 failed";
  try {
    const r = JSON.parse(readFileSync(out, "utf8"));
    summary = `${r.numPassedTests} passed, ${r.numFailedTests} failed${r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""}`;
  } catch {
    /* vitest died before writing results: count it as a failure */
  }
  console.log(`\ntests: ${summary}`);
  process.exit(code ?? (signal ? 1 : 0));
});
