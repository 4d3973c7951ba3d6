/** Kernels of text IO: reading the lines of a file or block, writing a partition, publishing written files. */
import { registerKernel } from "@dask-ts/core";
import { renameSync, rmSync } from "node:fs";
import { readTextLines } from "../io/lines.js";
import { writeTextFile } from "../io/write.js";
import { readTextWordCounts } from "../io/words.js";

/** Writes a partition to its temporary file; returns that path. */
function writeText(items: readonly unknown[], tmpPath: string, encoding: BufferEncoding, gzip: boolean): string {
  writeTextFile(items, tmpPath, encoding, gzip);
  return tmpPath;
}

/**
 * Renames every temporary file to its final name. Runs only after all writes succeeded, so a failed
 * computation leaves no final file; if a rename fails, the files renamed so far are removed again.
 */
function commitFiles(tmpPaths: readonly string[], finalPaths: readonly string[]): string[] {
  let done = 0;
  try {
    for (; done < tmpPaths.length; done++) renameSync(tmpPaths[done]!, finalPaths[done]!);
  } catch (e) {
    for (let i = 0; i < done; i++) rmSync(finalPaths[i]!, { force: true });
    for (let i = done; i < tmpPaths.length; i++) rmSync(tmpPaths[i]!, { force: true });
    throw e;
  }
  return [...finalPaths];
}

registerKernel("bag.readText", readTextLines);
registerKernel("bag.readText.wordCounts", readTextWordCounts);
registerKernel("bag.writeText", writeText);
registerKernel("bag.commitFiles", commitFiles);
