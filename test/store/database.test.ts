import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openPglite } from "../../src/store/database.ts";
import { seeded } from "../helpers/pglite-folder.ts";

/**
 * PGlite executes on the Node thread, and its statements queue behind a promise-based lock: left
 * alone, a hundred statements from concurrent callers run back to back and whatever I/O came in
 * meanwhile (an HTTP request to acknowledge) waits for all of them.
 */
describe("PGlite and the event loop", () => {
  let db: Database;
  beforeAll(async () => {
    db = await openPglite("memory://", seeded().pgliteSeed);
  });
  afterAll(() => db?.close());

  it("lets the event loop turn between statements: a timer that came due runs before a queue of them is done", async () => {
    const order: string[] = [];
    const queries = Array.from({ length: 100 }, (_, i) =>
      db.query("SELECT $1::int AS n, pg_sleep(0.001)", [i]).then(() => order.push(`q${i}`)),
    );
    setTimeout(() => order.push("timer"), 0);
    await Promise.all(queries);
    expect(order.indexOf("timer")).toBeGreaterThan(-1);
    expect(order.indexOf("timer")).toBeLessThan(20);
    // Statements still run in the order they were issued.
    expect(order.filter((o) => o !== "timer")).toEqual(Array.from({ length: 100 }, (_, i) => `q${i}`));
  });

  it("runs a transaction's statements without turning in between (nothing can interleave with it anyway)", async () => {
    const rows = await db.transaction(async (tx) => {
      await tx.query("CREATE TEMP TABLE t (n int)");
      await tx.query("INSERT INTO t VALUES (1), (2)");
      return tx.query<{ n: number }>("SELECT sum(n)::int AS n FROM t");
    });
    expect(rows[0]?.n).toBe(3);
  });
});
