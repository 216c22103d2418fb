import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRateLimiter } from "../../src/reliability/rate-limit.ts";
import type { Database } from "../../src/store/database.ts";
import { migrate } from "../../src/store/migrate.ts";
import { createRateLimitStore, type RateLimitStore } from "../../src/store/rate-limit-store.ts";
import { testEngines } from "../helpers/engines.ts";

describe.each(testEngines())("rate limits in the database, on $name", (engine) => {
  let drop: () => Promise<void>;
  let db: Database;
  let store: RateLimitStore;

  beforeAll(async () => {
    const opened = await engine.open();
    drop = opened.drop;
    db = opened.db;
    await migrate(db);
    store = createRateLimitStore(db);
  });
  afterAll(() => drop?.());

  it("counts each key's hits in its window, and starts again when the window ends", async () => {
    expect([await store.increment("zalo:1", 300), await store.increment("zalo:1", 300)]).toEqual([1, 2]);
    expect(await store.increment("zalo:2", 300)).toBe(1);
    await new Promise((r) => setTimeout(r, 350));
    expect(await store.increment("zalo:1", 300)).toBe(1);
  });

  it("keeps no user id or address, only a keyed hash, and sweeps ended windows", async () => {
    await store.increment("web:203.0.113.7", 60_000);
    const keys = (await db.query<{ key: string }>("SELECT key FROM rate_limits")).map((r) => r.key);
    expect(keys.join(" ")).not.toMatch(/203\.0\.113\.7|zalo:|web:/);
    expect(keys.every((k) => k.startsWith("h:"))).toBe(true);
    await new Promise((r) => setTimeout(r, 350));
    expect(await store.sweep()).toBe(2); // zalo:1 and zalo:2 have ended, the web one has not
    expect(await db.query("SELECT 1 FROM rate_limits")).toHaveLength(1);
  });

  it("gives two limiters on one database one allowance", async () => {
    const a = createRateLimiter({ limit: 2, timeFrameMs: 60_000, store });
    const b = createRateLimiter({ limit: 2, timeFrameMs: 60_000, store });
    expect([
      await a.hit("telegram:9"),
      await b.hit("telegram:9"),
      await a.hit("telegram:9"),
      await b.hit("telegram:9"),
    ]).toEqual(["allow", "allow", "warn", "drop"]);
  });
});
