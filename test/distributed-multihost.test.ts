// Several hosts on one machine: the scheduler and two workers in separate network namespaces joined by a
// bridge (veth pairs), started with the `dask-ts` command line as a person would on three machines.
// Needs root and iproute2; skipped with a printed reason otherwise.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Client, da, submitOptions } from "dask-ts";

const cli = fileURLToPath(new URL("../packages/distributed/dist/cli.js", import.meta.url));
const n = 100 + (process.pid % 150);
const net = `10.77.${n}`;
const bridge = `dtbr${n}`;
const hosts = [
  { ns: `dts${n}`, ip: `${net}.1`, veth: `dtvs${n}` },
  { ns: `dta${n}`, ip: `${net}.2`, veth: `dtva${n}` },
  { ns: `dtb${n}`, ip: `${net}.3`, veth: `dtvb${n}` },
];

function ip(...args: string[]): void {
  execFileSync("ip", args, { stdio: "pipe" });
}

function setUpNetwork(): string | undefined {
  if (process.getuid?.() !== 0) return "needs root to create network namespaces";
  try {
    ip("link", "add", bridge, "type", "bridge");
  } catch (e) {
    return `cannot create a bridge (${(e as Error).message.split("\n")[0]})`;
  }
  ip("addr", "add", `${net}.254/24`, "dev", bridge);
  ip("link", "set", bridge, "up");
  for (const h of hosts) {
    ip("netns", "add", h.ns);
    ip("link", "add", h.veth, "type", "veth", "peer", "name", `${h.veth}p`);
    ip("link", "set", `${h.veth}p`, "netns", h.ns);
    ip("link", "set", h.veth, "master", bridge);
    ip("link", "set", h.veth, "up");
    ip("netns", "exec", h.ns, "ip", "addr", "add", `${h.ip}/24`, "dev", `${h.veth}p`);
    ip("netns", "exec", h.ns, "ip", "link", "set", `${h.veth}p`, "up");
    ip("netns", "exec", h.ns, "ip", "link", "set", "lo", "up");
  }
  return undefined;
}

function tearDownNetwork(): void {
  for (const h of hosts) {
    try {
      ip("netns", "del", h.ns);
    } catch {
      /* not created */
    }
  }
  try {
    ip("link", "del", bridge);
  } catch {
    /* not created */
  }
}

const skipReason = (() => {
  try {
    return setUpNetwork();
  } catch (e) {
    tearDownNetwork();
    return `network setup failed: ${(e as Error).message.split("\n")[0]}`;
  }
})();
if (skipReason) console.log(`multi-host test skipped: ${skipReason}`);

const procs: ChildProcess[] = [];

/** Starts `dask-ts ...` inside a namespace and resolves with the first line matching `ready`. */
function startIn(ns: string, args: string[], ready: RegExp): Promise<{ proc: ChildProcess; match: RegExpMatchArray }> {
  const proc = spawn("ip", ["netns", "exec", ns, process.execPath, cli, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  procs.push(proc);
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`dask-ts ${args[0]} in ${ns} did not start: ${out}`)), 20_000);
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = out.match(ready);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, match: m });
      }
    };
    proc.stdout!.on("data", onData);
    proc.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`dask-ts ${args[0]} in ${ns} exited with ${code}: ${out}`));
    });
  });
}

describe.skipIf(skipReason !== undefined)("scheduler and workers on three network hosts", () => {
  let client: Client | undefined;
  let schedulerAddress = "";

  beforeAll(async () => {
    const s = await startIn(hosts[0]!.ns, ["scheduler", "--host", hosts[0]!.ip, "--port", "8786"], /at (tcp:\/\/\S+)/);
    schedulerAddress = s.match[1]!;
    await Promise.all(
      [hosts[1]!, hosts[2]!].map((h, i) =>
        startIn(h.ns, ["worker", schedulerAddress, "--host", h.ip, "--name", i === 0 ? "a" : "b", "--nthreads", "1"], /worker at (tcp:\/\/\S+)/),
      ),
    );
    client = await Client.connect(schedulerAddress, { setAsDefault: false, timeout: 10_000 });
  });

  afterAll(async () => {
    await client?.close();
    await Promise.all(
      procs.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null || p.signalCode !== null) return resolve();
            const t = setTimeout(() => p.kill("SIGKILL"), 5000);
            p.once("exit", () => {
              clearTimeout(t);
              resolve();
            });
            p.kill("SIGTERM");
          }),
      ),
    );
    tearDownNetwork();
  });

  it("runs tasks on both hosts and moves data between them peer to peer", async () => {
    const info = await client!.schedulerInfo();
    const addrs = Object.keys(info.workers).sort();
    expect(addrs.map((a) => a.replace(/:\d+$/, ""))).toEqual([`tcp://${hosts[1]!.ip}`, `tcp://${hosts[2]!.ip}`]);
    const x = client!.submit((k: number) => new Float64Array(k).fill(1.5), 1_000_000, submitOptions({ workers: ["a"] }));
    const y = client!.submit((v: Float64Array) => v.reduce((s, e) => s + e, 0), x, submitOptions({ workers: ["b"] }));
    expect(await y.result()).toBe(1_500_000);
    const who = await client!.whoHas([x, y]);
    expect(who[x.key]!.sort()).toEqual(addrs); // copied from a to b
    expect(who[y.key]).toEqual([addrs.find((a) => a.includes(hosts[2]!.ip))]);
    const s = await da.ones([1000, 1000], { chunks: [100, 300] }).sum().compute({ scheduler: client });
    expect(s).toBe(1_000_000);
  });
});
