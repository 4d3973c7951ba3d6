/** Kernels of reductions and grouping (implementations in ../reductions/*-kernels.ts). */
import { registerKernel } from "@dask-ts/core";
import * as c from "../reductions/count-kernels.js";
import * as f from "../reductions/fold-kernels.js";
import * as g from "../reductions/group-kernels.js";
import * as t from "../reductions/topk-kernels.js";

const kernels: Record<string, Function> = {
  "bag.fold.chunk": f.foldChunk,
  "bag.fold.combine": f.foldCombine,
  "bag.fold.finish": f.foldFinish,
  "bag.reduction.chunk": f.reductionChunk,
  "bag.reduction.combine": f.reductionCombine,
  "bag.reduction.finish": f.reductionFinish,
  "bag.count.chunk": f.countChunk,
  "bag.sum.chunk": f.sumChunk,
  "bag.addAll": f.addAll,
  "bag.mean.chunk": f.meanChunk,
  "bag.mean.combine": f.meanCombine,
  "bag.mean.finish": f.meanFinish,
  "bag.extreme.chunk": f.extremeChunk,
  "bag.extreme.combine": f.extremeCombine,
  "bag.extreme.finish": f.extremeFinish,
  "bag.frequencies.chunk": c.countChunk,
  // A partition already counted (see offerCounts in ../reductions.ts).
  "bag.frequencies.counted": (counts: c.Counts) => counts,
  "bag.frequencies.combine": c.mergeCounts,
  "bag.frequencies.finish": c.countFinish,
  "bag.frequencies.split": c.countSplit,
  "bag.frequencies.merge": c.countMergePairs,
  "bag.distinct.chunk": c.distinctChunk,
  "bag.distinct.combine": c.distinctCombine,
  "bag.distinct.finish": c.distinctFinish,
  "bag.topk.chunk": t.topkChunk,
  "bag.topk.combine": t.topkCombine,
  "bag.topk.finish": t.topkFinish,
  "bag.foldby.chunk": g.foldbyChunk,
  "bag.foldby.combine": g.foldbyCombine,
  "bag.foldby.finish": g.foldbyFinish,
  "bag.foldby.merge": g.foldbyMergePairs,
  "bag.groups.split": g.groupSplit,
  "bag.groupby.chunk": g.groupChunk,
  "bag.groupby.merge": g.groupMergePairs,
};
for (const [name, fn] of Object.entries(kernels)) registerKernel(name, fn);
