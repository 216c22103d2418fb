import type { Queryable } from "./database.ts";
import { createGroupCommit } from "./group-commit.ts";
import { storableText } from "./storable.ts";

interface Claim {
  channel: string;
  deliveryId: string;
}

/**
 * The deliveries a channel has already taken (migration 008), shared by every replica through the
 * database: `claim` is true for exactly one caller per (channel, id), however many processes see
 * the same delivery at once.
 *
 * Every incoming event is claimed, so under load this is the busiest write of a channel: the claims
 * made during one turn of the event loop share one `INSERT … ON CONFLICT DO NOTHING RETURNING`
 * (group commit, see group-commit.ts), and a claim's promise settles in the order it was made.
 */
export function createDeliveryStore(db: Queryable, options: { maxBatch?: number } = {}) {
  const claims = createGroupCommit<Claim, boolean>({
    maxBatch: options.maxBatch,
    async write(items) {
      const keyOf = (c: Claim) => `${c.channel}\u0000${c.deliveryId}`;
      const stored = items.map((c) => ({
        channel: storableText(c.channel),
        deliveryId: storableText(c.deliveryId),
      }));
      // One row per distinct delivery: the same id twice in a batch is a repeat within the batch.
      const distinct = [...new Map(stored.map((c) => [keyOf(c), c])).values()];
      const rows = await db.query<{ channel: string; delivery_id: string }>(
        `INSERT INTO channel_deliveries (channel, delivery_id)
         SELECT * FROM unnest($1::text[], $2::text[])
         ON CONFLICT (channel, delivery_id) DO NOTHING
         RETURNING channel, delivery_id`,
        [distinct.map((c) => c.channel), distinct.map((c) => c.deliveryId)],
      );
      // A returned row was inserted by this statement: its first claimer in the batch wins, and
      // only it (the key is taken out once won).
      const won = new Set(rows.map((r) => keyOf({ channel: r.channel, deliveryId: r.delivery_id })));
      return stored.map((c) => won.delete(keyOf(c)));
    },
  });

  return {
    /** True the first time `deliveryId` is seen on `channel`; false for a repeat. */
    claim(channel: string, deliveryId: string): Promise<boolean> {
      return claims.submit({ channel, deliveryId });
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
