import type { Answer } from "../contract/answer.ts";
import type { Queryable } from "./database.ts";
import { setRecent } from "./lru.ts";
import { storableJson, storableText } from "./storable.ts";

export interface Turn {
  question: string;
  resolvedQuestion: string;
  answer: Answer;
}

/** How many exchanges a conversation keeps; older ones are pruned as new ones arrive. */
const KEEP_TURNS = 10;

export interface ConversationStoreOptions {
  /**
   * Conversations whose turns this process keeps in memory, written through (0: none). Only for a
   * store no other process writes: PGlite, which one process opens. There every statement runs
   * on the Node thread and waits behind all the others; under load a follow-up's read of its
   * history waited 600 ms (npm run bench:load -- --engines pglite --distinct N).
   */
  cacheSize?: number;
  /** how long a kept conversation is trusted before it is read again (default one hour) */
  cacheMs?: number;
}

export function createConversationStore(db: Queryable, options: ConversationStoreOptions = {}) {
  const cacheSize = options.cacheSize ?? 0;
  const cacheMs = options.cacheMs ?? 3_600_000;
  /** the last KEEP_TURNS turns of recently active conversations, oldest first, least recent first */
  const kept = new Map<string, { turns: Turn[]; at: number }>();
  /** turns kept and still being written */
  const writing = new Set<Promise<void>>();
  /** the last write of each conversation still under way: its turns are written in order */
  const last = new Map<string, Promise<unknown>>();
  const inOrder = (conversationId: string, write: () => Promise<void>): Promise<void> => {
    const before = last.get(conversationId) ?? Promise.resolve();
    const mine = before.catch(() => {}).then(write);
    last.set(conversationId, mine);
    void mine
      .finally(() => {
        if (last.get(conversationId) === mine) last.delete(conversationId);
      })
      .catch(() => {});
    return mine;
  };
  /** turns added or conversations cleared, by conversation: a read that raced one is not kept */
  const writes = new Map<string, number>();
  const wrote = (conversationId: string) => {
    if (cacheSize <= 0) return;
    writes.set(conversationId, (writes.get(conversationId) ?? 0) + 1);
    if (writes.size > cacheSize * 2) writes.delete(writes.keys().next().value as string);
  };
  const keep = (conversationId: string, turns: Turn[]) => {
    if (cacheSize <= 0) return;
    setRecent(kept, conversationId, { turns: turns.slice(-KEEP_TURNS), at: Date.now() }, cacheSize);
  };
  const keptTurns = (conversationId: string): Turn[] | undefined => {
    const entry = kept.get(conversationId);
    if (!entry) return undefined;
    if (Date.now() - entry.at > cacheMs) {
      kept.delete(conversationId);
      return undefined;
    }
    return entry.turns;
  };

  async function stored(conversationId: string, limit: number): Promise<Turn[]> {
    const rows = await db.query<{ question: string; resolved_question: string; answer: Answer }>(
      `SELECT question, resolved_question, answer FROM conversation_turns
        WHERE conversation_id = $1 ORDER BY id DESC LIMIT $2`,
      [storableText(conversationId), limit],
    );
    return rows
      .reverse()
      .map((r) => ({ question: r.question, resolvedQuestion: r.resolved_question, answer: r.answer }));
  }

  return {
    /** The last `limit` exchanges, oldest first. */
    async recent(conversationId: string, limit = 3): Promise<Turn[]> {
      const turns = keptTurns(conversationId);
      if (turns) return turns.slice(-limit);
      if (cacheSize <= 0) return stored(conversationId, limit);
      // the turns still being written first
      for (let pending = last.get(conversationId); pending; pending = last.get(conversationId))
        await pending.catch(() => {});
      const before = writes.get(conversationId);
      const all = await stored(conversationId, KEEP_TURNS);
      // Not kept if a turn was added (or the conversation cleared) meanwhile: the read may be older.
      if (writes.get(conversationId) === before && !last.has(conversationId) && !kept.has(conversationId))
        keep(conversationId, all);
      return all.slice(-limit);
    },

    /**
     * Adds a turn and keeps the conversation to its last KEEP_TURNS, in one statement: every
     * channel message in a conversation ends here, and on PGlite each statement is paid in full
     * on the Node thread (three statements cost three times one). The parts of a statement share
     * one snapshot, so the DELETE sees the turns as they were before this one: it keeps the
     * KEEP_TURNS - 1 newest of those, and with the new turn that makes KEEP_TURNS.
     */
    async append(conversationId: string, turn: Turn): Promise<void> {
      const write = async () => {
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
      };
      if (cacheSize <= 0) {
        await write();
        return;
      }
      // In memory, the member need not wait for the store (on PGlite, behind every other
      // statement): the next question of the conversation reads the turn from memory or, when its
      // earlier turns are not kept, from the store once this write is done. Written in order; if
      // a write fails, the conversation is read from the store again (without that turn).
      const turns = keptTurns(conversationId);
      wrote(conversationId);
      if (turns) keep(conversationId, [...turns, turn]);
      else kept.delete(conversationId);
      const pending = inOrder(conversationId, write).catch(() => {
        kept.delete(conversationId);
      });
      writing.add(pending);
      void pending.finally(() => writing.delete(pending));
    },

    /** Waits for the turns still being written (before the store is closed). */
    async flush(): Promise<void> {
      await Promise.all([...writing]);
    },

    /** Forgets a conversation (the "/moi" command). */
    async clear(conversationId: string): Promise<void> {
      kept.delete(conversationId);
      // after the turns still being written, so none of them outlives the clearing
      await inOrder(conversationId, async () => {
        await db.query("DELETE FROM conversations WHERE id = $1", [storableText(conversationId)]);
      });
      wrote(conversationId);
      kept.delete(conversationId);
    },
  };
}

export type ConversationStore = ReturnType<typeof createConversationStore>;
