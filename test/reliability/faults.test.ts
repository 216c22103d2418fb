/**
 * Faults: the chat model down, slow or talking nonsense; the database down at start and restarted
 * while the service runs (through a TCP proxy in front of the local PostgreSQL, never the server
 * itself); Telegram and Zalo answering 429/5xx. The ingest faults are in ingest-faults.test.ts.
 * Child processes are bounded by timeouts.
 */
import { createServer as createHttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type App, createApp } from "../../src/app.ts";
import { createTelegramChannel } from "../../src/channels/telegram/telegram-channel.ts";
import { createZaloChannel } from "../../src/channels/zalo/zalo-channel.ts";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/logger.ts";
import { createServer, STORE_DOWN_TEXT } from "../../src/server/create-server.ts";
import { createAnswerStore } from "../../src/store/answer-store.ts";
import { createDeliveryStore } from "../../src/store/delivery-store.ts";
import { freshDatabase, start } from "../helpers/faults.ts";
import { startOpenAIServer } from "../helpers/openai-server.ts";
import { seeded } from "../helpers/pglite-folder.ts";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.ts";
import { ADMIN, BOT_INFO, BOT_TOKEN, LAN, logSink, privateText } from "../helpers/telegram.ts";
import { startFakeZalo, textEvent, ZALO_TOKEN } from "../helpers/zalo.ts";

// biome-ignore lint/suspicious/noExplicitAny: tests read the JSON a client would
const json = (res: Response): Promise<any> => res.json();
const GROWTH = "Hà Nội phấn đấu tăng trưởng kinh tế bao nhiêu?";
const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;

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
