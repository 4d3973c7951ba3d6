/** Sending worker messages safely: a result that cannot be serialized fails its own task, not the worker. */
import { SerializationError } from "../errors.js";
import type { FromWorker } from "./protocol.js";

/** Wraps a raw send(encoded) so encoding errors become task errors instead of crashing the worker. */
export function safeSender(
  encodeAndSend: (msg: FromWorker) => void,
  loadExtensions: () => Promise<void>,
): (msg: FromWorker) => void {
  let loaded = false;
  const send = (msg: FromWorker): void => {
    try {
      encodeAndSend(msg);
      return;
    } catch (e) {
      if (!loaded) {
        // A type whose codec loads lazily (e.g. Arrow tables): load it, then retry once.
        loaded = true;
        void loadExtensions().then(() => send(msg), () => fallback(msg, e));
        return;
      }
      fallback(msg, e);
    }
  };
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
      encodeAndSend({ t: "error", run: msg.run, key: msg.key, error: new Error(String((msg.error as Error)?.stack ?? msg.error)) });
    } else throw e;
  };
  return send;
}
