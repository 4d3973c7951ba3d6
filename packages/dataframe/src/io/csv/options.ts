/** readCsv option values: block sizes, separators, missing-value markers. */
import { InvalidArgumentError, parseBytes } from "@dask-ts/core";

/** Dask's default block size: 64 MB (decimal, as Dask's "64MB"). */
export const DEFAULT_BLOCKSIZE = 64_000_000;

/** Bytes of the first file read to infer column types (Dask's `sample`, 256 kB). */
export const SAMPLE_BYTES = 256_000;

/**
 * pandas' default missing-value markers (pandas 2.x, which added "None"). User naValues add to these,
 * as pandas' na_values does with keep_default_na=True.
 */
export const DEFAULT_NA_VALUES: readonly string[] = [
  "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
  "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
];

/** A block size in bytes from a number or a string like "64MB", "1 MiB", "500kB" (Dask's parse_bytes). */
export function parseBlocksize(v: number | string | undefined): number {
  return v === undefined ? DEFAULT_BLOCKSIZE : parseBytes(v, "blocksize");
}

/** The separator as one byte: a single ASCII character other than a quote, CR or LF. */
export function parseSep(sep: string | undefined): number {
  if (sep === undefined) return 44;
  if (typeof sep !== "string" || sep.length !== 1 || sep.charCodeAt(0) > 127 || sep === '"' || sep === "\n" || sep === "\r") {
    throw new InvalidArgumentError(`sep must be one ASCII character other than a quote or a line break (e.g. "," or "\\t"); got ${JSON.stringify(sep)}.`);
  }
  return sep.charCodeAt(0);
}

/** The missing-value markers: pandas' defaults plus the user's. */
export function naValueList(extra: readonly string[] | undefined): string[] {
  if (extra === undefined) return [...DEFAULT_NA_VALUES];
  if (!Array.isArray(extra) || extra.some((s) => typeof s !== "string")) {
    throw new InvalidArgumentError(`naValues must be a list of strings; got ${JSON.stringify(extra)}.`);
  }
  return [...new Set([...DEFAULT_NA_VALUES, ...extra])];
}
