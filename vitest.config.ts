import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // PGlite takes a few seconds to start; each test file opens its own.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
