/**
 * A per-user message budget, counted in this process (like Telegram's): `limit` messages per
 * `timeFrameMs`. Past it the first refusal of the window is "warn" (tell the user once, politely),
 * the others "drop" (silence: answering every extra message would defeat the limit).
 */
export function createRateLimiter(options: { limit: number; timeFrameMs: number; now?: () => number }) {
  const { limit, timeFrameMs } = options;
  const now = options.now ?? Date.now;
  const windows = new Map<string, { start: number; count: number; warned: boolean }>();

  function forgetExpired(at: number) {
    for (const [key, w] of windows) if (at - w.start >= timeFrameMs) windows.delete(key);
  }

  return {
    hit(key: string): "allow" | "warn" | "drop" {
      const at = now();
      let window = windows.get(key);
      if (!window || at - window.start >= timeFrameMs) {
        // Many users over a long run: keep the map to the users of the current window.
        if (windows.size >= 10_000) forgetExpired(at);
        window = { start: at, count: 0, warned: false };
        windows.set(key, window);
      }
      window.count++;
      if (window.count <= limit) return "allow";
      if (window.warned) return "drop";
      window.warned = true;
      return "warn";
    },
  };
}
