/** Entry point of a worker process of the processes scheduler: frames over the pipe on fd 3. */
import { Socket } from "node:net";
import { decode, encode } from "../serialize/codec.js";
import { onFrames, writeFrame } from "../serialize/frames.js";
import "../kernels/core-kernels.js";
import { importWorkerModules } from "./modules.js";
import type { ToWorker } from "./protocol.js";
import { WorkerRuntime } from "./runtime.js";
import { safeSender } from "./sender.js";

const channel = new Socket({ fd: 3, readable: true, writable: true });
// The scheduler closed the pipe (it exited or closed the pool): nothing left to do.
channel.on("close", () => process.exit(0));
channel.on("error", () => process.exit(0));
const send = safeSender((m) => writeFrame(channel, encode(m)));
const runtime = new WorkerRuntime({ send });
const modules = JSON.parse(process.env.DASK_TS_WORKER_MODULES ?? "[]") as string[];
await importWorkerModules(modules);
onFrames(channel, (frame) => runtime.receive(decode(frame) as ToWorker));
send({ t: "ready" });
