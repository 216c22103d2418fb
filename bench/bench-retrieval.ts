import { randomBytes } from "node:crypto";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import MiniSearch from "minisearch";
import pg from "pg";
import { z } from "zod";
import { runIngest } from "../ingest/run-ingest.ts";
import { createAnswerer } from "../src/answer/answerer.ts";
import { DEFAULT_LEXICAL_INDEX_MB, loadConfig } from "../src/config.ts";
import { createDenseEmbedder } from "../src/embeddings/create-dense-embedder.ts";
import type { DenseEmbedder } from "../src/embeddings/types.ts";
import { errorMessage } from "../src/error-message.ts";
import { createLogger } from "../src/logger.ts";
import { corpusRevision } from "../src/reliability/versioned-cache.ts";
import { loadAbbreviations } from "../src/retrieval/expand-query.ts";
import { createLexicalIndexSource } from "../src/retrieval/lexical-index.ts";
import { createRetriever, type RankingOptions } from "../src/retrieval/retriever.ts";
import type { CorpusStore } from "../src/store/corpus-store.ts";
import { openStore } from "../src/store/open-store.ts";
import { checkDocs, foldQuery, readJsonl, writeDocsCorpus } from "./bench-set.ts";
import { countPassages, DEFAULT_SEED, DEFAULT_UNITS_PER_DOC, generateDistractors } from "./distractors.ts";
import { computeMetrics, firstRelevantRank, partMetrics, percentile } from "./metrics.ts";
import {
  type AnswerTiming,
  type BenchDoc,
  type BenchQuery,
  type BenchResult,
  benchDocSchema,
  benchQuerySchema,
  ENGINES,
  type Engine,
  type IngestStats,
  type MethodResult,
  type Metrics,
  type PartMetrics,
  type QueryOutcome,
  type QueryPart,
  type RankingVariant,
} from "./types.ts";

/**
 * Retrieval quality and latency of the offline retriever (BM25 in the store, no dense embedder)
 * on any docs/queries set, optionally next to two baselines on the very same passages: MiniSearch
 * (in-memory BM25, default tokenizer) and PostgreSQL full-text search ranked by ts_rank.
 *
 * Scoring: a query's rank is the 1-based position of the first retrieved passage that belongs to
 * one of its relevant documents. Passages are not deduplicated by document: two passages of the
 * same (irrelevant) document take two ranks. R@n = share of queries with rank ≤ n; MRR@10 = mean
 * of 1/rank over queries with rank ≤ 10, 0 for the others. Latency is the wall clock of one
 * retrieve() (or one baseline search), measured after WARMUP untimed calls; percentiles by the
 * nearest-rank method.
 *
 * Scale: `distractors` adds synthetic passages (real sentences recombined across the documents, see
 * distractors.ts) until the store holds about that many; they are never relevant. `answer` also
 * times the whole offline answer (retrieval + extractive answer through createAnswerer, as the app
 * wires it without conversations).
 */

/**
 * "Plain" BM25 in this code: the store's exact BM25 over the very same passages, with none of the
 * ranking's tuned parts: no second stage (rerank.ts: no field coverage, no repeat penalty, no
 * BM25F), every question term weighted by its IDF alone (question words such as "gì", "nào" at
 * weight 1, not DEFAULT_RANKING.questionWordWeight) and no abbreviation expansion. Reported beside
 * every run, so a ranking is always judged against what BM25 alone gives on the same layout.
 */
export const PLAIN_BM25 = "plain BM25, same passages (no rerank, question words ×1, no expansion)";
export const PLAIN_RANKING: Partial<RankingOptions> = { questionWordWeight: 1, rerank: null };

/** The baseline row of the retriever without the in-process index. */
export const DATABASE_SEARCH = "retriever searching in the database (no in-process index)";

export const DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres";
export const WARMUP = 20;
/** The app's defaults (src/config.ts): passages given to the answerer, extractive refusal threshold. */
export const ANSWER_TOP_K = 5;

const round = (x: number, digits: number) => Number(x.toFixed(digits));

const roundPart = (p: PartMetrics) => ({
  name: p.name,
  queries: p.queries,
  r1: round(p.r1, 4),
  r5: round(p.r5, 4),
  r10: round(p.r10, 4),
  mrr10: round(p.mrr10, 4),
});

/** What the retriever adds to plain BM25 on the same passages (negative: it loses). */
export function versusPlain(result: Pick<BenchResult, "r1" | "mrr10" | "plain">): {
  r1: number;
  mrr10: number;
} {
  return { r1: result.r1 - result.plain.r1, mrr10: result.mrr10 - result.plain.mrr10 };
}

const signed = (x: number) => `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(3)}`;

/** The `--json` object: metrics only, no per-query detail. */
export function summarize(result: BenchResult) {
  const m = (r: Metrics & { p50ms: number; p95ms: number }) => ({
    r1: round(r.r1, 4),
    r5: round(r.r5, 4),
    r10: round(r.r10, 4),
    mrr10: round(r.mrr10, 4),
    p50ms: round(r.p50ms, 2),
    p95ms: round(r.p95ms, 2),
  });
  return {
    engine: result.engine,
    docs: result.docs,
    chunks: result.chunks,
    queries: result.queries,
    ...m(result),
    plain: {
      name: result.plain.name,
      ...m(result.plain),
      ...(result.plain.parts ? { parts: result.plain.parts.map(roundPart) } : {}),
    },
    baselines: result.baselines.map((b) => ({ name: b.name, ...m(b) })),
    ...(result.parts ? { parts: result.parts.map(roundPart) } : {}),
    // Only for scale runs: the plain --json object keeps the keys test/bench/bench-retrieval.test.ts pins.
    ...(result.ingest.distractorDocs > 0 || result.answer
      ? {
          ingest: {
            ...result.ingest,
            passagesPerSec: Math.round(result.ingest.passagesPerSec),
            generateMs: Math.round(result.ingest.generateMs),
            writeMs: Math.round(result.ingest.writeMs),
            ingestMs: Math.round(result.ingest.ingestMs),
            vacuumMs: Math.round(result.ingest.vacuumMs),
            ...(result.ingest.index
              ? { index: { ms: Math.round(result.ingest.index.ms), mb: round(result.ingest.index.mb, 1) } }
              : {}),
          },
          load: round(result.load, 2),
          overlap: round(result.overlap, 4),
          overlapBm25: round(result.overlapBm25, 4),
          overlapDatabase: round(result.overlapDatabase, 4),
          exact: { name: result.exact.name, ...m(result.exact) },
        }
      : {}),
    ...(result.answer
      ? {
          answer: {
            ...result.answer,
            p50ms: round(result.answer.p50ms, 2),
            p95ms: round(result.answer.p95ms, 2),
            found: round(result.answer.found, 4),
          },
        }
      : {}),
  };
}

export function formatTable(result: BenchResult, heading?: string): string {
  const name = result.dense ? "retriever (BM25 + rerank, RRF with dense)" : "retriever (BM25 in store)";
  const rows = [{ name, ...result }, result.plain, ...result.baselines].map((r) => [
    r.name,
    r.r1.toFixed(3),
    r.r5.toFixed(3),
    r.r10.toFixed(3),
    r.mrr10.toFixed(3),
    r.p50ms.toFixed(2),
    r.p95ms.toFixed(2),
  ]);
  // The retriever and plain BM25 on each range of questions, right under their own rows.
  const partRows = (parts: readonly PartMetrics[] | undefined) =>
    (parts ?? []).map((p) => [
      `  questions ${p.name}`,
      p.r1.toFixed(3),
      p.r5.toFixed(3),
      p.r10.toFixed(3),
      p.mrr10.toFixed(3),
      "",
      "",
    ]);
  const ownParts = partRows(result.parts);
  rows.splice(2, 0, ...partRows(result.plain.parts));
  rows.splice(1, 0, ...ownParts);
  const header = ["method", "R@1", "R@5", "R@10", "MRR@10", "p50 ms", "p95 ms"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `${"-".repeat(w + 2)}` : `${"-".repeat(w + 1)}:`)).join("|")}|`;
  const title =
    heading ??
    `${result.engine}: ${result.docs} docs, ${result.chunks} passages, ${result.queries} queries` +
      `${result.foldQueries ? " (typed without diacritics)" : ""}, k=${result.k}`;
  const gain = versusPlain(result);
  const info: string[] = [
    `retriever − plain BM25 on the same passages: MRR@10 ${signed(gain.mrr10)}, R@1 ${signed(gain.r1)}`,
  ];
  const a = result.answer;
  if (a)
    info.push(
      `retrieval + extractive answer (top ${a.topK}, the answerability model's operating point): p50 ${a.p50ms.toFixed(2)} ms, ` +
        `p95 ${a.p95ms.toFixed(2)} ms, answered ${(a.found * 100).toFixed(0)} %`,
    );
  const e = result.exact;
  info.push(
    `top-${result.k} overlap with every passage scored: BM25 stage ${result.overlapBm25.toFixed(4)}, ` +
      `whole ranking ${result.overlap.toFixed(4)}, BM25 stage searched in the database ${result.overlapDatabase.toFixed(4)}; exact ` +
      `p50 ${e.p50ms.toFixed(2)} ms, p95 ${e.p95ms.toFixed(2)} ms (retriever p95 = ${(result.p95ms / Math.max(e.p95ms, 1e-9)).toFixed(2)} × exact)`,
  );
  const i = result.ingest;
  info.push(
    `ingest: ${result.chunks} passages in ${(i.ingestMs / 1000).toFixed(1)} s = ${Math.round(i.passagesPerSec)} passages/s` +
      (i.distractorDocs > 0
        ? ` (${i.distractorPassages} distractor passages in ${i.distractorDocs} documents, generated in ${(i.generateMs / 1000).toFixed(1)} s)`
        : "") +
      (i.vacuumMs > 0 ? `; VACUUM ANALYZE ${(i.vacuumMs / 1000).toFixed(1)} s` : "") +
      (i.index
        ? `; in-process index built in ${(i.index.ms / 1000).toFixed(1)} s, ${i.index.mb.toFixed(1)} MB`
        : "; no in-process index") +
      `; load average ${result.load.toFixed(2)}`,
  );
  const notes: string[] = [];
  if (result.failed.length > 0) notes.push(`${result.failed.length} document(s) failed to ingest`);
  if (result.unknownRelevant.length > 0)
    notes.push(`${result.unknownRelevant.length} relevant id(s) name no document`);
  const text = [...info, ...notes.map((n) => `Note: ${n}`)];
  return [title, "", line(header), rule, ...rows.map(line), ...text].join("\n");
}

// ---------------------------------------------------------------------------------------------
// The store: ingested once, queried many times

export interface PrepareOptions {
  docs: BenchDoc[];
  /**
   * A dense embedder: passages are embedded at ingest, the retriever fuses BM25 with it (as the app
   * does with EMBEDDINGS=openai), and every run also reports lexical only and dense only.
   */
  embedder?: DenseEmbedder;
  engine?: Engine;
  /** PostgreSQL admin connection: a throw-away database is created on its server and dropped */
  databaseUrl?: string;
  /** add distractor documents until the store holds about this many passages (0: none) */
  distractors?: number;
  /** PRNG seed of the distractors (default DEFAULT_SEED) */
  seed?: number;
  /** distractor passages per distractor document (default DEFAULT_UNITS_PER_DOC) */
  unitsPerDoc?: number;
  /** ids distractors must not take: pass the relevant ids of the queries to be run */
  reservedIds?: Iterable<string>;
  /**
   * VACUUM ANALYZE after the ingest (default true): the reweight at the end of a bulk ingest leaves
   * one dead row per passage, and neither PGlite nor a server with autovacuum off cleans it up or
   * gathers planner statistics. Measured as part of the store's set-up, not of the ingest.
   */
  vacuum?: boolean;
  /**
   * Memory budget of the in-process lexical index in MB (as LEXICAL_INDEX_MAX_MB; default the
   * app's). 0: the retriever searches in the database only, as it does without the index.
   */
  indexMb?: number;
  /**
   * Writes the corpus folder instead of writeDocsCorpus (one `.txt` per document) and returns file
   * path → document id: for sets with their own file format (the ViQuAD corpus eval:viquad writes).
   * The documents' ids must be those returned.
   */
  writeCorpus?: (dir: string) => Promise<Map<string, string>>;
  /**
   * A PGlite data folder that initdb has already prepared, copied as the fresh store's folder: the
   * store opens without running initdb (seconds of CPU). For the tests, which make one per run.
   */
  pgliteTemplate?: string;
}

export interface RunOptions {
  /** passages retrieved per query (default 10) */
  k?: number;
  /** also report the retriever's metrics on these ranges of the queries (e.g. a tuning half) */
  parts?: QueryPart[];
  baselines?: boolean;
  foldQueries?: boolean;
  /** untimed calls before timing starts (default WARMUP) */
  warmup?: number;
  /** also time retrieval + extractive answer */
  answer?: boolean;
}

export interface PreparedBench {
  engine: Engine;
  docs: number;
  chunks: number;
  ingest: IngestStats;
  store: CorpusStore;
  run(queries: BenchQuery[], options?: RunOptions): Promise<BenchResult>;
  /** quality of a ranking variant on the same store (untimed: no warm-up), lexical only */
  rank(
    variant: RankingVariant,
    queries: BenchQuery[],
    options?: { k?: number; foldQueries?: boolean },
  ): Promise<MethodResult>;
  /** closes the store and removes it (temp folder or temp database); safe to call twice */
  close(): Promise<void>;
}

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  client.on("error", () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * A fresh empty store of the engine. How to remove it is handed to `onDispose` before anything is
 * created (the database is dropped with IF EXISTS), so an interruption at any point can clean up.
 */
async function openFreshStore(
  engine: Engine,
  adminUrl: string,
  onDispose: (dispose: () => Promise<void>) => void,
  pgliteTemplate?: string,
): Promise<CorpusStore> {
  let store: CorpusStore | undefined;
  const closeStore = async () => {
    await store?.db.close().catch(() => {});
    store = undefined;
  };
  if (engine === "pglite") {
    const dir = await mkdtemp(join(tmpdir(), "sotay-bench-retrieval-pglite-"));
    onDispose(async () => {
      await closeStore();
      await rm(dir, { recursive: true, force: true });
    });
    if (pgliteTemplate) await cp(pgliteTemplate, dir, { recursive: true });
    store = await openStore({ DATA_DIR: dir, DATABASE_URL: undefined });
    return store;
  }
  const name = `sotay_bench_${randomBytes(6).toString("hex")}`;
  onDispose(async () => {
    await closeStore();
    try {
      await withAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    } catch (error) {
      throw new Error(`could not drop database ${name}, drop it by hand: ${errorMessage(error)}`);
    }
  });
  await withAdmin(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  store = await openStore({ DATABASE_URL: url.toString(), DATA_DIR: "" });
  return store;
}

/** Benchmarks whose store exists right now: closeOnSignal removes them on Ctrl-C. */
const openBenches = new Set<() => Promise<void>>();

interface ChunkRow {
  id: string;
  text: string;
  path: string;
}

type Search = (q: string, k: number) => Promise<(string | undefined)[]>;

/** Ingests the documents into a fresh store of the engine; the result can be queried many times. */
export async function prepareRetrievalBench(options: PrepareOptions): Promise<PreparedBench> {
  const engine = options.engine ?? "pglite";
  checkDocs(options.docs);
  let corpusDir: string | undefined;
  let disposeStore: (() => Promise<void>) | undefined;
  // Every caller (the run, a failed ingest, a Ctrl-C) waits for the one removal to finish.
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      openBenches.delete(close);
      try {
        await disposeStore?.();
      } finally {
        if (corpusDir) await rm(corpusDir, { recursive: true, force: true });
      }
    })();
    return closing;
  };
  openBenches.add(close);
  try {
    let t = performance.now();
    let distractors: BenchDoc[] = [];
    if (options.distractors && options.distractors > 0) {
      const real = options.docs.reduce((n, d) => n + countPassages(d), 0);
      distractors = generateDistractors(options.docs, {
        passages: options.distractors - real,
        seed: options.seed ?? DEFAULT_SEED,
        unitsPerDoc: options.unitsPerDoc ?? DEFAULT_UNITS_PER_DOC,
        reserved: options.reservedIds,
      });
    }
    const generateMs = performance.now() - t;
    t = performance.now();
    corpusDir = await mkdtemp(join(tmpdir(), "sotay-bench-retrieval-corpus-"));
    const pathToId = options.writeCorpus
      ? await options.writeCorpus(corpusDir)
      : await writeDocsCorpus([...options.docs, ...distractors], corpusDir);
    const writeMs = performance.now() - t;
    const store = await openFreshStore(
      engine,
      options.databaseUrl ?? DEFAULT_ADMIN_URL,
      (dispose) => {
        disposeStore = dispose;
      },
      options.pgliteTemplate,
    );
    t = performance.now();
    const summary = await runIngest({
      store,
      corpusDir,
      embedder: options.embedder,
      logger: createLogger("silent"),
    });
    const ingestMs = performance.now() - t;
    t = performance.now();
    if (options.vacuum ?? true) await store.db.exec("VACUUM ANALYZE");
    const vacuumMs = (options.vacuum ?? true) ? performance.now() - t : 0;
    const failed = summary.documents.failed.map((f) => ({
      id: pathToId.get(f.path) ?? f.path,
      error: f.error,
    }));
    const stats = await store.stats();
    const distractorIds = new Set(distractors.map((d) => d.id));
    const distractorPassages = (
      await store.db.query<{ path: string; n: number }>(
        "SELECT d.path, count(*)::int AS n FROM chunks c JOIN documents d ON d.id = c.document_id GROUP BY d.path",
      )
    ).reduce((n, r) => n + (distractorIds.has(pathToId.get(r.path) ?? "") ? r.n : 0), 0);
    const ingest: IngestStats = {
      distractorDocs: distractors.length,
      distractorPassages,
      generateMs,
      writeMs,
      ingestMs,
      passagesPerSec: (summary.chunks / ingestMs) * 1000,
      vacuumMs,
    };
    // The in-process lexical index, as the app builds it at start (src/retrieval/lexical-index.ts).
    const indexMb = options.indexMb ?? DEFAULT_LEXICAL_INDEX_MB;
    const lexicalIndex =
      indexMb > 0
        ? createLexicalIndexSource({
            db: store.db,
            revision: corpusRevision(store),
            maxBytes: indexMb * 2 ** 20,
          })
        : undefined;
    t = performance.now();
    const built = await lexicalIndex?.ready();
    if (built) ingest.index = { ms: performance.now() - t, mb: built.bytes / 2 ** 20 };
    const docIds = new Set(options.docs.map((d) => d.id));
    const abbreviations = loadAbbreviations();
    const embedder = options.embedder;
    const retriever = createRetriever({ db: store.db, abbreviations, embedder, lexicalIndex });
    // The same retriever without the index: what every search costs while the index is stale or
    // when it is off (GIN candidates, migration 006), timed as a baseline when the index is on.
    const databaseRetriever = createRetriever({ db: store.db, abbreviations, embedder });
    // Lexical retrievers with other rankings on the same store and index: plain BM25 beside every
    // run, and the variants rank() is asked for.
    const variantSearch = (variant: RankingVariant): Search => {
      const r = createRetriever({
        db: store.db,
        abbreviations: variant.expand === false ? [] : abbreviations,
        ranking: variant.ranking,
        lexicalIndex,
      });
      return async (q, k) => (await r.retrieve(q, { k })).passages.map((p) => pathToId.get(p.document.path));
    };
    const plainSearch = variantSearch({ name: PLAIN_BM25, ranking: PLAIN_RANKING, expand: false });
    // The same retriever scoring every passage: exact BM25, what the candidate selection is
    // compared with (top-k overlap) and timed against, in the same run.
    const exactRetriever = createRetriever({ db: store.db, abbreviations, embedder, candidateCap: 0 });
    // With a dense embedder, each ranking alone on the same store, next to their fusion.
    const alone = embedder
      ? (["lexical", "dense"] as const).map((only) => {
          const r = createRetriever({
            db: store.db,
            abbreviations,
            embedder,
            ranking: { fusion: { lexical: only === "lexical" ? 1 : 0, dense: only === "dense" ? 1 : 0 } },
            lexicalIndex,
          });
          const search: Search = async (q, k) =>
            (await r.retrieve(q, { k })).passages.map((p) => pathToId.get(p.document.path));
          return {
            name: only === "lexical" ? "lexical only (BM25 + rerank)" : `dense only (${embedder.id})`,
            search,
          };
        })
      : [];
    const answerer = createAnswerer({
      retriever,
      abbreviations,
      logger: createLogger("silent"),
      options: { topK: ANSWER_TOP_K },
    });

    /** Retrieval + extractive answer, timed like retrieve() alone (after the same warm-up). */
    async function timeAnswers(queries: BenchQuery[], warmup: number): Promise<AnswerTiming> {
      for (let i = 0; i < warmup && queries.length > 0; i++) {
        await answerer.answer({ question: (queries[i % queries.length] as BenchQuery).q });
      }
      const ms: number[] = [];
      let found = 0;
      for (const query of queries) {
        const t0 = performance.now();
        const answer = await answerer.answer({ question: query.q });
        ms.push(performance.now() - t0);
        if (answer.found) found++;
      }
      return {
        topK: ANSWER_TOP_K,
        p50ms: percentile(ms, 50),
        p95ms: percentile(ms, 95),
        found: queries.length ? found / queries.length : 0,
      };
    }

    let chunkRows: ChunkRow[] | undefined;
    const chunks = async () => {
      chunkRows ??= await store.db.query<ChunkRow>(
        "SELECT c.id, c.text, d.path FROM chunks c JOIN documents d ON d.id = c.document_id ORDER BY c.id",
      );
      return chunkRows;
    };

    const ours: Search = async (q, k) =>
      (await retriever.retrieve(q, { k })).passages.map((p) => pathToId.get(p.document.path));

    let minisearch: Search | undefined;
    const miniSearch = async (): Promise<Search> => {
      if (minisearch) return minisearch;
      const rows = await chunks();
      const docOf = new Map(rows.map((r) => [r.id, pathToId.get(r.path)]));
      // What a JS developer would write: defaults everywhere (tokenizer, BM25 parameters, OR).
      const index = new MiniSearch<ChunkRow>({ fields: ["text"], idField: "id" });
      index.addAll(rows);
      minisearch = async (q, k) =>
        index
          .search(q)
          .slice(0, k)
          .map((r) => docOf.get(String(r.id)));
      return minisearch;
    };

    let fts: Search | undefined;
    const fullText = async (): Promise<Search> => {
      if (fts) return fts;
      // The tsvector of every passage, precomputed with a GIN index as anyone would deploy it; a
      // side table so that the retriever's `chunks` rows (and so its scans) are left untouched.
      await store.db.exec(`
        CREATE TABLE bench_fts AS
          SELECT c.id, d.path, to_tsvector('simple', c.text) AS tsv
            FROM chunks c JOIN documents d ON d.id = c.document_id;
        CREATE INDEX bench_fts_gin ON bench_fts USING gin (tsv);
        ANALYZE bench_fts;`);
      fts = async (q, k) => {
        const words = [
          ...new Set(
            q
              .normalize("NFC")
              .split(/[^\p{L}\p{N}]+/u)
              .filter(Boolean),
          ),
        ];
        if (words.length === 0) return [];
        const rows = await store.db.query<{ path: string }>(
          `SELECT path FROM bench_fts, to_tsquery('simple', $1) AS query
            WHERE tsv @@ query ORDER BY ts_rank(tsv, query) DESC, id LIMIT $2`,
          [words.join(" | "), k],
        );
        return rows.map((r) => pathToId.get(r.path));
      };
      return fts;
    };

    /** Exact BM25 (every passage scored) timed, and the share of top-k slots the retriever shares with it. */
    async function exactComparison(queries: BenchQuery[], k: number, warmup: number) {
      const timed = await measure(
        "exact BM25 (every passage scored)",
        async (q, n) =>
          (await exactRetriever.retrieve(q, { k: n })).passages.map((p) => pathToId.get(p.document.path)),
        queries,
        k,
        warmup,
      );
      // The whole ranking (second stage included), and the BM25 stage alone: the candidates'
      // exact BM25 order against every passage's.
      const bm25Only = { rerank: null };
      const pairs = [
        [retriever, exactRetriever],
        [
          createRetriever({ db: store.db, abbreviations, ranking: bm25Only, lexicalIndex }),
          createRetriever({ db: store.db, abbreviations, ranking: bm25Only, candidateCap: 0 }),
        ],
        [
          createRetriever({ db: store.db, abbreviations, ranking: bm25Only }),
          createRetriever({ db: store.db, abbreviations, ranking: bm25Only, candidateCap: 0 }),
        ],
      ] as const;
      const [overlap, overlapBm25, overlapDatabase] = await Promise.all(
        pairs.map(async ([fastRetriever, slowRetriever]) => {
          let shared = 0;
          for (const query of queries) {
            const fast = (await fastRetriever.retrieve(query.q, { k })).passages.map((p) => p.chunkId);
            const exact = new Set(
              (await slowRetriever.retrieve(query.q, { k })).passages.map((p) => p.chunkId),
            );
            shared += exact.size ? fast.filter((id) => exact.has(id)).length / exact.size : 1;
          }
          return queries.length ? shared / queries.length : 1;
        }),
      );
      return {
        timed,
        overlap: overlap as number,
        overlapBm25: overlapBm25 as number,
        overlapDatabase: overlapDatabase as number,
      };
    }

    async function measure(
      name: string,
      search: Search,
      queries: BenchQuery[],
      k: number,
      warmup: number,
    ): Promise<MethodResult> {
      for (let i = 0; i < warmup && queries.length > 0; i++) {
        await search((queries[i % queries.length] as BenchQuery).q, k);
      }
      const perQuery: QueryOutcome[] = [];
      for (const query of queries) {
        const t = performance.now();
        const docs = await search(query.q, k);
        const ms = performance.now() - t;
        perQuery.push({ id: query.id, q: query.q, rank: firstRelevantRank(docs, query.relevant), docs, ms });
      }
      const ms = perQuery.map((p) => p.ms);
      return {
        name,
        ...computeMetrics(perQuery.map((p) => p.rank)),
        p50ms: percentile(ms, 50),
        p95ms: percentile(ms, 95),
        perQuery,
      };
    }

    return {
      engine,
      docs: stats.documents,
      chunks: stats.chunks,
      ingest,
      store,
      close,
      async rank(variant, input, rankOptions = {}) {
        if (closing) throw new Error("the benchmark store is closed");
        const queries = rankOptions.foldQueries ? input.map((q) => ({ ...q, q: foldQuery(q.q) })) : input;
        return measure(variant.name, variantSearch(variant), queries, rankOptions.k ?? 10, 0);
      },
      async run(input, runOptions = {}) {
        if (closing) throw new Error("the benchmark store is closed");
        const k = runOptions.k ?? 10;
        const warmup = runOptions.warmup ?? WARMUP;
        const foldQueries = runOptions.foldQueries ?? false;
        const queries = foldQueries ? input.map((q) => ({ ...q, q: foldQuery(q.q) })) : input;
        const clash = queries.flatMap((q) => q.relevant).find((id) => distractorIds.has(id));
        if (clash) throw new Error(`relevant id "${clash}" names a distractor: pass it in reservedIds`);
        const unknownRelevant = [
          ...new Set(queries.flatMap((q) => q.relevant).filter((id) => !docIds.has(id))),
        ];
        const main = await measure("retriever", ours, queries, k, warmup);
        const exact = await exactComparison(queries, k, warmup);
        const plainRun = await measure(PLAIN_BM25, plainSearch, queries, k, warmup);
        const plain = runOptions.parts
          ? { ...plainRun, parts: partMetrics(plainRun.perQuery, runOptions.parts) }
          : plainRun;
        const answer = runOptions.answer ? await timeAnswers(queries, warmup) : undefined;
        const baselines: MethodResult[] = [];
        for (const { name, search } of alone) baselines.push(await measure(name, search, queries, k, warmup));
        if (runOptions.baselines) {
          baselines.push(
            await measure("minisearch (defaults, in memory)", await miniSearch(), queries, k, warmup),
          );
          baselines.push(
            await measure("postgres fts (simple, ts_rank, OR)", await fullText(), queries, k, warmup),
          );
        }
        if (lexicalIndex) {
          const search: Search = async (q, n) =>
            (await databaseRetriever.retrieve(q, { k: n })).passages.map((p) =>
              pathToId.get(p.document.path),
            );
          baselines.push(await measure(DATABASE_SEARCH, search, queries, k, warmup));
        }
        const { name: _name, ...metrics } = main;
        return {
          engine,
          ...(embedder ? { dense: embedder.id } : {}),
          docs: stats.documents,
          chunks: stats.chunks,
          ingest,
          ...(answer ? { answer } : {}),
          load: loadavg()[0] ?? 0,
          queries: queries.length,
          foldQueries,
          k,
          ...metrics,
          ...(runOptions.parts ? { parts: partMetrics(main.perQuery, runOptions.parts) } : {}),
          overlap: exact.overlap,
          overlapBm25: exact.overlapBm25,
          overlapDatabase: exact.overlapDatabase,
          exact: exact.timed,
          plain,
          baselines,
          failed,
          unknownRelevant,
        };
      },
    };
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
}

export interface RetrievalBenchOptions extends PrepareOptions, RunOptions {
  queries: BenchQuery[];
}

/** Ingest once, run the queries once, remove the store. */
export async function runRetrievalBench(options: RetrievalBenchOptions): Promise<BenchResult> {
  const prepared = await prepareRetrievalBench(options);
  try {
    return await prepared.run(options.queries, options);
  } finally {
    await prepared.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Command line (shared with bench-alqac)

const postgresUrl = z.string().regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://");
const emptyToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const envSchema = z.object({
  BENCH_DATABASE_URL: z.preprocess(emptyToUndefined, postgresUrl.optional()),
  TEST_DATABASE_URL: z.preprocess(emptyToUndefined, postgresUrl.optional()),
});

export const commonArgs = {
  json: z.boolean().default(false),
  baselines: z.boolean().default(false),
  k: z.coerce.number().int().min(1).max(1000).default(10),
  engine: z.enum(ENGINES).default("pglite"),
  "database-url": postgresUrl.optional(),
  distractors: z.coerce.number().int().min(0).max(10_000_000).default(0),
  seed: z.coerce.number().int().min(0).max(0xffffffff).default(DEFAULT_SEED),
  "passages-per-distractor": z.coerce.number().int().min(1).max(1000).default(DEFAULT_UNITS_PER_DOC),
  answer: z.boolean().default(false),
  "skip-vacuum": z.boolean().default(false),
  dense: z.boolean().default(false),
  "index-mb": z.coerce.number().int().min(0).max(1_000_000).default(DEFAULT_LEXICAL_INDEX_MB),
  help: z.boolean().default(false),
};

const commonArgsSchema = z.object(commonArgs);
export type CommonArgs = z.infer<typeof commonArgsSchema>;

/** The store every retrieval benchmark prepares from the common arguments (the dense embedder aside). */
export function storeOptionsFrom(args: CommonArgs, docs: BenchDoc[], queries: BenchQuery[]): PrepareOptions {
  return {
    docs,
    engine: args.engine,
    databaseUrl: adminUrlFrom(args["database-url"]),
    distractors: args.distractors,
    seed: args.seed,
    unitsPerDoc: args["passages-per-distractor"],
    reservedIds: queries.flatMap((q) => q.relevant),
    vacuum: !args["skip-vacuum"],
    indexMb: args["index-mb"],
  };
}

export const commonOptions = {
  json: { type: "boolean" },
  baselines: { type: "boolean" },
  k: { type: "string" },
  engine: { type: "string" },
  "database-url": { type: "string" },
  distractors: { type: "string" },
  seed: { type: "string" },
  "passages-per-distractor": { type: "string" },
  answer: { type: "boolean" },
  "skip-vacuum": { type: "boolean" },
  dense: { type: "boolean" },
  "index-mb": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

import { parseCli } from "./cli.ts";

export { parseCli };

/** --database-url, else $BENCH_DATABASE_URL, $TEST_DATABASE_URL, else the local default. */
export function adminUrlFrom(flag: string | undefined): string {
  const env = envSchema.safeParse(process.env);
  if (!env.success) {
    const issue = env.error.issues[0];
    process.stderr.write(`Invalid configuration: ${String(issue?.path[0])} ${issue?.message}\n`);
    process.exit(2);
  }
  return flag ?? env.data.BENCH_DATABASE_URL ?? env.data.TEST_DATABASE_URL ?? DEFAULT_ADMIN_URL;
}

/**
 * On Ctrl-C (or SIGTERM), removes every benchmark store that exists, also one still being
 * ingested, so no temp database or folder is left behind. Returns the function that uninstalls it.
 */
export function closeOnSignal(): () => void {
  const handler = () => {
    process.stderr.write("\ninterrupted: removing the benchmark store…\n");
    void Promise.allSettled([...openBenches].map((close) => close()))
      .then((results) => {
        for (const r of results)
          if (r.status === "rejected") process.stderr.write(`${errorMessage(r.reason)}\n`);
      })
      .finally(() => process.exit(130));
  };
  process.once("SIGINT", handler);
  process.once("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}

export function warnAbout(result: BenchResult): void {
  for (const f of result.failed.slice(0, 5))
    process.stderr.write(`warning: document ${f.id} failed: ${f.error}\n`);
  if (result.unknownRelevant.length > 0) {
    process.stderr.write(
      `warning: ${result.unknownRelevant.length} relevant id(s) name no document: ${result.unknownRelevant.slice(0, 5).join(", ")}\n`,
    );
  }
}

/** Help text of the options shared by bench:retrieval and bench:alqac. */
/**
 * --dense: the dense embedder the environment configures (EMBEDDINGS=openai, OPENAI_BASE_URL,
 * EMBEDDING_MODEL…, as for the app); exits 2 with a message when it configures none.
 */
export async function denseEmbedderFrom(flag: boolean): Promise<DenseEmbedder | undefined> {
  if (!flag) return undefined;
  let embedder: DenseEmbedder | undefined;
  try {
    embedder = await createDenseEmbedder(loadConfig(process.env), createLogger("silent"));
  } catch (error) {
    process.stderr.write(`--dense: ${errorMessage(error)}\n`);
    process.exit(2);
  }
  if (!embedder) {
    process.stderr.write(
      "--dense needs a dense embedder: set EMBEDDINGS=openai and OPENAI_BASE_URL (a local OpenAI-compatible server) or OPENAI_API_KEY\n",
    );
    process.exit(2);
  }
  return embedder;
}

export const SCALE_USAGE = `  --distractors N     before ingesting, add synthetic passages (real sentences recombined across the
                      documents, never relevant) until the store holds about N passages
  --seed S            seed of the distractors (default ${DEFAULT_SEED}): same N and seed, same documents
  --passages-per-distractor P
                      distractor passages per distractor document (default ${DEFAULT_UNITS_PER_DOC}; fewer,
                      larger files ingest faster)
  --answer            also time retrieval + extractive answer (createAnswerer, top ${ANSWER_TOP_K},
                      the answerability model's operating point), after the same warm-up
  --skip-vacuum       query the store as the ingest left it (by default VACUUM ANALYZE runs first:
                      neither PGlite nor a server with autovacuum off would clean up or analyze)
  --index-mb MB       memory budget of the in-process lexical index, as LEXICAL_INDEX_MAX_MB (default
                      ${DEFAULT_LEXICAL_INDEX_MB}); 0 searches in the database only. With the index on, the
                      retriever without it is timed too ("${DATABASE_SEARCH}")
  --dense             also embed the passages with the configured dense embedder (EMBEDDINGS=openai,
                      OPENAI_BASE_URL, EMBEDDING_MODEL… as for the app): the retriever fuses BM25 and
                      dense by RRF, and "lexical only" and "dense only" are reported on the same store`;

const USAGE = `Usage: npm run bench:retrieval -- --docs D.jsonl --queries Q.jsonl [--json] [--baselines]
                                [--fold-queries] [--k 10] [--engine pglite|postgres] [--database-url URL]
                                [--distractors N] [--seed S] [--passages-per-distractor P] [--answer]
                                [--skip-vacuum] [--dense]

Ingests the documents into a fresh store and measures the retriever: R@1, R@5, R@10, MRR@10 and the
p50/p95 latency of retrieve() after ${WARMUP} untimed warm-up queries.
  --docs FILE         JSON lines {"id","title","text"}
  --queries FILE      JSON lines {"id","q","relevant":["docId", ...]}
  --fold-queries      strip diacritics from every query first (NFD, marks removed, đ→d)
  --baselines         also MiniSearch (defaults, in memory) and PostgreSQL ts_rank on the same passages
  --k N               passages retrieved per query (default 10)
  --engine E          pglite (a temp folder, default) or postgres (a temp database, dropped at the end)
  --database-url URL  PostgreSQL admin connection for --engine postgres (default: $BENCH_DATABASE_URL,
                      $TEST_DATABASE_URL, or ${DEFAULT_ADMIN_URL})
${SCALE_USAGE}
  --json              print exactly one JSON object`;

async function main(): Promise<void> {
  const args = parseCli(
    process.argv.slice(2),
    {
      ...commonOptions,
      docs: { type: "string" },
      queries: { type: "string" },
      "fold-queries": { type: "boolean" },
    },
    z.object({
      ...commonArgs,
      docs: z.string().min(1).optional(),
      queries: z.string().min(1).optional(),
      "fold-queries": z.boolean().default(false),
    }),
    USAGE,
  );
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!args.docs || !args.queries) {
    process.stderr.write(`--docs and --queries are required\n\n${USAGE}\n`);
    process.exit(2);
  }
  let docs: BenchDoc[];
  let queries: BenchQuery[];
  try {
    docs = await readJsonl(resolve(args.docs), benchDocSchema);
    queries = await readJsonl(resolve(args.queries), benchQuerySchema);
    checkDocs(docs, args.docs);
  } catch (error) {
    process.stderr.write(`${errorMessage(error)}\n`);
    process.exit(2);
  }
  const release = closeOnSignal();
  const prepared = await prepareRetrievalBench({
    ...storeOptionsFrom(args, docs, queries),
    embedder: await denseEmbedderFrom(args.dense),
  });
  let result: BenchResult;
  try {
    result = await prepared.run(queries, {
      k: args.k,
      baselines: args.baselines,
      foldQueries: args["fold-queries"],
      answer: args.answer,
    });
  } finally {
    await prepared.close();
    release();
  }
  warnAbout(result);
  process.stdout.write(`${args.json ? JSON.stringify(summarize(result)) : formatTable(result)}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    process.stderr.write(`${errorMessage(error)}\n`);
    process.exit(1);
  });
}
