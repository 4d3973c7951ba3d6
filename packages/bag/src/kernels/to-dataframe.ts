/**
 * The kernel of Bag.toDataFrame, in a module of its own: it loads the dataframe package (and Arrow), which
 * bag workers should pay for only when a bag becomes a frame. elementwise/to-dataframe.ts imports it,
 * which registers it with the workers from then on.
 */
import { registerKernel, registerWorkerModule } from "@dask-ts/core";
import { columnFromValues, makeTable } from "@dask-ts/dataframe/column";
import type { ColType } from "@dask-ts/dataframe";
import { BagFunctionError } from "../errors.js";
import { describeValue } from "./elementwise.js";

/** Rows of a partition as column value arrays: objects by key, arrays by position, scalars as the one column. */
export function rowsToColumns(part: readonly unknown[], p: number, names: readonly string[]): unknown[][] {
  const n = part.length;
  const w = names.length;
  const cols = names.map(() => new Array<unknown>(n));
  for (let i = 0; i < n; i++) {
    const x = part[i];
    if (Array.isArray(x)) {
      if (x.length !== w) {
        throw new BagFunctionError("toDataFrame", p, i, new TypeError(`the element has ${x.length} values but the frame has ${w} columns (${names.join(", ")}).`));
      }
      for (let c = 0; c < w; c++) cols[c]![i] = x[c];
    } else if (x instanceof Map) {
      for (let c = 0; c < w; c++) cols[c]![i] = x.get(names[c]!);
    } else if (x !== null && typeof x === "object" && !(x instanceof Date)) {
      for (let c = 0; c < w; c++) cols[c]![i] = (x as Record<string, unknown>)[names[c]!];
    } else if (w === 1 || x === null || x === undefined) {
      // A scalar is a one-column row; a missing element is a row of missing values.
      for (let c = 0; c < w; c++) cols[c]![i] = c === 0 ? x : null;
    } else {
      throw new BagFunctionError("toDataFrame", p, i, new TypeError(`the element is ${describeValue(x)}, a single value, but the frame has ${w} columns (${names.join(", ")}).`));
    }
  }
  return cols;
}

registerKernel("bag.toDataFrame", (part: unknown[], p: number, names: string[], dtypes: ColType[]) => {
  const cols = rowsToColumns(part, p, names);
  const columns = cols.map((values, c) => {
    try {
      return columnFromValues(values, dtypes[c]);
    } catch (e) {
      const hint = `pass { dtype: { ${JSON.stringify(names[c])}: "float64" | "int64" | "string" | ... } } to toDataFrame to choose the column's type`;
      throw new BagFunctionError("toDataFrame", p, undefined, new TypeError(`column '${names[c]}' is ${dtypes[c]}: ${(e as Error).message} (${hint}).`));
    }
  });
  return makeTable(names, columns);
});

registerWorkerModule(import.meta.url);
