/** Kernels of csv. (being built) */
export {};
