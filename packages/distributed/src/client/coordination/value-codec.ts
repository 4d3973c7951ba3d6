/**
 * Values of Queues and Variables: encoded on the client (core encode, with the futures inside as their keys, as
 * published datasets are), stored as bytes by the scheduler, and decoded by the getter with the futures bound to it.
 */
import type { Client } from "../client.js";
import { decodeDataset, encodeDataset } from "../dataset-codec.js";
import { bindKeys } from "./client-link.js";

/** The bytes and future keys of a value (a Future, plain data, or structures holding futures). */
export function encodeValue(what: string, value: unknown): { data: Uint8Array; keys: string[] } {
  return encodeDataset(what, value);
}

/** Decodes a value; its futures become Futures of `client`. Each key is bound once per value. */
export function decodeValue(client: Client, item: { data: Uint8Array; keys: string[] }): unknown {
  const futures = bindKeys(client, item.keys);
  const used = new Set<string>();
  const value = decodeDataset(item.data, (key) => {
    const f = futures.get(key);
    if (f !== undefined && !used.has(key)) {
      used.add(key);
      return f;
    }
    // A key appearing twice gets a second Future of its own (each Future holds one reference).
    return bindKeys(client, [key]).get(key)!;
  });
  // Keys listed but not found in the structure: drop the spare references again.
  for (const [k, f] of futures) if (!used.has(k)) f.release();
  return value;
}
