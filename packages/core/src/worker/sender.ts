/** Sending worker messages safely: a result that cannot be serialized fails its own task, not the worker. */
import { SerializationError } from "../errors.js";
import type { FromWorker } from "./protocol.js";
import { encodeWithExtensions } from "../schedulers/encode-retry.js";

/**
 * Wraps a raw send(encoded) so encoding errors become task errors instead of crashing the worker.
 * A first failure loads the lazily loaded codecs (e.g. Arrow) and retries, keeping message order.
 */
export function safeSender(encodeAndSend: (msg: FromWorker) => void): (msg: FromWorker) => void {
  const fallback = (msg: FromWorker, e: unknown): void => {
    if (msg.t === "done") {
      // Send what can be sent; report each value that cannot.
      for (const r of msg.results) {
        try {
          encodeAndSend({ t: "done", run: msg.run, results: [r] });
        } catch (err) {
          encodeAndSend({
            t: "error",
            run: msg.run,
            key: r[0],
            error: new SerializationError(
              `The result of task '${r[0]}' cannot be sent back from the worker: ${(err as Error).message}`,
            ),
          });
        }
      }
    } else if (msg.t === "error") {
      encodeAndSend({ t: "error", run: msg.run, key: msg.key, error: new Error(String((msg.error as Error)?.stack ?? msg.error)), contained: msg.contained });
    } else throw e;
  };
  return encodeWithExtensions(encodeAndSend, fallback);
}
