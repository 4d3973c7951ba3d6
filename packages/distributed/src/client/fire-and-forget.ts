/** fireAndForget(): run tasks to completion even when no future of them is kept (Dask's fire_and_forget). */
import type { Client } from "./client.js";
import { futuresOf } from "./walk-futures.js";

/** Tells each future's scheduler to keep its key wanted until the task has finished, whatever the client does. */
export function fireAndForget(futures: unknown): void {
  const byClient = new Map<Client, string[]>();
  for (const f of futuresOf(futures)) {
    let keys = byClient.get(f.client);
    if (!keys) byClient.set(f.client, (keys = []));
    keys.push(f.key);
  }
  for (const [client, keys] of byClient) client._fireAndForget(keys);
}
