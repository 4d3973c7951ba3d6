/** Crossing to or from a worker when a value's codec loads lazily (e.g. Arrow tables): load it, then retry in order. */
import { loadOptionalExtensions } from "../serialize/codec.js";

/**
 * Wraps a send so that a first encoding failure loads the optional extensions and retries; messages
 * sent meanwhile queue behind it, so order is kept. A message that still cannot be encoded goes to `failed`.
 */
export function encodeWithExtensions<M>(send: (msg: M) => void, failed: (msg: M, error: unknown) => void): (msg: M) => void {
  return retryInOrder(send, failed);
}

/** The same for messages coming back: a result whose codec is not loaded yet loads it, then is decoded in order. */
export function decodeWithExtensions<M>(receive: (msg: M) => void, failed: (msg: M, error: unknown) => void): (msg: M) => void {
  return retryInOrder(receive, failed);
}

function retryInOrder<M>(send: (msg: M) => void, failed: (msg: M, error: unknown) => void): (msg: M) => void {
  let pending: M[] | undefined;
  let loaded = false;
  const trySend = (msg: M): void => {
    try {
      send(msg);
    } catch (e) {
      failed(msg, e);
    }
  };
  return (msg: M) => {
    if (pending) {
      pending.push(msg);
      return;
    }
    try {
      send(msg);
    } catch (e) {
      if (loaded) return failed(msg, e);
      loaded = true;
      pending = [msg];
      void loadOptionalExtensions()
        .catch(() => undefined)
        .then(() => {
          const queued = pending!;
          pending = undefined;
          for (const m of queued) trySend(m);
        });
    }
  };
}
