/**
 * Allocating typed arrays for task outputs: shared memory on worker threads, so results cross without
 * copies, and recycled buffers when the engine has proven an old one dead (see ./recycle.ts).
 *
 * Why recycle: a large buffer (a 1000x1000 float64 chunk is 8 MB) taken fresh from the kernel costs a
 * page fault per 4 KiB page, about 4-5 ms of system time per 8 MB here: as much as generating the
 * chunk's random numbers. Dead chunks are freed by the GC in bulk, and glibc's malloc then often gives
 * their memory back to the kernel (trimming or unmapping its heaps). Measured with x.sum() of a random
 * 10000x10000 array in 1000x1000 chunks: on a worker thread nearly every chunk was fresh memory (about
 * 195,000 minor faults and 0.4-0.5 s of system time per 100 chunks), on the main thread malloc happened
 * to reuse most of it (15,000-20,000 faults), so the same kernels ran about 2x slower on a worker.
 * Reusing dead buffers of the same size makes both fast, whatever the allocator does.
 */
import { isMainThread } from "node:worker_threads";

/** Constructors of the typed arrays kernels allocate. */
export type TypedArrayConstructor =
  | Float64ArrayConstructor
  | Float32ArrayConstructor
  | Int32ArrayConstructor
  | Int16ArrayConstructor
  | Int8ArrayConstructor
  | Uint32ArrayConstructor
  | Uint16ArrayConstructor
  | Uint8ArrayConstructor
  | Uint8ClampedArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor;

/** Options of allocTyped. */
export interface AllocOptions {
  /**
   * The caller writes every element before reading any, so the contents may be left over from a dead
   * chunk instead of zeros (saves clearing a recycled buffer). Default false: the array is zeroed.
   */
  uninitialized?: boolean;
  /** Shared memory even on the main thread (e.g. when a copy into it is faster, or it goes to threads). */
  shared?: boolean;
}

let shared = !isMainThread;

/** Buffers at least this large are recycled; smaller ones are cheap for malloc and not worth tracking. */
export const MIN_RECYCLED_BYTES = 64 * 1024;
/**
 * Default cap on the bytes held in this thread's free lists (beyond it, dead buffers are left to the GC).
 * Pooled memory was live a moment before, and a fresh allocation first evicts free buffers of other
 * sizes, so the pool does not raise a computation's peak footprint; the cap bounds the rest.
 */
const DEFAULT_POOL_LIMIT = 512 * 1024 * 1024;

/** Free buffers by byte length, shared and unshared apart. Every buffer here is dead (see recycle.ts). */
const freeShared = new Map<number, SharedArrayBuffer[]>();
const freePlain = new Map<number, ArrayBuffer[]>();
let freeBytes = 0;
let poolLimit = DEFAULT_POOL_LIMIT;

/** Counters of this thread's buffer pool (for tests and diagnostics). */
export interface BufferPoolStats {
  /** Large buffers allocated fresh. */
  fresh: number;
  /** Large buffers handed out again from the free lists. */
  reused: number;
  /** Dead buffers put on the free lists. */
  recycled: number;
  /** Dead buffers dropped because the pool was full. */
  dropped: number;
  /** Free buffers dropped to make room for a fresh one of another size. */
  evicted: number;
  /** Bytes currently on the free lists. */
  freeBytes: number;
}
const stats = { fresh: 0, reused: 0, recycled: 0, dropped: 0, evicted: 0 };

/**
 * Allocations of the task being evaluated in this thread, and whether it called a function that may keep
 * references (not a kernel registered as stateless). A stack: a task may (synchronously) run a nested
 * graph on the sync scheduler.
 */
export interface TaskFrame {
  allocated: ArrayBufferLike[];
  unsafe: boolean;
}
// Frames are reused (a task costs no allocation for them); `depth` of them are in use.
const frames: TaskFrame[] = [];
let depth = 0;

/** Starts recording the large allocations of a task (recycle.ts; the frame covers one synchronous evaluation). */
export function pushTaskFrame(): void {
  const f = frames[depth];
  if (f) {
    if (f.allocated.length) f.allocated.length = 0;
    f.unsafe = false;
  } else frames[depth] = { allocated: [], unsafe: false };
  depth++;
}

/** Stops recording and returns what the task allocated (valid until the next pushTaskFrame). */
export function popTaskFrame(): TaskFrame {
  return frames[--depth]!;
}

/** The frame of the task being evaluated, if any. */
export function currentTaskFrame(): TaskFrame | undefined {
  return depth ? frames[depth - 1] : undefined;
}

function takeFree(isShared: boolean, bytes: number): ArrayBufferLike | undefined {
  const list = (isShared ? freeShared : freePlain).get(bytes);
  const b = list?.pop();
  if (b) {
    freeBytes -= bytes;
    lastUse = performance.now();
  }
  return b;
}

/** Drops free buffers (of other sizes: there is none of the size asked) worth at least `bytes`. */
function evict(bytes: number): void {
  let left = bytes;
  for (const lists of [freePlain, freeShared] as Map<number, ArrayBufferLike[]>[]) {
    for (const [size, list] of lists) {
      while (list.length && left > 0) {
        list.pop();
        freeBytes -= size;
        left -= size;
        stats.evicted++;
      }
      if (!list.length) lists.delete(size);
      if (left <= 0) return;
    }
  }
}

function zero(b: ArrayBufferLike): void {
  const words = b.byteLength >>> 3;
  // Eight bytes at a time is about 4x faster than Uint8Array.fill.
  if (words) new Float64Array(b, 0, words).fill(0);
  if (b.byteLength & 7) new Uint8Array(b, words << 3).fill(0);
}

/**
 * A typed array of `length` elements, zeroed unless `opts.uninitialized`. Inside a worker thread it
 * lives on a SharedArrayBuffer, so sending it back to the scheduler (or to the next task) shares memory
 * instead of copying it. Large arrays may reuse the buffer of a chunk the engine has proven dead.
 */
export function allocTyped<C extends TypedArrayConstructor>(ctor: C, length: number, opts?: AllocOptions): InstanceType<C> {
  const bytes = length * ctor.BYTES_PER_ELEMENT;
  const isShared = (shared || opts?.shared === true) && typeof SharedArrayBuffer === "function";
  let buffer: ArrayBufferLike | undefined;
  if (bytes >= MIN_RECYCLED_BYTES) {
    buffer = takeFree(isShared, bytes);
    if (buffer) {
      stats.reused++;
      if (!opts?.uninitialized) zero(buffer);
    } else {
      stats.fresh++;
      if (freeBytes) evict(bytes);
    }
  }
  buffer ??= isShared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  if (bytes >= MIN_RECYCLED_BYTES && depth) frames[depth - 1]!.allocated.push(buffer);
  // ES2023 lib typings only accept ArrayBuffer here; every typed array constructor takes a SharedArrayBuffer.
  return new (ctor as unknown as new (b: ArrayBufferLike) => InstanceType<C>)(buffer);
}

/**
 * Puts a dead buffer on the free list of its size. Only recycle.ts calls this, for buffers it has proven
 * unreachable from anything but its own bookkeeping; anything else must let the GC free memory.
 */
export function recycleBuffer(b: ArrayBufferLike): void {
  if (b.byteLength < MIN_RECYCLED_BYTES) return;
  if (freeBytes + b.byteLength > poolLimit) {
    stats.dropped++;
    return;
  }
  const isShared = typeof SharedArrayBuffer === "function" && b instanceof SharedArrayBuffer;
  const lists = (isShared ? freeShared : freePlain) as Map<number, ArrayBufferLike[]>;
  let list = lists.get(b.byteLength);
  if (!list) lists.set(b.byteLength, (list = []));
  list.push(b);
  freeBytes += b.byteLength;
  lastUse = performance.now();
  stats.recycled++;
}

/** Empties this thread's free lists (the GC then returns the memory). */
export function clearBufferPool(): void {
  freeShared.clear();
  freePlain.clear();
  freeBytes = 0;
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = undefined;
}

/**
 * A lane with no run left keeps its free lists this long, then drops them. Long enough for computations a
 * script runs one after the other (dropping the lists only returns memory once the GC runs, and an idle
 * worker thread seldom collects; meanwhile the next computation would take fresh memory): a few seconds.
 */
const IDLE_CLEAR_MS = 10_000;
let idleTimer: ReturnType<typeof setTimeout> | undefined;
let lastUse = 0;

/** Called when a lane's last run ends: the free lists are dropped after IDLE_CLEAR_MS without use. */
export function clearBufferPoolWhenIdle(): void {
  if (idleTimer || freeBytes === 0) return;
  const arm = (ms: number): void => {
    idleTimer = setTimeout(check, ms);
    idleTimer.unref?.(); // never keeps a process or a worker alive
  };
  const check = (): void => {
    idleTimer = undefined;
    const idle = performance.now() - lastUse;
    if (idle >= IDLE_CLEAR_MS - 5) clearBufferPool();
    else arm(IDLE_CLEAR_MS - idle);
  };
  lastUse = performance.now();
  arm(IDLE_CLEAR_MS);
}

/** Caps the bytes this thread keeps on its free lists (0 turns recycling off). Returns the previous cap. */
export function setBufferPoolLimit(bytes: number): number {
  const old = poolLimit;
  poolLimit = Math.max(0, bytes);
  if (freeBytes > poolLimit) clearBufferPool();
  return old;
}

/** Current counters of this thread's buffer pool. */
export function bufferPoolStats(): BufferPoolStats {
  return { ...stats, freeBytes };
}

/** Whether allocTyped uses shared memory here (true on worker threads). */
export function allocatesShared(): boolean {
  return shared;
}

/** Forces shared allocation on or off (tests, or a main thread that hands chunks to threads). */
export function setSharedAllocation(on: boolean): void {
  shared = on;
}
