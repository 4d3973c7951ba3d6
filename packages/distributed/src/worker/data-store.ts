/**
 * A worker's results: in memory, or spilled to disk when they outgrow the memory target (least recently
 * used first, like Dask's zict-backed buffer). Reading a spilled key loads it back into memory.
 */
import { mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { decodeParts, encodeParts } from "@dask-ts/core";
import { sizeOf } from "./sizeof.js";

interface Spilled {
  file: string;
  nbytes: number;
}

/** Results by key, with sizes, LRU order and a spill directory. */
export class DataStore {
  // Map order is recency: a key read or written moves to the end.
  private readonly fast = new Map<string, unknown>();
  private readonly sizes = new Map<string, number>();
  private readonly slow = new Map<string, Spilled>();
  private dir: string | undefined;
  private nextFile = 0;
  /** Bytes of results held in memory. */
  memory = 0;
  /** Bytes of results on disk. */
  spilledBytes = 0;
  /** Results written to disk so far (tests and metrics). */
  spillCount = 0;

  constructor(private readonly spillRoot: string = tmpdir()) {}

  has(key: string): boolean {
    return this.fast.has(key) || this.slow.has(key);
  }

  /** Estimated size of a held key. */
  nbytes(key: string): number {
    return this.sizes.get(key) ?? this.slow.get(key)?.nbytes ?? 0;
  }

  /** The value of `key` (loaded from disk if spilled); undefined if not held. */
  get(key: string): unknown {
    if (this.fast.has(key)) {
      const v = this.fast.get(key);
      this.fast.delete(key);
      this.fast.set(key, v);
      return v;
    }
    const s = this.slow.get(key);
    if (!s) return undefined;
    const bytes = readFileSync(s.file);
    const v = decodeFile(bytes);
    this.slow.delete(key);
    this.spilledBytes -= s.nbytes;
    unlinkSync(s.file);
    this.fast.set(key, v);
    this.sizes.set(key, s.nbytes);
    this.memory += s.nbytes;
    return v;
  }

  /** Stores a result in memory; returns its estimated size. */
  set(key: string, value: unknown): number {
    this.delete(key);
    const n = sizeOf(value);
    this.fast.set(key, value);
    this.sizes.set(key, n);
    this.memory += n;
    return n;
  }

  /** Forgets a key, in memory or on disk. */
  delete(key: string): void {
    if (this.fast.has(key)) {
      this.fast.delete(key);
      this.memory -= this.sizes.get(key) ?? 0;
      this.sizes.delete(key);
    }
    const s = this.slow.get(key);
    if (s) {
      this.slow.delete(key);
      this.spilledBytes -= s.nbytes;
      try {
        unlinkSync(s.file);
      } catch {
        /* already gone */
      }
    }
  }

  /** Every held key. */
  keys(): string[] {
    return [...this.fast.keys(), ...this.slow.keys()];
  }

  /**
   * Spills least recently used results until memory is at most `targetBytes` (never the `keep` keys, which
   * a running task is about to read). Returns the number of results spilled.
   */
  spillTo(targetBytes: number, keep?: ReadonlySet<string>): number {
    let n = 0;
    for (const [key, value] of this.fast) {
      if (this.memory <= targetBytes) break;
      if (keep?.has(key)) continue;
      if (!this.spillOne(key, value)) continue;
      n++;
    }
    return n;
  }

  private spillOne(key: string, value: unknown): boolean {
    let bytes: Buffer;
    try {
      bytes = encodeFile(value);
    } catch {
      return false; // cannot be serialized: it stays in memory
    }
    if (!this.dir) {
      this.dir = join(this.spillRoot, `dask-ts-spill-${process.pid}-${randomUUID().slice(0, 8)}`);
      mkdirSync(this.dir, { recursive: true });
    }
    const file = join(this.dir, String(this.nextFile++));
    writeFileSync(file, bytes);
    const nbytes = this.sizes.get(key) ?? 0;
    this.fast.delete(key);
    this.sizes.delete(key);
    this.memory -= nbytes;
    this.slow.set(key, { file, nbytes });
    this.spilledBytes += nbytes;
    this.spillCount++;
    return true;
  }

  /** Removes the spill directory. */
  close(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
    this.slow.clear();
  }
}

/** File layout: part count, part lengths (u32 each), then the parts (core encodeParts). */
function encodeFile(value: unknown): Buffer {
  const parts = encodeParts(value);
  const head = Buffer.allocUnsafe(4 + 4 * parts.length);
  head.writeUInt32LE(parts.length, 0);
  parts.forEach((p, i) => head.writeUInt32LE(p.byteLength, 4 + 4 * i));
  return Buffer.concat([head, ...parts]);
}

function decodeFile(bytes: Buffer): unknown {
  const count = bytes.readUInt32LE(0);
  let off = 4 + 4 * count;
  const parts: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const len = bytes.readUInt32LE(4 + 4 * i);
    // Copied into its own buffer: typed arrays need their element alignment.
    parts.push(new Uint8Array(bytes.subarray(off, off + len)));
    off += len;
  }
  return decodeParts(parts);
}
