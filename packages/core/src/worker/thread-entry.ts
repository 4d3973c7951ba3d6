/** Entry point of a worker thread of the threads scheduler. */
import { parentPort, workerData } from "node:worker_threads";
import { fromStructured, toStructured } from "../serialize/codec.js";
import "../kernels/core-kernels.js";
import { importWorkerModules } from "./modules.js";
import type { ToWorker } from "./protocol.js";
import { WorkerRuntime } from "./runtime.js";
import { safeSender } from "./sender.js";

const port = parentPort!;
const send = safeSender((m) => port.postMessage(toStructured(m)));
const runtime = new WorkerRuntime({ send });
await importWorkerModules((workerData as { modules?: string[] } | undefined)?.modules ?? []);
port.on("message", (m: unknown) => runtime.receive(fromStructured(m) as ToWorker));
send({ t: "ready" });
