#!/usr/bin/env node
/** The `dask-ts` command: `dask-ts scheduler` and `dask-ts worker tcp://HOST:PORT`. */
import { parseArgs } from "node:util";
import { parseBytes } from "@dask-ts/core";
import { SchedulerServer } from "./scheduler/server.js";
import { Nanny } from "./worker/nanny.js";
import { Worker } from "./worker/worker.js";
import { VERSION } from "./version.js";

const USAGE = `dask-ts ${VERSION}

Usage:
  dask-ts scheduler [--host 127.0.0.1] [--port 8786] [--dashboard-address :8787]
  dask-ts worker tcp://HOST:PORT [--nworkers 1] [--nthreads 1] [--memory-limit 4GB] [--name NAME]
                 [--host 127.0.0.1] [--resources GPU=2,FOO=1] [--no-nanny]

Use --host 0.0.0.0 (scheduler) and the machine's address as the worker --host to work across machines.`;

function fail(message: string): never {
  console.error(`dask-ts: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function onSignals(stop: () => Promise<void>): void {
  let stopping = false;
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.on(sig, () => {
      if (stopping) process.exit(1);
      stopping = true;
      void stop().then(() => process.exit(0));
    });
  }
}

async function scheduler(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { host: { type: "string" }, port: { type: "string" }, "dashboard-address": { type: "string" } },
    strict: true,
  });
  const port = values.port === undefined ? 8786 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be 0-65535, got ${values.port}`);
  const s = await SchedulerServer.start({ host: values.host, port });
  console.log(`dask-ts scheduler ${VERSION} at ${s.address}`);
  onSignals(() => s.close());
}

function parseResources(spec: string | undefined): Record<string, number> | undefined {
  if (!spec) return undefined;
  const out: Record<string, number> = {};
  for (const part of spec.split(/[,\s]+/).filter(Boolean)) {
    const [k, v] = part.split("=");
    const n = Number(v);
    if (!k || !Number.isFinite(n)) fail(`--resources takes NAME=NUMBER pairs, got '${part}'`);
    out[k] = n;
  }
  return out;
}

async function worker(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      nworkers: { type: "string" },
      nthreads: { type: "string" },
      "memory-limit": { type: "string" },
      name: { type: "string" },
      host: { type: "string" },
      resources: { type: "string" },
      "no-nanny": { type: "boolean" },
    },
    strict: true,
  });
  const address = positionals[0];
  if (!address || positionals.length > 1) fail("dask-ts worker needs exactly one scheduler address, e.g. tcp://127.0.0.1:8786");
  const nworkers = Number(values.nworkers ?? 1);
  const nthreads = Number(values.nthreads ?? 1);
  if (!Number.isInteger(nworkers) || nworkers < 1) fail(`--nworkers must be a positive integer, got ${values.nworkers}`);
  if (!Number.isInteger(nthreads) || nthreads < 1) fail(`--nthreads must be a positive integer, got ${values.nthreads}`);
  let memoryLimit = 0;
  try {
    memoryLimit = values["memory-limit"] ? parseBytes(values["memory-limit"], "--memory-limit") : 0;
  } catch (e) {
    fail((e as Error).message);
  }
  const resources = parseResources(values.resources);
  const base = { scheduler: address, nthreads, memoryLimit, host: values.host, resources };
  const name = (i: number): string | undefined => (values.name ? (nworkers > 1 ? `${values.name}-${i}` : values.name) : undefined);
  if (values["no-nanny"]) {
    const ws = await Promise.all(Array.from({ length: nworkers }, (_, i) => Worker.start({ ...base, name: name(i) })));
    for (const w of ws) console.log(`dask-ts worker at ${w.address} (scheduler ${address})`);
    onSignals(async () => void (await Promise.all(ws.map((w) => w.close()))));
    await Promise.all(ws.map((w) => w.closed));
    process.exit(0);
  }
  const nannies = await Promise.all(
    Array.from({ length: nworkers }, (_, i) =>
      Nanny.start({ ...base, name: name(i), onRestart: (a, why) => console.log(`dask-ts worker restarted (${why}) at ${a}`) }),
    ),
  );
  for (const n of nannies) console.log(`dask-ts worker at ${n.address} (pid ${n.pid}, scheduler ${address})`);
  onSignals(async () => void (await Promise.all(nannies.map((n) => n.close()))));
  await Promise.all(nannies.map((n) => n.finished));
  process.exit(0);
}

const [command, ...rest] = process.argv.slice(2);
try {
  if (command === "scheduler") await scheduler(rest);
  else if (command === "worker") await worker(rest);
  else if (command === "--version" || command === "-v") console.log(VERSION);
  else if (command === undefined || command === "--help" || command === "-h") console.log(USAGE);
  else fail(`unknown command '${command}'`);
} catch (e) {
  console.error(`dask-ts: ${(e as Error).message}`);
  process.exit(1);
}
