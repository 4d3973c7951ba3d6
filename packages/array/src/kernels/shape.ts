/** Kernels of shape (placeholder until implemented). */
export {};
