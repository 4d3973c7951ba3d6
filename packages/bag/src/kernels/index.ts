/** Registers every kernel of the bag package; workers import this module before running bag tasks. */
import { registerWorkerModule } from "@dask-ts/core";
import "./core.js";
import "./elementwise.js";
import "./reductions.js";
import "./text.js";

registerWorkerModule(import.meta.url);
