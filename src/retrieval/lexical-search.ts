import type { Queryable } from "../store/database.ts";
import { idf, queryTermIds, TERM_SPACE } from "../text/bm25.ts";

export interface ScoredChunk {
  chunkId: string;
  score: number;
}

/**
 * BM25 inside the database: the question's terms get IDF weights from term_stats, and pgvector's
 * negative inner product `<#>` against each passage's stored weights gives the exact BM25 score.
 */
export async function searchLexical(db: Queryable, question: string, k: number): Promise<ScoredChunk[]> {
  const ids = queryTermIds(question);
  if (ids.length === 0) return [];
  const rows = await db.query<{ term: number; df: number; n: number }>(
    `SELECT t.term, t.df, s.chunk_count AS n FROM term_stats t, corpus_stats s WHERE t.term = ANY($1::int[])`,
    [ids],
  );
  if (rows.length === 0) return [];
  const weights = rows
    .map((r) => [r.term, idf(r.df, r.n)] as const)
    .filter(([, w]) => w > 0)
    .sort((a, b) => a[0] - b[0]);
  const vector = `{${weights.map(([id, w]) => `${id}:${w}`).join(",")}}/${TERM_SPACE}`;
  const hits = await db.query<{ id: string; distance: number }>(
    `SELECT id, lexical <#> $1::sparsevec AS distance FROM chunks ORDER BY distance, id LIMIT $2`,
    [vector, k],
  );
  return hits.map((h) => ({ chunkId: h.id, score: -Number(h.distance) })).filter((h) => h.score > 0);
}
