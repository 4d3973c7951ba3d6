/** Kernels of io. (being built) */
export {};
