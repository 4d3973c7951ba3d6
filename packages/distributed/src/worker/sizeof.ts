/** Estimated bytes of a task result: what the scheduler uses to cost moving it, and what spilling counts. */

const SAMPLE = 64;

/** An estimate of the memory `value` holds (typed arrays exactly; containers sampled). */
export function sizeOf(value: unknown, depth = 0): number {
  switch (typeof value) {
    case "number":
      return 8;
    case "bigint":
      return 16;
    case "boolean":
      return 4;
    case "string":
      return 24 + value.length * 2;
    case "undefined":
      return 0;
    case "object":
      break;
    default:
      return 16;
  }
  if (value === null) return 0;
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (value instanceof ArrayBuffer || (typeof SharedArrayBuffer === "function" && value instanceof SharedArrayBuffer)) return value.byteLength;
  if (depth > 10) return 64;
  // Arrow tables and ndarray-like objects: count their buffers (data lives in typed arrays).
  const anyV = value as { data?: unknown; batches?: unknown; byteLength?: unknown };
  if (typeof anyV.byteLength === "number") return anyV.byteLength;
  if (Array.isArray(value)) return 64 + sampled(value, value.length, depth);
  if (value instanceof Map) return 64 + sampled([...value.values()], value.size, depth) + sampled([...value.keys()], value.size, depth);
  if (value instanceof Set) return 64 + sampled([...value], value.size, depth);
  let total = 64;
  let n = 0;
  for (const k in value) {
    total += 16 + sizeOf((value as Record<string, unknown>)[k], depth + 1);
    if (++n > 1000) break;
  }
  // Class instances (Arrow Table, Data, Vector) keep their buffers in own properties walked above.
  return total;
}

function sampled(items: readonly unknown[], n: number, depth: number): number {
  if (n === 0) return 0;
  if (n <= SAMPLE) {
    let t = 0;
    for (const x of items) t += sizeOf(x, depth + 1);
    return t;
  }
  let t = 0;
  const step = n / SAMPLE;
  for (let i = 0; i < SAMPLE; i++) t += sizeOf(items[Math.floor(i * step)], depth + 1);
  return Math.round((t / SAMPLE) * n);
}

/** A short type name of a value for the scheduler ("Float64Array", "Table", "number", ...). */
export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (typeof value !== "object") return typeof value;
  return (value as object).constructor?.name ?? "Object";
}
