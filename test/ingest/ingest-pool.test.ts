import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPreparePool } from "../../ingest/prepare-pool.ts";
import { readDocument } from "../../ingest/read-document.ts";
import { runIngest } from "../../ingest/run-ingest.ts";
import { createLogger } from "../../src/logger.ts";
import { createCorpusStore, prepareRows } from "../../src/store/corpus-store.ts";
import { openPglite } from "../../src/store/database.ts";
import { migrate } from "../../src/store/migrate.ts";
import { seeded } from "../helpers/pglite-folder.ts";

const logger = createLogger("silent");

/** `n` small documents (their lengths vary) and one that cannot be read. */
async function writeCorpus(dir: string, n: number) {
  const topics = [
    "tăng trưởng kinh tế 11%",
    "chuyển đổi số",
    "xây dựng Đảng",
    "văn hóa Hà Nội",
    "giao thông",
  ];
  for (let i = 0; i < n; i++) {
    await writeFile(
      join(dir, `van-ban-${String(i).padStart(3, "0")}.md`),
      `# Văn bản số ${i}\n\n## Mục tiêu\n\nThành phố phấn đấu ${topics[i % topics.length]} trong giai đoạn 2026-2030, ` +
        `hoàn thành ${i + 3} nhiệm vụ trọng điểm. UBND Thành phố chủ trì, các sở phối hợp.\n\n` +
        `${"Các quận, huyện triển khai đồng bộ. ".repeat(i % 7)}\n\n` +
        `## Nhiệm vụ\n\nBáo cáo kết quả định kỳ mỗi quý; năm 2030 đạt ${(i % 40) + 60}% chỉ tiêu.\n`,
    );
  }
  await writeFile(join(dir, "hong.docx"), "not a zip file");
}

/** Everything an ingest writes that a search or a citation reads, in a comparable form. */
async function snapshot(db: Awaited<ReturnType<typeof openPglite>>) {
  return {
    chunks: await db.query(
      `SELECT d.path, c.id, c.ordinal, c.text, c.folded, c.sentences, c.length, c.terms, c.lexical::text AS lexical
         FROM chunks c JOIN documents d ON d.id = c.document_id ORDER BY c.id`,
    ),
    terms: await db.query("SELECT term, df FROM term_stats ORDER BY term"),
    stats: await db.query("SELECT chunk_count, length_total, avgdl_used FROM corpus_stats"),
    facts: await db.query("SELECT chunk_id, value, counts FROM facts ORDER BY chunk_id, position"),
  };
}

describe("ingest with worker threads (prepare-pool.ts)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sotay-pool-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** The store after a single-threaded ingest and after one with two workers, and their summaries. */
  async function bothWays(files: number) {
    const corpus = join(dir, String(files));
    await mkdir(corpus);
    await writeCorpus(corpus, files);
    const results = [];
    for (const workers of [0, 2]) {
      const db = await openPglite("memory://", seeded().pgliteSeed);
      try {
        await migrate(db);
        const summary = await runIngest({
          store: createCorpusStore(db),
          corpusDir: corpus,
          logger,
          workers,
          batch: { chunks: 60, documents: 25 },
        });
        results.push({ summary, snapshot: await snapshot(db) });
      } finally {
        await db.close();
      }
    }
    return results as [(typeof results)[number], (typeof results)[number]];
  }

  it("writes exactly what a single-threaded ingest writes, and reports the broken file by name", async () => {
    // No more files than the pool samples for the average passage length: all of them.
    const [single, pooled] = await bothWays(180);
    for (const { summary } of [single, pooled]) {
      expect(summary.documents.added).toBe(180);
      expect(summary.documents.failed.map((f) => f.path)).toEqual(["hong.docx"]);
      expect(summary.chunks).toBe(single.snapshot.chunks.length);
    }
    expect(single.snapshot.chunks.length).toBeGreaterThan(180);
    expect(single.snapshot.facts.length).toBeGreaterThan(0);
    expect(pooled.snapshot).toEqual(single.snapshot);
  }, 120_000);

  it("weights a load larger than its sample with an average length within 2 % of the true one", async () => {
    const [single, pooled] = await bothWays(260);
    expect(pooled.summary.documents.added).toBe(260);
    expect(pooled.summary.documents.failed.map((f) => f.path)).toEqual(["hong.docx"]);
    const used = (s: typeof single) => Number((s.snapshot.stats[0] as { avgdl_used: number }).avgdl_used);
    expect(Math.abs(used(pooled) - used(single)) / used(single)).toBeLessThan(0.02);
    // The same passages, terms, frequencies and facts: only the weights differ, by that little.
    const withoutWeights = (s: typeof single) => ({
      ...s.snapshot,
      chunks: s.snapshot.chunks.map(({ lexical: _, ...rest }) => rest),
      stats: undefined,
    });
    expect(withoutWeights(pooled)).toEqual(withoutWeights(single));
  }, 120_000);

  it("reads and prepares in a worker what this thread would, and passes a reader's error on", async () => {
    const pool = createPreparePool(1);
    try {
      const bytes = new TextEncoder().encode("# Tiêu đề\n\nChỉ tiêu tăng trưởng đạt từ 11% trở lên.\n");
      const here = await readDocument("a.md", "/x/a.md", bytes, true);
      expect(here.lengthTotal).toBeGreaterThan(0);
      expect(await pool.read("a.md", "/x/a.md", bytes, true)).toEqual(here);
      expect(await pool.read("a.md", "/x/a.md", bytes, false)).toEqual({ document: here.document });
      const input = { ...here.document, contentHash: "h" };
      expect(await pool.prepare([input], 42)).toEqual(await prepareRows([input], 42));
      await expect(pool.read("b.docx", "/x/b.docx", new Uint8Array([1, 2, 3]), false)).rejects.toThrow(/./);
    } finally {
      await pool.close();
    }
  });
});
