import type { Answerer } from "../answer/answerer.ts";
import type { Answer } from "../answer/types.ts";

export interface AnswerCacheOptions {
  /** answers kept (least recently used dropped first); 0 returns the answerer itself */
  size: number;
  /** names the corpus as it is now: an answer computed against another version is never reused */
  corpusVersion: () => Promise<string>;
  /** how long a version read is trusted before it is read again (default 1 s) */
  versionTtlMs?: number;
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
  const ttl = options.versionTtlMs ?? 1_000;
  const entries = new Map<string, { version: string; answer: Promise<Answer> }>();
  let version: { value: Promise<string>; at: number } | undefined;

  function currentVersion(): Promise<string> {
    const now = Date.now();
    if (!version || now - version.at >= ttl) {
      const value = options.corpusVersion();
      version = { value, at: now };
      value.catch(() => {
        if (version?.value === value) version = undefined;
      });
    }
    return version.value;
  }

  return {
    ...answerer,
    async answer(request) {
      if (request.conversationId) return answerer.answer(request);
      const started = performance.now();
      const corpus = await currentVersion();
      const hit = entries.get(request.question);
      let answer: Promise<Answer>;
      if (hit && hit.version === corpus) {
        entries.delete(request.question);
        entries.set(request.question, hit);
        answer = hit.answer;
      } else {
        answer = answerer.answer({ question: request.question });
        entries.set(request.question, { version: corpus, answer });
        answer.catch(() => {
          if (entries.get(request.question)?.answer === answer) entries.delete(request.question);
        });
        if (entries.size > options.size) {
          const oldest = entries.keys().next().value;
          if (oldest !== undefined) entries.delete(oldest);
        }
      }
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
