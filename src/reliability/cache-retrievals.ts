import type { Retrieval, Retriever } from "../retrieval/retriever.ts";
import { createVersionedCache } from "./versioned-cache.ts";

export interface RetrievalCacheOptions {
  /** entries kept (least recently used dropped first); 0 returns the retriever itself */
  size: number;
  /**
   * Names the corpus as it is now (documents, passages, total length): a retrieval made against
   * another version is never reused, whichever process or replica changed the corpus. Read on
   * every call: memoize it (memoizeVersion) so the store is not asked each time.
   */
  corpusVersion: () => Promise<string>;
}

/**
 * The same question against the same corpus finds the same passages: repeated questions (the
 * example questions, what everyone asks after a meeting) skip the database and the scoring.
 */
export function cacheRetrievals(retriever: Retriever, options: RetrievalCacheOptions): Retriever {
  if (options.size <= 0) return retriever;
  const cache = createVersionedCache<Retrieval>(options.size, options.corpusVersion);
  return {
    ...retriever,
    retrieve(question, retrieveOptions = {}) {
      const key = JSON.stringify([question, retrieveOptions.k ?? null, retrieveOptions.context ?? null]);
      return cache.get(key, () => retriever.retrieve(question, retrieveOptions));
    },
  };
}
