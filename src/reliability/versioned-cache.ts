import { setRecent } from "../store/lru.ts";

/**
 * A corpus version read at most once per `ttlMs` (default 1 s): an ingest in another process or on
 * another replica is seen within that time; `invalidate()` makes the next call read it again (this
 * process's own writes call it, so its next question sees them at once). A failed read is not
 * remembered: the next caller asks again.
 */
export function memoizeVersion(
  read: () => Promise<string>,
  ttlMs = 1_000,
): (() => Promise<string>) & { invalidate(): void } {
  let version: { value: Promise<string>; at: number } | undefined;
  const get = () => {
    const now = Date.now();
    if (!version || now - version.at >= ttlMs) {
      const value = read();
      version = { value, at: now };
      value.catch(() => {
        if (version?.value === value) version = undefined;
      });
    }
    return version.value;
  };
  return Object.assign(get, {
    invalidate() {
      version = undefined;
    },
  });
}

/**
 * The store's corpus revision (migration 011), memoized as above; the store's own commits
 * invalidate it (onChange). What the app and the benchmarks compare caches and the lexical index with.
 */
export function corpusRevision(
  store: { stats(): Promise<{ revision: string }>; onChange(listener: () => void): () => void },
  ttlMs?: number,
): (() => Promise<string>) & { invalidate(): void } {
  const revision = memoizeVersion(async () => (await store.stats()).revision, ttlMs);
  store.onChange(() => revision.invalidate());
  return revision;
}

/**
 * Results by key, each tagged with the corpus version it was computed against and never reused
 * under another; least recently used dropped first past `size`. Concurrent identical keys share
 * one computation; a failed one is not kept.
 */
export function createVersionedCache<T>(size: number, corpusVersion: () => Promise<string>) {
  const entries = new Map<string, { version: string; value: Promise<T> }>();
  return {
    async get(key: string, compute: () => Promise<T>): Promise<T> {
      const version = await corpusVersion();
      const hit = entries.get(key);
      if (hit && hit.version === version) {
        setRecent(entries, key, hit, size);
        return hit.value;
      }
      const value = compute();
      setRecent(entries, key, { version, value }, size);
      value.catch(() => {
        if (entries.get(key)?.value === value) entries.delete(key);
      });
      return value;
    },
  };
}

/**
 * A corpus version that also turns over with the database's date: which version of a document is
 * in force depends on the day (`effective`, migration 016), so an answer kept from yesterday may
 * quote a plan that was replaced at midnight. The caches compare this; the lexical index, which
 * holds no such answer, compares the revision alone. The date is read once per `ttlMs` at most.
 */
export function withDatabaseDay(
  version: () => Promise<string>,
  db: { query<T>(sql: string): Promise<T[]> },
  ttlMs?: number,
): () => Promise<string> {
  const day = memoizeVersion(
    async () => (await db.query<{ day: string }>("SELECT vietnam_today()::text AS day"))[0]?.day ?? "",
    ttlMs,
  );
  return async () => {
    const [v, d] = await Promise.all([version(), day()]);
    return `${v}@${d}`;
  };
}
