import type { Answer } from "../answer/types.ts";
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

    async append(conversationId: string, turn: Turn): Promise<void> {
      await db.query(
        `INSERT INTO conversations (id) VALUES ($1) ON CONFLICT (id) DO UPDATE SET updated_at = now()`,
        [storableText(conversationId)],
      );
      await db.query(
        "INSERT INTO conversation_turns (conversation_id, question, resolved_question, answer) VALUES ($1, $2, $3, $4::jsonb)",
        [
          storableText(conversationId),
          storableText(turn.question),
          storableText(turn.resolvedQuestion),
          storableJson(turn.answer),
        ],
      );
      await db.query(
        `DELETE FROM conversation_turns WHERE conversation_id = $1 AND id NOT IN (
           SELECT id FROM conversation_turns WHERE conversation_id = $1 ORDER BY id DESC LIMIT $2)`,
        [storableText(conversationId), KEEP_TURNS],
      );
    },

    /** Forgets a conversation (the "/moi" command). */
    async clear(conversationId: string): Promise<void> {
      await db.query("DELETE FROM conversations WHERE id = $1", [storableText(conversationId)]);
    },
  };
}

export type ConversationStore = ReturnType<typeof createConversationStore>;
