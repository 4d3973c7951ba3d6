/** Kernels of random (placeholder until implemented). */
export {};
