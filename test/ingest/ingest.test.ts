import { copyFile, mkdtemp, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { IngestAbortedError, runIngest } from "../../ingest/run-ingest.ts";
import { createOpenAIEmbedder } from "../../src/embeddings/openai-embedder.ts";
import { createLogger } from "../../src/logger.ts";
import { searchLexical } from "../../src/retrieval/lexical-search.ts";
import { type CorpusStore, createCorpusStore } from "../../src/store/corpus-store.ts";
import type { Database } from "../../src/store/database.ts";
import { migrate, readMigrations } from "../../src/store/migrate.ts";
import { testEngines } from "../helpers/engines.ts";
import { startOpenAIServer } from "../helpers/openai-server.ts";

const SEED = "corpus/ha-noi-tien-phong-dua-nghi-quyet-xiv-vao-cuoc-song.md";
const logger = createLogger("silent");

const PROGRAMME_MD = `---
title: Chương trình hành động số 01
publisher: Thành ủy Hà Nội
published: 2026-03-02
---

## Mục tiêu

Phấn đấu tốc độ tăng trưởng GRDP bình quân giai đoạn 2026-2030 đạt từ 11% trở lên. Thu nhập bình quân đầu người đạt trên 12.000 USD.

## Nhiệm vụ

UBND Thành phố chủ trì xây dựng kế hoạch triển khai 212 nhiệm vụ, đề án, dự án, công trình trọng điểm.
`;

/** Checks that BM25 statistics equal what the stored passages imply: no drift after updates. */
async function expectConsistentStats(db: Database) {
  const [mismatch] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (
       SELECT term, count(*)::int AS df FROM chunks, unnest(terms) AS term GROUP BY term
     ) live FULL JOIN term_stats t USING (term)
     WHERE live.df IS DISTINCT FROM t.df`,
  );
  expect(mismatch?.n).toBe(0);
  const [stats] = await db.query<{ ok: boolean }>(
    `SELECT s.chunk_count = (SELECT count(*) FROM chunks)
        AND s.length_total = (SELECT coalesce(sum(length), 0) FROM chunks) AS ok FROM corpus_stats s`,
  );
  expect(stats?.ok).toBe(true);
}

describe.each(testEngines())("ingestion on $name", (engine) => {
  let db: Database;
  let drop: () => Promise<void>;
  let store: CorpusStore;
  let dir: string;

  beforeAll(async () => {
    ({ db, drop } = await engine.open());
    await migrate(db);
    store = createCorpusStore(db);
  });
  afterAll(async () => {
    await drop();
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "sotay-corpus-"));
    await db.exec("TRUNCATE documents, chunks, term_stats, embedders, chunk_embeddings CASCADE");
    await db.exec("UPDATE corpus_stats SET chunk_count = 0, length_total = 0, avgdl_used = NULL");
    return () => rm(dir, { recursive: true, force: true });
  });

  it("applies each numbered migration once and records it", async () => {
    expect(await migrate(db)).toEqual([]);
    const rows = await db.query<{ version: number }>(
      "SELECT version FROM schema_migrations ORDER BY version",
    );
    expect(rows.map((r) => r.version)).toEqual(readMigrations().map((m) => m.version));
  });

  it("ingests the seed article into cited passages, and a re-run changes nothing", async () => {
    await copyFile(SEED, join(dir, "seed.md"));
    const first = await runIngest({ store, corpusDir: dir, logger });
    expect(first.documents).toEqual({ added: 1, updated: 0, unchanged: 0, removed: 0, failed: [] });
    expect(first.chunks).toBeGreaterThanOrEqual(8);
    expect(first.embedded).toBe(first.chunks);

    const [doc] = await store.listDocuments();
    expect(doc).toMatchObject({
      path: "seed.md",
      title: "Hà Nội tiên phong đưa Nghị quyết XIV của Đảng vào cuộc sống",
      publisher: "Kinh tế & Đô thị",
      author: "Nguyên Bảo",
      url: "https://kinhtedothi.vn/ha-noi-tien-phong-dua-nghi-quyet-xiv-cua-dang-vao-cuoc-song.984469.html",
      chunkCount: first.chunks,
    });
    const sections = await db.query<{ heading_path: string[] }>(
      "SELECT DISTINCT heading_path FROM chunks ORDER BY heading_path",
    );
    expect(sections.map((s) => s.heading_path)).toEqual([
      [],
      ["Triển khai đồng bộ, quyết liệt ngay từ đầu nhiệm kỳ"],
      ["Xác lập định hướng chiến lược, nâng tầm phát triển Thủ đô"],
    ]);
    // The photo caption is printed twice in the article; it is stored once, marked as a caption.
    const [captions] = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM chunks WHERE text LIKE '%Quang cảnh Hội nghị quán triệt%Ảnh: Viết Thành%Quang cảnh Hội nghị%'",
    );
    expect(captions?.n).toBe(0);
    await expectConsistentStats(db);

    const again = await runIngest({ store, corpusDir: dir, logger });
    expect(again.documents).toEqual({ added: 0, updated: 0, unchanged: 1, removed: 0, failed: [] });
    expect(again.chunks).toBe(0);
    expect(again.embedded).toBe(0);
  });

  it("finds the passage that holds a number, typed with or without diacritics", async () => {
    await copyFile(SEED, join(dir, "seed.md"));
    await runIngest({ store, corpusDir: dir, logger });
    for (const question of ["bao nhiêu cán bộ, đảng viên tham gia", "bao nhieu can bo, dang vien tham gia"]) {
      const [top] = await searchLexical(db, question, 3);
      const [row] = await db.query<{ text: string }>("SELECT text FROM chunks WHERE id = $1", [top?.chunkId]);
      expect(row?.text).toContain("1.662.336 cán bộ, đảng viên");
    }
    const accented = await searchLexical(db, "tăng trưởng kinh tế", 5);
    const folded = await searchLexical(db, "tang truong kinh te", 5);
    expect(folded).toEqual(accented);
  });

  it("replaces a changed document and removes a deleted one, keeping BM25 statistics exact", async () => {
    await copyFile(SEED, join(dir, "seed.md"));
    await writeFile(join(dir, "chuong-trinh.md"), PROGRAMME_MD);
    await runIngest({ store, corpusDir: dir, logger });
    await expectConsistentStats(db);

    await writeFile(join(dir, "chuong-trinh.md"), PROGRAMME_MD.replace("12.000 USD", "13.500 USD"));
    const updated = await runIngest({ store, corpusDir: dir, logger });
    expect(updated.documents).toMatchObject({ added: 0, updated: 1, unchanged: 1, removed: 0 });
    const texts = (await db.query<{ text: string }>("SELECT text FROM chunks")).map((r) => r.text).join("\n");
    expect(texts).toContain("13.500 USD");
    expect(texts).not.toContain("12.000 USD");
    const [doc] = (await store.listDocuments()).filter((d) => d.path === "chuong-trinh.md");
    expect(doc?.published).toBe("2026-03-02");
    await expectConsistentStats(db);

    await unlink(join(dir, "seed.md"));
    const removed = await runIngest({ store, corpusDir: dir, logger });
    expect(removed.documents).toMatchObject({ removed: 1, unchanged: 1 });
    expect((await store.listDocuments()).map((d) => d.path)).toEqual(["chuong-trinh.md"]);
    await expectConsistentStats(db);

    await unlink(join(dir, "chuong-trinh.md"));
    await runIngest({ store, corpusDir: dir, logger });
    expect(await store.stats()).toMatchObject({ documents: 0, chunks: 0 });
    const [terms] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM term_stats");
    expect(terms?.n).toBe(0);
  });

  it("a bulk load into an empty store folds its frequencies at the end; one cut short is folded before anything subtracts", async () => {
    await copyFile(SEED, join(dir, "seed.md"));
    await writeFile(join(dir, "chuong-trinh.md"), PROGRAMME_MD);
    await runIngest({ store, corpusDir: dir, logger, batch: { chunks: 1, documents: 1 } });
    const [pending] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM term_stats_pending");
    expect(pending?.n).toBe(0);
    await expectConsistentStats(db);

    // A load killed between its batches and the fold: batches written, frequencies pending.
    await store.removeDocument("seed.md");
    await store.removeDocument("chuong-trinh.md");
    const killed: CorpusStore = { ...store, foldPendingFrequencies: async () => 0 };
    await runIngest({ store: killed, corpusDir: dir, logger, batch: { chunks: 1, documents: 1 } });
    const [partial] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM term_stats");
    expect(partial?.n).toBe(0);
    expect((await store.stats()).chunks).toBeGreaterThan(0);
    // Removing a document subtracts its frequencies: the pending ones are folded first.
    expect(await store.removeDocument("seed.md")).toBe(true);
    await expectConsistentStats(db);
    expect(await store.foldPendingFrequencies()).toBe(0);
  });

  it("reports a broken file by name, ingests the rest, and keeps the broken file's previous version", async () => {
    await writeFile(
      join(dir, "ke-hoach.txt"),
      "Kế hoạch năm 2026\n\nThành phố triển khai 1.605 điểm cầu trực tuyến.",
    );
    await runIngest({ store, corpusDir: dir, logger });

    await writeFile(join(dir, "ke-hoach.txt"), Buffer.from([0x4b, 0xff, 0xfe, 0xc3, 0x28, 0x0a]));
    await writeFile(join(dir, "hong.pdf"), "%PDF-1.7 this is not really a pdf");
    await copyFile(SEED, join(dir, "seed.md"));
    await writeFile(join(dir, "bang-tinh.xlsx"), "not a document we read");
    const summary = await runIngest({ store, corpusDir: dir, logger });

    expect(summary.documents.added).toBe(1);
    expect(summary.documents.failed.map((f) => f.path).sort()).toEqual(["hong.pdf", "ke-hoach.txt"]);
    for (const failure of summary.documents.failed) expect(failure.error).not.toBe("");
    const paths = (await store.listDocuments()).map((d) => d.path);
    expect(paths).toEqual(["ke-hoach.txt", "seed.md"]);
    const [old] = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM chunks WHERE text LIKE '%1.605 điểm cầu trực tuyến%'",
    );
    expect(old?.n).toBe(1);
  });

  it("reports what would change on a dry run and writes nothing", async () => {
    await copyFile(SEED, join(dir, "seed.md"));
    const summary = await runIngest({ store, corpusDir: dir, logger, dryRun: true });
    expect(summary.documents.added).toBe(1);
    expect(await store.stats()).toMatchObject({ documents: 0, chunks: 0 });
  });

  it("stores dense vectors, re-embeds when the embedder changes, and never mixes two models", async () => {
    const server = await startOpenAIServer();
    try {
      await copyFile(SEED, join(dir, "seed.md"));
      const small = await createOpenAIEmbedder({ baseURL: server.url, model: "fake-small", dimensions: 16 });
      const first = await runIngest({ store, corpusDir: dir, logger, embedder: small });
      expect(await store.countVectors(small.id)).toBe(first.chunks);

      const large = await createOpenAIEmbedder({ baseURL: server.url, model: "fake-large", dimensions: 48 });
      const switched = await runIngest({ store, corpusDir: dir, logger, embedder: large });
      expect(switched.documents.unchanged).toBe(1);
      expect(switched.embedded).toBe(first.chunks);
      expect(await store.countVectors(large.id)).toBe(first.chunks);
      expect(await store.countVectors(small.id)).toBe(0);
      expect((await store.activeEmbedders()).map((e) => e.id)).toEqual([large.id]);
      const [dims] = await db.query<{ d: number }>(
        "SELECT DISTINCT vector_dims(embedding) AS d FROM chunk_embeddings",
      );
      expect(dims?.d).toBe(48);

      // The embeddings endpoint fails: the run stops with a clear error, the index is untouched.
      await writeFile(join(dir, "chuong-trinh.md"), PROGRAMME_MD);
      const before = await store.stats();
      server.failNext(500, 20);
      const failing = await createOpenAIEmbedder({
        baseURL: server.url,
        model: "fake-large",
        dimensions: 48,
        maxRetries: 0,
      });
      await expect(runIngest({ store, corpusDir: dir, logger, embedder: failing })).rejects.toThrow(
        IngestAbortedError,
      );
      expect(await store.stats()).toEqual(before);
      server.failNext(500, 0);
    } finally {
      await server.close();
    }
  });
});
