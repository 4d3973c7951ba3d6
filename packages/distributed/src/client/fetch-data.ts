/** Fetching results from the workers that hold them (gather), retrying with a fresh who-has when one is gone. */
import { CommClosedError, ConnectTimeoutError, RequestTimeoutError } from "../errors.js";
import type { ConnectionPool } from "../comm/pool.js";
import type { WhoHas } from "../protocol.js";
import { DataUnavailableError } from "./errors.js";
import type { FutureState } from "./future-state.js";
import { waitAllFinished } from "./wait-states.js";

/** A worker's reply to get-data. */
interface GetDataReply {
  data: Array<[string, unknown]>;
  missing: string[];
}

/** What fetching needs from the client. */
export interface FetchContext {
  whoHas(keys: string[]): Promise<WhoHas>;
  pool: ConnectionPool;
}

/** Rounds of who-has + get-data before giving up on keys no worker can deliver. */
const MAX_ROUNDS = 8;

function isConnectionError(e: unknown): boolean {
  return e instanceof CommClosedError || e instanceof ConnectTimeoutError || e instanceof RequestTimeoutError;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The values of `states` (distinct keys). Waits until each is finished (a failure rejects at once), asks the
 * scheduler who has them, fetches from those workers in parallel (one get-data per worker), and retries keys
 * that a worker no longer had or a dead worker held. A result lost with its worker goes back to pending when
 * the scheduler reports lost-data; the next round then waits for its recomputation.
 */
export async function fetchData(ctx: FetchContext, states: readonly FutureState[]): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  let need = [...new Map(states.map((s) => [s.key, s])).values()];
  let problem = "no worker holds them";
  for (let round = 0; ; round++) {
    await waitAllFinished(need);
    const whoHas = await ctx.whoHas(need.map((s) => s.key));
    const byWorker = new Map<string, string[]>();
    for (const st of need) {
      const holders = whoHas[st.key] ?? [];
      if (holders.length === 0) continue;
      // A random holder spreads the load when results are replicated (broadcast scatter).
      const w = holders[Math.floor(Math.random() * holders.length)]!;
      let list = byWorker.get(w);
      if (!list) byWorker.set(w, (list = []));
      list.push(st.key);
    }
    await Promise.all(
      [...byWorker].map(async ([address, keys]) => {
        try {
          const reply = await ctx.pool.request<GetDataReply>(address, { op: "get-data", keys });
          for (const [k, v] of reply.data) out.set(k, v);
          if (reply.missing.length) problem = `${address} no longer holds ${reply.missing.map((k) => `'${k}'`).join(", ")}`;
        } catch (e) {
          // A worker that is gone: forget its connection and ask the scheduler again. Anything else is the
          // worker's answer (e.g. a value it cannot serialize): retrying would not change it.
          if (!isConnectionError(e)) throw e;
          ctx.pool.drop(address);
          problem = `${address} could not be reached (${(e as Error).message})`;
        }
      }),
    );
    need = need.filter((st) => !out.has(st.key));
    if (need.length === 0) return out;
    if (round + 1 >= MAX_ROUNDS) throw new DataUnavailableError(need.map((s) => s.key), problem);
    // Give the scheduler time to notice the loss (lost-data puts the future back to pending).
    await sleep(Math.min(20 * 2 ** round, 500));
  }
}
