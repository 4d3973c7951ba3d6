/** Kernels of text IO: reading the lines of a file or block, writing a partition, publishing written files. */
import { registerKernel } from "@dask-ts/core";
import { readTextLines } from "../io/lines.js";
import { writeTextFile } from "../io/write.js";
import { readTextWordCounts } from "../io/words.js";

/** Writes a partition to its temporary file; returns that path. */
function writeText(items: readonly unknown[], tmpPath: string, encoding: BufferEncoding, gzip: boolean): string {
  writeTextFile(items, tmpPath, encoding, gzip);
  return tmpPath;
}

registerKernel("bag.readText", readTextLines);
registerKernel("bag.readText.wordCounts", readTextWordCounts);
registerKernel("bag.writeText", writeText);
