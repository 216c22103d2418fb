import type { Answerer } from "../answer/answerer.ts";
import type { Answer } from "../contract/answer.ts";
import { createVersionedCache } from "./versioned-cache.ts";

export interface AnswerCacheOptions {
  /** answers kept (least recently used dropped first); 0 returns the answerer itself */
  size: number;
  /**
   * Names the corpus as it is now: an answer computed against another version is never reused.
   * Read on every call: memoize it (memoizeVersion) so the store is not asked each time.
   */
  corpusVersion: () => Promise<string>;
}

/**
 * Answers to questions asked outside a conversation (API clients, Telegram inline queries, the
 * CLI) depend only on the question and the corpus in extractive mode: the same question asked
 * again is answered from memory. Questions in a conversation always go to the answerer, which
 * reads and records the conversation. Only for the extractive answerer: a chat model's answers
 * are not deterministic and are not cached.
 */
export function cacheAnswers(answerer: Answerer, options: AnswerCacheOptions): Answerer {
  if (options.size <= 0) return answerer;
  const cache = createVersionedCache<Answer>(options.size, options.corpusVersion);
  return {
    ...answerer,
    async answer(request) {
      if (request.conversationId) return answerer.answer(request);
      const started = performance.now();
      const answer = cache.get(request.question, () => answerer.answer({ question: request.question }));
      // The answer as computed, under this request's id and with this request's time.
      const { id: _id, ms: _ms, ...rest } = await answer;
      return {
        ...(request.id !== undefined ? { id: request.id } : {}),
        ...rest,
        ms: Math.round(performance.now() - started),
      } as Answer;
    },
  };
}
