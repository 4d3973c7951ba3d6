/** Waiting on several future states at once, failing fast. */
import type { FutureState } from "./future-state.js";

/**
 * Resolves when every state has finished; rejects with the first failure (TaskError, FutureCancelledError,
 * CommClosedError) as soon as one state errs, is cancelled or is lost, without waiting for the others.
 * `onFinished` is called once per state that finished (progress reporting).
 */
export function waitAllFinished(states: readonly FutureState[], onFinished?: (st: FutureState) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let left = states.length;
    if (left === 0) return resolve();
    for (const st of states) {
      st.whenDone().then(() => {
        const failure = st.failure();
        if (failure) return reject(failure);
        onFinished?.(st);
        if (--left === 0) resolve();
      }, reject);
    }
  });
}
