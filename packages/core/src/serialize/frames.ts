/**
 * Length-prefixed frames over a byte stream (child-process pipes, TCP sockets).
 *
 * A stream delivers bytes in arbitrary chunks; a frame is one message: a 4-byte big-endian
 * length followed by that many bytes. Large bodies are never copied on the way out (the
 * header and the body are written separately), and on the way in each byte is copied at
 * most once: a frame that lies inside one chunk is handed out as a view of it, and a frame
 * split across chunks is assembled into a buffer allocated once at its final size. A socket can
 * also read the rest of a large frame straight into that buffer (`directTarget` / `pushDirect`,
 * used through `frameOnRead`), so those bytes are never copied at all.
 */
import type { Readable } from "node:stream";
import { SerializationError } from "../errors.js";

/** Default largest frame accepted (1 GiB); a larger length prefix almost surely means a corrupt stream. */
export const DEFAULT_MAX_FRAME_SIZE = 1024 * 1024 * 1024;

/** Largest length a 4-byte prefix can state. */
const LENGTH_LIMIT = 0xffffffff;

/** Bodies up to this size are copied next to their header and written once: cheaper than two writes. */
const COALESCE_LIMIT = 16 * 1024;

/** What `writeFrame` writes to: a net.Socket, a child's stdin, any Writable. */
export interface FrameSink {
  write(chunk: Uint8Array): boolean;
  cork?(): void;
  uncork?(): void;
}

function tooLarge(size: number, max: number, side: string): SerializationError {
  return new SerializationError(
    `${side} a frame of ${size} bytes, larger than the maximum frame size of ${max} bytes. ` +
      `If the stream is intact, send the data in smaller pieces (e.g. smaller chunks or partitions) ` +
      `or raise maxFrameSize on both ends; otherwise the peer is not speaking the dask-ts frame protocol.`,
  );
}

/**
 * Writes one frame. Returns the stream's backpressure signal (false: wait for 'drain').
 * The stream keeps a reference to `bytes` until it is flushed: do not modify them meanwhile.
 */
export function writeFrame(sink: FrameSink, bytes: Uint8Array, maxFrameSize: number = DEFAULT_MAX_FRAME_SIZE): boolean {
  const n = bytes.byteLength;
  if (n > maxFrameSize || n > LENGTH_LIMIT) throw tooLarge(n, Math.min(maxFrameSize, LENGTH_LIMIT), "Cannot send");
  if (n <= COALESCE_LIMIT) {
    const frame = Buffer.allocUnsafe(4 + n);
    frame.writeUInt32BE(n, 0);
    frame.set(bytes, 4);
    return sink.write(frame);
  }
  const header = Buffer.allocUnsafe(4);
  header.writeUInt32BE(n, 0);
  // Corked, the two writes leave as one writev: one syscall, and the body is not copied.
  sink.cork?.();
  sink.write(header);
  const ok = sink.write(bytes);
  sink.uncork?.();
  return ok;
}

/** Options of FrameReader and onFrames. */
export interface FrameReaderOptions {
  /** Largest frame accepted; a longer length prefix throws a SerializationError. Default 1 GiB. */
  maxFrameSize?: number;
  /**
   * Frames split across chunks and at least this large are assembled in SharedArrayBuffer memory, so the
   * typed arrays decoded from them cross to worker threads without another copy. Default: never.
   */
  sharedAbove?: number;
}

/**
 * Reassembles frames from chunks of a byte stream, in order. `onFrame` receives each frame
 * body; it may be a view of a chunk passed to `push`, so chunks must not be reused afterwards
 * (Node streams never reuse them). If `onFrame` throws, `push` rethrows and the rest of that
 * chunk is kept: the next `push` delivers it first.
 */
export class FrameReader {
  private readonly maxFrameSize: number;
  private readonly sharedAbove: number;
  // Header bytes that arrived split across chunks.
  private readonly header = new Uint8Array(4);
  private headerFill = 0;
  // The frame being assembled across chunks (undefined while reading a header).
  private body: Uint8Array | undefined;
  private bodyFill = 0;
  // The chunk being read and the position in it; still set if onFrame throws, so the next
  // push resumes there. State always moves past a frame before onFrame sees it.
  private chunk: Uint8Array | undefined;
  private pos = 0;
  // Set once a bad length prefix is seen: after that the byte stream cannot be resynchronized.
  private broken: SerializationError | undefined;

  constructor(
    private readonly onFrame: (frame: Uint8Array) => void,
    options: FrameReaderOptions = {},
  ) {
    this.maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
    this.sharedAbove = options.sharedAbove ?? Infinity;
  }

  /** Bytes received that belong to a frame not yet complete. */
  get pending(): number {
    return this.body !== undefined ? 4 + this.bodyFill : this.headerFill;
  }

  /**
   * The unfilled rest of the frame in assembly, if at least `minBytes` of it remain (else undefined): a socket can
   * read straight into it, skipping the intermediate chunk and its copy (see `frameOnRead`). Report the bytes
   * written there with `pushDirect`; push other bytes with `push` as usual.
   */
  directTarget(minBytes: number): Uint8Array | undefined {
    // A chunk left over by a throwing onFrame comes first in the stream: it must be drained before new bytes land.
    if (this.body === undefined || this.chunk !== undefined || this.broken) return undefined;
    const rest = this.body.byteLength - this.bodyFill;
    return rest >= minBytes ? this.body.subarray(this.bodyFill) : undefined;
  }

  /** Records `n` bytes written at the start of the region `directTarget` returned; calls `onFrame` if the frame is complete. */
  pushDirect(n: number): void {
    const body = this.body;
    if (body === undefined || this.chunk !== undefined || !(n >= 0 && n <= body.byteLength - this.bodyFill)) {
      throw new RangeError(`pushDirect(${n}) does not match the frame in assembly (${body ? body.byteLength - this.bodyFill : 0} bytes expected).`);
    }
    this.bodyFill += n;
    if (this.bodyFill === body.byteLength) {
      this.body = undefined;
      this.bodyFill = 0;
      this.onFrame(body);
    }
  }

  /** Drops a partly received frame and any unread bytes (the stream closed): their buffers can be freed. */
  discard(): void {
    this.body = undefined;
    this.bodyFill = 0;
    this.headerFill = 0;
    this.chunk = undefined;
  }

  /** Feeds one chunk; calls `onFrame` for every frame it completes. Throws a SerializationError for a length prefix over the limit. */
  push(chunk: Uint8Array): void {
    if (this.broken) throw this.broken;
    if (this.chunk !== undefined) this.drain();
    this.chunk = chunk;
    this.pos = 0;
    this.drain();
  }

  private drain(): void {
    const chunk = this.chunk!;
    const end = chunk.byteLength;
    while (this.pos < end) {
      if (this.body === undefined) {
        let length: number;
        if (this.headerFill === 0 && end - this.pos >= 4) {
          const p = this.pos;
          length = ((chunk[p]! << 24) | (chunk[p + 1]! << 16) | (chunk[p + 2]! << 8) | chunk[p + 3]!) >>> 0;
          this.pos = p + 4;
        } else {
          while (this.headerFill < 4 && this.pos < end) this.header[this.headerFill++] = chunk[this.pos++]!;
          if (this.headerFill < 4) break;
          const h = this.header;
          length = ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
          this.headerFill = 0;
        }
        if (length > this.maxFrameSize) {
          this.chunk = undefined;
          throw (this.broken = tooLarge(length, this.maxFrameSize, "Received"));
        }
        if (end - this.pos >= length) {
          // The whole frame is in this chunk: hand out a view, no copy.
          const frame = chunk.subarray(this.pos, this.pos + length);
          this.pos += length;
          this.onFrame(frame);
          continue;
        }
        // Allocated once at the final size, so a frame split over many chunks costs one copy.
        this.body = length >= this.sharedAbove ? Buffer.from(new SharedArrayBuffer(length)) : Buffer.allocUnsafe(length);
        this.bodyFill = 0;
      }
      const body = this.body;
      const take = Math.min(body.byteLength - this.bodyFill, end - this.pos);
      body.set(chunk.subarray(this.pos, this.pos + take), this.bodyFill);
      this.bodyFill += take;
      this.pos += take;
      if (this.bodyFill === body.byteLength) {
        this.body = undefined;
        this.bodyFill = 0;
        this.onFrame(body);
      }
    }
    this.chunk = undefined;
  }
}

/**
 * Calls `onFrame` for every frame arriving on `stream`. A malformed stream (a frame over the
 * size limit, or the stream ending in the middle of a frame) destroys the stream with a
 * SerializationError; an exception thrown by `onFrame` destroys it with that exception. Either
 * way the stream emits it as 'error' instead of it escaping from a 'data' listener (which would
 * crash the process), and the connection, whose state is unknown from then on, is closed.
 * Returns a function that stops listening.
 */
export function onFrames(
  stream: Readable,
  onFrame: (frame: Uint8Array) => void,
  options: FrameReaderOptions = {},
): () => void {
  const reader = new FrameReader(onFrame, options);
  const onData = (chunk: Buffer | string): void => {
    if (typeof chunk === "string") {
      stream.destroy(
        new SerializationError("Frames need a byte stream, but this stream delivers strings: do not call setEncoding() on it."),
      );
      return;
    }
    try {
      reader.push(chunk);
    } catch (e) {
      stream.destroy(e instanceof Error ? e : new Error(String(e)));
    }
  };
  const onEnd = (): void => {
    if (reader.pending > 0) {
      stream.destroy(
        new SerializationError(
          `The stream ended in the middle of a frame (${reader.pending} bytes of it received): the peer closed or crashed while sending.`,
        ),
      );
    }
  };
  stream.on("data", onData);
  stream.on("end", onEnd);
  return () => {
    stream.off("data", onData);
    stream.off("end", onEnd);
  };
}
