/** Kernels of linalg (placeholder until implemented). */
export {};
