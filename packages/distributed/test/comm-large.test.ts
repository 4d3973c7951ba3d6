// The receive path for large frames: a socket's `onread` reads the rest of a large frame straight into the
// buffer the frame ends in (frameOnRead + FrameReader.directTarget/pushDirect), and Connection.connect uses it.
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { connect, listen } from "../dist/comm/tcp.js";
import { CommClosedError, ProtocolError } from "../dist/errors.js";
import { VERSION } from "../dist/version.js";
import { encode } from "@dask-ts/core";
import { FrameReader, onFrames, type FrameReaderOptions } from "@dask-ts/core/serialize/frames";
import { frameOnRead, type OnReadOptions } from "@dask-ts/core/serialize/frame-onread";
import { SerializationError } from "@dask-ts/core/errors";
import { rng } from "../../../test/helpers/rng.js";

const KiB = 1024;
/** What frameOnRead reads directly: frames still missing at least this much (its READ_SIZE). */
const DIRECT = 64 * KiB;


/** A body of `n` bytes whose every byte depends on the frame index and the position (so shifts are caught). */
function body(i: number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let j = 0; j < n; j++) b[j] = (i * 131 + j * 7 + (j >> 8)) & 0xff;
  return b;
}

/** The wire bytes of these bodies: each is a 4-byte big-endian length, then the body. */
function wire(bodies: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(bodies.reduce((s, b) => s + 4 + b.byteLength, 0));
  let p = 0;
  for (const b of bodies) {
    new DataView(out.buffer).setUint32(p, b.byteLength);
    out.set(b, p + 4);
    p += 4 + b.byteLength;
  }
  return out;
}

interface Played {
  /** Each read: how many bytes, and whether it went into a frame's own buffer (not frameOnRead's scratch). */
  reads: Array<{ n: number; into: ArrayBufferLike }>;
  /** False if the callback asked to stop reading. */
  completed: boolean;
}

/**
 * Plays the kernel and Node's onread loop: the bytes of `stream` arrive in segments of the `arrivals` sizes
 * (the last one also gets whatever is left); each read asks `onread.buffer()` where to write and gets
 * min(its room, bytes waiting), then the callback is told. Stops when the callback returns false.
 */
function play(stream: Uint8Array, arrivals: number[], onread: OnReadOptions): Played {
  const reads: Played["reads"] = [];
  let pos = 0;
  let arrived = 0;
  for (let k = 0; k < arrivals.length; k++) {
    arrived = k === arrivals.length - 1 ? stream.byteLength : Math.min(stream.byteLength, arrived + arrivals[k]!);
    while (pos < arrived) {
      const buf = onread.buffer();
      const n = Math.min(buf.byteLength, arrived - pos);
      if (n <= 0) throw new Error(`onread.buffer() gave an empty buffer at byte ${pos}`);
      buf.set(stream.subarray(pos, pos + n));
      pos += n;
      reads.push({ n, into: buf.buffer });
      if (!onread.callback(n, buf)) return { reads, completed: false };
    }
  }
  return { reads, completed: true };
}

/** A FrameReader fed through frameOnRead; frames are kept as delivered (no copy), errors collected. */
function receiver(options: FrameReaderOptions = {}): { reader: FrameReader; onread: OnReadOptions; frames: Uint8Array[]; errors: Error[] } {
  const frames: Uint8Array[] = [];
  const errors: Error[] = [];
  const reader = new FrameReader((f) => frames.push(f), options);
  return { reader, onread: frameOnRead(reader, (e) => errors.push(e)), frames, errors };
}

function expectFrames(got: Uint8Array[], want: Uint8Array[], label: string): void {
  expect(got.length, label).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    expect(got[i]!.byteLength, `${label}: frame ${i}`).toBe(want[i]!.byteLength);
    expect(Buffer.compare(got[i]!, want[i]!), `${label}: frame ${i}`).toBe(0);
  }
}

describe("frameOnRead: large frames read straight into place", () => {
  it("reads the rest of a large frame into its own shared buffer, and small frames after it from the same arrival", () => {
    const large = body(1, 300 * KiB + 3);
    const bodies = [body(0, 10), large, body(2, 5), body(3, 0), body(4, 1000)];
    const stream = wire(bodies);
    const { onread, frames, errors, reader } = receiver({ sharedAbove: 256 * KiB });
    const { reads, completed } = play(stream, [stream.byteLength], onread);
    expect(completed).toBe(true);
    expect(errors).toEqual([]);
    expectFrames(frames, bodies, "one arrival");
    expect(reader.pending).toBe(0);
    const got = frames[1]!;
    expect(got.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(got.byteOffset).toBe(0);
    // The first 64 KiB read (scratch) holds frame 0, the header and 64 KiB - 18 body bytes; one read fills
    // the remaining 300 KiB + 3 - (64 KiB - 18) bytes straight into the frame; the last read, back in the
    // scratch, holds the three small frames (4+5 + 4+0 + 4+1000 bytes).
    expect(reads.map((r) => r.n)).toEqual([DIRECT, 300 * KiB + 3 - (DIRECT - 18), 1017]);
    expect(reads[1]!.into).toBe(got.buffer);
    expect(reads[0]!.into).not.toBe(got.buffer);
    expect(reads[2]!.into).not.toBe(got.buffer);
  });

  it("reassembles frames split at every boundary: inside headers, inside bodies, at the direct-read threshold", () => {
    // Sizes around the threshold: a frame of exactly 64 KiB, one byte less, a few bytes more, and a big one.
    const sizes = [0, 1, 3, DIRECT + 5, 4, 200_000, 2, DIRECT - 1, DIRECT, 70_000, 7];
    const bodies = sizes.map((n, i) => body(i, n));
    const stream = wire(bodies);
    // Split points: every byte within 6 of a frame start (so every header split), every byte within 3 of the
    // point where a frame has exactly 64 KiB left (the direct-read switch), and a stride through the bodies.
    const points = new Set<number>();
    let start = 0;
    for (const n of sizes) {
      for (let d = -6; d <= 6; d++) points.add(start + d);
      const edge = start + 4 + n - DIRECT;
      if (edge > start) for (let d = -3; d <= 3; d++) points.add(edge + d);
      start += 4 + n;
    }
    for (let p = 0; p < stream.byteLength; p += 4099) points.add(p);
    const valid = [...points].filter((p) => p >= 0 && p <= stream.byteLength).sort((a, b) => a - b);
    expect(valid.length).toBeGreaterThan(200);
    for (const p of valid) {
      for (const arrivals of [[p, 0], [p, 1, 0], [p, 5, 0]]) {
        const { onread, frames, errors, reader } = receiver({ sharedAbove: DIRECT });
        expect(play(stream, arrivals, onread).completed).toBe(true);
        expect(errors).toEqual([]);
        expectFrames(frames, bodies, `split at ${arrivals.join("+")}`);
        expect(reader.pending).toBe(0);
      }
    }
  });

  it("reassembles frames from random arrivals, and from a one-byte trickle", () => {
    for (const seed of [1, 2, 3]) {
      const random = rng(seed);
      const sizes = [150_000, 0, 5, DIRECT, 9];
      for (let i = 0; i < 200; i++) sizes.push(Math.floor(random() * (random() < 0.1 ? 300_000 : 300)));
      const bodies = sizes.map((n, i) => body(i + seed, n));
      const stream = wire(bodies);
      const arrivals: number[] = [];
      for (let total = 0; total < stream.byteLength; ) {
        const r = random();
        const n = r < 0.3 ? 1 + Math.floor(random() * 6) : r < 0.8 ? 1 + Math.floor(random() * 3000) : 1 + Math.floor(random() * 400_000);
        arrivals.push(n);
        total += n;
      }
      const { onread, frames, errors, reader } = receiver({ sharedAbove: 100_000 });
      expect(play(stream, arrivals, onread).completed).toBe(true);
      expect(errors).toEqual([]);
      expectFrames(frames, bodies, `seed ${seed}`);
      expect(reader.pending).toBe(0);
      for (const f of frames) if (f.byteLength >= 100_000) expect(f.buffer).toBeInstanceOf(SharedArrayBuffer);
    }
    const bodies = [body(0, 3), body(1, DIRECT + 100), body(2, 2)];
    const stream = wire(bodies);
    const { onread, frames } = receiver();
    const { reads } = play(stream, new Array<number>(stream.byteLength).fill(1), onread);
    expect(reads.length).toBe(stream.byteLength); // one byte per read, every one of them delivered
    expectFrames(frames, bodies, "trickle");
  });

  it("delivers many frames from one read", () => {
    const bodies = Array.from({ length: 1000 }, (_, i) => body(i, 3));
    const stream = wire(bodies); // 7000 bytes: fits one 64 KiB read
    const { onread, frames } = receiver();
    const { reads } = play(stream, [stream.byteLength], onread);
    expect(reads.map((r) => r.n)).toEqual([7000]);
    expectFrames(frames, bodies, "one read");
  });

  it("still rejects an oversized length prefix (and accepts one at the limit), stopping the reads", () => {
    const ok = body(0, 1024);
    const stream = new Uint8Array([...wire([body(1, 10), ok]), 0, 0, 0x08, 0x00, 1, 2, 3]); // then a 2048-byte prefix
    const { onread, frames, errors, reader } = receiver({ maxFrameSize: 1024 });
    const { completed } = play(stream, [stream.byteLength], onread);
    expect(completed).toBe(false);
    expectFrames(frames, [body(1, 10), ok], "before the bad prefix");
    expect(errors.length).toBe(1);
    expect(errors[0]).toBeInstanceOf(SerializationError);
    expect(errors[0]!.message).toContain("frame of 2048 bytes, larger than the maximum frame size of 1024 bytes");
    expect(() => reader.push(new Uint8Array(1))).toThrow(SerializationError); // the stream stays broken
  });

  it("passes an exception of onFrame to onError and stops reading", () => {
    const reader = new FrameReader(() => {
      throw new TypeError("handler broke");
    });
    const errors: Error[] = [];
    const onread = frameOnRead(reader, (e) => errors.push(e));
    const { completed, reads } = play(wire([body(0, 4), body(1, 4)]), [16], onread);
    expect(completed).toBe(false);
    expect(reads.length).toBe(1);
    expect(errors.map((e) => e.message)).toEqual(["handler broke"]);
  });
});

describe("FrameReader: directTarget / pushDirect / discard", () => {
  it("offers the unfilled rest of a frame only while enough of it is missing", () => {
    const got: Uint8Array[] = [];
    const reader = new FrameReader((f) => got.push(f));
    expect(reader.directTarget(1)).toBeUndefined(); // no frame in assembly
    reader.push(new Uint8Array([0, 0, 0, 10, 1, 2])); // a 10-byte frame, 2 bytes of it here
    expect(reader.pending).toBe(6);
    const t = reader.directTarget(8)!;
    expect(t.byteLength).toBe(8);
    expect(reader.directTarget(9)).toBeUndefined();
    t.set([3, 4, 5]);
    reader.pushDirect(3);
    expect(reader.pending).toBe(9);
    expect(reader.directTarget(6)).toBeUndefined();
    expect(reader.directTarget(5)!.byteLength).toBe(5);
    expect(() => reader.pushDirect(6)).toThrow(RangeError); // more than the frame is missing
    expect(() => reader.pushDirect(-1)).toThrow(RangeError);
    reader.directTarget(5)!.set([6, 7, 8, 9, 10]);
    reader.pushDirect(5);
    expect(got.map((f) => [...f])).toEqual([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]]);
    expect(reader.pending).toBe(0);
    expect(reader.directTarget(1)).toBeUndefined();
    expect(() => reader.pushDirect(1)).toThrow(RangeError); // nothing in assembly
  });

  it("discard drops a partial frame and a partial header", () => {
    const got: Uint8Array[] = [];
    const reader = new FrameReader((f) => got.push(f));
    reader.push(new Uint8Array([0, 0, 1, 0, 9, 9])); // 256-byte frame, 2 bytes in
    reader.discard();
    expect(reader.pending).toBe(0);
    expect(reader.directTarget(1)).toBeUndefined();
    reader.push(new Uint8Array([0, 0]));
    expect(reader.pending).toBe(2);
    reader.discard();
    reader.push(new Uint8Array([0, 0, 0, 1, 42])); // the stream starts afresh
    expect(got.map((f) => [...f])).toEqual([[42]]);
  });
});

// ------------------------------------------------------------------------------------------------
// Over TCP: connect() sockets read through frameOnRead; accepted sockets still read 'data' events.

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

/** One message on the wire: a frame of [count of buffer frames][msgpack batch], then the buffer frames. */
function messageBytes(batch: unknown[], count = 0): Buffer {
  const packed = encode(batch);
  const out = Buffer.alloc(8 + packed.byteLength);
  out.writeUInt32BE(4 + packed.byteLength, 0);
  out.writeUInt32BE(count, 4);
  out.set(packed, 8);
  return out;
}

/** A raw server that says hello, then calls `then(socket)` when the client's second frame (its first request) arrives. */
async function rawServer(then: (s: Socket) => void): Promise<number> {
  const srv: Server = createServer((s) => {
    s.on("error", () => undefined);
    s.write(messageBytes([{ op: "hello", role: "worker", version: VERSION, node: process.version }]));
    let frames = 0;
    onFrames(s, () => {
      if (++frames === 2) then(s);
    });
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  open.push({ close: () => new Promise((r) => srv.close(r)) });
  return (srv.address() as { port: number }).port;
}

describe("Connection.connect: large results over TCP", () => {
  it("receives large arrays intact, in SharedArrayBuffer memory, between small messages, both ways", async () => {
    const l = await listen({
      role: "worker",
      onConnection(c) {
        c.onMessage = (m) => m.value;
      },
    });
    open.push(l);
    const c = await connect(l.address, { role: "worker" });
    open.push(c);
    expect(c.socket.listenerCount("data")).toBe(0); // this side reads through onread, not 'data' events
    const big = new Float64Array(3 * 1024 * 1024 + 7); // 24 MiB + 56 bytes
    for (let i = 0; i < big.length; i++) big[i] = i * 0.25 - 1;
    const mid = new Int16Array(40_000).map((_, i) => i - 20_000); // 80 KB: its own frame, under sharedAbove
    const replies = await Promise.all([
      c.request({ op: "echo", value: 1 }),
      c.request({ op: "echo", value: { big, tag: "x" } }),
      c.request({ op: "echo", value: "between" }),
      c.request({ op: "echo", value: mid }),
      c.request({ op: "echo", value: [2, 3] }),
    ]);
    expect(replies[0]).toBe(1);
    const back = (replies[1] as { big: Float64Array; tag: string }).big;
    expect((replies[1] as { tag: string }).tag).toBe("x");
    expect(back).toBeInstanceOf(Float64Array);
    expect(back.length).toBe(big.length);
    expect(back.buffer).toBeInstanceOf(SharedArrayBuffer);
    let bad = -1;
    for (let i = 0; i < big.length; i++) if (back[i] !== i * 0.25 - 1) (bad = i), (i = big.length);
    expect(bad).toBe(-1);
    expect(replies[2]).toBe("between");
    expect(Array.from(replies[3] as Int16Array).slice(0, 3)).toEqual([-20_000, -19_999, -19_998]);
    expect((replies[3] as Int16Array)[39_999]).toBe(19_999);
    expect(replies[4]).toEqual([2, 3]);
  });

  it("a peer closing in the middle of a large frame fails the request, reports the close, frees the partial frame", async () => {
    const port = await rawServer((s) => {
      // A reply announcing one 8 MiB buffer frame, of which only 1 MiB arrives before the peer goes away.
      s.write(messageBytes([], 1));
      const head = Buffer.alloc(4);
      head.writeUInt32BE(8 * 1024 * 1024);
      s.write(head);
      s.write(Buffer.alloc(1024 * 1024, 7), () => setTimeout(() => s.destroy(), 20));
    });
    const c = await connect(`tcp://127.0.0.1:${port}`, { role: "worker" });
    open.push(c);
    const closed = new Promise<Error | undefined>((r) => (c.onClose = r));
    const e = await c.request({ op: "get" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CommClosedError);
    expect((e as Error).message).toContain("in the middle of a message frame");
    const reported = await closed;
    expect(reported).toBeInstanceOf(CommClosedError);
    // 1 MiB + 4 header bytes of the buffer frame had arrived (the small body frame was complete).
    expect(reported!.message).toContain(`(${1024 * 1024 + 4} bytes of it received)`);
    expect((c as unknown as { reader: FrameReader }).reader.pending).toBe(0);
    expect(c.closed).toBe(true);
  });

  it("closes on a length prefix over the limit from the server, failing the pending request", async () => {
    const port = await rawServer((s) => s.write(Buffer.from([0x00, 0x20, 0x00, 0x00, 1, 2, 3]))); // 2 MiB
    const c = await connect(`tcp://127.0.0.1:${port}`, { role: "worker", maxFrameSize: 1024 * 1024 });
    open.push(c);
    const closed = new Promise<Error | undefined>((r) => (c.onClose = r));
    const e = await c.request({ op: "get" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CommClosedError);
    const reported = await closed;
    expect(reported).toBeInstanceOf(ProtocolError);
    expect(reported!.message).toContain("frame of 2097152 bytes, larger than the maximum frame size of 1048576 bytes");
  });

  it("a connection that never connects still reports a typed error (the onread socket is made before connecting)", async () => {
    const port = await rawServer(() => undefined);
    await open.pop()!.close(); // nothing listens there any more
    await new Promise((r) => setTimeout(r, 20));
    const e = await connect(`tcp://127.0.0.1:${port}`, { role: "worker", timeout: 200 }).catch((x: unknown) => x);
    expect((e as Error).name).toBe("ConnectTimeoutError");
  });
});
