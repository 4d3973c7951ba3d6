/**
 * Portable form: values with every class instance replaced by a tagged plain object.
 *
 * Both transports (structured clone between threads, msgpack between processes and machines)
 * carry plain data, typed arrays, Map, Set, Date and BigInt well, and class instances badly:
 * structured clone drops their prototype, msgpack writes their fields as a plain object. So
 * before a value leaves, every instance that has a type extension becomes
 * `{ "~dt": name, v: encoded }`, and on arrival `fromPortable` turns the tags back into
 * instances. An instance with no extension is an error, never silently flattened.
 *
 * This runs on every task message, so both directions are copy-on-write: a container is only
 * copied when something inside it changes, and plain data comes back as the very same object
 * without allocating. Typed arrays and buffers are never descended into.
 */
import { SerializationError } from "../errors.js";
import { findExtension, getExtension, type TypeExtension } from "./extensions.js";

/** The key that marks a tagged object (written as a literal key where objects are built: faster literals). */
export const TAG = "~dt";

// Tags the serializer uses itself; extension names cannot start with "~", so they never clash.
/** A plain object that has a "~dt" (or "__proto__") key of its own: its entries, flattened. */
const ESCAPED = "~obj";
/** Negative zero: msgpackr writes -0 as the integer 0. */
const NEG_ZERO = "~-0";
/** A bare SharedArrayBuffer: msgpackr writes it as an empty object. */
const SHARED_BUFFER = "~sab";
/** A large typed array sent as a separate frame (see `withOutOfBand`): v = [frame index, view type]. */
const OUT_OF_BAND = "~oob";

/**
 * Out-of-band buffers of the encode/decode in progress (one at a time: both are synchronous).
 * Encoding: large views go to `oobSink` instead of into the message body. Decoding: tags read `oobSource`.
 */
let oobSink: Uint8Array[] | undefined;
let oobMin = Infinity;
let oobSource: readonly Uint8Array[] | undefined;

/** Runs `fn` (an encode) with views of at least `minBytes` collected into `sink` instead of inlined. */
export function withOutOfBand<T>(sink: Uint8Array[], minBytes: number, fn: () => T): T {
  const [s, m] = [oobSink, oobMin];
  oobSink = sink;
  oobMin = minBytes;
  try {
    return fn();
  } finally {
    oobSink = s;
    oobMin = m;
  }
}

/** Runs `fn` (a decode) with out-of-band tags resolved against `buffers`. */
export function withOutOfBandSource<T>(buffers: readonly Uint8Array[], fn: () => T): T {
  const s = oobSource;
  oobSource = buffers;
  try {
    return fn();
  } finally {
    oobSource = s;
  }
}

const VIEW_TYPES: Record<string, new (b: ArrayBufferLike, o: number, l: number) => ArrayBufferView> = {
  Uint8Array, Int8Array, Uint8ClampedArray, Uint16Array, Int16Array, Uint32Array, Int32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array, DataView: DataView as never,
};

function toOutOfBand(v: ArrayBufferView): unknown {
  const base = toBinaryView(v) as ArrayBufferView;
  const name = base instanceof Uint8Array ? "Uint8Array" : base.constructor.name; // Buffer too
  oobSink!.push(new Uint8Array(base.buffer, base.byteOffset, base.byteLength));
  return { "~dt": OUT_OF_BAND, v: [oobSink!.length - 1, name] };
}

function fromOutOfBand(v: unknown): unknown {
  const [i, name] = v as [number, string];
  const bytes = oobSource?.[i];
  const View = VIEW_TYPES[name];
  if (!bytes || !View) throw new Unportable(`An out-of-band buffer (#${i}, ${name}) is missing from the message.`);
  const size = View === DataView ? 1 : (View as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
  // A frame that arrived inside a larger chunk may be misaligned for its element type: copy only then.
  const b = bytes.byteOffset % size === 0 ? bytes : bytes.slice();
  return new View(b.buffer, b.byteOffset, View === DataView ? b.byteLength : b.byteLength / size);
}

const NEG_ZERO_TAGGED = Object.freeze({ "~dt": NEG_ZERO, v: 0 });

/** Options of `toPortable`. */
export interface PortableOptions {
  /**
   * Also tag what msgpack cannot carry exactly: -0, bare SharedArrayBuffers, own `__proto__`
   * keys, and subclasses of Array, Map and typed arrays (written as their base class).
   * Off for structured clone, which carries all of these natively.
   */
  binary?: boolean;
}

const hasOwn = Object.hasOwn;
const getProto = Object.getPrototypeOf;
const ObjectProto = Object.prototype;
const ArrayProto = Array.prototype;

/**
 * Converts every class instance with a type extension inside `value` (arrays, plain objects,
 * Map keys and values, Set members, and recursively inside encoded values) into tagged plain
 * objects. Returns `value` itself when nothing needs converting.
 * Throws a SerializationError naming the class (and where it was found) for an instance that
 * no extension handles, and for functions and symbols.
 */
export function toPortable(value: unknown, options?: PortableOptions): unknown {
  const binary = options?.binary === true;
  try {
    return typeof value === "object" && value !== null ? toObject(value, binary) : toPrimitive(value, binary);
  } catch (e) {
    throw toSerializationError(e, "send");
  }
}

/**
 * Reverses `toPortable`: turns tagged objects back into instances (inner values first, so an
 * extension's `decode` receives real instances). Returns `value` itself when it holds no tags.
 * Throws a SerializationError when a tag names an extension that is not registered here.
 */
export function fromPortable(value: unknown): unknown {
  try {
    return typeof value === "object" && value !== null ? fromObject(value) : value;
  } catch (e) {
    throw toSerializationError(e, "receive");
  }
}

/** A part of an encoded value that is replaced by a description if it cannot be converted. */
class OrDescribe {
  constructor(readonly value: unknown) {}
}

/**
 * For type extensions whose value must always arrive (error reports): marks a part of the
 * encoded value so that, if it cannot be converted (unknown class, function, cycle), it is
 * replaced by a string saying why instead of failing the whole conversion. Only meaningful
 * inside a value returned by an extension's `encode`.
 */
export function orDescribe(value: unknown): unknown {
  return (typeof value === "object" && value !== null) || typeof value === "function" || typeof value === "symbol"
    ? new OrDescribe(value)
    : value;
}

// ---------------------------------------------------------------------------------------------
// Errors: an internal error collects the path to the offending value while the stack unwinds
// (no bookkeeping on the happy path), and the entry points turn it into a SerializationError.

class Unportable extends Error {
  readonly path: string[] = [];
  /** Set when the value is an instance that contains itself: orDescribe then says so briefly. */
  circular: string | undefined;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

function withPath(e: unknown, segment: string): unknown {
  if (e instanceof Unportable) e.path.push(segment);
  return e;
}

function toSerializationError(e: unknown, verb: "send" | "receive"): unknown {
  if (e instanceof Unportable) {
    const where = e.path.length ? ` (at value${e.path.reverse().join("")})` : "";
    return new SerializationError(`${e.message}${where}`, e.cause === undefined ? undefined : { cause: e.cause });
  }
  if (e instanceof RangeError && /call stack/i.test(e.message)) {
    return new SerializationError(
      `Cannot ${verb} this value: it contains a cycle (an object that refers to itself) or is nested too deeply. ` +
        `Only trees of data can cross a thread, process or machine boundary; break the cycle or flatten the value.`,
      { cause: e },
    );
  }
  return e;
}

function keySegment(k: unknown): string {
  if (typeof k === "string") return /^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
  if (typeof k === "number") return `[${k}]`;
  return `[${typeof k === "object" && k !== null ? className(k) : String(k)}]`;
}

function keyLabel(k: unknown): string {
  if (typeof k === "string") return JSON.stringify(k);
  if (typeof k === "object" && k !== null) return `<${className(k)}>`;
  return typeof k === "bigint" ? `${k}n` : String(k);
}

function className(v: object): string {
  const ctor = (v as { constructor?: { name?: unknown } }).constructor;
  const name = typeof ctor === "function" && typeof ctor.name === "string" ? ctor.name : "";
  return name || Object.prototype.toString.call(v).slice(8, -1);
}

function unknownClass(v: object): Unportable {
  const name = className(v);
  return new Unportable(
    `Cannot serialize an instance of class '${name}': no type extension is registered for it, and its prototype ` +
      `would be lost on the way to another thread, process or machine. Register one with ` +
      `registerTypeExtension({ name: "${name}", test, encode, decode }) from "@dask-ts/core/serialize/extensions" ` +
      `in every process, or convert the value to plain data (objects, arrays, typed arrays, Map, Set, Date) first.`,
  );
}

// ---------------------------------------------------------------------------------------------
// toPortable

function toPrimitive(v: unknown, binary: boolean): unknown {
  switch (typeof v) {
    case "number":
      return binary && v === 0 && 1 / v < 0 ? NEG_ZERO_TAGGED : v;
    case "function":
      throw new Unportable(
        `Cannot serialize function '${(v as { name?: string }).name || "anonymous"}' as data. Functions travel only ` +
          `as the function of a task: pass it to delayed()/map() so it becomes a function reference, or export it ` +
          `from a module and pass fromModule(import.meta.url, "name").`,
      );
    case "symbol":
      throw new Unportable(`Cannot serialize ${String(v)}: symbols are unique to one process. Use a string instead.`);
    default:
      return v;
  }
}

/** True when `y` replaces `x` (NaN stays NaN without counting as a change). */
function changed(y: unknown, x: unknown): boolean {
  return y !== x && (y === y || x === x);
}

function toAny(x: unknown, binary: boolean): unknown {
  return typeof x === "object" && x !== null ? toObject(x, binary) : toPrimitive(x, binary);
}

function toObject(v: object, binary: boolean): unknown {
  if (Array.isArray(v)) return toArray(v, binary);
  const proto = getProto(v) as unknown;
  if (proto === ObjectProto || proto === null) return toPlain(v as Record<string, unknown>, binary);
  // Typed arrays first: they are the bulk of the data and no extension handles them.
  if (ArrayBuffer.isView(v)) return binary ? (oobSink !== undefined && v.byteLength >= oobMin ? toOutOfBand(v) : toBinaryView(v)) : v;
  // Exact built-ins before the extension lookup (cheap, and nothing to find for them); their
  // subclasses go through the lookup first, so a package can give one an extension.
  const ctor = (v as { constructor?: unknown }).constructor;
  if (ctor === Map) return toMap(v as Map<unknown, unknown>, binary);
  if (ctor === Set) return toSet(v as Set<unknown>, binary);
  if (ctor === Date || ctor === RegExp || ctor === ArrayBuffer) return v;
  if (v instanceof OrDescribe) return toOrDescribe(v.value, binary);
  const ext = findExtension(v);
  if (ext !== undefined) return toTagged(ext, v, binary);
  if (v instanceof Map) return toMap(v, binary);
  if (v instanceof Set) return toSet(v, binary);
  if (v instanceof Date || v instanceof RegExp || v instanceof ArrayBuffer) return v;
  if (typeof SharedArrayBuffer === "function" && v instanceof SharedArrayBuffer) {
    return binary ? { "~dt": SHARED_BUFFER, v: new Uint8Array(v) } : v;
  }
  if (isForeignPlainObject(proto)) return toPlain(v as Record<string, unknown>, binary);
  throw unknownClass(v);
}

/** A plain object made in another realm (vm context): its prototype is that realm's Object.prototype. */
function isForeignPlainObject(proto: unknown): boolean {
  if (proto === null || typeof proto !== "object" || getProto(proto) !== null) return false;
  const ctor = (proto as { constructor?: unknown }).constructor;
  return typeof ctor === "function" && ctor.name === "Object";
}

// The extension-handled instances being converted right now, outermost first. Instances
// (errors above all: cause chains, properties that point back) can form cycles that plain data
// cannot; without this, converting one would recurse until the stack overflows. A stack, not a
// Set: it is only a few entries deep, and push/pop allocates nothing.
const converting: object[] = [];

function toTagged(ext: TypeExtension, v: object, binary: boolean): unknown {
  for (let i = 0; i < converting.length; i++) {
    if (converting[i] === v) {
      const e = new Unportable(
        `Cannot serialize an instance of '${className(v)}' that contains itself (a cycle). ` +
          `Only trees of data can cross a thread, process or machine boundary; break the cycle first.`,
      );
      e.circular = className(v);
      throw e;
    }
  }
  converting.push(v);
  try {
    let encoded: unknown;
    try {
      encoded = ext.encode(v);
    } catch (e) {
      if (e instanceof Unportable) throw e;
      if (e instanceof SerializationError) throw new Unportable(e.message, { cause: e.cause });
      throw new Unportable(
        `Type extension '${ext.name}' failed to encode an instance of '${className(v)}': ${(e as Error)?.message ?? e}`,
        { cause: e },
      );
    }
    try {
      return { "~dt": ext.name, v: toAny(encoded, binary) };
    } catch (e) {
      throw withPath(e, `<${ext.name}>`);
    }
  } finally {
    converting.pop();
  }
}

function toOrDescribe(v: unknown, binary: boolean): unknown {
  try {
    return toAny(v, binary);
  } catch (e) {
    if (e instanceof Unportable && e.circular !== undefined && e.path.length === 0) return `[circular ${e.circular}]`;
    const s = toSerializationError(e, "send");
    const why = s instanceof Error ? s.message : String(s);
    return `[not sendable: ${why.length > 200 ? `${why.slice(0, 197)}...` : why}]`;
  }
}

function toArray(arr: unknown[], binary: boolean): unknown[] {
  // msgpackr writes only exact Arrays as arrays; a subclass becomes a plain array.
  let out: unknown[] | undefined = binary && getProto(arr) !== ArrayProto ? copyArray(arr, arr.length) : undefined;
  let i = 0;
  try {
    for (; i < arr.length; i++) {
      const x = arr[i];
      const y = typeof x === "object" && x !== null ? toObject(x, binary) : toPrimitive(x, binary);
      if (changed(y, x)) {
        out ??= copyArray(arr, i);
        out[i] = y;
      } else if (out !== undefined) out[i] = x;
    }
  } catch (e) {
    throw withPath(e, `[${i}]`);
  }
  return out ?? arr;
}

/** A new plain array of length `arr.length` holding the first `n` elements (not via species). */
function copyArray(arr: readonly unknown[], n: number): unknown[] {
  const out = new Array<unknown>(arr.length);
  for (let j = 0; j < n; j++) out[j] = arr[j];
  return out;
}

function toPlain(obj: Record<string, unknown>, binary: boolean): unknown {
  if (hasOwn(obj, TAG) || (binary && hasOwn(obj, "__proto__"))) return toEscaped(obj, binary);
  let out: Record<string, unknown> | undefined;
  let key = "";
  try {
    for (const k in obj) {
      key = k;
      const x = obj[k];
      const y = typeof x === "object" && x !== null ? toObject(x, binary) : toPrimitive(x, binary);
      if (changed(y, x)) {
        out ??= { ...obj };
        out[k] = y;
      }
    }
  } catch (e) {
    throw withPath(e, keySegment(key));
  }
  return out ?? obj;
}

/** A plain object whose own keys would be misread on arrival: sent as flattened entries. */
function toEscaped(obj: Record<string, unknown>, binary: boolean): unknown {
  const entries: unknown[] = [];
  for (const k of Object.keys(obj)) {
    try {
      entries.push(k, toAny(obj[k], binary));
    } catch (e) {
      throw withPath(e, keySegment(k));
    }
  }
  return { "~dt": ESCAPED, v: entries };
}

const NATIVE_VIEWS = new Set<unknown>([
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array, DataView,
  ...(typeof Buffer === "function" ? [Buffer] : []),
]);

/** msgpackr picks the typed array kind by constructor name: a subclass is sent as its base class. */
function toBinaryView(v: ArrayBufferView): unknown {
  if (NATIVE_VIEWS.has(v.constructor)) return v;
  let p = getProto(v) as { constructor: unknown } | null;
  while (p !== null && !NATIVE_VIEWS.has(p.constructor)) p = getProto(p) as { constructor: unknown } | null;
  if (p === null) return v;
  const Base = p.constructor as new (b: ArrayBufferLike, o: number, l: number) => ArrayBufferView;
  if (Base === DataView) return new DataView(v.buffer, v.byteOffset, v.byteLength);
  const Typed = (Base === Buffer ? Uint8Array : Base) as typeof Uint8Array;
  return new Typed(v.buffer, v.byteOffset, v.byteLength / Typed.BYTES_PER_ELEMENT);
}

// Maps and Sets are walked with for-of, not forEach: a callback closure would allocate on
// every call, while V8 can optimize the iterators away.
function toMap(m: Map<unknown, unknown>, binary: boolean): unknown {
  // msgpackr writes only exact Maps as maps.
  let out: Map<unknown, unknown> | undefined = binary && m.constructor !== Map ? new Map() : undefined;
  let i = 0;
  for (const k of m.keys()) {
    const x = m.get(k);
    let k2: unknown, x2: unknown;
    try {
      k2 = toAny(k, binary);
    } catch (e) {
      throw withPath(e, `<Map key ${i}>`);
    }
    try {
      x2 = toAny(x, binary);
    } catch (e) {
      throw withPath(e, `.get(${keyLabel(k)})`);
    }
    if (out === undefined && (changed(k2, k) || changed(x2, x))) out = copyMap(m, i);
    if (out !== undefined) out.set(k2, x2);
    i++;
  }
  return out ?? m;
}

/** A new Map holding the first `n` entries of `m`. */
function copyMap(m: Map<unknown, unknown>, n: number): Map<unknown, unknown> {
  const out = new Map<unknown, unknown>();
  let j = 0;
  for (const [a, b] of m) {
    if (j++ === n) break;
    out.set(a, b);
  }
  return out;
}

/** A new Set holding the first `n` members of `s`. */
function copySet(s: Set<unknown>, n: number): Set<unknown> {
  const out = new Set<unknown>();
  let j = 0;
  for (const a of s) {
    if (j++ === n) break;
    out.add(a);
  }
  return out;
}

function toSet(s: Set<unknown>, binary: boolean): unknown {
  let out: Set<unknown> | undefined;
  let i = 0;
  for (const x of s) {
    let y: unknown;
    try {
      y = toAny(x, binary);
    } catch (e) {
      throw withPath(e, `<Set member ${i}>`);
    }
    if (out === undefined && changed(y, x)) out = copySet(s, i);
    if (out !== undefined) out.add(y);
    i++;
  }
  return out ?? s;
}

// ---------------------------------------------------------------------------------------------
// fromPortable

function fromAny(x: unknown): unknown {
  return typeof x === "object" && x !== null ? fromObject(x) : x;
}

function fromObject(v: object): unknown {
  if (Array.isArray(v)) return fromArray(v);
  const proto = getProto(v) as unknown;
  if (proto === ObjectProto || proto === null) {
    return hasOwn(v, TAG) ? fromTagged(v as Record<string, unknown>) : fromPlain(v as Record<string, unknown>);
  }
  if (v instanceof Map) return fromMap(v);
  if (v instanceof Set) return fromSet(v);
  return v;
}

function fromArray(arr: unknown[]): unknown[] {
  let out: unknown[] | undefined;
  let i = 0;
  try {
    for (; i < arr.length; i++) {
      const x = arr[i];
      if (typeof x !== "object" || x === null) continue;
      const y = fromObject(x);
      if (y !== x) {
        out ??= copyArray(arr, arr.length);
        out[i] = y;
      }
    }
  } catch (e) {
    throw withPath(e, `[${i}]`);
  }
  return out ?? arr;
}

function fromPlain(obj: Record<string, unknown>): unknown {
  let out: Record<string, unknown> | undefined;
  let key = "";
  try {
    for (const k in obj) {
      key = k;
      const x = obj[k];
      if (typeof x !== "object" || x === null) continue;
      const y = fromObject(x);
      if (y !== x) {
        out ??= { ...obj };
        out[k] = y;
      }
    }
  } catch (e) {
    throw withPath(e, keySegment(key));
  }
  return out ?? obj;
}

function fromTagged(t: Record<string, unknown>): unknown {
  const name = t[TAG];
  switch (name) {
    case ESCAPED:
      return fromEscaped(t.v);
    case NEG_ZERO:
      return -0;
    case OUT_OF_BAND:
      return fromOutOfBand(t.v);
    case SHARED_BUFFER: {
      const bytes = t.v as Uint8Array;
      const sab = new SharedArrayBuffer(bytes.byteLength);
      new Uint8Array(sab).set(bytes);
      return sab;
    }
  }
  const ext = typeof name === "string" ? getExtension(name) : undefined;
  if (ext === undefined) {
    throw new Unportable(
      `Received a value of type '${String(name)}', but no type extension of that name is registered in this process. ` +
        `Import the package that registers it (every process must register the same extensions) before decoding.`,
    );
  }
  let inner: unknown;
  try {
    inner = fromAny(t.v);
  } catch (e) {
    throw withPath(e, `<${ext.name}>`);
  }
  try {
    return ext.decode(inner);
  } catch (e) {
    if (e instanceof Unportable) throw e;
    if (e instanceof SerializationError) throw new Unportable(e.message, { cause: e.cause });
    throw new Unportable(`Type extension '${ext.name}' failed to decode a value: ${(e as Error)?.message ?? e}`, {
      cause: e,
    });
  }
}

function fromEscaped(entries: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const list = entries as unknown[];
  for (let i = 0; i + 1 < list.length; i += 2) {
    const k = String(list[i]);
    let value: unknown;
    try {
      value = fromAny(list[i + 1]);
    } catch (e) {
      throw withPath(e, keySegment(k));
    }
    // defineProperty keeps an own "__proto__" key a key instead of setting the prototype.
    if (k === "__proto__") Object.defineProperty(out, k, { value, enumerable: true, writable: true, configurable: true });
    else out[k] = value;
  }
  return out;
}

function fromMap(m: Map<unknown, unknown>): unknown {
  let out: Map<unknown, unknown> | undefined;
  let i = 0;
  for (const k of m.keys()) {
    const x = m.get(k);
    let k2: unknown, x2: unknown;
    try {
      k2 = fromAny(k);
      x2 = fromAny(x);
    } catch (e) {
      throw withPath(e, `<Map entry ${i}>`);
    }
    if (out === undefined && (changed(k2, k) || changed(x2, x))) out = copyMap(m, i);
    if (out !== undefined) out.set(k2, x2);
    i++;
  }
  return out ?? m;
}

function fromSet(s: Set<unknown>): unknown {
  let out: Set<unknown> | undefined;
  let i = 0;
  for (const x of s) {
    let y: unknown;
    try {
      y = fromAny(x);
    } catch (e) {
      throw withPath(e, `<Set member ${i}>`);
    }
    if (out === undefined && changed(y, x)) out = copySet(s, i);
    if (out !== undefined) out.add(y);
    i++;
  }
  return out ?? s;
}
