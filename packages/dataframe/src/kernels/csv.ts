/** Kernels of readCsv: the quote count of a byte range and the parse of a range into a partition (sums of counts: core.sum). */
import { registerKernel } from "@dask-ts/core";
import { parsePart } from "../io/csv/parse.js";
import { quoteCount } from "../io/csv/ranges.js";

/** Kernel names (optimize.ts finds parse tasks by name). */
export const CSV_PARSE_KERNEL = "dataframe.csvParse";
export const CSV_QUOTES_KERNEL = "dataframe.csvQuoteCount";

registerKernel(CSV_QUOTES_KERNEL, quoteCount);
registerKernel(CSV_PARSE_KERNEL, parsePart);
