/** Positioned reads that do not stop short (readSync may return fewer bytes than asked). */
import { readSync } from "node:fs";

/** Reads up to `length` bytes at `position` into buf[at...]; returns the bytes read (fewer only at the end of the file). */
export function readFully(fd: number, buf: Uint8Array, at: number, length: number, position: number): number {
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, at + got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}
