/** Kernels of Series: elementwise operations, reductions (partials), unique/nunique, len and describe. */
import { registerKernel } from "@dask-ts/core";
import * as A from "apache-arrow";
import { columnLength, columnNames, concatTables, makeTable, readColumn, takeColumn, type Column } from "../column.js";
import type { ColType } from "../dtypes.js";
import { AlignmentError } from "../errors.js";
import { binaryColumn, type ArithOp, type CompareOp, type ConstValue, type LogicOp } from "../binary-ops.js";
import { fillNullColumn, isinColumn, unaryColumn, type UnaryKernelOp } from "../unary-ops.js";
import { castColumn } from "../astype.js";
import { aggregatePartial, chunkPartial, combinePartials, type Partial, type ReduceKernelOp } from "../reduce-partials.js";
import { distinctValues, firstIndices, unionDistinct, type DistinctPartial } from "../distinct.js";
import { describeChunk, describeCombine, describeTable, type ColumnSummary } from "../describe-stats.js";

/** The only column of a Series partition. */
function seriesColumn(t: A.Table): Column {
  return readColumn(t, columnNames(t)[0]!);
}

function seriesBinary(
  t: A.Table,
  right: unknown,
  op: ArithOp | CompareOp | LogicOp,
  rightIsSeries: boolean,
  outDtype: ColType,
  outName: string,
): A.Table {
  const left = seriesColumn(t);
  let out: Column;
  if (rightIsSeries) {
    const r = seriesColumn(right as A.Table);
    if (columnLength(r) !== columnLength(left)) {
      throw new AlignmentError(
        `Series.${op}: a partition of '${outName}' has ${columnLength(left)} rows and the matching partition of the other Series ` +
          `${columnLength(r)}; combine Series derived from the same frame.`,
      );
    }
    out = binaryColumn(op, left, { col: r }, outDtype);
  } else out = binaryColumn(op, left, { value: right as ConstValue }, outDtype);
  return makeTable([outName], [out]);
}

function seriesUnary(t: A.Table, op: UnaryKernelOp, outName: string): A.Table {
  return makeTable([outName], [unaryColumn(op, seriesColumn(t))]);
}

function seriesIsin(t: A.Table, values: readonly unknown[], outName: string): A.Table {
  return makeTable([outName], [isinColumn(seriesColumn(t), values)]);
}

function seriesFillNull(t: A.Table, value: ConstValue, outDtype: ColType, outName: string): A.Table {
  return makeTable([outName], [fillNullColumn(seriesColumn(t), value, outDtype, outName)]);
}

function seriesAstype(t: A.Table, dtype: ColType, outName: string): A.Table {
  return makeTable([outName], [castColumn(seriesColumn(t), dtype, outName)]);
}

/** Rows of a one-column table where each value first appears. */
function uniqueRows(t: A.Table): A.Table {
  const name = columnNames(t)[0]!;
  const c = readColumn(t, name);
  const idx = firstIndices(c);
  return idx.length === columnLength(c) ? t : makeTable([name], [takeColumn(c, idx)]);
}

registerKernel("dataframe.seriesBinary", seriesBinary);
registerKernel("dataframe.seriesUnary", seriesUnary);
registerKernel("dataframe.seriesIsin", seriesIsin);
registerKernel("dataframe.seriesFillNull", seriesFillNull);
registerKernel("dataframe.seriesAstype", seriesAstype);

registerKernel("dataframe.reduceChunk", (t: A.Table, op: ReduceKernelOp) => chunkPartial(seriesColumn(t), op));
registerKernel("dataframe.reduceCombine", (parts: readonly Partial[], op: ReduceKernelOp) => combinePartials(parts, op));
registerKernel("dataframe.reduceAggregate", (p: Partial, op: ReduceKernelOp, dtype: ColType, skipna: boolean, ddof: number) =>
  aggregatePartial(p, op, dtype, skipna, ddof),
);

registerKernel("dataframe.nuniqueChunk", (t: A.Table) => distinctValues(seriesColumn(t)));
registerKernel("dataframe.nuniqueCombine", (parts: readonly DistinctPartial[]) => unionDistinct(parts));
registerKernel("dataframe.nuniqueAggregate", (p: DistinctPartial, dropna: boolean) => p.values.length + (!dropna && p.missing ? 1 : 0));

// unique: per-partition first appearances, concatenated in partition order (keeps first-appearance order).
registerKernel("dataframe.uniqueChunk", uniqueRows);
registerKernel("dataframe.uniqueCombine", (parts: readonly A.Table[]) => uniqueRows(concatTables(parts)));

registerKernel("dataframe.countRows", (t: A.Table) => t.numRows);

registerKernel("dataframe.describeChunk", describeChunk);
registerKernel("dataframe.describeCombine", (parts: readonly ColumnSummary[][]) => describeCombine(parts));
registerKernel("dataframe.describeAggregate", describeTable);
