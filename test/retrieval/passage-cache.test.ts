import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runIngest } from "../../ingest/run-ingest.ts";
import { createLogger } from "../../src/logger.ts";
import { corpusRevision } from "../../src/reliability/versioned-cache.ts";
import { createRetriever } from "../../src/retrieval/retriever.ts";
import { type CorpusStore, createCorpusStore } from "../../src/store/corpus-store.ts";
import type { Database, Queryable } from "../../src/store/database.ts";
import { createFactStore } from "../../src/store/fact-store.ts";
import { migrate } from "../../src/store/migrate.ts";
import { testEngines } from "../helpers/engines.ts";
import { recordingStatements } from "../helpers/recording-db.ts";
import { corpusFiles } from "../helpers/topic-corpus.ts";

const logger = createLogger("silent");

describe.each(testEngines())("passages and figures kept between questions on $name", (engine) => {
  let db: Database;
  let drop: () => Promise<void>;
  let store: CorpusStore;
  let dir: string;
  const statements: string[] = [];
  /** how many statements read passages' text or figures, as the retriever and facts store send them */
  const reads = () =>
    statements.filter((sql) => /FROM chunks c JOIN documents|FROM facts f/.test(sql)).length;
  let counting: Queryable;

  beforeAll(async () => {
    ({ db, drop } = await engine.open());
    counting = recordingStatements(db, statements);
    await migrate(db);
    store = createCorpusStore(db);
    dir = await mkdtemp(join(tmpdir(), "sotay-passage-cache-"));
    for (const [name, text] of Object.entries(corpusFiles())) await writeFile(join(dir, name), text);
    await runIngest({ store, corpusDir: dir, logger });
  });

  afterAll(async () => {
    await drop();
    await rm(dir, { recursive: true, force: true });
  });

  it("reads a passage once, answers the same after, and reads it again after an ingest changes it", async () => {
    const corpusVersion = corpusRevision(store);
    const cached = createRetriever({ db: counting, passageCache: { size: 1000, corpusVersion } });
    const plain = createRetriever({ db });
    const question = "Nhiệm vụ số 7 do ai chủ trì?";

    const first = await cached.retrieve(question);
    expect(reads()).toBeGreaterThan(0);
    const after = reads();
    const again = await cached.retrieve(question);
    expect(reads()).toBe(after); // no passage read again
    expect(again.passages).toEqual(first.passages);
    expect(first.passages).toEqual((await plain.retrieve(question)).passages);

    // The document changes: the next question reads its new text, not the kept one.
    await writeFile(
      join(dir, "doc-007.md"),
      "# Văn bản số 7\n\nNhiệm vụ số 7 do Sở Xây dựng chủ trì, thay cho Ủy ban nhân dân Thành phố.\n",
    );
    await runIngest({ store, corpusDir: dir, logger });
    const changed = await cached.retrieve(question);
    expect(reads()).toBeGreaterThan(after);
    expect(changed.passages[0]?.text).toContain("Sở Xây dựng chủ trì");
    expect(changed.passages).toEqual((await plain.retrieve(question)).passages);
  });

  it("keeps the figures of passages too, in document order, and sees an ingest", async () => {
    const corpusVersion = corpusRevision(store);
    const countingDb: Database = Object.assign(Object.create(db) as Database, { query: counting.query });
    const cachedFacts = createFactStore(countingDb, { cache: { size: 1000, corpusVersion } });
    const plainFacts = createFactStore(db);
    const ids = (await createRetriever({ db }).retrieve("tăng trưởng kinh tế 11%", { k: 5 })).passages.map(
      (p) => p.chunkId,
    );
    const stored = await plainFacts.forChunks(ids);
    expect(stored.length).toBeGreaterThan(0);
    expect(await cachedFacts.forChunks(ids)).toEqual(stored);
    const after = reads();
    // From memory now, in the same order whatever the order asked in.
    expect(await cachedFacts.forChunks([...ids].reverse())).toEqual(stored);
    expect(reads()).toBe(after);

    await writeFile(
      join(dir, "doc-000.md"),
      "# Văn bản số 0\n\nThành phố đạt tăng trưởng kinh tế 12% năm 2026.\n",
    );
    await runIngest({ store, corpusDir: dir, logger });
    const ids2 = (await createRetriever({ db }).retrieve("tăng trưởng kinh tế 12%", { k: 5 })).passages.map(
      (p) => p.chunkId,
    );
    expect(await cachedFacts.forChunks(ids2)).toEqual(await plainFacts.forChunks(ids2));
    expect((await cachedFacts.forChunks(ids2)).some((f) => f.value.includes("12%"))).toBe(true);
  });
});
