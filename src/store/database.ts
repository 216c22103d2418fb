import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import pg from "pg";

/**
 * The little of SQL the rest of the code needs, over two engines: PGlite (embedded, the default,
 * persisted under DATA_DIR) and PostgreSQL through `pg` (when DATABASE_URL is set). Queries are
 * always parameterised ($1, $2, …); `exec` is for trusted, parameter-free SQL such as migrations.
 */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  exec(sql: string): Promise<void>;
}

export interface Database extends Queryable {
  readonly engine: "pglite" | "postgres";
  /** Runs `fn` in one transaction: all of it is committed, or none. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string;
  /** where PGlite keeps its files; ignored for PostgreSQL. `memory://` for a throw-away store. */
  dataDir: string;
  /** PostgreSQL pool size */
  poolSize?: number;
  /** see openPglite */
  pgliteSeed?: Blob;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.databaseUrl
    ? openPostgres(options.databaseUrl, options.poolSize ?? 10)
    : openPglite(options.dataDir, options.pgliteSeed);
}

/**
 * `seed`, a data folder dumped by PGlite's dumpDataDir(), starts a `memory://` store from it rather
 * than from initdb, which takes seconds: the tests open dozens of throw-away stores. Ignored for a
 * data folder on disk.
 */
export async function openPglite(dataDir: string, seed?: Blob): Promise<Database> {
  let location = dataDir;
  if (!dataDir.startsWith("memory://")) {
    location = resolve(dataDir, "pglite");
    mkdirSync(location, { recursive: true });
  }
  const db = await PGlite.create(location, {
    extensions: { vector },
    ...(seed && location.startsWith("memory://") ? { loadDataDir: seed } : {}),
  });
  // PGlite runs one statement at a time; a transaction holds it, so nothing interleaves with it.
  const wrap = (q: Pick<PGlite, "query" | "exec">): Queryable => ({
    async query<T>(sql: string, params: unknown[] = []) {
      return (await q.query<T>(sql, params)).rows;
    },
    async exec(sql: string) {
      await q.exec(sql);
    },
  });
  // PGlite executes on this thread, and its queue of statements is drained by promise callbacks
  // alone: a hundred statements queued by concurrent callers would run back to back, and an HTTP
  // request that came in meanwhile (a webhook to acknowledge) would wait for all of them. So the
  // statements outside a transaction take turns with the event loop: each waits for the turn of
  // the one issued before it, then for one more turn (setImmediate, after the I/O already waiting),
  // i.e. at most one statement per turn of the loop, in the order they were issued. Idle, a turn
  // costs microseconds.
  const direct = wrap(db);
  let lastTurn: Promise<void> = Promise.resolve();
  const nextTurn = (): Promise<void> => {
    lastTurn = lastTurn.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
    return lastTurn;
  };
  return {
    engine: "pglite",
    async query<T>(sql: string, params?: unknown[]) {
      await nextTurn();
      return direct.query<T>(sql, params);
    },
    async exec(sql: string) {
      await nextTurn();
      return direct.exec(sql);
    },
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    close: () => db.close(),
  };
}

export async function openPostgres(url: string, max: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 10_000 });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  const wrap = (q: pg.Pool | pg.PoolClient): Queryable => ({
    async query<T>(sql: string, params: unknown[] = []) {
      return (await q.query(sql, params)).rows as T[];
    },
    async exec(sql: string) {
      await q.query(sql);
    },
  });
  return {
    engine: "postgres",
    ...wrap(pool),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const result = await fn(wrap(client));
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/** Connection-level failures: the server is down, restarting or unreachable (not a bad query). */
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  // PostgreSQL: admin_shutdown, crash_shutdown, cannot_connect_now, connection_exception…
  "57P01",
  "57P02",
  "57P03",
  "08000",
  "08001",
  "08003",
  "08006",
]);
const UNREACHABLE_MESSAGE =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|the database system is (starting up|shutting down)|Client has encountered a connection error|Connection ended/i;

/** True when `error` says the database cannot be reached right now (worth retrying later). */
export function isDatabaseUnreachable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const check = (e: unknown): boolean => {
    if (!e || typeof e !== "object" || seen.has(e)) return false;
    seen.add(e);
    const { code, message, errors, cause } = e as {
      code?: unknown;
      message?: unknown;
      errors?: unknown;
      cause?: unknown;
    };
    if (typeof code === "string" && UNREACHABLE_CODES.has(code)) return true;
    if (typeof message === "string" && UNREACHABLE_MESSAGE.test(message)) return true;
    if (Array.isArray(errors) && errors.some(check)) return true;
    return check(cause);
  };
  return check(error);
}
