/** Element types: typed-array storage and NumPy-style promotion. */
import { DTypeError } from "./errors.js";

/** Supported element types (API.md). */
export type DType = "float64" | "float32" | "int32" | "int16" | "int8" | "uint32" | "uint16" | "uint8" | "bool" | "int64";

/** Storage of each dtype. int64 uses BigInt64Array storage; arithmetic on it goes through Number (exact to 2^53). */
export type TypedArray =
  | Float64Array
  | Float32Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint32Array
  | Uint16Array
  | Uint8Array
  | BigInt64Array;

interface DTypeInfo {
  readonly ctor: { new (n: number): TypedArray; new (b: ArrayBufferLike): TypedArray; BYTES_PER_ELEMENT: number };
  readonly kind: "f" | "i" | "u" | "b";
  readonly bits: number;
}

const INFO: Record<DType, DTypeInfo> = {
  float64: { ctor: Float64Array as never, kind: "f", bits: 64 },
  float32: { ctor: Float32Array as never, kind: "f", bits: 32 },
  int64: { ctor: BigInt64Array as never, kind: "i", bits: 64 },
  int32: { ctor: Int32Array as never, kind: "i", bits: 32 },
  int16: { ctor: Int16Array as never, kind: "i", bits: 16 },
  int8: { ctor: Int8Array as never, kind: "i", bits: 8 },
  uint32: { ctor: Uint32Array as never, kind: "u", bits: 32 },
  uint16: { ctor: Uint16Array as never, kind: "u", bits: 16 },
  uint8: { ctor: Uint8Array as never, kind: "u", bits: 8 },
  bool: { ctor: Uint8Array as never, kind: "b", bits: 8 },
};

/** All dtype names. */
export const DTYPES = Object.keys(INFO) as DType[];

/** Integer dtype used for integer scalars and integer ranges (JS numbers are not 64-bit integers). */
export const DEFAULT_INT: DType = "int32";

/** Checks a dtype name, with a clear error listing the supported ones. */
export function checkDType(d: unknown): DType {
  if (typeof d === "string" && d in INFO) return d as DType;
  throw new DTypeError(`Unsupported dtype ${JSON.stringify(d)}; use one of ${DTYPES.join(", ")}.`);
}

/** Bytes per element. */
export function itemSize(d: DType): number {
  return INFO[d].bits / 8;
}

/** The typed array constructor storing a dtype. */
export function storage(d: DType): DTypeInfo["ctor"] {
  return INFO[d].ctor;
}

/** True for float32/float64. */
export function isFloat(d: DType): boolean {
  return INFO[d].kind === "f";
}

/** The dtype of a typed array's data (Uint8Array is read as uint8). */
export function dtypeOfData(data: unknown): DType {
  if (data instanceof Float64Array) return "float64";
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Int32Array) return "int32";
  if (data instanceof Int16Array) return "int16";
  if (data instanceof Int8Array) return "int8";
  if (data instanceof Uint32Array) return "uint32";
  if (data instanceof Uint16Array) return "uint16";
  if (data instanceof Uint8Array || data instanceof Uint8ClampedArray) return "uint8";
  if (data instanceof BigInt64Array) return "int64";
  throw new DTypeError(`Unsupported array data ${Object.prototype.toString.call(data)}; use a typed array or nested number arrays.`);
}

const SIGNED_BY_BITS: Record<number, DType> = { 8: "int8", 16: "int16", 32: "int32", 64: "int64" };

/** NumPy's result_type for two array dtypes. */
export function resultType(a: DType, b: DType): DType {
  if (a === b) return a;
  const A = INFO[a];
  const B = INFO[b];
  if (A.kind === "b") return b;
  if (B.kind === "b") return a;
  if (A.kind === "f" || B.kind === "f") {
    if (A.kind === "f" && B.kind === "f") return A.bits >= B.bits ? a : b;
    const [f, other] = A.kind === "f" ? [A, B] : [B, A];
    // float32 holds int8/16 exactly; wider ints need float64.
    return f.bits === 32 && other.bits <= 16 ? "float32" : "float64";
  }
  if (A.kind === B.kind) return A.bits >= B.bits ? a : b;
  const [s, u] = A.kind === "i" ? [A, B] : [B, A];
  if (s.bits > u.bits) return SIGNED_BY_BITS[s.bits]!;
  return u.bits >= 64 ? "float64" : SIGNED_BY_BITS[u.bits * 2]!;
}

/** The dtype of an operation between an array dtype and a JS number (NEP 50: the array's kind wins unless the scalar is a float meeting integers). */
export function resultTypeWithScalar(a: DType, scalar: number | boolean): DType {
  if (typeof scalar === "boolean") return a;
  const k = INFO[a].kind;
  if (Number.isInteger(scalar)) return k === "b" ? DEFAULT_INT : a;
  return k === "f" ? a : "float64";
}

/** The dtype a JS number gets as a 0-d value. */
export function scalarDType(v: number | boolean): DType {
  if (typeof v === "boolean") return "bool";
  return Number.isInteger(v) && Math.abs(v) <= 2 ** 31 - 1 ? DEFAULT_INT : "float64";
}

/** Result dtype of true division. */
export function divisionType(d: DType): DType {
  return d === "float32" ? "float32" : "float64";
}

/** dtype for math functions (sqrt, exp, ...): floats stay, everything else becomes float64 (float32 for small ints, as NumPy). */
export function floatResultType(d: DType): DType {
  if (isFloat(d)) return d;
  return INFO[d].bits <= 16 && d !== "bool" ? "float32" : "float64";
}
