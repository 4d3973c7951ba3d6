/** Kernels of groupby. (being built) */
export {};
