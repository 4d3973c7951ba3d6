/** Text encodings of readText and toTextFiles. */
import { InvalidArgumentError } from "@dask-ts/core";

// Only ASCII-compatible encodings: blocks are cut at "\n" bytes, which must never be part of a character.
const ENCODINGS: Record<string, BufferEncoding> = {
  "utf-8": "utf8", utf8: "utf8",
  latin1: "latin1", "latin-1": "latin1", "iso-8859-1": "latin1", "iso8859-1": "latin1",
  ascii: "ascii", "us-ascii": "ascii",
};

/** The Node name of an encoding label (default utf-8). */
export function textEncoding(label: string | undefined, op: string): BufferEncoding {
  if (label === undefined) return "utf8";
  const e = typeof label === "string" ? ENCODINGS[label.toLowerCase()] : undefined;
  if (e === undefined) {
    throw new InvalidArgumentError(`${op}: unsupported encoding ${JSON.stringify(label)}; use "utf-8" (default), "latin1" or "ascii".`);
  }
  return e;
}
