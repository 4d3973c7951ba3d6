/** Kernels of elementwise. (being built) */
export {};
