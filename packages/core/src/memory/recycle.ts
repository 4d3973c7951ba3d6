/**
 * Which chunk buffers of a lane are provably dead, so that allocTyped may hand them out again.
 *
 * A lane (a worker thread or process, or the sync scheduler's thread) tracks the large buffers that
 * allocTyped returned while one of its tasks ran, and recycles one only when no code will ever read or
 * write it again through any reference. The argument, step by step:
 *
 * 1. Who can reach a buffer allocated while task T ran. Evaluation is synchronous and single-threaded,
 *    so the allocations recorded in T's frame are exactly those made by the functions T called. If every
 *    one of them is a kernel registered as `stateless` (it keeps no reference to its arguments or its
 *    result once it returns, and its result exposes every buffer it refers to through own enumerable
 *    properties, array or Map/Set entries, or typed array views), then after T returns the buffer is
 *    reachable only from T's result. A task that called anything else, returned a promise, or threw is
 *    unsafe: its allocations are not tracked (the GC frees them), the tracked buffers of the inputs it
 *    read are pinned (never recycled here), and its result carries MAY_KEEP_INPUTS so that the scheduler
 *    pins its inputs on every lane.
 * 2. Fused intermediates. A buffer allocated by T that T's result does not contain is dead when T
 *    returns (e.g. the random block inside a fused random -> sum task): recycled at once.
 * 3. Results. Every tracked buffer T's result contains (found by walking the result; a walk that meets a
 *    function or grows too large makes T unsafe) is counted once for T's key. Views share buffers, so a
 *    transpose of a chunk counts the chunk's buffer again for its own key.
 * 4. Outside this lane. A result also goes to the scheduler (shared, not copied, on threads), which may
 *    ship it to other lanes as an input. A lane cannot tell another lane's buffers from a literal's, so
 *    when a result contains a large buffer it does not track and that belongs to one of the task's inputs,
 *    the result carries ALIASES_INPUTS: the scheduler then retires (tells the owner lane to release) those
 *    inputs only after this result is retired itself, transitively, and never if the view is an output or
 *    pinned. The scheduler drops its own copy of a key when it releases it (after the key's last
 *    dependent finished) and never releases outputs. Lanes may still hold a released key (until the
 *    notice arrives) or a shipped input (in the data of a finished batch): dead references, since no task
 *    left in the run reads them.
 * 5. Release. On `recycle` of a key, each of its buffers loses one count and is recycled at zero. On
 *    `release` (pinned) its buffers are forgotten: no longer tracked, so never recycled. On the end of a
 *    run (finished, failed or cancelled) every buffer still held is forgotten: outputs go to the user.
 *
 * All limits err on the safe side: a lane only recycles what it allocated itself, and anything a
 * non-stateless function touched is left to the GC.
 */
import { MIN_RECYCLED_BYTES, popTaskFrame, pushTaskFrame, recycleBuffer } from "./alloc.js";

/** A result walk visiting more nodes than this gives up (the task is then treated as unsafe). */
const WALK_LIMIT = 4096;

/**
 * Flag of a result: it is a view of memory of the task's inputs that this lane does not track (e.g. the
 * transpose of a chunk shipped from another lane). It holds that memory exactly as long as it is held.
 */
export const ALIASES_INPUTS = 1;
/** Flag of a result: code that may keep references ran on the task's inputs; their memory is never reused. */
export const MAY_KEEP_INPUTS = 2;

const UNWALKABLE = Symbol("unwalkable");

/** Adds every buffer `value` refers to into `out`; returns false for an unwalkable value (function, too large). */
function collectBuffers(value: unknown, out: Set<ArrayBufferLike>): boolean {
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  let visited = 0;
  try {
    while (stack.length) {
      const v = stack.pop();
      if (typeof v === "function") throw UNWALKABLE;
      if (typeof v !== "object" || v === null || seen.has(v)) continue;
      if (++visited > WALK_LIMIT) throw UNWALKABLE;
      seen.add(v);
      if (ArrayBuffer.isView(v)) {
        out.add(v.buffer);
      } else if (v instanceof ArrayBuffer || (typeof SharedArrayBuffer === "function" && v instanceof SharedArrayBuffer)) {
        out.add(v);
      } else if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) stack.push(v[i]);
      } else if (v instanceof Map) {
        for (const [k, x] of v) stack.push(k, x);
      } else if (v instanceof Set) {
        for (const x of v) stack.push(x);
      } else if (v instanceof WeakMap || v instanceof WeakSet || v instanceof WeakRef || v instanceof Promise) {
        throw UNWALKABLE;
      } else {
        for (const k in v) if (Object.prototype.hasOwnProperty.call(v, k)) stack.push((v as Record<string, unknown>)[k]);
      }
    }
  } catch (e) {
    if (e === UNWALKABLE) return false;
    throw e;
  }
  return true;
}

/** Whether any of these values is an object (and so may hold an ArrayBuffer). */
function anyObject(values: readonly unknown[]): boolean {
  for (const v of values) if ((typeof v === "object" && v !== null) || typeof v === "function") return true;
  return false;
}

/** One lane's tracked buffers: how many held results refer to each, and which buffers each result holds. */
export class ResultMemory {
  /** Tracked buffer -> number of held results (run, key) that contain it. */
  private readonly refs = new Map<ArrayBufferLike, number>();
  /** run -> key -> the tracked buffers that result contains. */
  private readonly held = new Map<number, Map<string, ArrayBufferLike[]>>();

  /** Call right before evaluating a task (synchronously), then exactly one of finish / abandon. */
  begin(): void {
    pushTaskFrame();
  }

  /**
   * The task returned `value` synchronously and the lane stores it under (run, key). `inputs` are the keys
   * it read from the lane's store, `inputValues` every input value it read (from the store or shipped with
   * its batch). Returns the result's flags (ALIASES_INPUTS, MAY_KEEP_INPUTS or 0) for the scheduler.
   */
  finish(run: number, key: string, value: unknown, inputs: readonly string[], inputValues: readonly unknown[]): number {
    const frame = popTaskFrame();
    const fresh = frame.allocated;
    if (frame.unsafe) {
      if (fresh.length) fresh.length = 0; // left to the GC
      return this.abandonInputs(run, inputs, inputValues);
    }
    // No new buffer, and no input that holds one: the result cannot contain memory anyone may recycle.
    if (fresh.length === 0 && !anyObject(inputValues)) return 0;
    const found = new Set<ArrayBufferLike>();
    if (!collectBuffers(value, found)) {
      fresh.length = 0;
      return this.abandonInputs(run, inputs, inputValues);
    }
    let foreign: ArrayBufferLike[] | undefined;
    const mine: ArrayBufferLike[] = [];
    const freshSet = fresh.length > 4 ? new Set(fresh) : undefined;
    for (const b of found) {
      const isFresh = freshSet ? freshSet.has(b) : fresh.includes(b);
      const count = this.refs.get(b);
      if (isFresh || count !== undefined) {
        this.refs.set(b, (count ?? 0) + 1);
        mine.push(b);
      } else if (b.byteLength >= MIN_RECYCLED_BYTES) {
        (foreign ??= []).push(b); // memory this lane does not track: another lane's, pinned, or a literal's
      }
    }
    // Allocated by this task and not in its result: dead now (a fused intermediate, a scratch chunk).
    for (const b of fresh) if (!found.has(b)) recycleBuffer(b);
    fresh.length = 0;
    if (mine.length) {
      let m = this.held.get(run);
      if (!m) this.held.set(run, (m = new Map()));
      m.set(key, mine);
    }
    if (!foreign) return 0;
    // A view of an input's memory: the scheduler keeps that input from being recycled while this lives.
    const inputBuffers = new Set<ArrayBufferLike>();
    if (!collectBuffers(inputValues, inputBuffers)) return ALIASES_INPUTS;
    return foreign.some((b) => inputBuffers.has(b)) ? ALIASES_INPUTS : 0;
  }

  /** The task threw or returned a promise: its allocations stay untracked and the inputs it read are pinned. */
  abandon(run: number, inputs: readonly string[], inputValues: readonly unknown[]): number {
    const fresh = popTaskFrame().allocated;
    if (fresh.length) fresh.length = 0; // left to the GC
    return this.abandonInputs(run, inputs, inputValues);
  }

  /** Code that may keep references saw these inputs: pin what this lane tracks, and flag them for the scheduler. */
  private abandonInputs(run: number, inputs: readonly string[], inputValues: readonly unknown[]): number {
    this.pin(run, inputs);
    // Inputs without objects (numbers, strings) hold no memory anyone could recycle: no need to tell.
    return anyObject(inputValues) ? MAY_KEEP_INPUTS : 0;
  }

  /** Applies a batch's release notices: drops the keys from the lane's store and releases (or recycles) their memory. */
  forget(run: number, store: Map<string, unknown>, release: readonly string[], recycle: readonly string[] | undefined): void {
    for (const k of release) {
      store.delete(k);
      this.release(run, k, false);
    }
    for (const k of recycle ?? []) {
      store.delete(k);
      this.release(run, k, true);
    }
  }

  /** The lane dropped (run, key): `recycle` when the scheduler proved no other holder (point 4), else pinned. */
  release(run: number, key: string, recycle: boolean): void {
    const m = this.held.get(run);
    const list = m?.get(key);
    if (!list) return;
    m!.delete(key);
    for (const b of list) {
      const count = this.refs.get(b);
      if (count === undefined) continue; // pinned
      if (!recycle) this.refs.delete(b);
      else if (count > 1) this.refs.set(b, count - 1);
      else {
        this.refs.delete(b);
        recycleBuffer(b);
      }
    }
  }

  /** The run is over: whatever it still holds (its outputs among them) is forgotten, never recycled. */
  endRun(run: number): void {
    const m = this.held.get(run);
    if (!m) return;
    this.held.delete(run);
    for (const list of m.values()) for (const b of list) this.refs.delete(b);
  }

  /** Number of buffers tracked now (tests). */
  get tracked(): number {
    return this.refs.size;
  }

  private pin(run: number, inputs: readonly string[]): void {
    const m = this.held.get(run);
    if (!m?.size) return;
    for (const k of inputs) {
      const list = m.get(k);
      if (list) for (const b of list) this.refs.delete(b);
    }
  }
}
