/** Sizes in bytes from numbers or strings like "64MB", "1 MiB", "500kB" (Dask's parse_bytes). */
import { InvalidArgumentError } from "../errors.js";

const UNITS: Record<string, number> = {
  b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40, k: 1e3, m: 1e6, g: 1e9,
};

/** A positive whole number of bytes; `what` names the option in error messages (e.g. "blocksize"). */
export function parseBytes(v: number | string, what = "size"): number {
  let n: number;
  if (typeof v === "number") n = v;
  else if (typeof v === "string") {
    const m = /^\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*([a-zA-Z]*)\s*$/.exec(v);
    const unit = m ? UNITS[m[2]!.toLowerCase() || "b"] : undefined;
    if (!m || unit === undefined) {
      throw new InvalidArgumentError(`${what}: cannot read ${JSON.stringify(v)} as a size; use a number of bytes or a string like "64MB" or "1 MiB".`);
    }
    n = Math.floor(Number(m[1]) * unit);
  } else throw new InvalidArgumentError(`${what} must be a number of bytes or a string like "64MB"; got ${typeof v}.`);
  if (!Number.isFinite(n) || n < 1) throw new InvalidArgumentError(`${what} must be at least 1 byte; got ${String(v)}.`);
  return Math.floor(n);
}
