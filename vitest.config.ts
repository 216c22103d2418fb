import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Bundles the entries tests start as child processes, once per run.
    globalSetup: ["test/helpers/build-entries.ts"],
    // PGlite takes a few seconds to start; each test file opens its own.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Vitest's default is one worker per core minus one: a single one on a 2-core machine, idle while
    // a child process or the database works. Not three: it finished first on the loaded VM, but the
    // extra contention made a test that gives the chat model 800 ms (faults.test.ts) time out.
    maxWorkers: 2,
    // Files of one worker share its module cache: imports paid once per worker (62 s → 14 s of the
    // suite); the tests restore what they stub (env, timers), so nothing leaks between files.
    isolate: false,
  },
});
