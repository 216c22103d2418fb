import type { Answer } from "../contract/answer.ts";
import type { Queryable } from "./database.ts";
import { storableJson, storableText } from "./storable.ts";

export interface Turn {
  question: string;
  resolvedQuestion: string;
  answer: Answer;
}

/** How many exchanges a conversation keeps; older ones are pruned as new ones arrive. */
const KEEP_TURNS = 10;

export function createConversationStore(db: Queryable) {
  return {
    /** The last `limit` exchanges, oldest first. */
    async recent(conversationId: string, limit = 3): Promise<Turn[]> {
      const rows = await db.query<{ question: string; resolved_question: string; answer: Answer }>(
        `SELECT question, resolved_question, answer FROM conversation_turns
          WHERE conversation_id = $1 ORDER BY id DESC LIMIT $2`,
        [storableText(conversationId), limit],
      );
      return rows
        .reverse()
        .map((r) => ({ question: r.question, resolvedQuestion: r.resolved_question, answer: r.answer }));
    },

    /**
     * Adds a turn and keeps the conversation to its last KEEP_TURNS, in one statement: every
     * channel message in a conversation ends here, and on PGlite each statement is paid in full
     * on the Node thread (three statements cost three times one). The parts of a statement share
     * one snapshot, so the DELETE sees the turns as they were before this one: it keeps the
     * KEEP_TURNS - 1 newest of those, and with the new turn that makes KEEP_TURNS.
     */
    async append(conversationId: string, turn: Turn): Promise<void> {
      await db.query(
        `WITH conversation AS (
           INSERT INTO conversations (id) VALUES ($1)
           ON CONFLICT (id) DO UPDATE SET updated_at = now()
           RETURNING id),
         added AS (
           INSERT INTO conversation_turns (conversation_id, question, resolved_question, answer)
           SELECT id, $2, $3, $4::jsonb FROM conversation
           RETURNING id)
         DELETE FROM conversation_turns WHERE conversation_id = $1 AND id NOT IN (
           SELECT id FROM conversation_turns WHERE conversation_id = $1 ORDER BY id DESC LIMIT $5)`,
        [
          storableText(conversationId),
          storableText(turn.question),
          storableText(turn.resolvedQuestion),
          storableJson(turn.answer),
          KEEP_TURNS - 1,
        ],
      );
    },

    /** Forgets a conversation (the "/moi" command). */
    async clear(conversationId: string): Promise<void> {
      await db.query("DELETE FROM conversations WHERE id = $1", [storableText(conversationId)]);
    },
  };
}

export type ConversationStore = ReturnType<typeof createConversationStore>;
