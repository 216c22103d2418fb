/**
 * Faults: the chat model down, slow or talking nonsense; the embeddings endpoint down during an
 * ingest; an ingest killed with SIGKILL; the database down at start and restarted while the
 * service runs (through a TCP proxy in front of the local PostgreSQL, never the server itself);
 * Telegram and Zalo answering 429/5xx. Child processes are bounded by timeouts.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer as createHttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type App, createApp } from "../../src/app.ts";
import { createTelegramChannel } from "../../src/channels/telegram/telegram-channel.ts";
import { createZaloChannel } from "../../src/channels/zalo/zalo-channel.ts";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/logger.ts";
import { createServer, STORE_DOWN_TEXT } from "../../src/server/create-server.ts";
import { createAnswerStore } from "../../src/store/answer-store.ts";
import type { Database } from "../../src/store/database.ts";
import { createDeliveryStore } from "../../src/store/delivery-store.ts";
import { openStore } from "../../src/store/open-store.ts";
import { type Entry, entryArgs } from "../helpers/entry.ts";
import { startOpenAIServer } from "../helpers/openai-server.ts";
import { preparedDataDir, seeded } from "../helpers/pglite-folder.ts";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.ts";
import { ADMIN, BOT_INFO, BOT_TOKEN, LAN, logSink, privateText } from "../helpers/telegram.ts";
import { startFakeZalo, textEvent, ZALO_TOKEN } from "../helpers/zalo.ts";

// biome-ignore lint/suspicious/noExplicitAny: tests read the JSON a client would
const json = (res: Response): Promise<any> => res.json();
const GROWTH = "Hà Nội phấn đấu tăng trưởng kinh tế bao nhiêu?";
const SEED = "corpus/ha-noi-tien-phong-dua-nghi-quyet-xiv-vao-cuoc-song.md";
const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;

interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** A child process of the project, its output collected; killed if it outlives `timeoutMs`. */
function start(script: Entry, args: string[], env: Record<string, string>, timeoutMs = 90_000) {
  const started = Date.now();
  const child = spawn(process.execPath, [...entryArgs(script), ...args], {
    env: { ...process.env, LOG_LEVEL: "info", ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const done = new Promise<Run>((resolve) => {
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
  return { child, done, output: () => stdout + stderr };
}

/** A throw-away PostgreSQL database, dropped by `drop`. */
async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `sotay_t_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL as string);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** The store's invariants: BM25 statistics equal what the stored passages imply, no orphan rows. */
async function expectConsistentStore(db: Database) {
  const [df] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (
       SELECT term, count(*)::int AS df FROM chunks, unnest(terms) AS term GROUP BY term
     ) live FULL JOIN term_stats t USING (term) WHERE live.df IS DISTINCT FROM t.df`,
  );
  expect(df?.n).toBe(0);
  const [stats] = await db.query<{ ok: boolean }>(
    `SELECT s.chunk_count = (SELECT count(*) FROM chunks)
        AND s.length_total = (SELECT coalesce(sum(length), 0) FROM chunks) AS ok FROM corpus_stats s`,
  );
  expect(stats?.ok).toBe(true);
  const [orphans] = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM chunks c LEFT JOIN documents d ON d.id = c.document_id WHERE d.id IS NULL",
  );
  expect(orphans?.n).toBe(0);
  const [empty] = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM documents d WHERE NOT EXISTS (SELECT 1 FROM chunks c WHERE c.document_id = d.id)",
  );
  expect(empty?.n).toBe(0);
}

/** `count` documents made of the seed article's real paragraphs, recombined: a corpus that takes seconds to ingest. */
async function writeCorpus(dir: string, count: number) {
  const body = readFileSync(SEED, "utf8").replace(/^---\n[\s\S]*?\n---\n/, "");
  const paragraphs = body.split(/\n\s*\n/).filter((p) => p.trim() && !p.startsWith("#"));
  await mkdir(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const picked = paragraphs.map((_, j) => paragraphs[(j * 7 + i) % paragraphs.length]);
    await writeFile(
      join(dir, `van-ban-${String(i).padStart(3, "0")}.md`),
      `---\ntitle: Văn bản số ${i}\npublisher: Thành ủy Hà Nội\n---\n\n## Phần ${i}\n\n${picked.join("\n\n")}\n`,
    );
  }
}

function dirSize(dir: string): number {
  let size = 0;
  try {
    for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (entry.isFile())
        size += statSync(join(entry.parentPath, entry.name), { throwIfNoEntry: false })?.size ?? 0;
    }
  } catch {
    // not created yet, or a file vanished while we looked: the next look counts it
  }
  return size;
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "sotay-faults-"));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe("the chat model down, slow or returning garbage", () => {
  let app: App;
  let model: Awaited<ReturnType<typeof startOpenAIServer>>;
  let reply: () => string;
  const logs = logSink();

  beforeAll(async () => {
    reply = () => "";
    model = await startOpenAIServer({ chat: () => reply() });
    app = await createApp(
      loadConfig({
        DATA_DIR: "memory://",
        CHAT_MODEL: "fake-chat",
        OPENAI_BASE_URL: model.url,
        CHAT_TIMEOUT_MS: "800",
      }),
      createLogger("info", logs.stream),
      seeded(),
    );
  });
  afterAll(async () => {
    await app?.close();
    await model?.close();
  });

  const fallbacks = () =>
    logs.lines.filter((l) => l.msg === "chat model answer dropped; using the extractive answer");

  it.each([
    // Garbage first: a timed-out call may leave a retry in flight behind it.
    [
      "returning garbage",
      () => {
        reply = () => "}}}<html>Internal error</html>{{{";
      },
      /not a JSON object/,
    ],
    ["slow (past CHAT_TIMEOUT_MS)", () => model.delayNext(5_000, 1), /timed out/],
    ["down (HTTP 503 on the call and its retry)", () => model.failNext(503, 2), /HTTP 503|timed out/],
  ])("%s: the extractive answer, with the reason in the log", async (_name, fault, reason) => {
    fault();
    const before = fallbacks().length;
    const started = Date.now();
    const answer = await app.answerer.answer({ question: GROWTH });
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(answer).toMatchObject({ found: true, mode: "extractive" });
    expect(answer.answer).toContain("11%");
    const logged = fallbacks().slice(before);
    expect(logged).toHaveLength(1);
    expect(String(logged[0]?.reason)).toMatch(reason);
  });

  it("down (nothing listening): the extractive answer too", async () => {
    const config = loadConfig({
      DATA_DIR: "memory://",
      CHAT_MODEL: "fake-chat",
      OPENAI_BASE_URL: "http://127.0.0.1:9/v1",
      CHAT_TIMEOUT_MS: "800",
    });
    const lines = logSink();
    const offline = await createApp(config, createLogger("info", lines.stream), seeded());
    try {
      const answer = await offline.answerer.answer({ question: GROWTH });
      expect(answer).toMatchObject({ found: true, mode: "extractive" });
      expect(
        lines.lines.some((l) => l.msg === "chat model answer dropped; using the extractive answer"),
      ).toBe(true);
    } finally {
      await offline.close();
    }
  });
});

describe("ingest faults (npm run ingest in a child process)", { timeout: 180_000 }, () => {
  it("the embeddings endpoint down: a clear failure, the previous index untouched, a re-run completes", async () => {
    const embeddings = await startOpenAIServer();
    const servers = [embeddings];
    const corpus = join(tmp, "embed-corpus");
    await mkdir(corpus);
    await writeFile(join(corpus, "seed.md"), readFileSync(SEED));
    const env = {
      DATA_DIR: preparedDataDir(join(tmp, "embed-data")),
      CORPUS_DIR: corpus,
      EMBEDDINGS: "openai",
      OPENAI_BASE_URL: embeddings.url,
      EMBEDDING_MODEL: "fake-embed",
      EMBEDDING_DIMENSIONS: "32",
    };
    try {
      const first = await start("ingest/cli.ts", ["--json"], env).done;
      expect(first.status).toBe(0);
      const before = JSON.parse(first.stdout);
      expect(before.documents.added).toBe(1);

      // A second document arrives while the endpoint is down.
      await writeCorpus(join(corpus, "moi"), 2);
      embeddings.failNext(503, 1_000);
      const failed = await start("ingest/cli.ts", [], env).done;
      expect(failed.status).toBe(1);
      expect(failed.stderr).toMatch(/Ingest failed: embedding failed while ingesting .*HTTP 503/);
      expect(failed.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace

      // The index is what it was: the seed alone, searchable.
      const store = await openStore({ DATA_DIR: env.DATA_DIR });
      try {
        expect((await store.listDocuments()).map((d) => d.path)).toEqual(["seed.md"]);
        expect((await store.stats()).chunks).toBe(before.chunks);
        await expectConsistentStore(store.db);
      } finally {
        await store.db.close();
      }

      // The endpoint is back (a new server: the old one still has failures queued).
      const back = await startOpenAIServer();
      servers.push(back);
      const rerun = await start("ingest/cli.ts", ["--json"], { ...env, OPENAI_BASE_URL: back.url }).done;
      expect(rerun.status).toBe(0);
      expect(JSON.parse(rerun.stdout).documents).toMatchObject({ added: 2, unchanged: 1, failed: [] });
    } finally {
      for (const server of servers) await server.close();
    }
  });

  const engines: { name: string; skip: boolean }[] = [
    { name: "pglite", skip: false },
    { name: "postgres", skip: !TEST_DATABASE_URL },
  ];
  it.each(engines)(
    "SIGKILL in the middle of an ingest on $name: a consistent store, and a re-run finishes",
    async ({ name, skip }) => {
      if (skip) return;
      const corpus = join(tmp, `kill-corpus-${name}`);
      const count = 150;
      await writeCorpus(corpus, count);
      const database = name === "postgres" ? await freshDatabase() : undefined;
      const dataDir = join(tmp, `kill-data-${name}`);
      if (!database) preparedDataDir(dataDir);
      const env = {
        DATA_DIR: dataDir,
        CORPUS_DIR: corpus,
        ...(database ? { DATABASE_URL: database.url } : {}),
      };
      const config = loadConfig(env);
      try {
        const run = start("ingest/cli.ts", ["--json"], env);
        // Killed once some of the documents are written and before all of them are.
        let probe: pg.Client | undefined;
        if (database) {
          probe = new pg.Client({ connectionString: database.url });
          await probe.connect();
        }
        let killedMidway = false;
        const deadline = Date.now() + 60_000;
        while (run.child.exitCode === null && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 25));
          if (probe) {
            const rows = await probe
              .query<{ n: number }>("SELECT count(*)::int AS n FROM documents")
              .then((r) => r.rows[0]?.n ?? 0)
              .catch(() => 0);
            if (rows > 0 && rows < count) killedMidway = run.child.kill("SIGKILL");
          } else if (dirSize(dataDir) > 55 * 1024 * 1024) killedMidway = run.child.kill("SIGKILL");
          if (killedMidway) break;
        }
        await probe?.end();
        const killed = await run.done;
        expect(killedMidway).toBe(true);
        expect(killed.signal).toBe("SIGKILL");

        const store = await openStore(config);
        try {
          const written = (await store.stats()).documents;
          expect(written).toBeLessThan(count);
          await expectConsistentStore(store.db);
        } finally {
          await store.db.close();
        }
        const rerun = await start("ingest/cli.ts", ["--json"], env).done;
        expect(rerun.status).toBe(0);
        const summary = JSON.parse(rerun.stdout);
        expect(summary.documents.added + summary.documents.unchanged).toBe(count);
        expect(summary.documents.added).toBeGreaterThan(0);
        const after = await openStore(config);
        try {
          expect((await after.stats()).documents).toBe(count);
          await expectConsistentStore(after.db);
        } finally {
          await after.db.close();
        }
      } finally {
        await database?.drop();
      }
    },
  );
});

describe.skipIf(!TEST_DATABASE_URL)(
  "the database down or restarted (PostgreSQL behind a TCP proxy)",
  {
    timeout: 120_000,
  },
  () => {
    let database: Awaited<ReturnType<typeof freshDatabase>>;
    let proxy: TcpProxy;
    let proxiedUrl: string;
    const PASSWORD = "db-pass-never-logged-8d1f";

    beforeAll(async () => {
      database = await freshDatabase();
      const real = new URL(database.url);
      proxy = await startTcpProxy({ host: real.hostname, port: Number(real.port || 5432) });
      const url = new URL(database.url);
      url.host = `127.0.0.1:${proxy.port}`;
      // trust authentication: the password is never asked for, only carried (and must not be logged)
      url.username = "postgres";
      url.password = PASSWORD;
      proxiedUrl = url.toString();
    });
    afterAll(async () => {
      await proxy?.close();
      await database?.drop();
    });

    it("down at start: a clear message, retries with backoff, exit 1 after DATABASE_START_TIMEOUT_MS", async () => {
      await proxy.down();
      try {
        const run = await start("src/main.ts", [], {
          DATABASE_URL: proxiedUrl,
          DATABASE_START_TIMEOUT_MS: "2500",
          PORT: "0",
          HOST: "127.0.0.1",
        }).done;
        expect(run.status).toBe(1);
        expect(run.ms).toBeLessThan(30_000);
        const lines = run.stderr
          .split("\n")
          .filter((l) => l.startsWith("{"))
          .map((l) => JSON.parse(l));
        const retries = lines.filter((l) => /unreachable; retrying in/.test(l.msg));
        expect(retries.map((l) => l.retryInMs)).toEqual([500, 1000]);
        const fatal = lines.at(-1);
        expect(fatal?.level).toBe(60);
        expect(fatal?.msg).toMatch(
          new RegExp(
            `^The database \\(PostgreSQL at 127\\.0\\.0\\.1:${proxy.port}/sotay_t_\\w+\\) is unreachable: .*Gave up after 3 attempts`,
          ),
        );
        expect(run.stderr + run.stdout).not.toContain(PASSWORD);
        expect(run.stderr).not.toMatch(/\n\s+at /);
      } finally {
        await proxy.up();
      }
    });

    it("up again within the start-up window: the service starts", async () => {
      await proxy.down();
      const run = start("src/main.ts", [], {
        DATABASE_URL: proxiedUrl,
        DATABASE_START_TIMEOUT_MS: "60000",
        PORT: "0",
        HOST: "127.0.0.1",
      });
      try {
        await vi.waitFor(() => expect(run.output()).toContain("retrying in 1000 ms"), { timeout: 20_000 });
        await proxy.up();
        await vi.waitFor(() => expect(run.output()).toContain("is listening on"), {
          timeout: 60_000,
          interval: 100,
        });
      } finally {
        run.child.kill("SIGTERM");
        await run.done;
      }
    });

    it("restarted while the service runs: a friendly 503 meanwhile, then answers again without a restart", async () => {
      const logs = logSink();
      const app = await createApp(
        loadConfig({ DATABASE_URL: proxiedUrl }),
        createLogger("info", logs.stream),
      );
      try {
        const server = createServer({
          answerer: app.answerer,
          store: app.store,
          logger: createLogger("info", logs.stream),
          options: { logQuestions: false, maxBodyBytes: 65_536 },
        });
        const ask = (question: string) =>
          server.request("/api/ask", {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ question, conversationId: "restart-1" }),
          });
        expect((await ask(GROWTH)).status).toBe(200);

        await proxy.down();
        for (const question of ["Ba đột phá chiến lược là gì?", "Ai là Bí thư Thành ủy Hà Nội?"]) {
          const res = await ask(question);
          expect(res.status).toBe(503);
          expect(await json(res)).toEqual({ error: STORE_DOWN_TEXT });
        }
        expect((await server.request("/readyz")).status).toBe(503);

        await proxy.up();
        const res = await ask("Ba đột phá chiến lược là gì?");
        expect(res.status).toBe(200);
        expect((await json(res)).answer).toContain("thể chế, quy hoạch, mô hình phát triển mới");
        expect((await server.request("/readyz")).status).toBe(200);
        expect(logs.lines.some((l) => l.msg === "request failed: the database is unreachable")).toBe(true);
        expect(JSON.stringify(logs.lines)).not.toContain(PASSWORD);
      } finally {
        await proxy.up();
        await app.close();
      }
    });
  },
);

describe("Telegram and Zalo answering 429 and 5xx: retried, the answer delivered once", () => {
  let app: App;
  beforeAll(async () => {
    app = await createApp(loadConfig({ DATA_DIR: "memory://" }), createLogger("silent"), seeded());
  });
  afterAll(() => app?.close());

  it("Telegram: a 429 then a 502 on sendMessage, then one answer", { timeout: 30_000 }, async () => {
    const script: { status: number; body: object }[] = [
      {
        status: 429,
        body: {
          ok: false,
          error_code: 429,
          description: "Too Many Requests",
          parameters: { retry_after: 1 },
        },
      },
      { status: 502, body: { ok: false, error_code: 502, description: "Bad Gateway" } },
    ];
    const delivered: string[] = [];
    const attempts: string[] = [];
    const telegramApi = createHttpServer((req, res) => {
      let raw = "";
      req.on("data", (d) => {
        raw += d;
      });
      req.on("end", () => {
        const method = req.url?.split("/").pop() ?? "";
        const reply = (status: number, body: object) =>
          res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
        if (method !== "sendMessage") return reply(200, { ok: true, result: true });
        attempts.push(method);
        const scripted = script.shift();
        if (scripted) return reply(scripted.status, scripted.body);
        const payload = JSON.parse(raw || "{}");
        delivered.push(payload.text);
        return reply(200, {
          ok: true,
          result: {
            message_id: 7,
            date: 0,
            chat: { id: payload.chat_id, type: "private" },
            text: payload.text,
          },
        });
      });
    });
    await new Promise<void>((resolve) => telegramApi.listen(0, "127.0.0.1", resolve));
    const apiRoot = `http://127.0.0.1:${(telegramApi.address() as AddressInfo).port}`;
    try {
      const channel = createTelegramChannel({
        token: BOT_TOKEN,
        answerer: app.answerer,
        store: app.store,
        conversations: app.conversations,
        answers: createAnswerStore(app.store.db),
        reindex: () => Promise.reject(new Error("not in this test")),
        logger: createLogger("silent"),
        options: { corpusDir: "corpus", adminIds: [ADMIN.id], botInfo: BOT_INFO, apiRoot },
      });
      await channel.bot.handleUpdate(privateText(GROWTH, LAN));
      expect(attempts).toHaveLength(3);
      expect(delivered).toHaveLength(1);
      expect(delivered[0]).toContain("11%");
    } finally {
      telegramApi.closeAllConnections();
      await new Promise((resolve) => telegramApi.close(resolve));
    }
  });

  it("Zalo: a 429 then a 503 on sendMessage, then one answer", async () => {
    const fake = await startFakeZalo();
    try {
      const channel = createZaloChannel({
        token: ZALO_TOKEN,
        answerer: app.answerer,
        store: app.store,
        conversations: app.conversations,
        answers: createAnswerStore(app.store.db),
        deliveries: createDeliveryStore(app.store.db),
        logger: createLogger("silent"),
        options: { apiRoot: fake.apiRoot, client: { backoffMs: 5, timeoutMs: 5_000 } },
      });
      fake.failNext(
        "sendMessage",
        {
          status: 429,
          body: {
            ok: false,
            error_code: 429,
            description: "Too Many Requests",
            parameters: { retry_after: 0 },
          },
        },
        { status: 503 },
      );
      await channel.bot.dispatch(textEvent(GROWTH) as Parameters<typeof channel.bot.dispatch>[0]);
      expect(fake.of("sendMessage")).toHaveLength(3);
      const delivered = fake.texts();
      // the fake records refused attempts too: the user got the one the server accepted
      expect(new Set(delivered).size).toBe(1);
      expect(delivered[0]).toContain("11%");
    } finally {
      await fake.close();
    }
  });
});
