// Benchmarks run each measured configuration in a fresh Node process and read back the JSON lines it prints.
import { spawn } from "node:child_process";

/** The JSON rows (lines starting with "{") of a child's stdout. */
function jsonRows(out) {
  return out.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
}

/**
 * Runs `node ...nodeFlags ...argv`, echoing its stderr as it comes; resolves with its JSON rows, exit code,
 * signal and stderr text. A child still running after `timeoutMs` (0 = no limit) is killed.
 */
export function runNodeChild(argv, { nodeFlags = [], env, timeoutMs = 0 } = {}) {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [...nodeFlags, ...argv], { stdio: ["ignore", "pipe", "pipe"], env });
    let out = "";
    let err = "";
    const timer = timeoutMs > 0 ? setTimeout(() => p.kill("SIGKILL"), timeoutMs) : undefined;
    p.stdout.setEncoding("utf8");
    p.stderr.setEncoding("utf8");
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => {
      err += d;
      process.stderr.write(d);
    });
    p.on("error", (e) => resolve({ rows: [], code: null, signal: null, err: String(e) }));
    p.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ rows: jsonRows(out), code, signal, err });
    });
  });
}

/** The child's JSON rows; throws naming `label` when it failed. */
export async function childRowsOrThrow(label, argv, opts) {
  const r = await runNodeChild(argv, opts);
  if (r.code !== 0) throw new Error(`${label} failed (exit ${r.code ?? r.signal})`);
  return r.rows;
}

/** The child's JSON rows, or one `{ error }` row naming `label` and the first error lines when it failed. */
export async function childRowsOrErrorRow(label, argv, opts) {
  const r = await runNodeChild(argv, opts);
  if (r.code === 0 && r.rows.length) return r.rows;
  const why = r.err.trim().split("\n").filter((l) => /Error|error/.test(l)).slice(0, 2).join(" | ") || `exit ${r.code ?? r.signal}`;
  return [{ error: `${label}: ${why}`.slice(0, 400) }];
}
