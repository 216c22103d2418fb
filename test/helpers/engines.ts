import { randomBytes } from "node:crypto";
import pg from "pg";
import { type Database, openPglite, openPostgres } from "../../src/store/database.ts";
import { seeded } from "./pglite-folder.ts";

export interface TestEngine {
  name: "pglite" | "postgres";
  /** a fresh, empty database; `drop` removes it */
  open(): Promise<{ db: Database; drop: () => Promise<void> }>;
}

const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;

export const postgresAvailable = Boolean(TEST_DATABASE_URL);

if (!postgresAvailable && !process.env.SOTAY_SKIP_NOTICE) {
  process.env.SOTAY_SKIP_NOTICE = "1";
  console.warn("PostgreSQL store tests SKIPPED: set TEST_DATABASE_URL (.ci/run sets it) to run them.");
}

/** The engines the store tests run on: PGlite always, PostgreSQL when TEST_DATABASE_URL is set. */
export function testEngines(): TestEngine[] {
  const engines: TestEngine[] = [
    {
      name: "pglite",
      async open() {
        const db = await openPglite("memory://", seeded().pgliteSeed);
        return { db, drop: () => db.close() };
      },
    },
  ];
  if (TEST_DATABASE_URL) {
    engines.push({
      name: "postgres",
      async open() {
        const name = `sotay_t_${randomBytes(5).toString("hex")}`;
        const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await admin.connect();
        await admin.query(`CREATE DATABASE ${name}`);
        await admin.end();
        const url = new URL(TEST_DATABASE_URL);
        url.pathname = `/${name}`;
        const db = await openPostgres(url.toString(), 5);
        return {
          db,
          async drop() {
            await db.close();
            const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
            await c.connect();
            await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
            await c.end();
          },
        };
      },
    });
  }
  return engines;
}
