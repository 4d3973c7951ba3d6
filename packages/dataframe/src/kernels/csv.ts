/** Kernels of readCsv: the quote count of a byte range, sums of counts, and the parse of a range into a partition. */
import { registerKernel } from "@dask-ts/core";
import { parsePart } from "../io/csv/parse.js";
import { quoteCount } from "../io/csv/ranges.js";

/** Kernel names (optimize.ts finds parse tasks by name). */
export const CSV_PARSE_KERNEL = "dataframe.csvParse";
export const CSV_QUOTES_KERNEL = "dataframe.csvQuoteCount";
export const CSV_SUM_KERNEL = "dataframe.csvQuoteSum";

/** The sum of quote counts (a prefix sum over a block of ranges). */
function sum(counts: readonly number[]): number {
  let s = 0;
  for (const c of counts) s += c;
  return s;
}

registerKernel(CSV_QUOTES_KERNEL, quoteCount);
registerKernel(CSV_PARSE_KERNEL, parsePart);
registerKernel(CSV_SUM_KERNEL, sum);
