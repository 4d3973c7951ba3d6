/** Kernels of groupby and valueCounts: partial aggregates per partition, their combination, the result. */
import { registerKernel } from "@dask-ts/core";
import { chunkPartial, chunkSplitPartial, combineFinishPieces, combinePartials, finishPartial } from "../groupby/partials.js";

registerKernel("dataframe.groupbyChunk", chunkPartial);
registerKernel("dataframe.groupbyCombine", combinePartials);
registerKernel("dataframe.groupbyFinish", finishPartial);
registerKernel("dataframe.groupbyChunkSplit", chunkSplitPartial);
registerKernel("dataframe.groupbyCombineFinish", combineFinishPieces);
