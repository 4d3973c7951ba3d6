/** Opening connections (with a timeout and a version handshake) and listening for them. */
import { createServer, type AddressInfo, type Server } from "node:net";
import { config } from "@dask-ts/core";
import { ConnectTimeoutError, ProtocolError, VersionMismatchError } from "../errors.js";
import type { Hello } from "../protocol.js";
import { VERSION } from "../version.js";
import { formatAddress, parseAddress } from "./address.js";
import { Connection, type ConnectionOptions, type Message } from "./connection.js";

/** Options of `connect`. */
export interface ConnectOptions extends ConnectionOptions {
  /** What this side is. */
  role: Hello["role"];
  /** Give up after this many ms (default config "distributed.connectTimeout", 10 s). */
  timeout?: number;
  /** Extra fields for the hello message (e.g. a client id). */
  info?: Record<string, unknown>;
}

function hello(role: Hello["role"], info?: Record<string, unknown>): Message {
  return { op: "hello", role, version: VERSION, node: process.version, ...info };
}

/** The default connect timeout in ms. */
export function connectTimeout(): number {
  return config.get<number>("distributed.connectTimeout", 10_000);
}

/** Connects to `address`, exchanges hellos and checks versions; rejects with a typed error after the timeout. */
export function connect(address: string, opts: ConnectOptions): Promise<Connection> {
  const { host, port } = parseAddress(address);
  const timeout = opts.timeout ?? connectTimeout();
  return new Promise<Connection>((resolve, reject) => {
    // Created before the socket connects (it reads large frames straight into place); talks after 'connect'.
    const conn = Connection.connect(host, port, { ...opts, peer: address });
    const socket = conn.socket;
    let done = false;
    const fail = (e: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      conn.destroy();
      reject(e);
    };
    const timer = setTimeout(() => fail(new ConnectTimeoutError(address, timeout)), timeout);
    socket.once("error", (e) => {
      // Refused or unreachable: retry until the timeout (a scheduler may still be starting).
      if (done) return;
      socket.destroy();
      const left = timeout - (performance.now() - t0);
      if (left <= 50) return fail(new ConnectTimeoutError(address, timeout, e));
      setTimeout(() => {
        if (done) return;
        connect(address, { ...opts, timeout: left - 50 }).then(
          (c) => {
            if (done) return c.close();
            done = true;
            clearTimeout(timer);
            resolve(c);
          },
          (err: Error) => fail(err instanceof ConnectTimeoutError ? new ConnectTimeoutError(address, timeout, err.cause ?? e) : err),
        );
      }, 50).unref();
    });
    const t0 = performance.now();
    socket.once("connect", () => {
      if (done) return;
      conn.onMessage = (msg) => {
        if (msg.op === "refused") return fail(new VersionMismatchError(VERSION, String(msg.version), String(msg.role ?? "peer")));
        if (msg.op !== "hello") return fail(new ProtocolError(`Expected a hello from ${address}, got '${msg.op}'.`));
        if (msg.version !== VERSION) return fail(new VersionMismatchError(VERSION, String(msg.version), String(msg.role)));
        done = true;
        clearTimeout(timer);
        conn.peerInfo = msg;
        conn.onMessage = () => undefined;
        resolve(conn);
      };
      conn.onClose = (e) => fail(e ?? new ProtocolError(`${address} closed the connection during the handshake.`));
      conn.send(hello(opts.role, opts.info));
    });
  });
}

/** A listening server. */
export interface Listener {
  /** tcp://host:port it listens on. */
  readonly address: string;
  readonly port: number;
  /** Stops listening and closes every connection it accepted. */
  close(): Promise<void>;
}

/** Options of `listen`. */
export interface ListenOptions extends ConnectionOptions {
  host?: string;
  /** 0 = any free port. */
  port?: number;
  role: Hello["role"];
  /** ms a new connection has to say hello (default 10 s). */
  handshakeTimeout?: number;
  /** Called with each connection after a successful handshake. Set conn.onMessage / onClose there. */
  onConnection(conn: Connection): void;
}

/** Listens for connections; each must open with a hello of the same dask-ts version. */
export function listen(opts: ListenOptions): Promise<Listener> {
  const host = opts.host ?? "127.0.0.1";
  const conns = new Set<Connection>();
  const server: Server = createServer((socket) => {
    const conn = new Connection(socket, opts);
    conns.add(conn);
    const timer = setTimeout(() => conn.destroy(new ProtocolError("no hello in time")), opts.handshakeTimeout ?? 10_000);
    timer.unref();
    conn.onClose = () => {
      clearTimeout(timer);
      conns.delete(conn);
    };
    conn.onMessage = (msg) => {
      clearTimeout(timer);
      if (msg.op !== "hello") {
        conn.destroy(new ProtocolError(`expected hello, got '${msg.op}'`));
        return;
      }
      if (msg.version !== VERSION) {
        conn.send({ op: "refused", role: opts.role, version: VERSION, reason: "version" });
        conn.close();
        return;
      }
      conn.peerInfo = msg;
      conn.onMessage = () => undefined;
      conn.send(hello(opts.role));
      conn.onClose = () => conns.delete(conn);
      opts.onConnection(conn);
      const userClose = conn.onClose;
      conn.onClose = (e) => {
        conns.delete(conn);
        userClose?.(e);
      };
    };
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      const port = (server.address() as AddressInfo).port;
      resolve({
        address: formatAddress(host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host, port),
        port,
        close: () =>
          new Promise<void>((res) => {
            for (const c of conns) c.close();
            conns.clear();
            server.close(() => res());
          }),
      });
    });
  });
}
