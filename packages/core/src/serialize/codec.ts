/**
 * The codec every boundary uses.
 *
 * - Binary (child processes, TCP): `encode`/`decode`, msgpack via msgpackr, after `toPortable`
 *   has turned class instances into tagged plain objects. Typed arrays travel as raw bytes.
 * - Structured (worker_threads): `toStructured`/`fromStructured`. Structured clone already
 *   carries typed arrays, Map, Set, Date, BigInt and -0, and shares SharedArrayBuffers, so
 *   only class instances need converting.
 *
 * Importing this module registers the built-in type extensions (and the Arrow placeholder;
 * call `loadOptionalExtensions()` to send Arrow tables).
 */
import { C1, Packr } from "msgpackr";
import { SerializationError } from "../errors.js";
// Placeholder first: findExtension tries the newest registration first, and graph nodes are
// far more frequent than tables.
import "./optional-extensions.js";
import "./builtin-extensions.js";
import { fromPortable, toPortable, withOutOfBand, withOutOfBandSource, type PortableOptions } from "./portable.js";

export { loadOptionalExtensions } from "./optional-extensions.js";

/*
 * msgpackr options, each one load-bearing (see the tests):
 * - moreTypes: typed arrays as an extension holding their raw bytes and element type. Without
 *   it msgpackr 2.1.3 silently writes corrupt bytes for Float64Array and friends. It also gives
 *   Set, RegExp, Error, ArrayBuffer, DataView, and BigInt beyond 64 bits.
 * - useRecords (the default, kept): plain objects as records, so Maps can stay msgpack maps and
 *   decode as Maps (mapsAsObjects is then off). Records also define each object shape once per
 *   message: batches of similar task messages encode to about half the size and decode ~2x
 *   faster. Each message carries its own record definitions, so any process can decode it.
 * - copyBuffers: a decoded Uint8Array owns its memory instead of viewing the input. Decoded
 *   values then never alias (or keep alive) a frame or socket chunk; other typed arrays are
 *   always copied by msgpackr anyway, to align them.
 */
const packr = new Packr({ moreTypes: true, copyBuffers: true });

const BINARY: PortableOptions = { binary: true };

/**
 * Encodes a value to bytes for another process or machine. The result may be a view of a
 * larger buffer that msgpackr reuses for later messages' *free* space: it stays valid, but
 * copy it if you keep it for long (it keeps that buffer alive).
 */
export function encode(value: unknown): Uint8Array {
  const portable = toPortable(value, BINARY);
  try {
    return packr.pack(portable);
  } catch (e) {
    throw new SerializationError(`Could not encode the value: ${(e as Error)?.message ?? e}`, { cause: e });
  }
}

/** Decodes bytes made by `encode` (in any process) back into the value. */
export function decode(bytes: Uint8Array): unknown {
  let portable: unknown;
  try {
    portable = packr.unpack(bytes);
    // msgpackr reads the reserved byte 0xc1 as a marker object instead of failing.
    if (portable === C1) throw new Error("the message is the reserved byte 0xc1");
  } catch (e) {
    throw new SerializationError(
      `Could not decode a message of ${bytes.byteLength} bytes: ${(e as Error)?.message ?? e}. ` +
        `The bytes are corrupt, truncated, or were not made by dask-ts encode().`,
      { cause: e },
    );
  }
  return fromPortable(portable);
}

/**
 * Encodes a value as parts for a framed transport: parts[0] is the message body, the other parts are the
 * bytes of typed arrays of at least `minBytes`, left out of the body so they are never copied into it (send
 * each as its own frame). Parts view the value's memory: send them before changing it.
 */
export function encodeParts(value: unknown, minBytes = 64 * 1024): Uint8Array[] {
  const parts: Uint8Array[] = [new Uint8Array(0)];
  parts[0] = withOutOfBand(parts, minBytes, () => encode(value));
  return parts;
}

/** Decodes parts made by `encodeParts`; typed arrays view the parts' memory (aligned parts are not copied). */
export function decodeParts(parts: readonly Uint8Array[]): unknown {
  return withOutOfBandSource(parts, () => decode(parts[0]!));
}

/** Prepares a value for `postMessage` to a worker thread (class instances become tagged data). */
export function toStructured(value: unknown): unknown {
  return toPortable(value);
}

/** Reverses `toStructured` on a value received from `postMessage`. */
export function fromStructured(value: unknown): unknown {
  return fromPortable(value);
}
