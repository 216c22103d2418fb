import { randomBytes } from "node:crypto";
import { type Answer, parseAnswer } from "../contract/answer.ts";
import type { Queryable } from "./database.ts";
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
 */
export function createAnswerStore(db: Queryable) {
  return {
    async record(entry: AnswerRecord): Promise<void> {
      await db.query(
        `INSERT INTO answers (id, channel, conversation_id, user_id, question, answer)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb)`,
        [
          entry.id,
          entry.channel,
          entry.conversationId ?? null,
          entry.userId ?? null,
          storableText(entry.question),
          storableJson(entry.answer),
        ],
      );
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
        [answerId, userId, vote],
      );
      const [row] = rows;
      if (!row) return undefined;
      return { previous: row.previous === null ? null : (Number(row.previous) as Vote) };
    },

    /** The votes on one answer. */
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
