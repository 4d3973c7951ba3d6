/** dask-ts: parallel and distributed computing for TypeScript. */
export * from "@dask-ts/core";
export { da } from "@dask-ts/array";
export { dd } from "@dask-ts/dataframe";
