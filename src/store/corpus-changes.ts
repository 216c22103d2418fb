import type { Queryable } from "./database.ts";

/**
 * Deletes the corpus change log (migration 017) older than `keepMs` and records up to where, so a
 * replica whose index is older than that reads the store whole instead of the (now partial) log.
 * Returns how many rows went.
 */
export async function pruneCorpusChanges(db: Queryable, keepMs = 86_400_000): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    `WITH gone AS (DELETE FROM corpus_changes WHERE at < now() - $1 * interval '1 millisecond' RETURNING id),
          marked AS (UPDATE corpus_stats SET changes_pruned_to = greatest(changes_pruned_to, (SELECT max(id) FROM gone))
                     WHERE EXISTS (SELECT 1 FROM gone))
     SELECT count(*)::int AS n FROM gone`,
    [keepMs],
  );
  return Number(row?.n ?? 0);
}
