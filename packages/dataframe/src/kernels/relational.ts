/** Kernels of relational. (being built) */
export {};
