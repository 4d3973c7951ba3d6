/** The processes scheduler's pool: long-lived child processes speaking length-prefixed frames on fd 3. */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Socket } from "node:net";
import { decode, encode } from "../serialize/codec.js";
import { onFrames, writeFrame } from "../serialize/frames.js";
import type { FromWorker, ToWorker } from "../worker/protocol.js";
import { WorkerPool, type WorkerEvents, type WorkerHandle } from "./worker-pool.js";
import { decodeWithExtensions, encodeWithExtensions } from "./encode-retry.js";
import { workerExecArgv } from "./exec-argv.js";

const entry = fileURLToPath(new URL("../worker/process-entry.js", import.meta.url));

/** Live worker processes: killed when this process exits, so none outlives its scheduler. */
const children = new Set<ChildProcess>();
process.once("exit", () => {
  for (const c of children) c.kill("SIGKILL");
});

/** A pool of worker processes. */
export class ProcessPool extends WorkerPool {
  constructor(size: number) {
    super(size, "process");
  }

  protected spawn(lane: number, modules: readonly string[], events: WorkerEvents): WorkerHandle {
    const child = spawn(process.execPath, [...workerExecArgv(), entry], {
      stdio: ["ignore", "inherit", "inherit", "pipe"],
      env: { ...process.env, DASK_TS_WORKER_MODULES: JSON.stringify(modules), DASK_TS_WORKER: `process-${lane}` },
    });
    const channel = child.stdio[3] as Socket;
    children.add(child);
    child.once("exit", () => children.delete(child));
    const receive = decodeWithExtensions<Uint8Array>(
      (frame) => events.message(decode(frame) as FromWorker),
      (_frame, error) => events.receiveFailed(undefined, error),
    );
    onFrames(channel, receive);
    channel.on("error", () => {
      /* reported through the exit event */
    });
    child.on("error", (e) => events.died(e));
    child.on("exit", (code, signal) =>
      events.died(new Error(signal ? `process killed by ${signal}` : `process exited with code ${code}`)),
    );
    const post = encodeWithExtensions<ToWorker>((msg) => writeFrame(channel, encode(msg)), events.sendFailed);
    return {
      post,
      ref: () => {
        child.ref();
        channel.ref();
      },
      unref: () => {
        child.unref();
        channel.unref();
      },
      terminate: () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.ref(); // an idle child is unref'd; waiting for its exit must keep Node alive
          channel.destroy();
          child.kill("SIGTERM");
        }),
    };
  }
}
