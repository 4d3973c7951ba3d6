/** dot, matmul, tensordot as blocked algorithms. OWNED BY: linalg helper. */
import type { DaskArray } from "./array.js";

/** NumPy dot. */
export function dot(a: DaskArray, b: DaskArray): DaskArray {
  throw new Error(`dot: not implemented yet (${a.name}, ${b.name})`);
}

/** NumPy matmul. */
export function matmul(a: DaskArray, b: DaskArray): DaskArray {
  throw new Error(`matmul: not implemented yet (${a.name}, ${b.name})`);
}

/** NumPy tensordot. */
export function tensordot(a: DaskArray, b: DaskArray, axes: number | [number[], number[]] = 2): DaskArray {
  throw new Error(`tensordot: not implemented yet (${a.name}, ${b.name}, ${JSON.stringify(axes)})`);
}
