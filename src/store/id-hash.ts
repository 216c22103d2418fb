import { createHmac, randomBytes } from "node:crypto";
import type { Queryable } from "./database.ts";

/** Stored user ids start with this: a keyed hash, never the channel's id itself. */
export const HASHED_ID_PREFIX = "h:";

/**
 * A keyed hash (HMAC-SHA-256) standing in for a channel's user id wherever one must be kept (one
 * vote per member per answer). The key is made on first use and kept in the database
 * (app_secrets, migration 013), so every replica hashes alike and nothing needs configuring; the
 * same id always gives the same hash, and the hash does not give the id back.
 */
export function createIdHasher(db: Queryable) {
  let key: Promise<Buffer> | undefined;
  const load = async () => {
    await db.query(
      "INSERT INTO app_secrets (name, value) VALUES ('user_id_key', $1) ON CONFLICT (name) DO NOTHING",
      [randomBytes(32).toString("base64")],
    );
    const [row] = await db.query<{ value: string }>(
      "SELECT value FROM app_secrets WHERE name = 'user_id_key'",
    );
    if (!row) throw new Error("app_secrets has no user_id_key");
    return Buffer.from(row.value, "base64");
  };
  return async (id: string): Promise<string> => {
    if (id.startsWith(HASHED_ID_PREFIX)) return id;
    key ??= load().catch((error) => {
      key = undefined;
      throw error;
    });
    return (
      HASHED_ID_PREFIX +
      createHmac("sha256", await key)
        .update(id)
        .digest("base64url")
        .slice(0, 22)
    );
  };
}

export type IdHasher = ReturnType<typeof createIdHasher>;
