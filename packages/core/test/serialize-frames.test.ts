import { afterEach, describe, expect, it } from "vitest";
import net, { type AddressInfo } from "node:net";
import { once } from "node:events";
import { PassThrough } from "node:stream";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { FrameReader, onFrames, writeFrame, type FrameSink } from "@dask-ts/core/serialize/frames";
import { decode, encode } from "@dask-ts/core/serialize/codec";
import { Task, TaskRef } from "@dask-ts/core/graph/task";
import { FnRef } from "@dask-ts/core/fn/fnref";
import { SerializationError } from "@dask-ts/core/errors";
import { rng } from "../../../test/helpers/rng.js";

/** Bodies of varied sizes: empty, tiny, around the header size, around the coalescing limit, big. */
function makeBodies(random: () => number, count: number): Uint8Array[] {
  const sizes = [0, 1, 3, 4, 5, 16 * 1024, 16 * 1024 + 1, 70_000, 8 * 1024 * 1024];
  for (let i = 0; i < count; i++) sizes.push(Math.floor(random() * (random() < 0.1 ? 200_000 : 300)));
  return sizes
    .sort(() => random() - 0.5)
    .map((n, i) => {
      const b = new Uint8Array(n);
      for (let j = 0; j < n; j += 997) b[j] = (i * 31 + j) & 0xff; // cheap, position-dependent content
      if (n > 0) b[n - 1] = i & 0xff;
      return b;
    });
}

/** The exact byte stream writeFrame produces for these bodies. */
function streamOf(bodies: Uint8Array[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const sink: FrameSink = { write: (c) => (parts.push(Uint8Array.from(c)), true) };
  for (const b of bodies) writeFrame(sink, b);
  return Buffer.concat(parts);
}

function expectSameFrames(got: Uint8Array[], want: Uint8Array[]): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    expect(got[i]!.byteLength, `frame ${i}`).toBe(want[i]!.byteLength);
    expect(Buffer.compare(got[i]!, want[i]!), `frame ${i}`).toBe(0);
  }
}

describe("frames: FrameReader", () => {
  it("reassembles frames from random chunking, including split headers and an 8 MB frame", () => {
    for (const seed of [1, 2, 3]) {
      const random = rng(seed);
      const bodies = makeBodies(random, 300);
      const stream = streamOf(bodies);
      const got: Uint8Array[] = [];
      const reader = new FrameReader((f) => got.push(Uint8Array.from(f)));
      let pos = 0;
      const t0 = performance.now();
      while (pos < stream.byteLength) {
        // Mostly small chunks (headers split byte by byte), sometimes large ones.
        const r = random();
        const n = r < 0.3 ? 1 + Math.floor(random() * 6) : r < 0.9 ? 1 + Math.floor(random() * 2000) : 1 + Math.floor(random() * 200_000);
        reader.push(stream.subarray(pos, pos + n));
        pos += n;
      }
      expect(performance.now() - t0).toBeLessThan(5000); // linear, not quadratic, in the bytes
      expectSameFrames(got, bodies);
      expect(reader.pending).toBe(0);
    }
  });

  it("delivers many frames from one chunk as views, without copying", () => {
    const bodies = Array.from({ length: 1000 }, (_, i) => Uint8Array.from([i & 0xff, (i >> 8) & 0xff, 7]));
    const stream = streamOf(bodies);
    const got: Uint8Array[] = [];
    new FrameReader((f) => got.push(f)).push(stream);
    expectSameFrames(got, bodies);
    expect(got[500]!.buffer).toBe(stream.buffer);
  });

  it("feeds a stream one byte at a time", () => {
    const bodies = makeBodies(rng(9), 40).filter((b) => b.byteLength < 100_000);
    const stream = streamOf(bodies);
    const got: Uint8Array[] = [];
    const reader = new FrameReader((f) => got.push(Uint8Array.from(f)));
    for (let i = 0; i < stream.byteLength; i++) reader.push(stream.subarray(i, i + 1));
    expectSameFrames(got, bodies);
    expect(reader.pending).toBe(0);
  });

  it("keeps the rest of a chunk when the callback throws, and delivers it on the next push", () => {
    const bodies = [1, 2, 3, 4, 5].map((i) => Uint8Array.from([i]));
    const stream = streamOf(bodies);
    const got: number[] = [];
    const reader = new FrameReader((f) => {
      got.push(f[0]!);
      if (f[0] === 2) throw new Error("consumer failed");
    });
    expect(() => reader.push(stream.subarray(0, stream.byteLength - 2))).toThrow("consumer failed");
    expect(got).toEqual([1, 2]);
    reader.push(stream.subarray(stream.byteLength - 2));
    expect(got).toEqual([1, 2, 3, 4, 5]);
  });

  it("rejects frames over the size limit with a SerializationError, on both ends", () => {
    const reader = new FrameReader(() => {}, { maxFrameSize: 1000 });
    const header = Buffer.alloc(4);
    header.writeUInt32BE(1001);
    expect(() => reader.push(header)).toThrow(SerializationError);
    expect(() => reader.push(header)).toThrow(/maximum frame size of 1000 bytes/);
    expect(() => writeFrame({ write: () => true }, new Uint8Array(11), 10)).toThrow(SerializationError);
    // A corrupt stream (e.g. text instead of frames) claims a huge length: refused, not allocated.
    expect(() => new FrameReader(() => {}).push(Buffer.from("GET / HTTP/1.1\r\n"))).toThrow(/maximum frame size/);
  });
});

describe("frames: writeFrame", () => {
  it("writes small frames as one buffer and large ones as header + the body itself, corked", () => {
    const calls: string[] = [];
    const written: Uint8Array[] = [];
    const sink: FrameSink = {
      write: (c) => (calls.push(`write ${c.byteLength}`), written.push(c), true),
      cork: () => calls.push("cork"),
      uncork: () => calls.push("uncork"),
    };
    writeFrame(sink, new Uint8Array(10));
    const big = new Uint8Array(1 << 20);
    writeFrame(sink, big);
    expect(calls).toEqual(["write 14", "cork", "write 4", `write ${1 << 20}`, "uncork"]);
    expect(written[2]).toBe(big); // not copied
    expect(Array.from(written[1]!)).toEqual([0, 0x10, 0, 0]);
  });
});

describe("frames: over a real TCP socket", () => {
  let cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.reverse()) await c();
    cleanup = [];
  });

  async function socketPair(): Promise<{ client: net.Socket; server: net.Socket }> {
    const srv = net.createServer();
    cleanup.push(() => new Promise<void>((r) => srv.close(() => r())));
    const accepted = once(srv, "connection") as Promise<[net.Socket]>;
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const client = net.connect((srv.address() as AddressInfo).port, "127.0.0.1");
    cleanup.push(async () => void client.destroy());
    await once(client, "connect");
    const [server] = await accepted;
    cleanup.push(async () => void server.destroy());
    return { client, server };
  }

  function collect(socket: net.Socket, count: number, map: (f: Uint8Array) => unknown = (f) => Uint8Array.from(f)) {
    const got: unknown[] = [];
    return new Promise<unknown[]>((resolve, reject) => {
      socket.once("error", reject);
      onFrames(socket, (f) => {
        got.push(map(f));
        if (got.length === count) resolve(got);
      });
    });
  }

  it("carries many encoded messages and an 8 MB array intact", async () => {
    const { client, server } = await socketPair();
    const fn = new FnRef({ kind: "kernel", name: "array.sum" });
    const messages: unknown[] = [];
    for (let i = 0; i < 500; i++) {
      messages.push({ op: "run", key: `k-${i}`, task: new Task(fn, [new TaskRef(`x-${i}`), i, { axis: i % 3 }]) });
      if (i % 97 === 0) messages.push({ op: "data", chunk: new Float64Array(1000 + i).fill(i / 7) });
    }
    messages.splice(250, 0, { op: "data", big: new Float64Array(1024 * 1024).map((_, j) => j * 1.5) }); // 8 MB
    const received = collect(server, messages.length, (f) => decode(f));
    for (const m of messages) {
      if (!writeFrame(client, encode(m))) await once(client, "drain");
    }
    const got = await received;
    expect(got.length).toBe(messages.length);
    for (let i = 0; i < messages.length; i++) {
      const want = messages[i] as { big?: Float64Array };
      if (want.big) {
        const g = (got[i] as { big: Float64Array }).big;
        expect(Buffer.compare(new Uint8Array(g.buffer), new Uint8Array(want.big.buffer))).toBe(0);
      } else expect(got[i]).toStrictEqual(want);
    }
  });

  it("reassembles a byte stream written in random pieces", async () => {
    const { client, server } = await socketPair();
    const random = rng(42);
    const bodies = makeBodies(random, 2000);
    const stream = streamOf(bodies);
    const received = collect(server, bodies.length);
    let pos = 0;
    while (pos < stream.byteLength) {
      const n = random() < 0.5 ? 1 + Math.floor(random() * 10) : 1 + Math.floor(random() * 100_000);
      const ok = client.write(stream.subarray(pos, pos + n));
      pos += n;
      // Let some pieces leave on their own, so the receiver sees genuinely different chunkings.
      if (!ok) await once(client, "drain");
      else if (random() < 0.05) await new Promise((r) => setImmediate(r));
    }
    expectSameFrames((await received) as Uint8Array[], bodies);
  });

  it("reports a stream that ends in the middle of a frame", async () => {
    const { client, server } = await socketPair();
    const error = once(server, "error");
    onFrames(server, () => {});
    const frame = streamOf([new Uint8Array(100)]);
    client.end(frame.subarray(0, 50));
    const [err] = (await error) as [Error];
    expect(err).toBeInstanceOf(SerializationError);
    expect(err.message).toMatch(/ended in the middle of a frame/);
  });
});

describe("frames: other streams", () => {
  it("destroys the stream with the error when the consumer throws or the stream is text", async () => {
    const s = new PassThrough();
    const error = once(s, "error");
    onFrames(s, () => {
      throw new Error("bad consumer");
    });
    s.write(streamOf([new Uint8Array(3)]));
    const [err] = (await error) as [Error];
    expect(err.message).toBe("bad consumer");

    const t = new PassThrough();
    t.setEncoding("utf8");
    const terr = once(t, "error");
    onFrames(t, () => {});
    t.write(streamOf([new Uint8Array(3)]));
    expect(((await terr) as [Error])[0]).toBeInstanceOf(SerializationError);
  });

  it("stops listening when the returned function is called", () => {
    const s = new PassThrough();
    const got: Uint8Array[] = [];
    const stop = onFrames(s, (f) => got.push(f));
    s.write(streamOf([Uint8Array.from([1])]));
    stop();
    s.write(streamOf([Uint8Array.from([2])]));
    expect(got.length).toBe(1);
    expect(s.listenerCount("data")).toBe(0);
  });

  it("round-trips values through a child process over its stdio pipes", async () => {
    const root = fileURLToPath(new URL("../../..", import.meta.url));
    const child = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { encode, decode } from "@dask-ts/core/serialize/codec";
         import { onFrames, writeFrame } from "@dask-ts/core/serialize/frames";
         onFrames(process.stdin, (f) => { writeFrame(process.stdout, encode({ echo: decode(f), pid: process.pid })); });`,
      ],
      { cwd: root, stdio: ["pipe", "pipe", "inherit"] },
    );
    try {
      const values: unknown[] = [
        new Task(new FnRef({ kind: "kernel", name: "k" }), [new TaskRef("a"), new Map([[1, new Set([2n ** 90n])]])]),
        Object.assign(new TypeError("remote", { cause: new Error("why") }), { code: "E_REMOTE" }),
        { "~dt": "looks like a tag", neg: -0, f32: Float32Array.from([1.5, NaN]) },
        Array.from({ length: 100 }, (_, i) => ({ i, s: `row ${i}` })),
        { big: new Float64Array(300_000).fill(2.5) },
      ];
      const replies: unknown[] = [];
      const done = new Promise<void>((resolve, reject) => {
        child.stdout.once("error", reject);
        child.once("exit", (code) => code && reject(new Error(`child exited with ${code}`)));
        onFrames(child.stdout, (f) => {
          replies.push(decode(f));
          if (replies.length === values.length) resolve();
        });
      });
      for (const v of values) writeFrame(child.stdin, encode(v));
      await done;
      for (let i = 0; i < values.length; i++) {
        const r = replies[i] as { echo: unknown; pid: number };
        expect(r.pid).toBe(child.pid);
        if (values[i] instanceof Error) {
          const e = r.echo as TypeError & { code: string; cause: Error };
          expect(e).toBeInstanceOf(TypeError);
          expect(e.stack).toBe((values[i] as Error).stack);
          expect(e.code).toBe("E_REMOTE");
          expect(e.cause.message).toBe("why");
        } else expect(r.echo).toStrictEqual(values[i]);
      }
    } finally {
      child.stdin.end();
      child.kill();
    }
  });
});
