import { z } from "zod";
import type { RankingOptions } from "../src/retrieval/retriever.ts";

/**
 * The shapes every benchmark shares: a document and a question set as read from JSON lines, and
 * what a retrieval run measures. Types only (and the two schemas the sets are read with), so any
 * benchmark can use them without importing another benchmark's code.
 */

export const ENGINES = ["pglite", "postgres"] as const;
export type Engine = (typeof ENGINES)[number];

const nonBlank = z.string().refine((s) => s.trim() !== "", "must not be blank");

export const benchDocSchema = z.object({ id: nonBlank, title: z.string(), text: z.string() });
export const benchQuerySchema = z.object({ id: nonBlank, q: nonBlank, relevant: z.array(nonBlank).min(1) });

export type BenchDoc = z.infer<typeof benchDocSchema>;
export type BenchQuery = z.infer<typeof benchQuerySchema>;

export interface Metrics {
  r1: number;
  r5: number;
  r10: number;
  mrr10: number;
}

export interface QueryOutcome {
  id: string;
  /** the query as searched (folded when foldQueries) */
  q: string;
  rank: number | null;
  /** document id of each retrieved passage, best first (duplicates kept) */
  docs: (string | undefined)[];
  ms: number;
}

/** A range of the queries, by position: `from` inclusive, `to` exclusive. */
export interface QueryPart {
  name: string;
  from: number;
  to: number;
}

export interface PartMetrics extends Metrics {
  name: string;
  queries: number;
}

export interface MethodResult extends Metrics {
  name: string;
  p50ms: number;
  p95ms: number;
  perQuery: QueryOutcome[];
}

/** How the store was filled: distractor generation, corpus files, runIngest. */
export interface IngestStats {
  /** distractor documents and the passages they added */
  distractorDocs: number;
  distractorPassages: number;
  generateMs: number;
  /** writing the corpus folder */
  writeMs: number;
  /** runIngest alone */
  ingestMs: number;
  passagesPerSec: number;
  /** VACUUM ANALYZE after the ingest (0 when skipped) */
  vacuumMs: number;
  /** building the in-process lexical index (absent when it is off or over its budget) */
  index?: { ms: number; mb: number };
}

/** Retrieval + extractive answer, the whole offline path of one question. */
export interface AnswerTiming {
  topK: number;
  p50ms: number;
  p95ms: number;
  /** share of questions answered (the others get "not in the documents") */
  found: number;
}

export interface BenchResult extends Metrics {
  engine: Engine;
  /** the dense embedder's id when the retriever fused BM25 with dense vectors */
  dense?: string;
  docs: number;
  chunks: number;
  ingest: IngestStats;
  answer?: AnswerTiming;
  /** 1-minute load average when the run ended: the machine may be shared */
  load: number;
  queries: number;
  foldQueries: boolean;
  k: number;
  p50ms: number;
  p95ms: number;
  perQuery: QueryOutcome[];
  /** the retriever's metrics on the ranges asked for (RunOptions.parts) */
  parts?: PartMetrics[];
  /** share of the top-k slots equal to exact BM25's (every passage scored), same questions */
  overlap: number;
  /** the same for the BM25 stage alone (no second stage, no dense ranking) */
  overlapBm25: number;
  /** the BM25 stage searched in the database (GIN candidates), without the in-process index */
  overlapDatabase: number;
  /** exact BM25, timed in the same run: the baseline the candidate selection is measured against */
  exact: MethodResult;
  /** plain BM25 on the same passages (PLAIN_BM25), with its metrics on the same parts */
  plain: MethodResult & { parts?: PartMetrics[] };
  baselines: MethodResult[];
  /** documents the ingest could not read */
  failed: { id: string; error: string }[];
  /** relevant ids that name no document of the set */
  unknownRelevant: string[];
}

/** A ranking variant measured on the prepared store (PreparedBench.rank). */
export interface RankingVariant {
  name: string;
  /** over DEFAULT_RANKING */
  ranking?: Partial<RankingOptions>;
  /** abbreviation expansion as the app does it (default true) */
  expand?: boolean;
}
