/** Registers every kernel of the array package; workers import this module before running array tasks. */
import { registerWorkerModule } from "@dask-ts/core";
import "./creation.js";
import "./elementwise.js";
import "./finalize.js";
import "./rechunk.js";
import "./reductions.js";
import "./shape.js";
import "./linalg.js";
import "./random.js";

registerWorkerModule(import.meta.url);
