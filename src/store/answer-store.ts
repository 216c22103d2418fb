import { randomBytes } from "node:crypto";
import { type Answer, parseAnswer } from "../contract/answer.ts";
import type { Queryable } from "./database.ts";
import { createGroupCommit } from "./group-commit.ts";
import { createIdHasher } from "./id-hash.ts";
import { storableJson, storableText } from "./storable.ts";

export interface AnswerRecord {
  id: string;
  channel: string;
  conversationId?: string;
  userId?: string;
  question: string;
  answer: Answer;
}

export type Vote = 1 | -1;

/** 12 URL-safe characters (72 random bits): short enough for a button, not guessable. */
export function newAnswerId(): string {
  return randomBytes(9).toString("base64url");
}

/**
 * The answers shown to users, by id, and one vote per user per answer (migration 007). Channels
 * whose buttons can only carry an id (Telegram's 64-byte callback_data) look the answer up here.
 * User ids are stored only as a keyed hash (src/store/id-hash.ts).
 */
export function createAnswerStore(db: Queryable) {
  const hashId = createIdHasher(db);
  const recorder = createGroupCommit<Omit<AnswerRecord, "userId"> & { userId: string | undefined }, void>({
    write: async (items) => {
      await db.query(
        `INSERT INTO answers (id, channel, conversation_id, user_id, question, answer)
         SELECT r.id, r.channel, r.conversation_id, r.user_id, r.question, r.answer::jsonb
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
             AS r(id, channel, conversation_id, user_id, question, answer)`,
        [
          items.map((e) => e.id),
          items.map((e) => e.channel),
          items.map((e) => e.conversationId ?? null),
          items.map((e) => e.userId ?? null),
          items.map((e) => storableText(e.question)),
          items.map((e) => storableJson(e.answer)),
        ],
      );
      return items.map(() => undefined);
    },
  });
  return {
    /** What is stored for a channel's user id: its keyed hash. */
    userKey: hashId,

    /**
     * Records an answer as shown. The answers recorded in one turn of the event loop go out as one
     * statement (group commit): under load every channel records every answer.
     */
    async record(entry: AnswerRecord): Promise<void> {
      await recorder.submit({ ...entry, userId: entry.userId ? await hashId(entry.userId) : undefined });
    },

    async get(id: string): Promise<AnswerRecord | undefined> {
      const [row] = await db.query<{
        id: string;
        channel: string;
        conversation_id: string | null;
        user_id: string | null;
        question: string;
        answer: unknown;
      }>("SELECT id, channel, conversation_id, user_id, question, answer FROM answers WHERE id = $1", [id]);
      if (!row) return undefined;
      return {
        id: row.id,
        channel: row.channel,
        ...(row.conversation_id ? { conversationId: row.conversation_id } : {}),
        ...(row.user_id ? { userId: row.user_id } : {}),
        question: row.question,
        // Read back from the database, maybe written by an older version: checked before a channel
        // shows its citations, so a record that breaks the contract fails here with its id.
        answer: parseAnswer(row.answer, `stored answer ${row.id}`),
      };
    },

    /**
     * Records `userId`'s vote on an answer, replacing any earlier one. Returns the previous vote
     * (null for a first vote), or undefined when there is no such answer.
     */
    async vote(answerId: string, userId: string, vote: Vote): Promise<{ previous: Vote | null } | undefined> {
      // `previous` is read from the statement's snapshot, i.e. before this upsert.
      const rows = await db.query<{ previous: number | null }>(
        `WITH previous AS (SELECT vote FROM answer_feedback WHERE answer_id = $1 AND user_id = $2)
         INSERT INTO answer_feedback (answer_id, user_id, vote)
         SELECT id, $2, $3 FROM answers WHERE id = $1
         ON CONFLICT (answer_id, user_id) DO UPDATE SET vote = EXCLUDED.vote, updated_at = now()
         RETURNING (SELECT vote FROM previous) AS previous`,
        [answerId, await hashId(userId), vote],
      );
      const [row] = rows;
      if (!row) return undefined;
      return { previous: row.previous === null ? null : (Number(row.previous) as Vote) };
    },

    /**
     * Replaces user ids stored before they were hashed (rows from before migration 013) with their
     * keyed hash, up to `batch` rows of each table; returns how many it changed.
     */
    async hashStoredIds(batch = 500): Promise<number> {
      const answers = await db.query<{ id: string; user_id: string }>(
        `SELECT id, user_id FROM answers WHERE user_id IS NOT NULL AND user_id NOT LIKE 'h:%' LIMIT $1`,
        [batch],
      );
      if (answers.length > 0)
        await db.query(
          `UPDATE answers a SET user_id = u.hashed FROM unnest($1::text[], $2::text[]) AS u(id, hashed)
           WHERE a.id = u.id`,
          [answers.map((r) => r.id), await Promise.all(answers.map((r) => hashId(r.user_id)))],
        );
      const votes = await db.query<{ answer_id: string; user_id: string }>(
        `SELECT answer_id, user_id FROM answer_feedback WHERE user_id NOT LIKE 'h:%' LIMIT $1`,
        [batch],
      );
      if (votes.length > 0) {
        const params = [
          votes.map((r) => r.answer_id),
          votes.map((r) => r.user_id),
          await Promise.all(votes.map((r) => hashId(r.user_id))),
        ];
        // A vote already under the hash (cast after the change) wins over the old one.
        await db.query(
          `INSERT INTO answer_feedback (answer_id, user_id, vote, created_at, updated_at)
           SELECT f.answer_id, u.hashed, f.vote, f.created_at, f.updated_at
           FROM unnest($1::text[], $2::text[], $3::text[]) AS u(answer_id, raw, hashed)
           JOIN answer_feedback f ON f.answer_id = u.answer_id AND f.user_id = u.raw
           ON CONFLICT (answer_id, user_id) DO NOTHING`,
          params,
        );
        await db.query(
          `DELETE FROM answer_feedback f USING unnest($1::text[], $2::text[]) AS u(answer_id, raw)
           WHERE f.answer_id = u.answer_id AND f.user_id = u.raw`,
          params.slice(0, 2),
        );
      }
      return answers.length + votes.length;
    },

    /** The votes on one answer (user ids as their keyed hash). */
    async votes(answerId: string): Promise<{ userId: string; vote: Vote }[]> {
      const rows = await db.query<{ user_id: string; vote: number }>(
        "SELECT user_id, vote FROM answer_feedback WHERE answer_id = $1 ORDER BY user_id",
        [answerId],
      );
      return rows.map((r) => ({ userId: r.user_id, vote: Number(r.vote) as Vote }));
    },
  };
}

export type AnswerStore = ReturnType<typeof createAnswerStore>;
