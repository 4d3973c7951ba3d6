// Locate a Python with Dask importable and run the Dask reference scripts.
//
//   import { findDaskPython, runDaskReference } from "./reference/find_python.mjs";
//   const rows = await runDaskReference(new URL("./reference/dask_scheduler_overhead.py", import.meta.url).pathname, ["--quick"]);
//
// The benchmark runner skips the Dask side when findDaskPython() returns null.

import { execFile, spawn } from "node:child_process";

/** Candidates in order: Debian's system Python first (python3-dask lives there), then PATH. */
const CANDIDATES = ["/usr/bin/python3", "python3"];

const PROBE = "import sys, dask; print(sys.executable); print(dask.__version__)";

let cached; // Promise<{ python: string, version: string } | null>

function probe(candidate, timeoutMs) {
  return new Promise((resolve) => {
    execFile(
      candidate,
      ["-c", PROBE],
      { timeout: timeoutMs, killSignal: "SIGKILL", windowsHide: true },
      (err, stdout) => {
        if (err) return resolve(null);
        const [exe, version] = String(stdout).trim().split(/\r?\n/);
        if (!exe || !version) return resolve(null);
        resolve({ python: exe, version });
      },
    );
  });
}

/**
 * Absolute path of a Python interpreter that can `import dask`, or null.
 * Tries /usr/bin/python3, then `python3` on PATH (resolved to sys.executable).
 * The answer is cached for the life of the process.
 * @param {{ timeoutMs?: number }} [opts]
 * @returns {Promise<string | null>}
 */
export async function findDaskPython(opts = {}) {
  const info = await findDaskPythonInfo(opts);
  return info ? info.python : null;
}

/**
 * Like findDaskPython, but also returns dask.__version__.
 * @param {{ timeoutMs?: number }} [opts]
 * @returns {Promise<{ python: string, version: string } | null>}
 */
export function findDaskPythonInfo({ timeoutMs = 20_000 } = {}) {
  if (!cached) {
    cached = (async () => {
      for (const c of CANDIDATES) {
        const found = await probe(c, timeoutMs);
        if (found) return found;
      }
      return null;
    })();
  }
  return cached;
}

/**
 * Run a Dask reference script and parse the JSON objects it prints, one per line
 * on stdout (lines that are not JSON objects are ignored).
 * Rejects if no Python with Dask is found, if the script exits non-zero (the
 * error carries its stderr), or if it runs past the timeout (the child is killed).
 * @param {string} script path of the .py file
 * @param {string[]} [args]
 * @param {{ timeoutMs?: number, python?: string, onStderr?: (chunk: string) => void }} [opts]
 * @returns {Promise<object[]>}
 */
export async function runDaskReference(script, args = [], opts = {}) {
  const { timeoutMs = 10 * 60_000, onStderr } = opts;
  const python = opts.python ?? (await findDaskPython());
  if (!python) throw new Error("no Python with dask importable (apt-get install -y python3-dask)");

  return new Promise((resolve, reject) => {
    // detached: the script leads its own process group, which its worker
    // processes (Dask's process pool, multiprocessing's resource tracker)
    // join, so a timeout can end all of them at once; orphaned workers would
    // otherwise keep the stdout pipe open and the run would never finish.
    const child = spawn(python, [script, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, PYTHONUNBUFFERED: "1" },
      detached: process.platform !== "win32",
      windowsHide: true,
    });
    const killGroup = (sig) => {
      try {
        if (process.platform !== "win32" && child.pid) process.kill(-child.pid, sig);
        else child.kill(sig);
      } catch {
        // group already gone
      }
    };
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    let settled = false;
    const finish = (fn, value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn(value);
    };

    const timer = setTimeout(() => {
      timedOut = true;
      // SIGTERM lets the script shut its pool down; then insist on the group.
      killGroup("SIGTERM");
      setTimeout(() => !settled && killGroup("SIGKILL"), 2_000).unref();
    }, timeoutMs);

    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => {
      stderr += d;
      if (onStderr) onStderr(d);
    });
    child.on("error", (err) => finish(reject, err));
    // Once the script itself has exited, end anything it left behind in its
    // group so the pipes close and "close" below fires.
    child.on("exit", () => setTimeout(() => !settled && killGroup("SIGKILL"), 500).unref());
    child.on("close", (code, signal) => {
      if (timedOut) {
        return finish(
          reject,
          new Error(`${script} timed out after ${timeoutMs} ms and was killed\n${stderr}`),
        );
      }
      if (code !== 0) {
        return finish(
          reject,
          new Error(`${script} failed (${signal ? `signal ${signal}` : `exit code ${code}`})\n${stderr}`),
        );
      }
      const rows = [];
      for (const line of stdout.split(/\r?\n/)) {
        const t = line.trim();
        if (!t.startsWith("{")) continue;
        try {
          rows.push(JSON.parse(t));
        } catch {
          // not a result line
        }
      }
      finish(resolve, rows);
    });
  });
}
