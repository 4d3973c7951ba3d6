/** Kernels of text. (being built) */
export {};
