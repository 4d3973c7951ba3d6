/**
 * Published datasets: a structure of futures and persisted collections, stored on the scheduler as bytes.
 * Futures travel as their keys; a collection travels as its output keys plus a template id. The template (the
 * collection object, which the codec cannot serialize) is kept in this process, so getDataset rebuilds the same
 * collection kind here; in another process it returns the futures nested like the collection's keys.
 */
import {
  InvalidArgumentError,
  Literal,
  decode,
  encode,
  flattenKeys,
  isDaskCollection,
  registerTypeExtension,
  tokenize,
  type DaskCollection,
  type NestedKeys,
} from "@dask-ts/core";
import { Future } from "./future.js";
import { DESCEND, mapNested } from "./walk-futures.js";
import { copyBytes } from "./graph-submit.js";

/** A future's key inside an encoded dataset. */
class FutureKey {
  constructor(readonly key: string) {}
}

/** A persisted collection inside an encoded dataset. */
class CollectionRef {
  constructor(
    readonly template: string,
    readonly keys: NestedKeys,
  ) {}
}

registerTypeExtension<FutureKey, string>({
  name: "distributed.FutureKey",
  test: (v): v is FutureKey => v instanceof FutureKey,
  encode: (v) => v.key,
  decode: (k) => new FutureKey(k),
});

registerTypeExtension<CollectionRef, [string, NestedKeys]>({
  name: "distributed.CollectionRef",
  test: (v): v is CollectionRef => v instanceof CollectionRef,
  encode: (v) => [v.template, v.keys],
  decode: ([t, k]) => new CollectionRef(t, k),
});

// Collections published from this process, by template id (bounded: oldest dropped first).
const templates = new Map<string, DaskCollection>();
const TEMPLATE_LIMIT = 1000;

/** The bytes to publish and the keys the scheduler must keep alive. Collections must be persisted (backed by futures). */
export function encodeDataset(name: string, value: unknown): { keys: string[]; data: Uint8Array } {
  const keys = new Set<string>();
  const leaf = (v: unknown): unknown => {
    if (v instanceof Future) {
      keys.add(v.key);
      return new FutureKey(v.key);
    }
    if (isDaskCollection(v)) {
      const graph = v.daskGraph().materialize();
      const out = v.daskKeys();
      for (const k of flattenKeys(out)) {
        const node = graph.get(k);
        if (!(node instanceof Literal && node.value instanceof Future && node.value.key === k)) {
          throw new InvalidArgumentError(
            `publishDataset('${name}'): the collection is not backed by futures (key '${k}' is not persisted). ` +
              `Persist it first: client.publishDataset('${name}', client.persist(collection)).`,
          );
        }
        keys.add(k);
      }
      const id = `${v.constructor?.name ?? "collection"}-${tokenize(v.daskToken(), out)}`;
      if (templates.size >= TEMPLATE_LIMIT && !templates.has(id)) templates.delete(templates.keys().next().value!);
      templates.set(id, v);
      return new CollectionRef(id, out);
    }
    return DESCEND;
  };
  const structure = mapNested(value, leaf);
  return { keys: [...keys], data: copyBytes(encode(structure)) };
}

/** Rebuilds a published structure; `bind(key)` makes this client's Future of a key. */
export function decodeDataset(data: Uint8Array, bind: (key: string) => Future): unknown {
  const leaf = (v: unknown): unknown => {
    if (v instanceof FutureKey) return bind(v.key);
    if (v instanceof CollectionRef) {
      const futures = new Map<string, Future>();
      for (const k of flattenKeys(v.keys)) futures.set(k, bind(k));
      const template = templates.get(v.template);
      if (template) return template.daskPostpersist(futures);
      const nest = (k: NestedKeys): unknown => (typeof k === "string" ? futures.get(k) : k.map(nest));
      return nest(v.keys);
    }
    return DESCEND;
  };
  return mapNested(decode(data), leaf);
}
