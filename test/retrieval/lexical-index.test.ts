import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runIngest } from "../../ingest/run-ingest.ts";
import { createLogger } from "../../src/logger.ts";
import {
  buildLexicalIndex,
  createLexicalIndexSource,
  forEachEntry,
  type LexicalIndex,
  refreshLexicalIndex,
  StaleIndexError,
} from "../../src/retrieval/lexical-index.ts";
import { createRetriever } from "../../src/retrieval/retriever.ts";
import { pruneCorpusChanges } from "../../src/store/corpus-changes.ts";
import { type CorpusStore, createCorpusStore } from "../../src/store/corpus-store.ts";
import type { Database, Queryable } from "../../src/store/database.ts";
import { migrate } from "../../src/store/migrate.ts";
import { testEngines } from "../helpers/engines.ts";
import { corpusFiles } from "../helpers/topic-corpus.ts";

const logger = createLogger("silent");

describe("forEachEntry: reading a sparsevec's text form", () => {
  it("reads indices and weights as pgvector prints them, exponents and integers included", () => {
    const seen: [number, number][] = [];
    forEachEntry("{3:0.41234,17:1e-05,250:2,999999937:1.5}/999999937", (t, w) => seen.push([t, w]));
    expect(seen).toEqual([
      [3, 0.41234],
      [17, 1e-5],
      [250, 2],
      [999999937, 1.5],
    ]);
  });

  it("reads nothing from an empty vector", () => {
    const visit = vi.fn();
    forEachEntry("{}/999999937", visit);
    expect(visit).not.toHaveBeenCalled();
  });
});

/** The shared topic corpus, plus documents with section headings and abbreviations. */
function indexCorpusFiles(): Record<string, string> {
  const files = corpusFiles();
  for (let i = 0; i < 8; i++) {
    files[`muc-${i}.md`] =
      `# Kế hoạch số ${i}\n\n## Mục ${i % 4}\n\nNhiệm vụ số ${i + 200} do UBND Thành phố chủ trì, HĐND giám sát, ` +
      `báo cáo kết quả định kỳ mỗi quý.\n`;
  }
  return files;
}

const QUESTIONS = [
  "Chỉ tiêu tăng trưởng kinh tế là bao nhiêu?",
  "chi tieu tang truong kinh te la bao nhieu",
  "UBND chủ trì nhiệm vụ số 17 như thế nào?",
  "chuyển đổi số",
  "Phụ lục 2 nói gì về giao thông công cộng và đô thị?",
  "văn hoá con người Hà Nội",
  "báo cáo định kỳ mỗi quý",
  "xin chào",
  "của và các",
];

describe.each(testEngines())("in-process lexical index on $name", (engine) => {
  let db: Database;
  let drop: () => Promise<void>;
  let store: CorpusStore;
  let dir: string;
  const revision = async () => (await store.stats()).revision;

  beforeAll(async () => {
    ({ db, drop } = await engine.open());
    await migrate(db);
    store = createCorpusStore(db);
    dir = await mkdtemp(join(tmpdir(), "sotay-lexical-index-"));
    for (const [name, text] of Object.entries(indexCorpusFiles())) await writeFile(join(dir, name), text);
    await runIngest({ store, corpusDir: dir, logger });
  }, 120_000);

  afterAll(async () => {
    await drop?.();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("holds every passage and the document frequencies of term_stats", async () => {
    const index = await buildLexicalIndex(db);
    const stats = await store.stats();
    expect(index.passages).toBe(stats.chunks);
    expect(index.revision).toBe(stats.revision);
    const terms = await db.query<{ term: number; df: number }>("SELECT term, df FROM term_stats");
    expect(terms.length).toBeGreaterThan(100);
    for (const t of terms) expect(index.df(t.term)).toBe(t.df);
    expect(index.df(123)).toBeUndefined();
  });

  it("ranks exactly as BM25 over every passage in the database: same passages, same scores, same ties", async () => {
    const source = createLexicalIndexSource({ db, revision, maxBytes: 2 ** 30 });
    expect(await source.ready()).toBeDefined();
    for (const rerank of [null, undefined]) {
      const ranking = rerank === null ? { rerank: null } : {};
      const withIndex = createRetriever({ db, lexicalIndex: source, ranking });
      const exact = createRetriever({ db, candidateCap: 0, ranking });
      for (const q of QUESTIONS) {
        const a = await withIndex.retrieve(q, { k: 20 });
        const b = await exact.retrieve(q, { k: 20 });
        expect(
          a.passages.map((p) => [p.chunkId, p.bm25]),
          q,
        ).toEqual(b.passages.map((p) => [p.chunkId, p.bm25]));
        expect(a.terms).toEqual(b.terms);
      }
    }
    // The index was used, not the database: the retriever asked no term statistics of it.
    const spy = vi.fn((sql: string) => sql);
    const watched: Queryable = {
      query: (sql, params) => {
        spy(sql);
        return db.query(sql, params);
      },
      exec: (sql) => db.exec(sql),
    };
    const found = await createRetriever({ db: watched, lexicalIndex: source }).retrieve(
      QUESTIONS[0] as string,
    );
    expect(found.passages[0]?.text).toContain("11%");
    expect(spy.mock.calls.map(([sql]) => sql).join("\n")).not.toMatch(/term_stats|<#>|lexical_candidates/);
  });

  it("is not used once the corpus changes, and is rebuilt for the new revision", async () => {
    const source = createLexicalIndexSource({ db, revision, maxBytes: 2 ** 30 });
    const retriever = createRetriever({ db, lexicalIndex: source });
    const before = await source.ready();
    const path = join(dir, "moi.md");
    await writeFile(path, "# Văn bản mới\n\nĐề án cáp treo Ba Vì hoàn thành trước năm 2028.\n");
    await runIngest({ store, corpusDir: dir, logger });
    // Stale: the database answers (and finds the new passage) while the rebuild runs.
    expect(await source.current()).toBeUndefined();
    const meanwhile = await retriever.retrieve("cáp treo Ba Vì");
    expect(meanwhile.passages[0]?.text).toContain("cáp treo Ba Vì");
    const after = await source.ready();
    expect(after?.revision).not.toBe(before?.revision);
    expect(await source.current()).toBe(after);
    expect((await retriever.retrieve("cáp treo Ba Vì")).passages[0]?.text).toContain("cáp treo Ba Vì");
    // Removed again: neither path returns it.
    await rm(path);
    await runIngest({ store, corpusDir: dir, logger });
    await source.ready();
    const gone = await retriever.retrieve("cáp treo Ba Vì");
    expect(gone.passages.some((p) => p.text.includes("cáp treo"))).toBe(false);
  });

  it("throws a build away when a write lands while it reads (StaleIndexError)", async () => {
    let wrote = false;
    const racing: Queryable = {
      async query(sql, params) {
        const rows = await db.query(sql, params);
        if (!wrote && sql.includes("FROM chunks")) {
          wrote = true;
          await writeFile(join(dir, "dua.md"), "# Văn bản chen ngang\n\nMột văn bản ghi vào giữa lúc đọc.\n");
          await runIngest({ store, corpusDir: dir, logger });
        }
        return rows as never;
      },
      exec: (sql) => db.exec(sql),
    };
    await expect(buildLexicalIndex(racing)).rejects.toBeInstanceOf(StaleIndexError);
    await rm(join(dir, "dua.md"));
    await runIngest({ store, corpusDir: dir, logger });
  });

  it("stays off past its memory budget, says so once, and the database answers", async () => {
    const warn = vi.fn();
    const quiet = { ...logger, warn } as unknown as typeof logger;
    const source = createLexicalIndexSource({ db, revision, maxBytes: 1024, logger: quiet });
    expect(await source.ready()).toBeUndefined();
    expect(await source.current()).toBeUndefined();
    expect(await source.current()).toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[1])).toContain("LEXICAL_INDEX_MAX_MB");
    const found = await createRetriever({ db, lexicalIndex: source }).retrieve(QUESTIONS[0] as string);
    expect(found.passages[0]?.text).toContain("11%");
  });

  it("closes quietly while a build reads, and builds nothing afterwards", async () => {
    const warn = vi.fn();
    const watched = { ...logger, warn } as unknown as typeof logger;
    const source = createLexicalIndexSource({ db, revision, maxBytes: 2 ** 30, logger: watched });
    expect(await source.current()).toBeUndefined(); // starts a build in the background
    await source.close();
    expect(await source.current()).toBeUndefined();
    expect(await source.ready()).toBeUndefined();
    expect(warn).not.toHaveBeenCalled();
  });

  it("raises the corpus revision on every change to the passages", async () => {
    const r0 = BigInt((await store.stats()).revision);
    await writeFile(join(dir, "rev.md"), "# Sửa đổi\n\nBản thứ nhất.\n");
    await runIngest({ store, corpusDir: dir, logger });
    const r1 = BigInt((await store.stats()).revision);
    expect(r1).toBeGreaterThan(r0);
    // Same number of passages, same length: the counts alone could not tell the edit.
    await writeFile(join(dir, "rev.md"), "# Sửa đổi\n\nBản thứ hai.\n");
    await runIngest({ store, corpusDir: dir, logger });
    const r2 = BigInt((await store.stats()).revision);
    expect(r2).toBeGreaterThan(r1);
    await store.removeDocument("rev.md");
    expect(BigInt((await store.stats()).revision)).toBeGreaterThan(r2);
    await rm(join(dir, "rev.md"));
  });

  it("refreshes for the changed documents only, and ranks and counts exactly as a whole read", async () => {
    const exact = createRetriever({ db, candidateCap: 0 });
    const fixed = (index: LexicalIndex) => ({
      current: async () => index,
      ready: async () => index,
      close: async () => {},
    });
    const expectSameAsWholeRead = async (index: LexicalIndex) => {
      const whole = await buildLexicalIndex(db);
      expect(index.passages).toBe(whole.passages);
      expect(index.revision).toBe(whole.revision);
      const terms = await db.query<{ term: number; df: number }>("SELECT term, df FROM term_stats");
      for (const t of terms) expect(index.df(t.term)).toBe(t.df);
      const retriever = createRetriever({ db, lexicalIndex: fixed(index) });
      for (const q of [...QUESTIONS, "cáp treo Sóc Sơn", "đường sắt đô thị tuyến 5", "Kế hoạch số 3"]) {
        const a = await retriever.retrieve(q, { k: 20 });
        const b = await exact.retrieve(q, { k: 20 });
        expect(
          a.passages.map((p) => [p.chunkId, p.bm25]),
          q,
        ).toEqual(b.passages.map((p) => [p.chunkId, p.bm25]));
      }
    };
    const base = await buildLexicalIndex(db);
    // One document added, one edited, one removed.
    await writeFile(
      join(dir, "cap-treo.md"),
      "# Đề án cáp treo\n\nĐề án cáp treo Sóc Sơn khởi công năm 2027.\n",
    );
    await writeFile(
      join(dir, "muc-3.md"),
      "# Kế hoạch số 3\n\n## Mục 3\n\nĐường sắt đô thị tuyến 5 do UBND Thành phố chủ trì, hoàn thành năm 2030.\n",
    );
    await rm(join(dir, "muc-5.md"));
    await runIngest({ store, corpusDir: dir, logger });
    const refreshed = await refreshLexicalIndex(db, base);
    expect(refreshed).toBeDefined();
    expect(refreshed?.changed).toBeGreaterThan(0);
    expect(refreshed?.changed).toBeLessThan(10);
    await expectSameAsWholeRead(refreshed as LexicalIndex);
    // A second change on top of the first.
    await rm(join(dir, "cap-treo.md"));
    await writeFile(
      join(dir, "muc-5.md"),
      "# Kế hoạch số 5\n\n## Mục 1\n\nNhiệm vụ số 205 báo cáo kết quả mỗi quý.\n",
    );
    await runIngest({ store, corpusDir: dir, logger });
    const again = await refreshLexicalIndex(db, refreshed as LexicalIndex);
    expect(again).toBeDefined();
    await expectSameAsWholeRead(again as LexicalIndex);
    expect(await refreshLexicalIndex(db, again as LexicalIndex)).toBe(again); // nothing new
  });

  it("reads the store whole again when the log no longer reaches back to the index", async () => {
    const base = await buildLexicalIndex(db);
    await writeFile(join(dir, "xa.md"), "# Văn bản xa\n\nMột đoạn văn ngắn.\n");
    await runIngest({ store, corpusDir: dir, logger });
    expect(await pruneCorpusChanges(db, 3_600_000)).toBe(0); // all of it is recent
    expect(await pruneCorpusChanges(db, -60_000)).toBeGreaterThan(0);
    expect(await db.query("SELECT 1 FROM corpus_changes")).toEqual([]);
    expect(await refreshLexicalIndex(db, base)).toBeUndefined();
    await rm(join(dir, "xa.md"));
    await runIngest({ store, corpusDir: dir, logger });
  });
});
