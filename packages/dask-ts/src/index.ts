export * from "@dask-ts/core";
