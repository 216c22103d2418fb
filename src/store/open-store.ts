import type { Config } from "../config.ts";
import { type CorpusStore, createCorpusStore } from "./corpus-store.ts";
import { openDatabase } from "./database.ts";
import { migrate } from "./migrate.ts";

/** Opens the configured engine once per process and brings its schema up to date. */
export async function openStore(config: Pick<Config, "DATABASE_URL" | "DATA_DIR">): Promise<CorpusStore> {
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  try {
    await migrate(db);
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
  return createCorpusStore(db);
}

/** Where the store lives, for messages: never the URL itself, which may carry a password. */
export function describeStore(config: Pick<Config, "DATABASE_URL" | "DATA_DIR">): string {
  if (!config.DATABASE_URL) return `PGlite in ${config.DATA_DIR}`;
  try {
    const url = new URL(config.DATABASE_URL);
    return `PostgreSQL at ${url.hostname}${url.port ? `:${url.port}` : ""}${url.pathname}`;
  } catch {
    return "PostgreSQL";
  }
}
