import type { Config } from "../config.ts";
import { errorMessage } from "../error-message.ts";
import type { Logger } from "../logger.ts";
import { type CorpusStore, createCorpusStore } from "./corpus-store.ts";
import { type DatabaseOptions, isDatabaseUnreachable, openDatabase } from "./database.ts";
import { migrate } from "./migrate.ts";

/** Opens the configured engine once per process and brings its schema up to date. */
export async function openStore(
  config: Pick<Config, "DATABASE_URL" | "DATA_DIR">,
  options: Pick<DatabaseOptions, "pgliteSeed"> = {},
): Promise<CorpusStore> {
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, ...options });
  try {
    await migrate(db);
    const store = createCorpusStore(db);
    // A bulk load killed half way left its document frequencies unfolded (migration 012).
    await store.foldPendingFrequencies();
    return store;
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
}

/** The database could not be reached within the start-up time: the message says where and how long. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreUnavailableError";
  }
}

export interface OpenStoreRetry {
  logger: Logger;
  /** how long to keep trying an unreachable database (0: one attempt) */
  timeoutMs: number;
  /** first wait, doubled after each failure up to maxDelayMs (defaults 500 ms and 5 s) */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * `openStore`, retrying with exponential backoff while the database is unreachable (PostgreSQL
 * still starting, a network blip), for at most `timeoutMs`; then a StoreUnavailableError with a
 * message a person can act on. Other errors (a bad password, a missing extension) fail at once.
 */
export async function openStoreWithRetry(
  config: Pick<Config, "DATABASE_URL" | "DATA_DIR">,
  retry: OpenStoreRetry,
  options: Pick<DatabaseOptions, "pgliteSeed"> = {},
): Promise<CorpusStore> {
  const started = Date.now();
  const where = describeStore(config);
  let delay = retry.initialDelayMs ?? 500;
  const maxDelay = retry.maxDelayMs ?? 5_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await openStore(config, options);
    } catch (error) {
      if (!config.DATABASE_URL || !isDatabaseUnreachable(error)) throw error;
      const elapsed = Date.now() - started;
      const reason = errorMessage(error);
      if (elapsed + delay > retry.timeoutMs) {
        throw new StoreUnavailableError(
          `The database (${where}) is unreachable: ${reason}. Gave up after ${attempt} ${attempt === 1 ? "attempt" : "attempts"} in ${Math.round(elapsed / 1000)} s; check that PostgreSQL is running and DATABASE_URL is right.`,
          { cause: error },
        );
      }
      retry.logger.warn(
        { attempt, retryInMs: delay, error: reason },
        `the database (${where}) is unreachable; retrying in ${delay} ms`,
      );
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(maxDelay, delay * 2);
    }
  }
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
