/**
 * Ingest faults: the embeddings endpoint down during an ingest, and an ingest killed with SIGKILL on
 * both engines. Apart from faults.test.ts, which held them until its minute of child processes and
 * backoffs became the longest file of the suite: as two files they run on two workers at once.
 * Child processes are bounded by timeouts.
 */

import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { openStore } from "../../src/store/open-store.ts";
import {
  dirSize,
  expectConsistentStore,
  freshDatabase,
  SEED,
  start,
  writeCorpus,
} from "../helpers/faults.ts";
import { startOpenAIServer } from "../helpers/openai-server.ts";
import { preparedDataDir } from "../helpers/pglite-folder.ts";

const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "sotay-ingest-faults-"));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe("ingest faults (npm run ingest in a child process)", { timeout: 180_000 }, () => {
  it("the embeddings endpoint down: a clear failure, the previous index untouched, a re-run completes", async () => {
    const embeddings = await startOpenAIServer();
    const servers = [embeddings];
    const corpus = join(tmp, "embed-corpus");
    await mkdir(corpus);
    await writeFile(join(corpus, "seed.md"), readFileSync(SEED));
    const env = {
      DATA_DIR: preparedDataDir(join(tmp, "embed-data")),
      CORPUS_DIR: corpus,
      EMBEDDINGS: "openai",
      OPENAI_BASE_URL: embeddings.url,
      EMBEDDING_MODEL: "fake-embed",
      EMBEDDING_DIMENSIONS: "32",
    };
    try {
      const first = await start("ingest/cli.ts", ["--json"], env).done;
      expect(first.status).toBe(0);
      const before = JSON.parse(first.stdout);
      expect(before.documents.added).toBe(1);

      // A second document arrives while the endpoint is down.
      await writeCorpus(join(corpus, "moi"), 2);
      embeddings.failNext(503, 1_000);
      const failed = await start("ingest/cli.ts", [], env).done;
      expect(failed.status).toBe(1);
      expect(failed.stderr).toMatch(/Ingest failed: embedding failed while ingesting .*HTTP 503/);
      expect(failed.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace

      // The index is what it was: the seed alone, searchable.
      const store = await openStore({ DATA_DIR: env.DATA_DIR });
      try {
        expect((await store.listDocuments()).map((d) => d.path)).toEqual(["seed.md"]);
        expect((await store.stats()).chunks).toBe(before.chunks);
        await expectConsistentStore(store.db);
      } finally {
        await store.db.close();
      }

      // The endpoint is back (a new server: the old one still has failures queued).
      const back = await startOpenAIServer();
      servers.push(back);
      const rerun = await start("ingest/cli.ts", ["--json"], { ...env, OPENAI_BASE_URL: back.url }).done;
      expect(rerun.status).toBe(0);
      expect(JSON.parse(rerun.stdout).documents).toMatchObject({ added: 2, unchanged: 1, failed: [] });
    } finally {
      for (const server of servers) await server.close();
    }
  });

  const engines: { name: string; skip: boolean }[] = [
    { name: "pglite", skip: false },
    { name: "postgres", skip: !TEST_DATABASE_URL },
  ];
  it.each(engines)(
    "SIGKILL in the middle of an ingest on $name: a consistent store, and a re-run finishes",
    async ({ name, skip }) => {
      if (skip) return;
      const corpus = join(tmp, `kill-corpus-${name}`);
      const count = 150;
      await writeCorpus(corpus, count);
      const database = name === "postgres" ? await freshDatabase() : undefined;
      const dataDir = join(tmp, `kill-data-${name}`);
      if (!database) preparedDataDir(dataDir);
      const env = {
        DATA_DIR: dataDir,
        CORPUS_DIR: corpus,
        ...(database ? { DATABASE_URL: database.url } : {}),
      };
      const config = loadConfig(env);
      try {
        const run = start("ingest/cli.ts", ["--json"], env);
        // Killed once some of the documents are written and before all of them are.
        let probe: pg.Client | undefined;
        if (database) {
          probe = new pg.Client({ connectionString: database.url });
          await probe.connect();
        }
        let killedMidway = false;
        const deadline = Date.now() + 60_000;
        while (run.child.exitCode === null && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 25));
          if (probe) {
            const rows = await probe
              .query<{ n: number }>("SELECT count(*)::int AS n FROM documents")
              .then((r) => r.rows[0]?.n ?? 0)
              .catch(() => 0);
            if (rows > 0 && rows < count) killedMidway = run.child.kill("SIGKILL");
          } else if (dirSize(dataDir) > 55 * 1024 * 1024) killedMidway = run.child.kill("SIGKILL");
          if (killedMidway) break;
        }
        await probe?.end();
        const killed = await run.done;
        expect(killedMidway).toBe(true);
        expect(killed.signal).toBe("SIGKILL");

        const store = await openStore(config);
        try {
          const written = (await store.stats()).documents;
          expect(written).toBeLessThan(count);
          await expectConsistentStore(store.db);
        } finally {
          await store.db.close();
        }
        const rerun = await start("ingest/cli.ts", ["--json"], env).done;
        expect(rerun.status).toBe(0);
        const summary = JSON.parse(rerun.stdout);
        expect(summary.documents.added + summary.documents.unchanged).toBe(count);
        expect(summary.documents.added).toBeGreaterThan(0);
        const after = await openStore(config);
        try {
          expect((await after.stats()).documents).toBe(count);
          await expectConsistentStore(after.db);
        } finally {
          await after.db.close();
        }
      } finally {
        await database?.drop();
      }
    },
  );
});
