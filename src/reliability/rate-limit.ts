import type { RateLimitStore } from "../store/rate-limit-store.ts";

export type RateVerdict = "allow" | "warn" | "drop";

/**
 * A per-key message budget: `limit` messages per `timeFrameMs`. Past it the first refusal of the
 * window is "warn" (tell the user once, politely), the others "drop" (silence: answering every
 * extra message would defeat the limit). Counted in this process, or with `store` in the database,
 * shared by every replica.
 */
export function createRateLimiter(options: {
  limit: number;
  timeFrameMs: number;
  now?: () => number;
  /** shared counters (PostgreSQL); absent, this process counts alone */
  store?: Pick<RateLimitStore, "increment">;
}) {
  const { limit, timeFrameMs, store } = options;
  const now = options.now ?? Date.now;
  const windows = new Map<string, { start: number; count: number }>();

  function forgetExpired(at: number) {
    for (const [key, w] of windows) if (at - w.start >= timeFrameMs) windows.delete(key);
  }

  function countHere(key: string): number {
    const at = now();
    let window = windows.get(key);
    if (!window || at - window.start >= timeFrameMs) {
      // Many users over a long run: keep the map to the users of the current window.
      if (windows.size >= 10_000) forgetExpired(at);
      window = { start: at, count: 0 };
      windows.set(key, window);
    }
    window.count++;
    return window.count;
  }

  return {
    async hit(key: string): Promise<RateVerdict> {
      const count = store ? await store.increment(key, timeFrameMs) : countHere(key);
      return count <= limit ? "allow" : count === limit + 1 ? "warn" : "drop";
    },
  };
}

/**
 * The shared counters in the shape @grammyjs/ratelimiter takes as its `storageClient` (Redis's
 * INCR and PEXPIRE): the window's end is set by `increment` itself, so `pexpire` has nothing to do.
 */
export function grammyStorage(store: Pick<RateLimitStore, "increment">, timeFrameMs: number) {
  return {
    incr: (key: string) => store.increment(key, timeFrameMs),
    pexpire: async () => 1,
  };
}
