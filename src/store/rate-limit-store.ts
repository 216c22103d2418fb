import type { Queryable } from "./database.ts";
import { createIdHasher } from "./id-hash.ts";

/**
 * Rate-limit counters kept in the database (migration 014), so that every replica counts the same
 * member against the same allowance. One statement a hit: it opens a new window when the old one
 * has ended, and returns the hits of the current window including this one.
 */
export function createRateLimitStore(db: Queryable) {
  const hashKey = createIdHasher(db);
  return {
    async increment(key: string, windowMs: number): Promise<number> {
      const [row] = await db.query<{ hits: number }>(
        `INSERT INTO rate_limits AS r (key, hits, expires_at)
         VALUES ($1, 1, clock_timestamp() + $2 * interval '1 millisecond')
         ON CONFLICT (key) DO UPDATE SET
           hits = CASE WHEN r.expires_at <= clock_timestamp() THEN 1 ELSE r.hits + 1 END,
           expires_at = CASE WHEN r.expires_at <= clock_timestamp()
                             THEN clock_timestamp() + $2 * interval '1 millisecond' ELSE r.expires_at END
         RETURNING hits`,
        [await hashKey(key), windowMs],
      );
      return Number(row?.hits ?? 1);
    },

    /** Deletes the counters of windows that have ended; returns how many. */
    async sweep(): Promise<number> {
      const rows = await db.query<{ n: number }>(
        "WITH gone AS (DELETE FROM rate_limits WHERE expires_at < clock_timestamp() RETURNING 1) SELECT count(*)::int AS n FROM gone",
      );
      return Number(rows[0]?.n ?? 0);
    },
  };
}

export type RateLimitStore = ReturnType<typeof createRateLimitStore>;
