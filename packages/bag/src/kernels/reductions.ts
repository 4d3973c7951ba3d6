/** Kernels of reductions. (being built) */
export {};
