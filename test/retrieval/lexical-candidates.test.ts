import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runIngest } from "../../ingest/run-ingest.ts";
import { createLogger } from "../../src/logger.ts";
import { createRetriever, rareTerms, type WeightedTerm } from "../../src/retrieval/retriever.ts";
import { type CorpusStore, createCorpusStore } from "../../src/store/corpus-store.ts";
import type { Database } from "../../src/store/database.ts";
import { migrate } from "../../src/store/migrate.ts";
import { idf } from "../../src/text/bm25.ts";
import { testEngines } from "../helpers/engines.ts";
import { corpusFiles } from "../helpers/topic-corpus.ts";

const logger = createLogger("silent");
const term = (id: number, df: number, weight = 1): WeightedTerm => ({ term: `t${id}`, id, weight, df });

describe("rareTerms: which question terms select lexical candidates", () => {
  it("takes the rarest terms first until their document frequencies would pass the cap", () => {
    const terms = [term(1, 3000), term(2, 10), term(3, 900), term(4, 2500), term(5, 40)];
    expect(rareTerms(terms, 1000, 100_000)).toEqual([2, 5, 3]);
    expect(rareTerms(terms, 5000, 100_000)).toEqual([2, 5, 3, 4]);
  });

  it("always takes the rarest term, even above the cap", () => {
    expect(rareTerms([term(1, 9000), term(2, 7000)], 5000, 100_000)).toEqual([2]);
  });

  it("ignores terms without weight or unknown to the corpus", () => {
    const terms = [term(1, 5, 0), { term: "x", id: 2, weight: 1 }, term(3, 50)];
    expect(rareTerms(terms, 5000, 100_000)).toEqual([3]);
  });

  it("scans every passage when the corpus is no larger than the cap, or the question has no term", () => {
    expect(rareTerms([term(1, 3)], 5000, 5000)).toBeUndefined();
    expect(rareTerms([], 5000, 100_000)).toBeUndefined();
  });
});

describe.each(testEngines())("lexical candidates through the GIN index on $name", (engine) => {
  let db: Database;
  let drop: () => Promise<void>;
  let store: CorpusStore;
  let dir: string;
  const reweighted: number[] = [];

  beforeAll(async () => {
    ({ db, drop } = await engine.open());
    await migrate(db);
    store = createCorpusStore(db);
    dir = await mkdtemp(join(tmpdir(), "sotay-candidates-"));
    for (const [name, text] of Object.entries(corpusFiles())) await writeFile(join(dir, name), text);
    const reweight = store.reweightIfDrifted.bind(store);
    vi.spyOn(store, "reweightIfDrifted").mockImplementation(async (force?: boolean) => {
      const n = await reweight(force);
      reweighted.push(n);
      return n;
    });
    // Small batches, as a large corpus would have: the first batch holds only the short documents.
    await runIngest({ store, corpusDir: dir, logger, batch: { chunks: 20, documents: 20 } });
  }, 120_000);
  afterAll(async () => {
    await drop?.();
    await rm(dir, { recursive: true, force: true });
  });

  it("weights a bulk load into an empty store with the whole corpus's average length: no reweight", async () => {
    const stats = await store.stats();
    expect(stats.chunks).toBeGreaterThan(120);
    // The first batch alone (short documents) would have been 10 %+ off the corpus average.
    const [first] = await db.query<{ avg: number }>(
      `SELECT avg(length)::float8 AS avg FROM (SELECT c.length FROM chunks c JOIN documents d ON d.id = c.document_id
         ORDER BY d.path, c.ordinal LIMIT 20) f`,
    );
    expect(Math.abs((first?.avg ?? 0) - stats.avgdl) / stats.avgdl).toBeGreaterThan(0.1);
    expect(stats.avgdlUsed).toBeCloseTo(stats.avgdl, 6);
    expect(reweighted.every((n) => n === 0)).toBe(true);
  });

  it("returns exactly the full scan's ranking when the rare terms cover the whole question", async () => {
    const exact = createRetriever({ db, candidateCap: 0, ranking: { rerank: null } });
    const n = (await store.stats()).chunks;
    for (const question of ["rác thải", "phu luc 2", "vững mạnh"]) {
      const want = await exact.retrieve(question, { k: 10 });
      // A cap that takes every term of the question, yet below the corpus size: candidates
      // come through the GIN index, and they are all the passages with a positive score.
      const cap = want.terms.reduce((sum, t) => sum + (t.df ?? 0), 0);
      expect(cap).toBeLessThan(n);
      const viaIndex = createRetriever({ db, candidateCap: cap, ranking: { rerank: null } });
      expect(rareTerms(want.terms, cap, n)).toHaveLength(new Set(want.terms.map((t) => t.id)).size);
      const got = await viaIndex.retrieve(question, { k: 10 });
      expect(got.passages.length).toBeGreaterThan(0);
      expect(got.passages.map((p) => p.chunkId)).toEqual(want.passages.map((p) => p.chunkId));
      expect(got.passages.map((p) => p.bm25)).toEqual(want.passages.map((p) => p.bm25));
    }
  });

  it("finds the passages of the rarest terms first when the cap cuts the question short", async () => {
    const viaIndex = createRetriever({ db, candidateCap: 3, ranking: { rerank: null } });
    const { passages, terms } = await viaIndex.retrieve("nhiệm vụ số 42 báo cáo kết quả", { k: 3 });
    expect(passages[0]?.text).toContain("Nhiệm vụ số 42");
    // Every returned passage holds one of the selected terms, and scores are exact BM25.
    const n = (await store.stats()).chunks;
    const rare = rareTerms(terms, 3, n) ?? [];
    expect(rare.length).toBeGreaterThan(0);
    const ids = passages.map((p) => p.chunkId);
    const rows = await db.query<{ id: string; hit: boolean }>(
      "SELECT id, terms && $2::int[] AS hit FROM chunks WHERE id = ANY($1::text[])",
      [ids, rare],
    );
    expect(rows.every((r) => r.hit)).toBe(true);
    expect(terms.every((t) => t.df === undefined || t.weight <= idf(t.df, n) + 1e-9)).toBe(true);
  });

  it("keeps the GIN index that candidate selection needs", async () => {
    const rows = await db.query<{ indexname: string }>(
      "SELECT indexname FROM pg_indexes WHERE tablename = 'chunks' ORDER BY indexname",
    );
    expect(rows.map((r) => r.indexname)).toContain("chunks_terms_gin");
  });
});
