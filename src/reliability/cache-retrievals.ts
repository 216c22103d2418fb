import type { Retrieval, Retriever } from "../retrieval/retriever.ts";

export interface RetrievalCacheOptions {
  /** entries kept (least recently used dropped first); 0 returns the retriever itself */
  size: number;
  /**
   * Names the corpus as it is now (documents, passages, total length): a retrieval made against
   * another version is never reused, whichever process or replica changed the corpus.
   */
  corpusVersion: () => Promise<string>;
  /** how long a version read is trusted before it is read again (default 1 s) */
  versionTtlMs?: number;
}

/**
 * The same question against the same corpus finds the same passages: repeated questions (the
 * example questions, what everyone asks after a meeting) skip the database and the scoring.
 * The corpus version is read at most once per `versionTtlMs`, so an ingest (here, in another
 * process or on another replica) is seen within that time.
 */
export function cacheRetrievals(retriever: Retriever, options: RetrievalCacheOptions): Retriever {
  if (options.size <= 0) return retriever;
  const ttl = options.versionTtlMs ?? 1_000;
  const entries = new Map<string, { version: string; retrieval: Promise<Retrieval> }>();
  let version: { value: Promise<string>; at: number } | undefined;

  function currentVersion(): Promise<string> {
    const now = Date.now();
    if (!version || now - version.at >= ttl) {
      const value = options.corpusVersion();
      version = { value, at: now };
      // A failed read is not remembered: the next request asks the store again.
      value.catch(() => {
        if (version?.value === value) version = undefined;
      });
    }
    return version.value;
  }

  return {
    ...retriever,
    async retrieve(question, retrieveOptions = {}) {
      const corpus = await currentVersion();
      const key = JSON.stringify([question, retrieveOptions.k ?? null, retrieveOptions.context ?? null]);
      const hit = entries.get(key);
      if (hit && hit.version === corpus) {
        // Most recently used last: Map keeps insertion order.
        entries.delete(key);
        entries.set(key, hit);
        return hit.retrieval;
      }
      const retrieval = retriever.retrieve(question, retrieveOptions);
      entries.set(key, { version: corpus, retrieval });
      // Concurrent identical questions share one retrieval; a failed one is not kept.
      retrieval.catch(() => {
        if (entries.get(key)?.retrieval === retrieval) entries.delete(key);
      });
      if (entries.size > options.size) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
      return retrieval;
    },
  };
}
