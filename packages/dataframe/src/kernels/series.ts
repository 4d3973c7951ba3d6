/** Kernels of series. (being built) */
export {};
