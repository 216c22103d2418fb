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
    // a child process or the database works. Three, not two: with two the cores were busy ~60 % of the
    // run (the workers wait on children starting, on retry backoffs of 0.5-4 s, on sockets); three
    // finished first in each of three back-to-back pairs on the shared 2-core VM (137/167, 153/165,
    // 187/204 s), for ~8 s more CPU (one more worker importing the modules).
    maxWorkers: 3,
    // Files of one worker share its module cache: imports paid once per worker (62 s → 14 s of the
    // suite); the tests restore what they stub (env, timers), so nothing leaks between files.
    isolate: false,
  },
});
