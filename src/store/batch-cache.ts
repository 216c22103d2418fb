import { setRecent } from "./lru.ts";

/**
 * Values by key, fetched many at a time: `getMany(keys)` answers the keys it holds for the
 * current corpus version and fetches the rest in one call. Everything is dropped when the version
 * changes (an ingest anywhere); least recently used dropped first past `size`. A key the fetch
 * does not return is not kept (it may be written later). What the retriever keeps passages in,
 * and the facts store the figures of passages: one query fewer for each question.
 */
export function createBatchCache<T>(
  size: number,
  corpusVersion: () => Promise<string>,
  fetchMany: (keys: string[]) => Promise<Map<string, T>>,
) {
  let version: string | undefined;
  const entries = new Map<string, T>();
  return {
    async getMany(keys: readonly string[]): Promise<Map<string, T>> {
      const current = await corpusVersion();
      if (current !== version) {
        entries.clear();
        version = current;
      }
      const out = new Map<string, T>();
      const missing: string[] = [];
      for (const key of keys) {
        const hit = entries.get(key);
        if (hit === undefined) missing.push(key);
        else {
          setRecent(entries, key, hit, size);
          out.set(key, hit);
        }
      }
      if (missing.length === 0) return out;
      const fetched = await fetchMany(missing);
      for (const [key, value] of fetched) {
        out.set(key, value);
        // Not kept when the corpus changed while it was fetched: it may be the old one's.
        if (version !== current) continue;
        setRecent(entries, key, value, size);
      }
      return out;
    },
  };
}
