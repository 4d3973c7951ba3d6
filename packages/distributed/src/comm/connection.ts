/**
 * A message connection over TCP: length-prefixed frames of msgpackr (core's codec), batched sends,
 * requests with replies and timeouts.
 *
 * Wire format: a message is one body frame whose first 4 bytes count the buffer frames that follow
 * (typed arrays of 64 KiB or more, left out of the body by `encodeParts` so they are never copied into
 * it). A body decodes to an array of messages: everything sent in one event-loop turn leaves as one
 * frame (latency-bounded batching, like Dask's BatchedSend, without a fixed interval).
 */
import { connect as netConnect, type Socket } from "node:net";
import { decodeParts, encodeParts, FrameReader, DEFAULT_MAX_FRAME_SIZE, loadOptionalExtensions } from "@dask-ts/core";
import { frameOnRead } from "@dask-ts/core/serialize/frame-onread";
import { CommClosedError, ProtocolError, RequestTimeoutError } from "../errors.js";

/**
 * Codecs that load lazily (Arrow tables): the first value that needs one fails to encode or decode, the
 * codecs load, and the message is retried in order. Shared by every connection of the process.
 */
let extensions: Promise<void> | undefined;
let extensionsLoaded = false;
function loadExtensions(): Promise<void> {
  extensions ??= loadOptionalExtensions()
    .catch(() => undefined)
    .then(() => {
      extensionsLoaded = true;
    });
  return extensions;
}

/** A message: a plain object with an `op`. */
export interface Message {
  op: string;
  [k: string]: unknown;
}

/** Handles an incoming message; for a request (one that has `rid`), the resolved value is the reply. */
export type MessageHandler = (msg: Message, conn: Connection) => unknown;

/** Options of a connection. */
export interface ConnectionOptions {
  /** Largest frame accepted or sent (default 1 GiB): a larger one closes the connection. */
  maxFrameSize?: number;
  /** Default timeout of `request` in ms (default 30 s; 0 = none). */
  requestTimeout?: number;
  /** Typed arrays at least this large travel as their own frame (default 64 KiB). */
  outOfBandBytes?: number;
  /** For error messages: who the peer is. */
  peer?: string;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  timer: NodeJS.Timeout | undefined;
  op: string;
}

/** Frames at least this large land in shared memory: a worker hands the arrays in them to its threads without a copy. */
const SHARED_ABOVE = 1024 * 1024;

/** One connection to a peer. */
export class Connection {
  /** Called for every message that is not a reply. Set before the first message can arrive. */
  onMessage: MessageHandler = () => undefined;
  /** Called once when the connection is closed (by either side or by an error). */
  onClose: ((error: Error | undefined) => void) | undefined;
  /** What the peer said in its hello (set by the handshake). */
  peerInfo: Record<string, unknown> = {};
  readonly peer: string;
  closed = false;
  private outbox: Message[] = [];
  private flushScheduled = false;
  private readonly pending = new Map<number, Pending>();
  private nextRid = 1;
  private readonly maxFrameSize: number;
  private readonly requestTimeout: number;
  private readonly oobBytes: number;
  // A message in assembly: its body and the buffer frames still expected.
  private body: Uint8Array | undefined;
  private parts: Uint8Array[] = [];
  private expected = 0;
  private closeError: Error | undefined;
  // Sending / receiving waits while lazily loaded codecs load (see loadExtensions).
  private sendBlocked = false;
  private decodeQueue: Uint8Array[][] | undefined;
  // Reassembles incoming frames (fed by 'data' events, or by the socket's onread: see `connect`).
  private readonly reader: FrameReader;

  /**
   * Opens a TCP connection to host:port (resolve it on the socket's 'connect'). Its socket reads the body of a
   * large incoming frame straight into the buffer the frame ends in, skipping the copy of 'data' chunks: this
   * doubles the rate of large transfers (a worker fetching a result from a peer, a client gathering one).
   */
  static connect(host: string, port: number, opts: ConnectionOptions = {}): Connection {
    // The socket needs the reader at creation, the reader needs the connection: it exists before any byte arrives.
    let conn: Connection | undefined;
    const reader = Connection.newReader((f) => conn!.onFrame(f), opts);
    const socket = netConnect({ host, port, noDelay: true, onread: frameOnRead(reader, (e) => conn!.protocolFailure(e)) });
    conn = new Connection(socket, { peer: `${host}:${port}`, ...opts }, reader);
    return conn;
  }

  private static newReader(onFrame: (f: Uint8Array) => void, opts: ConnectionOptions): FrameReader {
    return new FrameReader(onFrame, { maxFrameSize: opts.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE, sharedAbove: SHARED_ABOVE });
  }

  /**
   * Wraps an open socket (e.g. one a server accepted). `reader` is given only by `Connection.connect`, whose
   * socket feeds it through `onread`; otherwise the connection reads the socket's 'data' events.
   */
  constructor(readonly socket: Socket, opts: ConnectionOptions = {}, reader?: FrameReader) {
    this.maxFrameSize = opts.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
    this.requestTimeout = opts.requestTimeout ?? 30_000;
    this.oobBytes = opts.outOfBandBytes ?? 64 * 1024;
    this.peer = opts.peer ?? `${socket.remoteAddress}:${socket.remotePort}`;
    socket.setNoDelay(true);
    if (reader === undefined) {
      const r = (reader = Connection.newReader((f) => this.onFrame(f), opts));
      socket.on("data", (chunk: Buffer) => {
        try {
          r.push(chunk);
        } catch (e) {
          this.protocolFailure(e);
        }
      });
    }
    this.reader = reader;
    socket.on("error", (e) => this.finish(e));
    socket.on("close", () => {
      // A peer that closes (or dies) in the middle of a frame: free the partial frame, say what was lost.
      const partial = this.reader.pending;
      this.reader.discard();
      this.finish(partial > 0 ? new CommClosedError(`The connection closed in the middle of a message frame (${partial} bytes of it received).`) : undefined);
    });
  }

  /** A bad length prefix or an undecodable message: the stream cannot be trusted any more. */
  private protocolFailure(e: unknown): void {
    this.destroy(e instanceof ProtocolError ? e : new ProtocolError(`Closed the connection to ${this.peer}: ${(e as Error).message}`, { cause: e }));
  }

  /** Queues a message; everything queued in this event-loop turn is sent as one frame. */
  send(msg: Message): void {
    if (this.closed) throw new CommClosedError(`The connection to ${this.peer} is closed${this.closeError ? ` (${this.closeError.message})` : ""}.`);
    this.outbox.push(msg);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Sends a request and resolves to the peer's reply value (rejects with its error, a timeout, or a close). */
  request<T = unknown>(msg: Message, timeoutMs: number = this.requestTimeout): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.closed) {
        reject(new CommClosedError(`Cannot send '${msg.op}': the connection to ${this.peer} is closed.`));
        return;
      }
      const rid = this.nextRid++;
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              this.pending.delete(rid);
              reject(new RequestTimeoutError(`No reply to '${msg.op}' from ${this.peer} within ${timeoutMs} ms.`));
            }, timeoutMs)
          : undefined;
      timer?.unref();
      this.pending.set(rid, { resolve: resolve as (v: unknown) => void, reject, timer, op: msg.op });
      this.send({ ...msg, rid });
    });
  }

  /** Writes the queued messages now. */
  flush(): void {
    this.flushScheduled = false;
    if (this.closed || this.outbox.length === 0 || this.sendBlocked) return;
    const batch = this.outbox;
    this.outbox = [];
    try {
      // writeParts checks every part's size before writing any: a failure leaves nothing half-sent.
      this.writeParts(encodeParts(batch, this.oobBytes));
    } catch (e) {
      if (!extensionsLoaded) {
        this.outbox = batch.concat(this.outbox);
        this.sendBlocked = true;
        void loadExtensions().then(() => {
          this.sendBlocked = false;
          this.flush();
        });
        return;
      }
      // One unencodable or oversized message must not take the others down: send them one by one.
      if (batch.length > 1) {
        for (const m of batch) this.writeOne([m]);
        return;
      }
      this.failMessage(batch[0]!, e);
    }
  }

  private writeOne(batch: Message[]): void {
    try {
      this.writeParts(encodeParts(batch, this.oobBytes));
    } catch (e) {
      this.failMessage(batch[0]!, e);
    }
  }

  private failMessage(msg: Message, e: unknown): void {
    const rid = msg.rid as number | undefined;
    const p = rid !== undefined && msg.op !== "reply" ? this.pending.get(rid) : undefined;
    if (p) {
      this.pending.delete(rid!);
      if (p.timer) clearTimeout(p.timer);
      p.reject(e);
    } else if (msg.op === "reply") {
      // The reply value cannot be encoded: tell the requester instead of leaving it waiting.
      this.writeOne([{ op: "reply", rid: msg.rid, ok: false, error: new ProtocolError(`The reply could not be encoded: ${(e as Error).message}`) }]);
    } else {
      console.error(`dask-ts: could not send '${msg.op}' to ${this.peer}: ${(e as Error).message}`);
    }
  }

  private writeParts(parts: Uint8Array[]): void {
    const body = parts[0]!;
    for (const p of parts) {
      if (p.byteLength + 4 > this.maxFrameSize) {
        throw new ProtocolError(`A message part of ${p.byteLength} bytes exceeds the maximum frame size (${this.maxFrameSize}); send smaller pieces.`);
      }
    }
    const s = this.socket;
    s.cork();
    const head = Buffer.allocUnsafe(8);
    head.writeUInt32BE(body.byteLength + 4, 0);
    head.writeUInt32BE(parts.length - 1, 4);
    if (body.byteLength < 16 * 1024) {
      s.write(Buffer.concat([head, body]));
    } else {
      s.write(head);
      s.write(body); // the codec never reuses the space of a returned body: no copy needed
    }
    for (let i = 1; i < parts.length; i++) {
      const h = Buffer.allocUnsafe(4);
      h.writeUInt32BE(parts[i]!.byteLength, 0);
      s.write(h);
      s.write(parts[i]!);
    }
    s.uncork();
  }

  private onFrame(frame: Uint8Array): void {
    if (this.body === undefined) {
      if (frame.byteLength < 4) throw new ProtocolError(`Received a frame of ${frame.byteLength} bytes from ${this.peer}: too short for a message.`);
      const n = ((frame[0]! << 24) | (frame[1]! << 16) | (frame[2]! << 8) | frame[3]!) >>> 0;
      if (n > 100_000) throw new ProtocolError(`Received a message announcing ${n} buffers from ${this.peer}: not the dask-ts protocol.`);
      this.body = frame.subarray(4);
      this.parts = [this.body];
      this.expected = n;
    } else {
      this.parts.push(frame);
      this.expected--;
    }
    if (this.expected > 0) return;
    const parts = this.parts;
    this.body = undefined;
    this.parts = [];
    if (this.decodeQueue) {
      this.decodeQueue.push(parts);
      return;
    }
    let batch: unknown;
    try {
      batch = decodeParts(parts);
    } catch (e) {
      if (!extensionsLoaded) {
        // Maybe a value whose codec is not loaded yet: load it, then decode this and what follows, in order.
        this.decodeQueue = [parts];
        void loadExtensions().then(() => this.drainDecodeQueue());
        return;
      }
      throw new ProtocolError(`Received an undecodable message from ${this.peer}: ${(e as Error).message}`, { cause: e });
    }
    this.dispatchBatch(batch);
  }

  private drainDecodeQueue(): void {
    const queue = this.decodeQueue ?? [];
    this.decodeQueue = undefined;
    try {
      for (const parts of queue) {
        let batch: unknown;
        try {
          batch = decodeParts(parts);
        } catch (e) {
          throw new ProtocolError(`Received an undecodable message from ${this.peer}: ${(e as Error).message}`, { cause: e });
        }
        this.dispatchBatch(batch);
      }
    } catch (e) {
      this.destroy(e as Error);
    }
  }

  private dispatchBatch(batch: unknown): void {
    if (!Array.isArray(batch)) throw new ProtocolError(`Received a message from ${this.peer} that is not a batch of messages.`);
    for (const m of batch) this.dispatch(m as Message);
  }

  private dispatch(msg: Message): void {
    if (msg === null || typeof msg !== "object" || typeof msg.op !== "string") {
      throw new ProtocolError(`Received a message without an 'op' from ${this.peer}.`);
    }
    if (msg.op === "reply") {
      const p = this.pending.get(msg.rid as number);
      if (!p) return; // timed out already
      this.pending.delete(msg.rid as number);
      if (p.timer) clearTimeout(p.timer);
      if (msg.ok) p.resolve(msg.value);
      else p.reject(msg.error);
      return;
    }
    const rid = msg.rid as number | undefined;
    let out: unknown;
    try {
      out = this.onMessage(msg, this);
    } catch (e) {
      if (rid !== undefined) this.reply(rid, false, e);
      else console.error(`dask-ts: handling '${msg.op}' from ${this.peer} failed:`, e);
      return;
    }
    if (rid === undefined) {
      if (out instanceof Promise) out.catch((e) => console.error(`dask-ts: handling '${msg.op}' from ${this.peer} failed:`, e));
      return;
    }
    if (out instanceof Promise) out.then((v) => this.reply(rid, true, v), (e) => this.reply(rid, false, e));
    else this.reply(rid, true, out);
  }

  private reply(rid: number, ok: boolean, v: unknown): void {
    if (this.closed) return;
    this.send(ok ? { op: "reply", rid, ok, value: v } : { op: "reply", rid, ok, error: v });
  }

  /** Sends what is queued, then closes. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.socket.end();
    this.finish(undefined);
    // A peer that does not close its side within a moment is cut off.
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  /** Closes at once with an error. */
  destroy(error?: Error): void {
    this.socket.destroy();
    this.finish(error);
  }

  private finish(error: Error | undefined): void {
    if (this.closed && this.pending.size === 0 && this.onClose === undefined) return;
    const first = !this.closed;
    this.closed = true;
    this.closeError ??= error;
    const err = new CommClosedError(`The connection to ${this.peer} closed${error ? `: ${error.message}` : ""}.`, error ? { cause: error } : undefined);
    for (const [, p] of this.pending) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
    if (first) {
      const cb = this.onClose;
      this.onClose = undefined;
      cb?.(error);
    }
  }
}
