import { describe, expect, it } from "vitest";
import { MessageChannel } from "node:worker_threads";
import ndarray from "ndarray";
import { decode, encode, fromStructured, loadOptionalExtensions, toStructured } from "@dask-ts/core/serialize/codec";
import { findExtension, getExtension, registerTypeExtension } from "@dask-ts/core/serialize/extensions";
import { fromPortable, toPortable } from "@dask-ts/core/serialize/portable";
import { Literal, Task, TaskRef } from "@dask-ts/core/graph/task";
import { FnRef } from "@dask-ts/core/fn/fnref";
import { DaskError, SerializationError } from "@dask-ts/core/errors";

/** Through msgpack (child processes, TCP). */
const viaBytes = (v: unknown): unknown => decode(encode(v));
/** Through structured clone, as postMessage does (worker threads). */
const viaClone = (v: unknown): unknown => fromStructured(structuredClone(toStructured(v)));
const paths = [
  ["bytes", viaBytes],
  ["structured", viaClone],
] as const;

/** A real postMessage through a MessageChannel. */
async function viaPort(v: unknown, transfer: ArrayBuffer[] = []): Promise<unknown> {
  const { port1, port2 } = new MessageChannel();
  try {
    const got = new Promise<unknown>((resolve) => port2.once("message", resolve));
    port1.postMessage(toStructured(v), transfer);
    return fromStructured(await got);
  } finally {
    port1.close();
    port2.close();
  }
}

function expectThrowsSerialization(f: () => unknown, ...fragments: (string | RegExp)[]): SerializationError {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(SerializationError);
  const err = caught as SerializationError;
  for (const f of fragments) expect(err.message).toMatch(f);
  return err;
}

const TYPED = [
  Int8Array.from([0, 1, -1, 127, -128]),
  Uint8Array.from([0, 1, 254, 255]),
  Uint8ClampedArray.from([0, 128, 255]),
  Int16Array.from([0, -32768, 32767, 1234]),
  Uint16Array.from([0, 65535, 4321]),
  Int32Array.from([0, -(2 ** 31), 2 ** 31 - 1, 7]),
  Uint32Array.from([0, 2 ** 32 - 1, 99]),
  Float32Array.from([0, -0, 1.5, -3.25, NaN, Infinity, -Infinity, 3.4e38]),
  Float64Array.from([0, -0, Math.PI, -1e-300, NaN, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE]),
  BigInt64Array.from([0n, -1n, 2n ** 63n - 1n, -(2n ** 63n)]),
  BigUint64Array.from([0n, 1n, 2n ** 64n - 1n]),
];

/** A copy of `a` as a view at a non-zero offset into a larger (optionally shared) buffer filled with garbage. */
function offsetView<T extends ArrayBufferView & { length: number }>(a: T, shared = false): T {
  const C = a.constructor as unknown as {
    new (b: ArrayBufferLike, o: number, n: number): T;
    BYTES_PER_ELEMENT: number;
  };
  const pad = 3 * C.BYTES_PER_ELEMENT;
  const buf = shared ? new SharedArrayBuffer(a.byteLength + 2 * pad) : new ArrayBuffer(a.byteLength + 2 * pad);
  new Uint8Array(buf).fill(0xab); // garbage around the view must not leak in
  const v = new C(buf, pad, a.length);
  new Uint8Array(buf, pad, a.byteLength).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return v;
}

describe("serialize: plain values", () => {
  const primitives: unknown[] = [
    undefined, null, true, false, 0, -0, 1, -1, 127, 128, 255, 256, 65535, 65536, 2 ** 31, -(2 ** 31) - 1,
    2 ** 32, 2 ** 53, -(2 ** 53), 0.1, -1.5, 1e300, 5e-324, NaN, Infinity, -Infinity,
    "", "ascii", "héllo wörld", "日本語テキスト", "emoji 😀👍🏽 and 𝄞", "\u0000nul\u0000", "x".repeat(100_000),
    0n, 1n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n, 2n ** 64n, -(2n ** 64n) - 1n, 2n ** 200n + 12345n, -(2n ** 130n),
  ];
  for (const [name, rt] of paths) {
    it(`round-trips primitives exactly (${name})`, () => {
      for (const v of primitives) {
        const got = rt(v);
        expect(Object.is(got, v), `${String(v).slice(0, 40)} (${typeof v})`).toBe(true);
      }
      // Inside containers too (-0 and NaN in arrays and objects).
      expect(rt(primitives)).toStrictEqual(primitives);
      expect(Object.is((rt([-0]) as number[])[0], -0)).toBe(true);
      expect(rt({ a: undefined, b: null })).toStrictEqual({ a: undefined, b: null });
    });

    it(`round-trips nested structures, Map, Set, Date, RegExp (${name})`, () => {
      const v = {
        list: [1, "two", [3, [4, [5]]], { six: 6 }, [], {}],
        map: new Map<unknown, unknown>([
          ["a", 1],
          [2, { b: new Map([["inner", new Set([1, 2])]]) }],
          [3n, null],
        ]),
        emptyMap: new Map(),
        set: new Set<unknown>([1, "x", 2n, null]),
        dates: [new Date(0), new Date(1_700_000_000_123), new Date(-1e12 + 7), new Date(8.64e15), new Date(NaN)],
        re: /a+b*\/c$/giu,
        deep: { a: { b: { c: { d: { e: [new Map([[1, new Set(["z"])]])] } } } } },
        big: 2n ** 100n,
        unicodeKey: { "ключ": "значение", "🔑": "🚪", "": "empty key" },
      };
      const got = rt(v) as typeof v;
      expect(got).toStrictEqual(v);
      expect(got.map).toBeInstanceOf(Map);
      expect(got.set).toBeInstanceOf(Set);
      expect(Number.isNaN(got.dates[4]!.getTime())).toBe(true);
      expect(got.re.flags).toBe("giu");
      // Plain objects stay plain objects (not Maps), empty or not.
      expect(Object.getPrototypeOf(got.list[3])).toBe(Object.prototype);
      expect(Object.getPrototypeOf(got.list[5])).toBe(Object.prototype);
      expect(got.emptyMap).toBeInstanceOf(Map);
    });

    it(`round-trips objects that look like tags or carry __proto__ keys (${name})`, () => {
      const tagLike = { "~dt": "Task", v: [1, 2] };
      const v = {
        tagLike,
        nested: [{ "~dt": "~obj", v: ["a", 1] }, { "~dt": undefined }],
        inTask: new Task(new FnRef({ kind: "kernel", name: "k" }), [{ "~dt": "TaskRef", v: "not-a-ref" }]),
        proto: JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as unknown,
      };
      const got = rt(v) as typeof v & { proto: Record<string, unknown> };
      expect(got.tagLike).toStrictEqual(tagLike);
      expect(got.nested).toStrictEqual(v.nested);
      expect((got.inTask.args[0] as object).constructor).toBe(Object);
      expect(got.inTask.args[0]).toStrictEqual({ "~dt": "TaskRef", v: "not-a-ref" });
      expect(Object.getPrototypeOf(got.proto)).toBe(Object.prototype);
      expect(Object.keys(got.proto)).toEqual(["__proto__", "ok"]);
      expect(Object.getOwnPropertyDescriptor(got.proto, "__proto__")?.value).toStrictEqual({ polluted: true });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  }

  it("round-trips through a real MessageChannel", async () => {
    const v = {
      task: new Task(new FnRef({ kind: "kernel", name: "array.sum" }), [new TaskRef("x"), -0, new Map([[1, 2n ** 70n]])]),
      err: new RangeError("out of range"),
      f64: offsetView(Float64Array.from([1, 2, 3])),
    };
    const got = (await viaPort(v)) as typeof v;
    expect(got.task).toBeInstanceOf(Task);
    expect(got.task.args[0]).toBeInstanceOf(TaskRef);
    expect(Object.is(got.task.args[1], -0)).toBe(true);
    expect(got.err).toBeInstanceOf(RangeError);
    expect(got.err.stack).toBe(v.err.stack);
    expect(Array.from(got.f64)).toEqual([1, 2, 3]);
  });

  it("encodes many distinct object shapes in one message (msgpackr records)", () => {
    const v = Array.from({ length: 300 }, (_, i) => ({ [`k${i}`]: i, [`j${i % 7}`]: [i], shared: { x: i } }));
    expect(viaBytes(v)).toStrictEqual(v);
    const many = Array.from({ length: 50 }, () => encode(v));
    for (const bytes of many) expect(decode(bytes)).toStrictEqual(v);
  });

  it("keeps earlier encoded bytes valid when encoding more", () => {
    const first = encode({ a: "first", n: [1, 2, 3] });
    const copy = Uint8Array.from(first);
    for (let i = 0; i < 2000; i++) encode({ i, s: "y".repeat(i % 50) });
    encode(new Float64Array(1 << 18));
    expect(Uint8Array.from(first)).toEqual(copy);
    expect(decode(first)).toStrictEqual({ a: "first", n: [1, 2, 3] });
  });

  it("rejects corrupt bytes with a SerializationError", () => {
    expectThrowsSerialization(() => decode(Uint8Array.from([0xc1])), /decode/);
    expectThrowsSerialization(() => decode(Uint8Array.from([0x01, 0x02])), /decode/); // trailing bytes
    expectThrowsSerialization(() => decode(new Uint8Array(0)), /decode/);
    const good = encode({ a: "x".repeat(100) });
    expectThrowsSerialization(() => decode(good.subarray(0, good.byteLength - 10)), /decode/);
  });
});

describe("serialize: typed arrays and buffers", () => {
  for (const [name, rt] of paths) {
    it(`round-trips every typed array kind, plain, offset views and shared (${name})`, () => {
      for (const a of TYPED) {
        for (const variant of [a, offsetView(a), offsetView(a, true)]) {
          const got = rt(variant) as typeof a;
          expect(got.constructor).toBe(a.constructor);
          expect(got.length).toBe(a.length);
          expect(Array.from(got as ArrayLike<unknown>)).toStrictEqual(Array.from(a as ArrayLike<unknown>));
          // Bit-exact (NaN payloads, -0).
          expect(new Uint8Array(got.buffer, got.byteOffset, got.byteLength)).toEqual(
            new Uint8Array(a.buffer, a.byteOffset, a.byteLength),
          );
        }
      }
    });

    it(`round-trips ArrayBuffer, SharedArrayBuffer, DataView, Buffer and empty arrays (${name})`, () => {
      const ab = Uint8Array.from([1, 2, 3]).buffer;
      const sab = new SharedArrayBuffer(4);
      new Uint8Array(sab).set([9, 8, 7, 6]);
      const dv = new DataView(Uint8Array.from([5, 6, 7, 8, 9]).buffer, 1, 3);
      const got = rt({ ab, sab, dv, buf: Buffer.from("hi ☃"), e64: new Float64Array(0), e8: new Uint8Array(0) }) as {
        ab: ArrayBuffer;
        sab: SharedArrayBuffer;
        dv: DataView;
        buf: Uint8Array;
        e64: Float64Array;
        e8: Uint8Array;
      };
      expect(got.ab).toBeInstanceOf(ArrayBuffer);
      expect(Array.from(new Uint8Array(got.ab))).toEqual([1, 2, 3]);
      expect(got.sab).toBeInstanceOf(SharedArrayBuffer);
      expect(Array.from(new Uint8Array(got.sab))).toEqual([9, 8, 7, 6]);
      expect(got.dv).toBeInstanceOf(DataView);
      expect([got.dv.getUint8(0), got.dv.getUint8(2), got.dv.byteLength]).toEqual([6, 8, 3]);
      expect(got.buf).toBeInstanceOf(Uint8Array); // Buffer arrives as (at least) a Uint8Array
      expect(Buffer.from(got.buf).toString()).toBe("hi ☃");
      expect(got.e64).toBeInstanceOf(Float64Array);
      expect(got.e64.length).toBe(0);
      expect(got.e8.length).toBe(0);
    });
  }

  it("writes typed arrays as raw bytes and decodes them into their own memory", () => {
    const big = new Float64Array(1_000_000).map((_, i) => i * 0.5);
    const bytes = encode({ big });
    expect(bytes.byteLength).toBeLessThan(big.byteLength + 64); // no per-element encoding, no base64
    const got = decode(bytes) as { big: Float64Array };
    expect(got.big).toBeInstanceOf(Float64Array);
    expect(Buffer.compare(new Uint8Array(got.big.buffer), new Uint8Array(big.buffer))).toBe(0);
    // Not a view of the message (which may be a socket chunk that is reused or kept alive).
    expect(got.big.buffer.byteLength).toBe(big.byteLength);
    const u8 = decode(encode(Uint8Array.from([1, 2, 3]))) as Uint8Array;
    expect(u8.buffer.byteLength).toBe(3);
  });

  it("shares SharedArrayBuffer memory on the structured path and copies nothing", () => {
    const sab = new SharedArrayBuffer(16);
    const a = new Int32Array(sab, 4, 2);
    const got = toStructured({ a }) as { a: Int32Array };
    expect(got.a).toBe(a); // not descended into, not copied
    const cloned = fromStructured(structuredClone(got)) as { a: Int32Array };
    cloned.a[0] = 42;
    expect(a[0]).toBe(42);
  });

  it("sends typed array subclasses and Array/Map subclasses as their base classes", () => {
    class MyF64 extends Float64Array {}
    class MyArr<T> extends Array<T> {}
    class MyMap<K, V> extends Map<K, V> {}
    const arr = new MyArr<number>();
    arr.push(1, 2);
    const got = viaBytes({ f: MyF64.from([1.5, 2.5]), arr, map: new MyMap([["k", 1]]) }) as Record<string, unknown>;
    expect(got.f).toStrictEqual(Float64Array.from([1.5, 2.5]));
    expect(got.arr).toStrictEqual([1, 2]);
    expect(got.map).toStrictEqual(new Map([["k", 1]]));
  });
});

describe("serialize: graph nodes", () => {
  const local = (x: number) => x + 1;
  const fn = new FnRef({ kind: "module", url: "file:///m.js", name: "inc" }, local);
  const inner = new Task(new FnRef({ kind: "kernel", name: "array.sum" }), [new TaskRef("a"), { axis: 0 }]);
  const task = new Task(fn, [
    1,
    new TaskRef('["x-1",0,1]'),
    inner,
    [new Task(new FnRef({ kind: "source", source: "(a) => a", hash: "h", name: "" }), [new Literal(new TaskRef("lit"))])],
    { nested: new Task(fn, []) },
  ]);

  for (const [name, rt] of paths) {
    it(`round-trips Task, TaskRef, Literal and FnRef, nested (${name})`, () => {
      const got = rt(task) as Task;
      expect(got).toBeInstanceOf(Task);
      expect(got.fn).toBeInstanceOf(FnRef);
      expect(got.fn.spec).toStrictEqual(fn.spec);
      expect(got.fn.id).toBe(fn.id);
      expect(got.fn.local).toBeUndefined(); // the function itself never travels
      expect(got.args[0]).toBe(1);
      expect(got.args[1]).toStrictEqual(new TaskRef('["x-1",0,1]'));
      const gotInner = got.args[2] as Task;
      expect(gotInner).toBeInstanceOf(Task);
      expect(gotInner.args[0]).toBeInstanceOf(TaskRef);
      expect(gotInner.args[1]).toStrictEqual({ axis: 0 });
      const lit = ((got.args[3] as Task[])[0]!.args[0]) as Literal;
      expect(lit).toBeInstanceOf(Literal);
      expect(lit.value).toBeInstanceOf(TaskRef);
      expect(((got.args[4] as { nested: Task }).nested).fn.spec).toStrictEqual(fn.spec);
      // The whole tree is structurally identical (FnRef.local is not enumerable).
      expect(got).toStrictEqual(task);
    });
  }

  it("does not send the local function of an FnRef", () => {
    const portable = toStructured(new Task(fn, [])) as Record<string, unknown>;
    expect(JSON.stringify(portable)).not.toContain("local");
    expect(() => structuredClone(portable)).not.toThrow();
  });
});

describe("serialize: errors", () => {
  class QuotaError extends Error {
    override name = "QuotaError";
    constructor(
      message: string,
      readonly code: string,
      readonly limit: number,
      options?: ErrorOptions,
    ) {
      super(message, options);
    }
  }

  for (const [name, rt] of paths) {
    it(`keeps name, message, stack, code, cause and own properties of a custom error (${name})`, () => {
      const root = new TypeError("bad type");
      const mid = Object.assign(new Error("mid level", { cause: root }), { code: "E_MID" });
      const err = new QuotaError("quota exceeded", "E_QUOTA", 10, { cause: mid });
      const got = rt(err) as Error & { code: string; limit: number; cause: Error & { code?: string; cause: Error } };
      expect(got).toBeInstanceOf(Error);
      expect(got.name).toBe("QuotaError");
      expect(got.message).toBe("quota exceeded");
      expect(got.stack).toBe(err.stack); // the remote stack, not this process's
      expect(got.stack).toContain("QuotaError: quota exceeded");
      expect(got.code).toBe("E_QUOTA");
      expect(got.limit).toBe(10);
      expect(got.cause).toBeInstanceOf(Error);
      expect(got.cause.message).toBe("mid level");
      expect(got.cause.code).toBe("E_MID");
      expect(got.cause.stack).toBe(mid.stack);
      expect(got.cause.cause).toBeInstanceOf(TypeError);
      expect(got.cause.cause.message).toBe("bad type");
      expect(String(got)).toBe("QuotaError: quota exceeded");
    });

    it(`rebuilds built-in error classes as themselves (${name})`, () => {
      for (const E of [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError]) {
        const e = new E("msg");
        const got = rt(e) as Error;
        expect(got.constructor).toBe(E);
        expect(got.name).toBe(E.name);
        expect(got.stack).toBe(e.stack);
      }
      const agg = new AggregateError([new TypeError("a"), "b"], "several");
      const got = rt(agg) as AggregateError;
      expect(got).toBeInstanceOf(AggregateError);
      expect(got.errors[0]).toBeInstanceOf(TypeError);
      expect(got.errors[1]).toBe("b");
      const de = new SerializationError("from dask");
      const gotDe = rt(de) as Error;
      expect(gotDe.name).toBe("SerializationError");
      // dask-ts's own error classes are registered with the codec: they arrive as themselves.
      expect(gotDe).toBeInstanceOf(SerializationError);
      expect(gotDe).toBeInstanceOf(DaskError);
      expect(gotDe.stack).toBe(de.stack);
      // Other classes are not sent: an Error with their name and stack arrives.
      class MyError extends Error {
        override name = "MyError";
      }
      const gotMine = rt(new MyError("mine")) as Error;
      expect(gotMine.name).toBe("MyError");
      expect(gotMine).not.toBeInstanceOf(MyError);
      expect(gotMine.message).toBe("mine");
    });

    it(`still sends an error whose cause or properties cannot be sent (${name})`, () => {
      const err = new Error("outer") as Error & { self?: unknown; handle?: unknown; fn?: unknown };
      err.self = err;
      err.handle = new (class Socketish {})();
      err.fn = () => 1;
      const loop1 = new Error("loop1");
      const loop2 = new Error("loop2", { cause: loop1 });
      (loop1 as { cause?: unknown }).cause = loop2;
      const got = rt({ err, loop1 }) as { err: Record<string, unknown>; loop1: Error & { cause: Error & { cause: unknown } } };
      expect(got.err.self).toMatch(/circular/);
      expect(got.err.handle).toMatch(/not sendable.*Socketish/);
      expect(got.err.fn).toMatch(/not sendable.*function/);
      expect(got.loop1.cause.message).toBe("loop2");
      expect(got.loop1.cause.cause).toMatch(/circular/);
    });
  }
});

describe("serialize: ndarray", () => {
  for (const [name, rt] of paths) {
    it(`round-trips ndarrays with shape, stride and offset (${name})`, () => {
      const base = ndarray(new Float64Array(24).map((_, i) => i), [4, 6]);
      const views = [
        base,
        base.transpose(1, 0),
        base.hi(3, 5).lo(1, 2), // offset view
        base.step(-1, 2), // negative stride
        ndarray(Int32Array.from([1, -2, 3, -4]), [2, 2]),
        ndarray(new Uint8Array([7, 8, 9])),
        ndarray(new Float32Array([1.5]), [], [], 0), // 0-d
        ndarray([1, 2, 3, 4], [2, 2]), // plain array data
      ];
      for (const a of views) {
        const got = rt(a) as typeof a;
        expect(got.shape).toEqual(a.shape);
        expect(got.stride).toEqual(a.stride);
        expect(got.offset).toBe(a.offset);
        expect(got.dtype).toBe(a.dtype);
        expect(got.data).toStrictEqual(a.data);
        if (a.dimension === 2) {
          for (let i = 0; i < a.shape[0]!; i++) for (let j = 0; j < a.shape[1]!; j++) expect(got.get(i, j)).toBe(a.get(i, j));
        }
        expect(typeof got.get).toBe("function");
      }
    });
  }

  it("sends an ndarray on a SharedArrayBuffer through postMessage without copying its data", async () => {
    const data = new Float64Array(new SharedArrayBuffer(8 * 6));
    const a = ndarray(data, [2, 3]);
    a.set(1, 2, 3.5);
    const got = (await viaPort({ chunk: a })) as { chunk: typeof a };
    expect(got.chunk.get(1, 2)).toBe(3.5);
    expect(got.chunk.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    // Same memory: a write on one side is seen on the other.
    got.chunk.set(0, 0, 42);
    expect(a.get(0, 0)).toBe(42);
    a.set(0, 1, -1);
    expect(got.chunk.get(0, 1)).toBe(-1);
    // And toStructured itself hands the very same typed array to postMessage.
    const portable = toStructured(a) as { v: [Float64Array] };
    expect(portable.v[0]).toBe(data);
  });
});

describe("serialize: Arrow tables", () => {
  // Kept first in this block: extensions are loaded once per process (test files run in their own).
  it("explains how to load the Arrow extension when a table is met before it is loaded", async () => {
    const arrow = await import("apache-arrow");
    const t = arrow.tableFromArrays({ a: Int32Array.from([1]) });
    expectThrowsSerialization(() => encode({ t }), /loadOptionalExtensions/);
    expectThrowsSerialization(() => toStructured(t), /loadOptionalExtensions/);
  });

  it("round-trips int32, float64, unicode utf8, dictionary and null columns", async () => {
    await loadOptionalExtensions();
    await loadOptionalExtensions(); // cached, harmless
    const arrow = await import("apache-arrow");
    const table = new arrow.Table({
      i: arrow.vectorFromArray([1, -2, null, 2 ** 31 - 1], new arrow.Int32()),
      f: arrow.vectorFromArray([1.5, null, Math.PI, -0], new arrow.Float64()),
      s: arrow.vectorFromArray(["héllo", "日本", null, "😀 emoji"], new arrow.Utf8()),
      d: arrow.vectorFromArray(["red", "blue", "red", null], new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32())),
    });
    const rows = table.toArray().map((r) => r.toJSON());
    for (const [name, rt] of paths) {
      const got = rt({ part: table }) as { part: typeof table };
      expect(got.part.numRows, name).toBe(4);
      expect(got.part.toArray().map((r) => r.toJSON()), name).toEqual(rows);
      expect(got.part.schema.fields.map((f) => `${f.name}:${f.type}`), name).toEqual(
        table.schema.fields.map((f) => `${f.name}:${f.type}`),
      );
      expect(got.part.getChild("i")!.nullCount, name).toBe(1);
      expect(String(got.part.getChild("d")!.type), name).toMatch(/Dictionary/);
    }
  });

  it("keeps shared column buffers shared between threads, and round-trips slices, batches and lists", async () => {
    await loadOptionalExtensions();
    const arrow = await import("apache-arrow");
    const values = new Float64Array(new SharedArrayBuffer(8 * 4));
    values.set([1, 2, 3, 4]);
    const shared = new arrow.Table({ x: arrow.makeVector(values) });
    const got = fromStructured(toStructured(shared)) as typeof shared;
    expect(got.getChild("x")!.data[0]!.values.buffer).toBe(values.buffer);
    // A slice and a table of several batches (offsets into the buffers).
    const big = arrow.tableFromArrays({ a: Int32Array.from({ length: 100 }, (_, i) => i), s: Array.from({ length: 100 }, (_, i) => `v${i}`) });
    const multi = big.slice(10, 20).concat(big.slice(95));
    const list = new arrow.Table({ l: arrow.vectorFromArray([[1, 2], [], null, [3]], new arrow.List(new arrow.Field("item", new arrow.Int32(), true))) });
    const ts = new arrow.Table({ t: arrow.vectorFromArray([new Date(0), null, new Date(86400000)], new arrow.DateDay()) });
    for (const t of [multi, list, ts]) {
      const want = t.toArray().map((r) => JSON.stringify(r.toJSON()));
      for (const [name, rt] of paths) {
        const back = rt(t) as typeof t;
        expect(back.toArray().map((r) => JSON.stringify(r.toJSON())), name).toEqual(want);
      }
    }
    // Field and schema metadata travel too (a dataframe marks category columns in field metadata).
    const marked = new arrow.Table(new arrow.Schema([new arrow.Field("c", new arrow.Int32(), true, new Map([["k", "v"]]))]), [
      new arrow.RecordBatch({ c: arrow.makeData({ type: new arrow.Int32(), length: 1, data: Int32Array.from([5]) }) }),
    ].map((b) => new arrow.RecordBatch(new arrow.Schema([new arrow.Field("c", new arrow.Int32(), true, new Map([["k", "v"]]))]), b.data)));
    for (const [name, rt] of paths) expect((rt(marked) as typeof marked).schema.fields[0]!.metadata.get("k"), name).toBe("v");
    // Types without a plain-data description still travel (as IPC).
    const dec = new arrow.Table({ t: arrow.vectorFromArray([1, 2], new arrow.Time(arrow.TimeUnit.MILLISECOND, 32)) });
    for (const [name, rt] of paths) expect((rt(dec) as typeof dec).numRows, name).toBe(2);
  });
});

describe("serialize: type extensions and unknown classes", () => {
  class Point {
    constructor(
      readonly x: number,
      readonly y: number,
    ) {}
  }
  class Labeled {
    constructor(
      readonly label: string,
      readonly at: Point,
    ) {}
  }

  it("throws a SerializationError naming the class of an instance without an extension", () => {
    class Unregistered {
      a = 1;
    }
    const v = { args: [1, { deep: new Unregistered() }] };
    for (const f of [() => encode(v), () => toStructured(v), () => toPortable(v)]) {
      expectThrowsSerialization(f, /'Unregistered'/, /registerTypeExtension/, /args\[1\]\.deep/);
    }
    expectThrowsSerialization(() => encode(new Map([["k", new Unregistered()]])), /Unregistered/);
    expectThrowsSerialization(() => encode(new Set([new Unregistered()])), /Unregistered/);
    expectThrowsSerialization(() => encode(new WeakMap()), /WeakMap/);
    expectThrowsSerialization(() => encode(Promise.resolve(1)), /Promise/);
    expectThrowsSerialization(() => encode({ f: () => 1 }), /function/, /fromModule/);
    expectThrowsSerialization(() => encode([Symbol("s")]), /Symbol\(s\)/);
  });

  it("throws a SerializationError for cycles in plain data", () => {
    const a: Record<string, unknown> = { x: 1 };
    a.self = { back: a };
    expectThrowsSerialization(() => encode(a), /cycle/);
    expectThrowsSerialization(() => toStructured(a), /cycle/);
  });

  it("registers, finds and replaces extensions; the newest registration wins", () => {
    registerTypeExtension<Point, [number, number]>({
      name: "test.Point",
      test: (v): v is Point => v instanceof Point,
      encode: (p) => [p.x, p.y],
      decode: ([x, y]) => new Point(x, y),
    });
    expect(findExtension(new Point(1, 2))?.name).toBe("test.Point");
    expect(getExtension("test.Point")).toBeDefined();
    expect(findExtension({})).toBeUndefined();

    // Extensions compose: the encoded value holds another extension's instances.
    registerTypeExtension<Labeled, { label: string; at: Point }>({
      name: "test.Labeled",
      test: (v): v is Labeled => v instanceof Labeled,
      encode: (l) => ({ label: l.label, at: l.at }),
      decode: (e) => new Labeled(e.label, e.at),
    });
    const v = { items: [new Labeled("origin", new Point(0, -0)), new Map([["p", new Point(3, 4)]])] };
    for (const [name, rt] of paths) {
      const got = rt(v) as typeof v;
      expect(got.items[0], name).toBeInstanceOf(Labeled);
      expect((got.items[0] as Labeled).at, name).toBeInstanceOf(Point);
      expect(Object.is((got.items[0] as Labeled).at.y, -0), name).toBe(true);
      expect((got.items[1] as Map<string, Point>).get("p"), name).toStrictEqual(new Point(3, 4));
    }

    // Same name replaces.
    registerTypeExtension<Point, string>({
      name: "test.Point",
      test: (v): v is Point => v instanceof Point,
      encode: (p) => `${p.x},${p.y}`,
      decode: (s) => new Point(Number(s.split(",")[0]), Number(s.split(",")[1])),
    });
    expect((toStructured(new Point(5, 6)) as { v: unknown }).v).toBe("5,6");
    expect(viaBytes(new Point(5, 6))).toStrictEqual(new Point(5, 6));

    // A later, more specific extension overrides a built-in (here: one Error subclass).
    class Special extends Error {}
    registerTypeExtension<Special, string>({
      name: "test.Special",
      test: (v): v is Special => v instanceof Special,
      encode: (e) => e.message,
      decode: (m) => new Special(m),
    });
    expect(viaBytes(new Special("s"))).toBeInstanceOf(Special);
    expect(viaBytes(new Error("plain"))).not.toBeInstanceOf(Special);
  });

  it("rejects reserved and malformed extensions", () => {
    expect(() =>
      registerTypeExtension({ name: "~mine", test: (v): v is never => false, encode: (v) => v, decode: (v) => v }),
    ).toThrow(/reserved/);
    expect(() => registerTypeExtension({ name: "", test: () => false } as never)).toThrow(/name/);
  });

  it("fails to decode a tag whose extension is not registered here, saying what to import", () => {
    expectThrowsSerialization(() => fromPortable({ x: [{ "~dt": "nobody.Knows", v: 1 }] }), /nobody\.Knows/, /Import/);
    const bytes = encode({ "~dt": "nobody.Knows" }); // escaped on the way in: not a tag
    expect(decode(bytes)).toStrictEqual({ "~dt": "nobody.Knows" });
  });

  it("wraps an extension's own failure in a SerializationError with the cause", () => {
    class Fragile {}
    const boom = new Error("boom");
    registerTypeExtension<Fragile, number>({
      name: "test.Fragile",
      test: (v): v is Fragile => v instanceof Fragile,
      encode: () => {
        throw boom;
      },
      decode: () => new Fragile(),
    });
    const err = expectThrowsSerialization(() => encode([new Fragile()]), /test\.Fragile/, /boom/);
    expect(err.cause).toBe(boom);
  });
});

describe("serialize: copy-on-write", () => {
  it("returns plain data itself, without copying", () => {
    const v = {
      a: [1, 2, { b: "c", n: NaN }],
      m: new Map([[1, { x: [1] }]]),
      s: new Set([1, "2"]),
      d: new Date(),
      t: new Float64Array(4),
      nested: { deep: [[[]]] },
    };
    expect(toStructured(v)).toBe(v);
    expect(toPortable(v, { binary: true })).toBe(v);
    expect(fromStructured(v)).toBe(v);
    expect(fromPortable(v)).toBe(v);
  });

  it("copies only the containers on the path to a converted instance", () => {
    const untouched = { big: [1, 2, 3], inner: { x: 1 } };
    const v = { untouched, list: [untouched.big, new TaskRef("k")], map: new Map([["a", untouched]]) };
    const p = toStructured(v) as typeof v;
    expect(p).not.toBe(v);
    expect(p.untouched).toBe(untouched);
    expect(p.list).not.toBe(v.list);
    expect(p.list[0]).toBe(untouched.big);
    expect(p.map).toBe(v.map);
    expect(v.list[1]).toBeInstanceOf(TaskRef); // the input is never modified
    const back = fromStructured(p) as typeof v;
    expect(back.untouched).toBe(untouched);
    expect(back.list[1]).toBeInstanceOf(TaskRef);
  });
});
