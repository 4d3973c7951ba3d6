/** Kernels of reductions (placeholder until implemented). */
export {};
