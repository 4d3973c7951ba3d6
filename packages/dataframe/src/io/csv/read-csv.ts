/** dd.readCsv: byte ranges aligned to line ends, parsed in parallel into Arrow partitions. STUB. */
import type { ColType } from "../../dtypes.js";
import type { DataFrame } from "../../frame.js";

/** Options of readCsv (API.md). */
export interface ReadCsvOptions {
  blocksize?: number | string;
  sep?: string;
  header?: boolean;
  dtype?: Record<string, ColType>;
  usecols?: readonly string[];
  naValues?: readonly string[];
}

export function readCsv(path: string | readonly string[], opts?: ReadCsvOptions): DataFrame {
  throw new Error("readCsv is not built yet");
}
