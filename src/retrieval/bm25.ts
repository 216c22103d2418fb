import { lexicalTerms, syllables } from "../text/tokenize.ts";

/**
 * BM25 over hashed terms, laid out so that PostgreSQL + pgvector can score it: each passage stores
 * its document-side weights as a sparsevec, the question becomes a sparsevec of IDF weights, and
 * the inner product (`<#>`) is the BM25 score. Hashing keeps term ids small and stable across
 * engines; at ~1e9 buckets collisions are negligible for corpora of this size.
 */
export const BM25_K1 = 1.2;
export const BM25_B = 0.75;
/** pgvector's sparsevec dimension limit is 1e9; a prime just under it spreads the hashes. */
export const TERM_SPACE = 999_999_937;

/** FNV-1a 32-bit hash of a term, mapped to 1..TERM_SPACE (sparsevec indices are 1-based). */
export function termId(term: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < term.length; i++) {
    h ^= term.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return (h % TERM_SPACE) + 1;
}

export interface TermCounts {
  /** term id → frequency in the passage */
  tf: Map<number, number>;
  /** passage length in terms (syllables + bigrams) */
  length: number;
}

export function countTerms(text: string): TermCounts {
  const terms = lexicalTerms(syllables(text));
  const tf = new Map<number, number>();
  for (const term of terms) {
    const id = termId(term);
    tf.set(id, (tf.get(id) ?? 0) + 1);
  }
  return { tf, length: terms.length };
}

/** Document-side BM25 weights: tf·(k1+1) / (tf + k1·(1 − b + b·dl/avgdl)). */
export function documentWeights(counts: TermCounts, avgdl: number): Map<number, number> {
  const norm = BM25_K1 * (1 - BM25_B + (BM25_B * counts.length) / Math.max(avgdl, 1));
  const weights = new Map<number, number>();
  for (const [id, tf] of counts.tf) weights.set(id, (tf * (BM25_K1 + 1)) / (tf + norm));
  return weights;
}

/** Robertson–Spärck Jones IDF with the +1 that keeps it positive (as in Lucene). */
export function idf(df: number, n: number): number {
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

/** Distinct term ids of a question, in order of first appearance. */
export function queryTermIds(text: string): number[] {
  return [...new Set(lexicalTerms(syllables(text)).map(termId))];
}

/** pgvector sparsevec literal: '{id:weight,...}/dim', indices ascending. */
export function toSparsevec(weights: Map<number, number>, maxEntries = Number.POSITIVE_INFINITY): string {
  let entries = [...weights.entries()]
    .map(([id, w]) => [id, Math.round(w * 1e5) / 1e5] as const)
    .filter(([, w]) => w !== 0);
  // An unusually long passage keeps its strongest terms only, so its vector fits in a page.
  if (entries.length > maxEntries) entries = entries.sort((a, b) => b[1] - a[1]).slice(0, maxEntries);
  entries.sort((a, b) => a[0] - b[0]);
  // Five decimals are plenty for ranking and keep the literal short.
  return `{${entries.map(([id, w]) => `${id}:${w}`).join(",")}}/${TERM_SPACE}`;
}
