/**
 * Receiving frames through a socket's `onread` option (net.connect({ onread }), Node >= 12) instead of 'data'
 * events: the socket reads into buffers we choose, so the body of a large frame, whose size its header gives,
 * is read straight into the buffer it ends in. The default path reads every 64 KiB into a fresh chunk, emits
 * it, and copies it into the frame: for a 64 MiB frame that copy, with first-touch page faults on both
 * buffers and a thousand stream events, cost more than the transfer itself.
 */
import type { FrameReader } from "./frames.js";

/** The `onread` option of net.connect / new net.Socket (structurally Node's OnReadOpts). */
export interface OnReadOptions {
  buffer: () => Uint8Array;
  callback: (bytesRead: number, buffer: Uint8Array) => boolean;
}

/** Bytes a socket read asks for when it is not filling a large frame; also the least a direct read targets. */
const READ_SIZE = 64 * 1024;

/**
 * `onread` options that feed `reader`. A frame still missing at least 64 KiB is read directly into its own
 * buffer. Other bytes (small frames, headers, the last bytes of a large frame) are read into one reused
 * buffer and pushed as an exact-size copy, as Node's own reads deliver them: frames handed out as views of
 * that copy stay valid and pin no more memory than they did with 'data' events.
 * Whatever `push`/`pushDirect` throws (a bad length prefix, an exception of onFrame) goes to `onError` and
 * reading stops: the stream cannot be trusted any more, so the owner should destroy the socket.
 */
export function frameOnRead(reader: FrameReader, onError: (e: Error) => void): OnReadOptions {
  const scratch = Buffer.allocUnsafeSlow(READ_SIZE);
  // The region of a frame that the pending read fills, when it is a direct read.
  let direct: Uint8Array | undefined;
  return {
    buffer(): Uint8Array {
      direct = reader.directTarget(READ_SIZE);
      return direct ?? scratch;
    },
    callback(bytesRead: number, buffer: Uint8Array): boolean {
      try {
        if (direct !== undefined && buffer === direct) {
          direct = undefined;
          reader.pushDirect(bytesRead);
        } else {
          reader.push(Buffer.from(scratch.subarray(0, bytesRead)));
        }
        return true;
      } catch (e) {
        onError(e instanceof Error ? e : new Error(String(e)));
        return false;
      }
    },
  };
}
