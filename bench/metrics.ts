import type { Metrics, PartMetrics, QueryPart } from "./types.ts";

/**
 * Scoring: a query's rank is the 1-based position of the first retrieved passage that belongs to
 * one of its relevant documents. R@n = share of queries with rank ≤ n; MRR@10 = mean of 1/rank over
 * queries with rank ≤ 10, 0 for the others. Latency percentiles by the nearest-rank method.
 */

const CUTOFFS = [1, 5, 10] as const;

/** 1-based rank of the first relevant entry, or null. Each entry is one passage's document id. */
export function firstRelevantRank(
  docIds: readonly (string | undefined)[],
  relevant: readonly string[],
): number | null {
  const wanted = new Set(relevant);
  const i = docIds.findIndex((id) => id !== undefined && wanted.has(id));
  return i < 0 ? null : i + 1;
}

export function computeMetrics(ranks: readonly (number | null)[]): Metrics {
  const n = ranks.length;
  if (n === 0) return { r1: 0, r5: 0, r10: 0, mrr10: 0 };
  const within = (c: number) => ranks.filter((r) => r !== null && r <= c).length / n;
  const [r1, r5, r10] = CUTOFFS.map(within) as [number, number, number];
  const mrr10 = ranks.reduce<number>((s, r) => s + (r !== null && r <= 10 ? 1 / r : 0), 0) / n;
  return { r1, r5, r10, mrr10 };
}

/** Nearest-rank percentile (p in 0..100) of a list of durations. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

/** The metrics of each range of queries (ranks in query order). */
export function partMetrics(
  perQuery: readonly { rank: number | null }[],
  parts: readonly QueryPart[],
): PartMetrics[] {
  return parts.map((part) => {
    const ranks = perQuery.slice(part.from, part.to).map((q) => q.rank);
    return { name: part.name, queries: ranks.length, ...computeMetrics(ranks) };
  });
}
