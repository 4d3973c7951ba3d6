import { defineConfig } from "vitest/config";

// Packages are tested as built (dist/), exactly as worker threads and child processes load them.
export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    server: { deps: { external: [/\/packages\/[^/]+\/dist\//] } },
  },
});
