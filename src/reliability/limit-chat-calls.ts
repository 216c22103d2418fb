import type { GenerativePath } from "../answer/answerer.ts";

/**
 * A global cap on chat-model calls in flight in this process. A model endpoint has few slots (a
 * provider's rate limit, a local vLLM's batch): past the cap a question does not queue for
 * seconds, it gets the extractive answer at once (the answerer logs the fallback and its reason),
 * and a follow-up is searched as typed.
 */
export function limitChatCalls(
  generative: GenerativePath,
  maxConcurrent: number,
): GenerativePath & { readonly inFlight: number } {
  let inFlight = 0;
  async function bounded<T>(call: () => Promise<T>, busy: () => T): Promise<T> {
    if (inFlight >= maxConcurrent) return busy();
    inFlight++;
    try {
      return await call();
    } finally {
      inFlight--;
    }
  }
  return {
    answer: (question, retrieval, history) =>
      bounded(
        () => generative.answer(question, retrieval, history),
        () => ({ fallback: `chat model busy: ${maxConcurrent} calls already in flight` }),
      ),
    rewriteFollowup: (question, history) =>
      bounded(
        () => generative.rewriteFollowup(question, history),
        () => question,
      ),
    get inFlight() {
      return inFlight;
    },
  };
}
