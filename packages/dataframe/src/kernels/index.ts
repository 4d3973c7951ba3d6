/** Registers every kernel of the dataframe package; workers import this module before running dataframe tasks. */
import { registerWorkerModule, loadOptionalExtensions } from "@dask-ts/core";
import "./frame.js";
import "./shuffle.js";
import "./csv.js";
import "./groupby.js";
import "./relational.js";
import "./series.js";
import "./io.js";

// Partitions are Arrow tables: every process that runs dataframe tasks sends and receives them.
await loadOptionalExtensions();
registerWorkerModule(import.meta.url);
