import type { Queryable } from "./database.ts";
import { storableText } from "./storable.ts";

/** A quiz waiting for a member's reply (migration 010): enough to generate it again. */
export interface QuizSession {
  topic: string;
  count: number;
  seed: number;
  /** index of the question waiting for a reply */
  position: number;
  /** that question's id: another id at that index means the corpus changed under the quiz */
  questionId: string;
  /** questions answered right so far */
  correct: number;
}

interface Row {
  topic: string;
  count: number;
  seed: number;
  position: number;
  question_id: string;
  correct: number;
}

/**
 * Quizzes in progress, one per conversation, shared by every replica through the database. The
 * moves are conditional on the position graded, so a reply is graded once even if two processes
 * read it at the same moment.
 */
export function createQuizSessionStore(db: Queryable) {
  return {
    /** Starts (or replaces) the conversation's quiz at its first question. */
    async start(
      conversationId: string,
      quiz: { topic: string; count: number; seed: number; questionId: string },
    ): Promise<void> {
      await db.query(
        `INSERT INTO quiz_sessions (conversation_id, topic, count, seed, position, question_id, correct)
         VALUES ($1, $2, $3, $4, 0, $5, 0)
         ON CONFLICT (conversation_id) DO UPDATE SET topic = EXCLUDED.topic, count = EXCLUDED.count,
           seed = EXCLUDED.seed, position = 0, question_id = EXCLUDED.question_id, correct = 0,
           updated_at = now()`,
        [storableText(conversationId), storableText(quiz.topic), quiz.count, quiz.seed, quiz.questionId],
      );
    },

    /** The conversation's quiz, unless none or it was left untouched for longer than `maxAgeMs`. */
    async get(conversationId: string, maxAgeMs: number): Promise<QuizSession | undefined> {
      const [row] = await db.query<Row>(
        `SELECT topic, count, seed, position, question_id, correct FROM quiz_sessions
          WHERE conversation_id = $1 AND updated_at >= now() - make_interval(secs => $2::double precision)`,
        [storableText(conversationId), maxAgeMs / 1000],
      );
      if (!row) return undefined;
      return {
        topic: row.topic,
        count: Number(row.count),
        seed: Number(row.seed),
        position: Number(row.position),
        questionId: row.question_id,
        correct: Number(row.correct),
      };
    },

    /**
     * Moves on from the question at `from` to the next one (`nextQuestionId`), counting a right
     * answer; false when that question was graded already (a repeat, another replica).
     */
    async advance(
      conversationId: string,
      move: { from: number; right: boolean; nextQuestionId: string },
    ): Promise<boolean> {
      const rows = await db.query(
        `UPDATE quiz_sessions SET position = position + 1, question_id = $3,
           correct = correct + $4, updated_at = now()
          WHERE conversation_id = $1 AND position = $2
          RETURNING 1 AS moved`,
        [storableText(conversationId), move.from, move.nextQuestionId, move.right ? 1 : 0],
      );
      return rows.length === 1;
    },

    /**
     * Ends the conversation's quiz (only if still at question `at`, when given); the number of right
     * answers it had, or undefined when there was none to end.
     */
    async end(conversationId: string, at?: number): Promise<number | undefined> {
      const rows = await db.query<{ correct: number }>(
        `DELETE FROM quiz_sessions WHERE conversation_id = $1 AND ($2::integer IS NULL OR position = $2)
          RETURNING correct`,
        [storableText(conversationId), at ?? null],
      );
      return rows[0] ? Number(rows[0].correct) : undefined;
    },

    /** Forgets quizzes left untouched for longer than `olderThanMs`; returns how many. */
    async prune(olderThanMs: number): Promise<number> {
      const [row] = await db.query<{ removed: number }>(
        `WITH removed AS (
           DELETE FROM quiz_sessions
            WHERE updated_at < now() - make_interval(secs => $1::double precision)
            RETURNING 1)
         SELECT count(*)::int AS removed FROM removed`,
        [olderThanMs / 1000],
      );
      return Number(row?.removed ?? 0);
    },
  };
}

export type QuizSessionStore = ReturnType<typeof createQuizSessionStore>;
