import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BenchDoc,
  type BenchQuery,
  type BenchResult,
  benchQuerySchema,
  computeMetrics,
  DATABASE_SEARCH,
  firstRelevantRank,
  foldQuery,
  formatTable,
  type MethodResult,
  type PreparedBench,
  parseJsonl,
  partMetrics,
  percentile,
  prepareRetrievalBench,
  runRetrievalBench,
  summarize,
} from "../ingest/bench/bench-retrieval.ts";
import { createOpenAIEmbedder } from "../src/embeddings/openai-embedder.ts";
import { conceptEmbedding, FUSION_DOCS, FUSION_QUERIES } from "./helpers/dense-fusion.ts";
import { type OpenAIServer, startOpenAIServer } from "./helpers/openai-server.ts";

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
    prepared = await prepareRetrievalBench({ docs: DOCS, engine: "pglite" });
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

describe("runRetrievalBench", () => {
  it("ingests, queries and removes its store in one call; an unknown relevant id is reported", async () => {
    const result = await runRetrievalBench({
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
    prepared = await prepareRetrievalBench({ docs: FUSION_DOCS, embedder });
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
