/**
 * Reciprocal rank fusion (Cormack, Clarke & Büttcher 2009), weighted: a passage's fused score is
 * Σ weight / (k + rank) over the rankings it appears in (rank 1-based). Rank-based, so BM25 scores
 * and cosine similarities need no common scale; k = 60 as in the paper.
 */
export const RRF_K = 60;

export interface Ranked {
  id: string;
  score: number;
}

export interface WeightedRanking {
  list: readonly Ranked[];
  weight: number;
}

/** The fused ranking, best first; ties keep the order of first appearance (first ranking first). */
export function fuse(rankings: readonly WeightedRanking[], k = RRF_K): Ranked[] {
  const fused = new Map<string, number>();
  for (const { list, weight } of rankings) {
    if (weight <= 0) continue;
    list.forEach((h, rank) => {
      fused.set(h.id, (fused.get(h.id) ?? 0) + weight / (k + rank + 1));
    });
  }
  return [...fused.entries()].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score);
}
