import { connect as netConnect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { connect, listen, type Listener } from "../dist/comm/tcp.js";
import type { Connection } from "../dist/comm/connection.js";
import { ConnectTimeoutError, CommClosedError, ProtocolError, RequestTimeoutError, VersionMismatchError } from "../dist/errors.js";
import { VERSION } from "../dist/version.js";
import { encode } from "@dask-ts/core";

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

async function echoServer(extra?: (c: Connection) => void): Promise<Listener> {
  const l = await listen({
    role: "scheduler",
    onConnection(c) {
      c.onMessage = (msg) => {
        if (msg.op === "echo") return msg.value;
        if (msg.op === "fail") throw new TypeError("bad thing");
        if (msg.op === "slow") return new Promise((r) => setTimeout(() => r(1), 500));
        if (msg.op === "push") c.send({ op: "pushed", value: msg.value });
        return undefined;
      };
      extra?.(c);
    },
  });
  open.push(l);
  return l;
}

function frame(bytes: Uint8Array): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt32BE(bytes.byteLength, 0);
  return Buffer.concat([h, bytes]);
}

describe("TCP connections", () => {
  it("round-trips requests with values of every kind, in order", async () => {
    const l = await echoServer();
    const c = await connect(l.address, { role: "client" });
    open.push(c);
    const values = [1, "ünïcode ✓", null, [1, [2, { a: new Map([["k", 1n]]) }]], new Float64Array([1.5, NaN, -0])];
    const replies = await Promise.all(values.map((value) => c.request({ op: "echo", value })));
    expect(replies[0]).toBe(1);
    expect(replies[1]).toBe("ünïcode ✓");
    expect(replies[2]).toBe(null);
    expect(replies[3]).toEqual([1, [2, { a: new Map([["k", 1n]]) }]]);
    const f = replies[4] as Float64Array;
    expect(f).toBeInstanceOf(Float64Array);
    expect([f[0], Number.isNaN(f[1]), Object.is(f[2], -0)]).toEqual([1.5, true, true]);
  });

  it("sends large typed arrays as separate frames, intact", async () => {
    const l = await echoServer();
    const c = await connect(l.address, { role: "client" });
    open.push(c);
    const big = new Float64Array(1_000_003);
    for (let i = 0; i < big.length; i++) big[i] = i * 0.5;
    const small = new Int32Array([7, 8, 9]);
    const back = (await c.request({ op: "echo", value: { big, small, sub: big.subarray(5, 200_005) } })) as Record<string, Float64Array>;
    expect(back.big!.length).toBe(big.length);
    expect(back.big![1_000_002]).toBe(500_001);
    expect(Array.from(back.small!)).toEqual([7, 8, 9]);
    expect(back.sub!.length).toBe(200_000);
    expect(back.sub![0]).toBe(2.5);
  });

  it("rejects with the remote error, keeps the connection open", async () => {
    const l = await echoServer();
    const c = await connect(l.address, { role: "client" });
    open.push(c);
    const e = await c.request({ op: "fail" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TypeError);
    expect((e as Error).message).toBe("bad thing");
    expect(await c.request({ op: "echo", value: 2 })).toBe(2);
  });

  it("rejects a request too large to send, without breaking the connection or the process", async () => {
    const l = await echoServer();
    const c = await connect(l.address, { role: "client", maxFrameSize: 4096 });
    open.push(c);
    const e = await c.request({ op: "echo", value: new Uint8Array(10_000) }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProtocolError);
    expect((e as Error).message).toContain("maximum frame size");
    expect(await c.request({ op: "echo", value: "small" })).toBe("small");
  });

  it("times out a request that gets no reply", async () => {
    const l = await echoServer();
    const c = await connect(l.address, { role: "client" });
    open.push(c);
    await expect(c.request({ op: "slow" }, 50)).rejects.toBeInstanceOf(RequestTimeoutError);
  });

  it("delivers one-way messages both ways", async () => {
    const l = await echoServer();
    const c = await connect(l.address, { role: "client" });
    open.push(c);
    const got: unknown[] = [];
    const done = new Promise<void>((r) => {
      c.onMessage = (m) => {
        got.push(m.value);
        if (got.length === 100) r();
      };
    });
    for (let i = 0; i < 100; i++) c.send({ op: "push", value: i });
    await done;
    expect(got).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it("fails pending requests with CommClosedError when the peer closes", async () => {
    let server: Connection | undefined;
    const l = await echoServer((s) => (server = s));
    const c = await connect(l.address, { role: "client" });
    open.push(c);
    const p = c.request({ op: "slow" });
    await new Promise((r) => setTimeout(r, 20));
    server!.destroy();
    await expect(p).rejects.toBeInstanceOf(CommClosedError);
    expect(() => c.send({ op: "x" })).toThrow(CommClosedError);
  });

  it("gives a typed error after the timeout when nothing listens", async () => {
    const l = await echoServer();
    const port = l.port;
    await l.close();
    const t0 = performance.now();
    const e = await connect(`tcp://127.0.0.1:${port}`, { role: "client", timeout: 300 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConnectTimeoutError);
    expect((e as Error).message).toContain(`127.0.0.1:${port}`);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(250);
    expect(performance.now() - t0).toBeLessThan(3000);
  });

  it("refuses a peer of another version, naming both versions", async () => {
    const l = await echoServer();
    const sock = netConnect(l.port, "127.0.0.1");
    await new Promise((r) => sock.once("connect", r));
    const body = encode([{ op: "hello", role: "client", version: "0.0.1-other", node: process.version }]);
    const msg = new Uint8Array(4 + body.byteLength);
    msg.set(body, 4);
    sock.write(frame(msg));
    const reply = await new Promise<Buffer>((r) => sock.once("data", r));
    sock.destroy();
    expect(reply.toString("latin1")).toContain(VERSION);
    // The client side turns a refusal into VersionMismatchError with both versions.
    const e = new VersionMismatchError(VERSION, "0.0.1-other", "scheduler");
    expect(e.message).toContain(VERSION);
    expect(e.message).toContain("0.0.1-other");
  });

  it("connect() rejects a server of another version with VersionMismatchError naming both", async () => {
    const { createServer } = await import("node:net");
    const srv = createServer((sock) => {
      const body = encode([{ op: "hello", role: "scheduler", version: "9.9.9", node: process.version }]);
      const msg = new Uint8Array(4 + body.byteLength);
      msg.set(body, 4);
      sock.write(frame(msg));
      sock.on("error", () => undefined);
      sock.resume(); // read to the end, so the socket closes when the client hangs up
    });
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    open.push({ close: () => new Promise((r) => srv.close(r)) });
    const port = (srv.address() as { port: number }).port;
    const e = await connect(`tcp://127.0.0.1:${port}`, { role: "client", timeout: 2000 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(VersionMismatchError);
    expect((e as Error).message).toContain("9.9.9");
    expect((e as Error).message).toContain(VERSION);
  });

  it("closes a connection that sends a malformed or oversized frame, and keeps serving others", async () => {
    const l = await echoServer();
    for (const bad of [Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]), frame(Buffer.from([0, 0, 0, 0, 0xc1]))]) {
      const sock = netConnect(l.port, "127.0.0.1");
      await new Promise((r) => sock.once("connect", r));
      sock.write(bad);
      await new Promise((r) => sock.once("close", r));
    }
    const c = await connect(l.address, { role: "client" });
    open.push(c);
    expect(await c.request({ op: "echo", value: "still up" })).toBe("still up");
  });

  it("closes a client whose handshake is not a hello", async () => {
    const l = await echoServer();
    const sock = netConnect(l.port, "127.0.0.1");
    await new Promise((r) => sock.once("connect", r));
    const body = encode([{ op: "echo", value: 1 }]);
    const msg = new Uint8Array(4 + body.byteLength);
    msg.set(body, 4);
    sock.write(frame(msg));
    await new Promise((r) => sock.once("close", r));
    expect(ProtocolError).toBeDefined();
  });
});
