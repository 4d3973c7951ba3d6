/** Allocating typed arrays for task outputs: shared memory on worker threads, so results cross without copies. */
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

let shared = !isMainThread;

/**
 * A zeroed typed array of `length` elements. Inside a worker thread it lives on a SharedArrayBuffer,
 * so sending it back to the scheduler (or to the next task) shares memory instead of copying it.
 */
export function allocTyped<C extends TypedArrayConstructor>(ctor: C, length: number): InstanceType<C> {
  if (shared) {
    const buffer = new SharedArrayBuffer(length * ctor.BYTES_PER_ELEMENT);
    // ES2023 lib typings only accept ArrayBuffer here; every typed array constructor takes a SharedArrayBuffer.
    return new (ctor as unknown as new (b: SharedArrayBuffer) => InstanceType<C>)(buffer);
  }
  return new ctor(length) as InstanceType<C>;
}

/** Whether allocTyped uses shared memory here (true on worker threads). */
export function allocatesShared(): boolean {
  return shared;
}

/** Forces shared allocation on or off (tests, or a main thread that hands chunks to threads). */
export function setSharedAllocation(on: boolean): void {
  shared = on;
}
