import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DATABASE_SEARCH,
  formatTable,
  PLAIN_BM25,
  PLAIN_RANKING,
  type PreparedBench,
  prepareRetrievalBench,
  runRetrievalBench,
  summarize,
  versusPlain,
} from "../../bench/bench-retrieval.ts";
import { foldQuery, parseJsonl } from "../../bench/bench-set.ts";
import { computeMetrics, firstRelevantRank, partMetrics, percentile } from "../../bench/metrics.ts";
import {
  type BenchDoc,
  type BenchQuery,
  type BenchResult,
  benchQuerySchema,
  type MethodResult,
} from "../../bench/types.ts";
import { createOpenAIEmbedder } from "../../src/embeddings/openai-embedder.ts";
import { conceptEmbedding, FUSION_DOCS, FUSION_QUERIES } from "../helpers/dense-fusion.ts";
import { type OpenAIServer, startOpenAIServer } from "../helpers/openai-server.ts";
import { PGLITE_TEMPLATE } from "../helpers/pglite-folder.ts";

describe("retrieval benchmark metrics", () => {
  it("ranks by passage, duplicates of one document taking separate ranks", () => {
    expect(firstRelevantRank(["a", "a", "b"], ["b"])).toBe(3);
    expect(firstRelevantRank(["a", undefined, "c"], ["c", "a"])).toBe(1);
    expect(firstRelevantRank(["a", "b"], ["z"])).toBeNull();
  });

  it("computes R@n and MRR@10, a miss or a rank past 10 counting 0", () => {
    const m = computeMetrics([1, 2, 6, 11, null]);
    expect(m.r1).toBeCloseTo(1 / 5);
    expect(m.r5).toBeCloseTo(2 / 5);
    expect(m.r10).toBeCloseTo(3 / 5);
    expect(m.mrr10).toBeCloseTo((1 + 1 / 2 + 1 / 6) / 5);
    expect(computeMetrics([])).toEqual({ r1: 0, r5: 0, r10: 0, mrr10: 0 });
  });

  it("computes the metrics of ranges of the queries apart", () => {
    const perQuery = [1, 2, null, 1].map((rank) => ({ rank }));
    const parts = partMetrics(perQuery, [
      { name: "1-2", from: 0, to: 2 },
      { name: "3-4", from: 2, to: 4 },
    ]);
    expect(parts.map((p) => [p.name, p.queries, p.r1, p.mrr10])).toEqual([
      ["1-2", 2, 0.5, 0.75],
      ["3-4", 2, 0.5, 0.5],
    ]);
  });

  it("takes nearest-rank percentiles", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile([7], 95)).toBe(7);
  });

  it("folds diacritics and keeps case", () => {
    expect(foldQuery("Đăng ký thường trú ở đâu?")).toBe("Dang ky thuong tru o dau?");
  });

  it("reports a bad JSONL line with its number", () => {
    const content = `{"id":"q1","q":"thường trú","relevant":["d1"]}\n\n{"id":"q2","q":"","relevant":["d1"]}\n`;
    expect(() => parseJsonl(content, benchQuerySchema, "q.jsonl")).toThrow(/^q\.jsonl:3: q: /);
    expect(() => parseJsonl("{nope", benchQuerySchema, "q.jsonl")).toThrow(/^q\.jsonl:1: not valid JSON/);
  });
});

// Four short documents with disjoint vocabularies, except that "thue-tncn" and "thue-phi" share the
// words of q3: the first repeats them, so it ranks above the second, the relevant one.
const DOCS: BenchDoc[] = [
  {
    id: "cu-tru/thuong-tru",
    title: "Đăng ký thường trú",
    text: "Công dân có chỗ ở hợp pháp thuộc quyền sở hữu của mình thì được đăng ký thường trú tại chỗ ở đó.",
  },
  {
    id: "ma-tuy/cai-nghien",
    title: "Cai nghiện ma túy tự nguyện",
    text: "Người nghiện ma túy tự nguyện cai nghiện tại gia đình hoặc cộng đồng trong thời hạn sáu tháng.",
  },
  {
    id: "thue-tncn",
    title: "Thuế thu nhập cá nhân",
    text: "Thuế thu nhập cá nhân đánh vào thu nhập cá nhân. Người nộp thuế thu nhập cá nhân kê khai thuế thu nhập cá nhân hằng năm.",
  },
  {
    id: "thue-phi",
    title: "Phí và lệ phí",
    text: "Phí, lệ phí khác với thuế: mức thu do Bộ Tài chính quy định cho từng loại dịch vụ công.",
  },
];

const QUERIES: BenchQuery[] = [
  // found first
  { id: "q1", q: "Đăng ký thường trú tại chỗ ở hợp pháp", relevant: ["cu-tru/thuong-tru"] },
  // shares no word with its relevant document: not found, contributes 0
  { id: "q2", q: "cai nghiện ma túy", relevant: ["cu-tru/thuong-tru"] },
  // found second, behind the document that repeats the question's words
  { id: "q3", q: "thuế thu nhập cá nhân", relevant: ["thue-phi"] },
];

describe("runRetrievalBench on a tiny Vietnamese set (PGlite)", () => {
  let prepared: PreparedBench;

  beforeAll(async () => {
    prepared = await prepareRetrievalBench({ docs: DOCS, engine: "pglite", pgliteTemplate: PGLITE_TEMPLATE });
  });
  afterAll(async () => {
    await prepared?.close();
  });

  it("ingests every document", () => {
    expect(prepared.engine).toBe("pglite");
    expect(prepared.docs).toBe(4);
    expect(prepared.chunks).toBeGreaterThanOrEqual(4);
  });

  it("gives each query the rank of its first relevant passage and averages them", async () => {
    const result = await prepared.run(QUERIES, { warmup: 0 });
    const rank = (id: string) => result.perQuery.find((q) => q.id === id)?.rank;
    expect(rank("q1")).toBe(1);
    expect(rank("q2")).toBeNull();
    expect(rank("q3")).toBe(2);
    expect(result.perQuery.find((q) => q.id === "q3")?.docs.slice(0, 2)).toEqual(["thue-tncn", "thue-phi"]);
    expect(result.queries).toBe(3);
    expect(result.r1).toBeCloseTo(1 / 3);
    expect(result.r5).toBeCloseTo(2 / 3);
    expect(result.r10).toBeCloseTo(2 / 3);
    expect(result.mrr10).toBeCloseTo((1 + 0 + 1 / 2) / 3);
    expect(result.p95ms).toBeGreaterThanOrEqual(result.p50ms);
    expect(result.p50ms).toBeGreaterThan(0);
    expect(result.unknownRelevant).toEqual([]);
    expect(result.failed).toEqual([]);
  });

  it("reports ranges of the queries apart when asked, in the table and the JSON", async () => {
    const parts = [
      { name: "1-2", from: 0, to: 2 },
      { name: "3-3", from: 2, to: 3 },
    ];
    const result = await prepared.run(QUERIES, { warmup: 0, parts });
    expect(result.parts?.map((p) => [p.name, p.queries, p.mrr10])).toEqual([
      ["1-2", 2, 0.5],
      ["3-3", 1, 0.5],
    ]);
    expect(summarize(result).parts).toEqual([
      { name: "1-2", queries: 2, r1: 0.5, r5: 0.5, r10: 0.5, mrr10: 0.5 },
      { name: "3-3", queries: 1, r1: 0, r5: 1, r10: 1, mrr10: 0.5 },
    ]);
    const table = formatTable(result);
    expect(table).toMatch(/\|\s+questions 1-2\s+\|\s+0\.500 \|/);
    expect(table).toMatch(/\|\s+questions 3-3\s+\|/);
    expect(summarize(await prepared.run(QUERIES, { warmup: 0 }))).not.toHaveProperty("parts");
  });

  it("reports plain BM25 on the same passages beside every run, parts included", async () => {
    const parts = [
      { name: "1-2", from: 0, to: 2 },
      { name: "3-3", from: 2, to: 3 },
    ];
    const result = await prepared.run(QUERIES, { warmup: 0, parts });
    expect(result.plain.name).toBe(PLAIN_BM25);
    expect(result.plain.perQuery.map((q) => q.id)).toEqual(["q1", "q2", "q3"]);
    expect(result.plain.mrr10).toBeCloseTo(computeMetrics(result.plain.perQuery.map((q) => q.rank)).mrr10);
    expect(result.plain.parts?.map((p) => p.name)).toEqual(["1-2", "3-3"]);
    // The same ranking asked for by name, on the same store, gives the same ranks.
    const again = await prepared.rank({ name: "plain", ranking: PLAIN_RANKING, expand: false }, QUERIES);
    expect(again.perQuery.map((q) => q.rank)).toEqual(result.plain.perQuery.map((q) => q.rank));
    const json = summarize(result);
    expect(json.plain.name).toBe(PLAIN_BM25);
    expect(json.plain.parts?.map((p) => p.queries)).toEqual([2, 1]);
    const table = formatTable(result);
    expect(table).toContain(`| ${PLAIN_BM25}`);
    expect(table).toContain("retriever − plain BM25 on the same passages: MRR@10 ");
  });

  it("finds the same documents for questions typed without diacritics, on the same store", async () => {
    const result = await prepared.run(QUERIES, { warmup: 0, foldQueries: true });
    expect(result.foldQueries).toBe(true);
    expect(result.perQuery.map((q) => q.q)).toContain("Dang ky thuong tru tai cho o hop phap");
    expect(result.perQuery.map((q) => q.rank)).toEqual([1, null, 2]);
    expect(result.mrr10).toBeCloseTo(0.5);
  });

  it("scores the baselines the same way and prints one JSON object", async () => {
    const result = await prepared.run(QUERIES, { warmup: 0, baselines: true });
    expect(result.baselines.map((b) => b.name)).toEqual([
      "minisearch (defaults, in memory)",
      "postgres fts (simple, ts_rank, OR)",
      DATABASE_SEARCH,
    ]);
    for (const b of result.baselines) {
      expect(b.perQuery.find((q) => q.id === "q1")?.rank).toBe(1);
      expect(b.perQuery.find((q) => q.id === "q2")?.rank).toBeNull();
      expect(b.mrr10).toBeCloseTo(computeMetrics(b.perQuery.map((q) => q.rank)).mrr10);
    }
    const json = summarize(result);
    expect(Object.keys(json)).toEqual([
      "engine",
      "docs",
      "chunks",
      "queries",
      "r1",
      "r5",
      "r10",
      "mrr10",
      "p50ms",
      "p95ms",
      "plain",
      "baselines",
    ]);
    expect(Object.keys(json.baselines[0] ?? {})).toEqual([
      "name",
      "r1",
      "r5",
      "r10",
      "mrr10",
      "p50ms",
      "p95ms",
    ]);
  });
});

describe("plain BM25 beside the retriever (pure)", () => {
  const method = (name: string, ranks: (number | null)[]): MethodResult => ({
    name,
    ...computeMetrics(ranks),
    p50ms: 1,
    p95ms: 2,
    perQuery: ranks.map((rank, i) => ({ id: `q${i + 1}`, q: "?", rank, docs: [], ms: 1 })),
  });
  const result = (ranks: (number | null)[], plainRanks: (number | null)[]): BenchResult => {
    const { name: _name, ...own } = method("retriever", ranks);
    const plain = method(PLAIN_BM25, plainRanks);
    return {
      ...own,
      engine: "pglite",
      docs: 2,
      chunks: 2,
      ingest: {
        distractorDocs: 0,
        distractorPassages: 0,
        generateMs: 0,
        writeMs: 0,
        ingestMs: 1,
        passagesPerSec: 1,
        vacuumMs: 0,
      },
      load: 0,
      queries: ranks.length,
      foldQueries: false,
      k: 10,
      parts: partMetrics(own.perQuery, [{ name: "1-2", from: 0, to: 2 }]),
      overlap: 1,
      overlapBm25: 1,
      overlapDatabase: 1,
      exact: method("exact", ranks),
      plain: { ...plain, parts: partMetrics(plain.perQuery, [{ name: "1-2", from: 0, to: 2 }]) },
      baselines: [],
      failed: [],
      unknownRelevant: [],
    };
  };

  it("gives what the retriever adds to plain BM25, a loss as a negative", () => {
    const gain = versusPlain(result([1, 1, 2, null], [1, 2, 2, 1]));
    expect(gain.r1).toBeCloseTo(0.5 - 0.5);
    expect(gain.mrr10).toBeCloseTo((1 + 1 + 0.5) / 4 - (1 + 0.5 + 0.5 + 1) / 4);
    expect(versusPlain(result([2], [1])).mrr10).toBeCloseTo(-0.5);
  });

  it("prints plain BM25 as a row right under the retriever's parts, with its own parts, and the difference", () => {
    const lines = formatTable(result([1, 1], [2, 1])).split("\n");
    const rows = lines.filter((l) => l.startsWith("| ") && !l.startsWith("| method"));
    expect(rows.map((r) => r.split("|")[1]?.trim())).toEqual([
      "retriever (BM25 in store)",
      "questions 1-2",
      PLAIN_BM25,
      "questions 1-2",
    ]);
    expect(rows[2]).toMatch(/\| 0\.500 \|.*\|\s+0\.750 \|/);
    expect(lines).toContain("retriever − plain BM25 on the same passages: MRR@10 +0.250, R@1 +0.500");
    expect(formatTable(result([2], [1]))).toContain("MRR@10 −0.500, R@1 −1.000");
  });

  it("puts plain BM25 in the JSON with its parts, rounded", () => {
    const json = summarize(result([1, 3, null], [1, 1, 1]));
    expect(json.mrr10).toBe(0.4444);
    expect(json.plain).toEqual({
      name: PLAIN_BM25,
      r1: 1,
      r5: 1,
      r10: 1,
      mrr10: 1,
      p50ms: 1,
      p95ms: 2,
      parts: [{ name: "1-2", queries: 2, r1: 1, r5: 1, r10: 1, mrr10: 1 }],
    });
  });
});

describe("runRetrievalBench", () => {
  it("ingests, queries and removes its store in one call; an unknown relevant id is reported", async () => {
    const result = await runRetrievalBench({
      pgliteTemplate: PGLITE_TEMPLATE,
      docs: DOCS.slice(0, 2),
      queries: [{ id: "q", q: "đăng ký thường trú", relevant: ["cu-tru/thuong-tru", "khong-co"] }],
      warmup: 0,
    });
    expect(result.docs).toBe(2);
    expect(result.perQuery[0]?.rank).toBe(1);
    expect(result.mrr10).toBe(1);
    expect(result.unknownRelevant).toEqual(["khong-co"]);
  });
});

describe("with a dense embedder (a local OpenAI-compatible server, deterministic vectors)", () => {
  let server: OpenAIServer;
  let prepared: PreparedBench;
  let result: BenchResult;

  beforeAll(async () => {
    server = await startOpenAIServer({ embed: conceptEmbedding });
    const embedder = await createOpenAIEmbedder({
      baseURL: server.url,
      model: "concepts",
      dimensions: 32,
      maxRetries: 0,
    });
    prepared = await prepareRetrievalBench({ docs: FUSION_DOCS, embedder, pgliteTemplate: PGLITE_TEMPLATE });
    result = await prepared.run(FUSION_QUERIES, { warmup: 0, k: 5 });
  });
  afterAll(async () => {
    await prepared?.close();
    await server?.close();
  });

  it("reports lexical only, dense only and fused on the same store in one run", () => {
    expect(result.dense).toBe("openai:concepts:32");
    expect(result.baselines.map((b) => b.name)).toEqual([
      "lexical only (BM25 + rerank)",
      "dense only (openai:concepts:32)",
      DATABASE_SEARCH,
    ]);
    expect(summarize(result).baselines.map((b) => b.name)).toHaveLength(3);
    expect(formatTable(result)).toContain("RRF with dense");
  });

  it("fuses to a better ranking than either alone, on data where each fails differently", () => {
    const [lexical, dense] = result.baselines as [MethodResult, MethodResult];
    const rank = (m: { perQuery: { id: string; rank: number | null }[] }, id: string) =>
      m.perQuery.find((q) => q.id === id)?.rank;
    // BM25 misses the paraphrase, the "model" the age; fused gets both.
    expect(rank(lexical, "p1")).toBeGreaterThan(1);
    expect(rank(dense, "p1")).toBe(1);
    expect(rank(lexical, "d1")).toBe(1);
    expect(rank(dense, "d1")).toBeGreaterThan(1);
    expect(result.perQuery.map((q) => q.rank)).toEqual([1, 1, 1, 1]);
    expect(result.mrr10).toBeGreaterThan(lexical.mrr10);
    expect(result.mrr10).toBeGreaterThan(dense.mrr10);
    expect(result.r1).toBeGreaterThan(Math.max(lexical.r1, dense.r1));
  });
});
