import type { Queryable } from "./database.ts";
import { storableText } from "./storable.ts";

/**
 * The deliveries a channel has already taken (migration 008), shared by every replica through the
 * database: `claim` is true for exactly one caller per (channel, id), however many processes see
 * the same delivery at once.
 */
export function createDeliveryStore(db: Queryable) {
  return {
    /** True the first time `deliveryId` is seen on `channel`; false for a repeat. */
    async claim(channel: string, deliveryId: string): Promise<boolean> {
      const rows = await db.query(
        `INSERT INTO channel_deliveries (channel, delivery_id) VALUES ($1, $2)
         ON CONFLICT (channel, delivery_id) DO NOTHING
         RETURNING 1 AS claimed`,
        [channel, storableText(deliveryId)],
      );
      return rows.length === 1;
    },

    /** Forgets deliveries older than `olderThanMs`; returns how many were removed. */
    async prune(olderThanMs: number): Promise<number> {
      const [row] = await db.query<{ removed: number }>(
        `WITH removed AS (
           DELETE FROM channel_deliveries
            WHERE received_at < now() - make_interval(secs => $1::double precision)
            RETURNING 1)
         SELECT count(*)::int AS removed FROM removed`,
        [olderThanMs / 1000],
      );
      return Number(row?.removed ?? 0);
    },
  };
}

export type DeliveryStore = ReturnType<typeof createDeliveryStore>;
