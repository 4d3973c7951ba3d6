/**
 * Graceful retirement of workers (Dask's Scheduler.retire_workers): the workers get no new tasks, every
 * result only they hold is copied to another worker with the worker `gather` request, then they are removed
 * without counting it as a crash and (optionally) told to close.
 */
import type { WhoHas } from "../protocol.js";
import { planReplicas, uniqueKeys } from "./retire-plan.js";
import type { SchedulerState } from "./state.js";
import type { WorkerState } from "./task-state.js";

/** A worker's answer to `gather`: sizes of the keys it now holds, and keys no holder gave it. */
export interface GatherReply {
  nbytes: Record<string, number>;
  missing: string[];
}

/** What the retirement needs from the scheduler server. */
export interface RetireHost {
  readonly state: SchedulerState;
  /** Asks `recipient` to fetch these keys from their holders. */
  gather(recipient: string, whoHas: WhoHas): Promise<GatherReply>;
  /** Sends the state's outbox soon. */
  touch(): void;
  /** Forgets a removed worker's connection, after sending it `close` when `close` is set. */
  detach(address: string, close: boolean): void;
  /** True once the scheduler shuts down (the retirement gives up). */
  isClosing(): boolean;
}

/** Options of retireWorkers. */
export interface RetireOptions {
  /** Send the retired workers `{ op: "close" }` (default true). */
  close?: boolean;
  /** Copy rounds before giving up on data that could not be moved (default 10). */
  maxRounds?: number;
}

/** The workers retired and the keys that were lost with them (no other worker could take them). */
export interface RetireResult {
  retired: string[];
  lost: string[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Retires the given workers (addresses not in the state are ignored). A worker that dies meanwhile is removed
 * the ordinary way and is not in `retired`. Data no other worker can take is lost, as when a worker dies;
 * it is named in `lost` and in the "retire-workers" event.
 */
export async function retireWorkers(host: RetireHost, addresses: readonly string[], opts: RetireOptions = {}): Promise<RetireResult> {
  const s = host.state;
  const chosen = [...new Set(addresses)].filter((a) => s.workers.has(a));
  if (chosen.length === 0) return { retired: [], lost: [] };
  for (const a of chosen) s.setWorkerRetiring(a, true);
  host.touch();
  const maxRounds = opts.maxRounds ?? 10;
  for (let round = 0; round < maxRounds && !host.isClosing(); round++) {
    const live = chosen.filter((a) => s.workers.has(a));
    const plan = planReplicas(s, live);
    if (plan.byRecipient.size === 0) break;
    let moved = 0;
    await Promise.all(
      [...plan.byRecipient].map(async ([recipient, whoHas]) => {
        try {
          const reply = await host.gather(recipient, whoHas);
          const keys = Object.keys(reply.nbytes);
          s.addKeys(recipient, keys, reply.nbytes);
          moved += keys.length;
          host.touch();
        } catch (e) {
          s.logEvent("retire-gather-failed", { recipient, keys: Object.keys(whoHas), error: (e as Error).message });
        }
      }),
    );
    // Nothing arrived (recipients failing): give them a moment before the next round.
    if (moved === 0) await sleep(Math.min(1000, 50 * 2 ** round));
  }
  // From here on everything is synchronous: no result can land on a retiring worker unnoticed.
  const live = chosen.map((a) => s.workers.get(a)).filter((ws): ws is WorkerState => ws !== undefined);
  const lost = uniqueKeys(new Set(live)).map((ts) => ts.key);
  const retired: string[] = [];
  for (const ws of live) {
    s.removeWorker(ws.address, "retired", { safe: true });
    host.detach(ws.address, opts.close !== false);
    retired.push(ws.address);
  }
  s.logEvent("retire-workers", { workers: retired, lost });
  host.touch();
  return { retired, lost };
}
