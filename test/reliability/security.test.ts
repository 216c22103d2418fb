/**
 * Security: secrets never reach the logs (the service run with known fake secrets through its
 * error paths, its whole output scanned), webhook secrets compared in constant time, per-user
 * rate limits on the web API, and the global cap on concurrent chat-model calls.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/app.ts";
import { sameSecret as sameTelegramSecret } from "../../src/channels/telegram/webhook.ts";
import { sameSecret as sameZaloSecret } from "../../src/channels/zalo/webhook.ts";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/logger.ts";
import { createServer, RATE_LIMITED_TEXT } from "../../src/server/create-server.ts";
import { entryArgs } from "../helpers/entry.ts";
import { startOpenAIServer } from "../helpers/openai-server.ts";
import { seeded } from "../helpers/pglite-folder.ts";
import { logSink, privateText } from "../helpers/telegram.ts";

const GROWTH = "Hà Nội phấn đấu tăng trưởng kinh tế bao nhiêu?";
const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;

// biome-ignore lint/suspicious/noExplicitAny: tests read the JSON a client would
const json = (res: Response): Promise<any> => res.json();

/** A server answering every request with `handler`'s status and body (a Bot API gone wrong). */
async function fakeApi(handler: (path: string) => { status: number; body: object }): Promise<HttpServer> {
  const server = createHttpServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const { status, body } = handler(req.url ?? "/");
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}
const rootOf = (server: HttpServer) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

describe("secrets never appear in the service's output", { timeout: 180_000 }, () => {
  const SECRETS = {
    telegramToken: "7700112233:AAFakeTelegramToken_DoNotLog-9x8y7z",
    telegramSecret: "tg-webhook-secret-never-logged-3b7e",
    zaloToken: "2718281828:ZaloFakeToken_DoNotLog_c4d5e6",
    openaiKey: "sk-test-FakeOpenAIKeyNeverLogged123456",
    dbPassword: "pg-Pass/word@never%logged",
  };
  let dir: string;
  let output = "";
  let drop: (() => Promise<void>) | undefined;
  const servers: HttpServer[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sotay-secrets-"));
    // Every fake server echoes the secrets it was given in its error messages, as careless
    // servers and proxies do: the service must still not repeat them.
    const echo = `token ${SECRETS.telegramToken} secret ${SECRETS.telegramSecret} key ${SECRETS.zaloToken}`;
    const telegram = await fakeApi((path) =>
      path.endsWith("/getMe")
        ? {
            status: 200,
            body: {
              ok: true,
              result: { id: 7700112233, is_bot: true, first_name: "Sổ tay", username: "SoTayBot" },
            },
          }
        : {
            status: 400,
            body: { ok: false, error_code: 400, description: `Bad Request: ${echo} at ${path}` },
          },
    );
    const zalo = await fakeApi((path) => ({
      status: 401,
      body: { ok: false, error_code: 401, description: `Unauthorized: ${echo} at ${path}` },
    }));
    servers.push(telegram, zalo);
    const model = await startOpenAIServer();
    model.failNext(401, 10, { message: `Incorrect API key provided: ${SECRETS.openaiKey}` });

    let databaseUrl: string | undefined;
    if (TEST_DATABASE_URL) {
      const name = `sotay_t_${randomBytes(5).toString("hex")}`;
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      const url = new URL(TEST_DATABASE_URL);
      url.pathname = `/${name}`;
      url.username = "postgres";
      // trust authentication: never asked for, only carried
      url.password = encodeURIComponent(SECRETS.dbPassword);
      databaseUrl = url.toString();
      drop = async () => {
        const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      };
    }
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const child = spawn(process.execPath, entryArgs("src/main.ts"), {
      env: {
        ...process.env,
        LOG_LEVEL: "debug",
        PORT: String(port),
        HOST: "127.0.0.1",
        DATA_DIR: join(dir, "data"),
        ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
        TELEGRAM_BOT_TOKEN: SECRETS.telegramToken,
        TELEGRAM_API_ROOT: rootOf(telegram),
        TELEGRAM_WEBHOOK_URL: "https://sotay.example.org/telegram/webhook",
        TELEGRAM_WEBHOOK_SECRET: SECRETS.telegramSecret,
        ZALO_BOT_TOKEN: SECRETS.zaloToken,
        ZALO_API_ROOT: rootOf(zalo),
        CHAT_MODEL: "fake-chat",
        OPENAI_BASE_URL: model.url,
        OPENAI_API_KEY: SECRETS.openaiKey,
        CHAT_TIMEOUT_MS: "3000",
      },
    });
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    const exited = new Promise((resolve) => child.on("close", resolve));
    try {
      await vi.waitFor(() => expect(output).toMatch(/channels on:/), { timeout: 120_000, interval: 200 });
      const base = `http://127.0.0.1:${port}`;
      // The error paths: a chat model refusing the key, Telegram refusing every call, a webhook
      // call with a wrong secret, one with the right secret whose reply fails, bad bodies.
      const ask = await fetch(`${base}/api/ask`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ question: GROWTH }),
      });
      expect((await json(ask)).answer).toContain("11%");
      const update = JSON.stringify(privateText(GROWTH));
      const post = (secret: string, body = update) =>
        fetch(`${base}/telegram/webhook`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret },
          body,
        });
      expect((await post(`${SECRETS.telegramSecret}x`)).status).toBe(401);
      expect((await post(SECRETS.telegramSecret)).status).toBe(200);
      expect((await post(SECRETS.telegramSecret, "{broken")).status).toBe(400);
      await vi.waitFor(() => expect(output).toContain("telegram update failed"), { timeout: 20_000 });
    } finally {
      child.kill("SIGTERM");
      await exited;
      await model.close();
    }
  }, 180_000);

  afterAll(async () => {
    for (const server of servers) await new Promise((resolve) => server.close(resolve));
    await drop?.();
    await rm(dir, { recursive: true, force: true });
  });

  it("went through the error paths (so the scan below means something)", () => {
    expect(output).toContain("Telegram is off: could not start webhook");
    expect(output).toContain("Zalo is off: getMe failed");
    expect(output).toContain("chat model answer dropped; using the extractive answer");
    expect(output).toContain("request without the right secret token refused");
    expect(output).toContain("telegram update failed");
  });

  it.each(Object.entries(SECRETS))("%s appears nowhere, in any form", (_name, secret) => {
    for (const form of [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]) {
      expect(output).not.toContain(form);
    }
  });

  it("the logger scrubs a configured secret from any message, URL or error", () => {
    const sink = logSink();
    const logger = createLogger("info", sink.stream, { secrets: [SECRETS.zaloToken, SECRETS.dbPassword] });
    logger.error(
      { err: new Error(`fetch https://bot-api.example/bot${SECRETS.zaloToken}/getMe failed`) },
      `postgres://u:${encodeURIComponent(SECRETS.dbPassword)}@db/x unreachable`,
    );
    const line = JSON.stringify(sink.lines);
    expect(line).toContain("[redacted]");
    expect(line).not.toContain(SECRETS.zaloToken);
    expect(line).not.toContain(encodeURIComponent(SECRETS.dbPassword));
  });
});

describe("webhook secrets", () => {
  it.each([
    ["Telegram", sameTelegramSecret],
    ["Zalo", sameZaloSecret],
  ])(
    "%s: equal only to the exact secret, whatever the length (SHA-256 digests, timingSafeEqual)",
    (_name, same) => {
      const secret = "wh-secret-2f9c1d7e5a4b3c2d1e0f";
      expect(same(secret, secret)).toBe(true);
      for (const wrong of [
        undefined,
        "",
        secret.slice(0, -1),
        `${secret}0`,
        secret.toUpperCase(),
        "x".repeat(10_000),
      ]) {
        expect(same(wrong, secret)).toBe(false);
      }
    },
  );
});

describe("per-client rate limit on the web API", () => {
  it("past API_RATE_LIMIT questions a minute a client gets 429 with a Vietnamese message; others are still answered", async () => {
    const app = await createApp(loadConfig({ DATA_DIR: "memory://" }), createLogger("silent"), seeded());
    try {
      const config = loadConfig({ API_RATE_LIMIT: "3", TRUST_PROXY: "true" });
      const server = createServer({
        answerer: app.answerer,
        store: app.store,
        logger: createLogger("silent"),
        options: {
          logQuestions: false,
          maxBodyBytes: config.MAX_BODY_BYTES,
          questionsPerMinute: config.API_RATE_LIMIT,
          trustProxy: config.TRUST_PROXY,
        },
      });
      const ask = (client: string) =>
        server.request("/api/ask", {
          method: "POST",
          headers: { "content-type": "application/json", "x-forwarded-for": `203.0.113.9, ${client}` },
          body: JSON.stringify({ question: GROWTH }),
        });
      for (let i = 0; i < 3; i++) expect((await ask("198.51.100.7")).status).toBe(200);
      const limited = await ask("198.51.100.7");
      expect(limited.status).toBe(429);
      expect(limited.headers.get("retry-after")).toBe("60");
      expect(await json(limited)).toEqual({ error: RATE_LIMITED_TEXT });
      expect((await ask("198.51.100.8")).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe("global cap on concurrent chat-model calls", () => {
  it("past CHAT_MAX_CONCURRENCY calls in flight, questions get the extractive answer at once, with a log line", async () => {
    const model = await startOpenAIServer({
      chat: () =>
        JSON.stringify({
          found: true,
          answer: "Hà Nội phấn đấu tăng trưởng kinh tế từ 11% trở lên [1].",
          citations: [
            { n: 1, quote: "phấn đấu đạt tăng trưởng kinh tế từ 11% trở lên trong nhiệm kỳ 2026-2031" },
          ],
        }),
    });
    const logs = logSink();
    const app = await createApp(
      loadConfig({
        DATA_DIR: "memory://",
        CHAT_MODEL: "fake-chat",
        OPENAI_BASE_URL: model.url,
        CHAT_MAX_CONCURRENCY: "2",
      }),
      createLogger("info", logs.stream),
      seeded(),
    );
    try {
      model.delayNext(1_000, 2);
      const answers = await Promise.all(
        [0, 1, 2, 3, 4].map((i) => app.answerer.answer({ question: GROWTH, conversationId: `cap-${i}` })),
      );
      expect(answers.map((a) => a.mode).sort()).toEqual([
        "extractive",
        "extractive",
        "extractive",
        "generative",
        "generative",
      ]);
      for (const a of answers) expect(a.answer).toContain("11%");
      expect(model.requests.filter((r) => r.path.endsWith("/chat/completions"))).toHaveLength(2);
      const busy = logs.lines.filter((l) => String(l.reason).startsWith("chat model busy"));
      expect(busy).toHaveLength(3);
    } finally {
      await app.close();
      await model.close();
    }
  });
});

describe("reliability settings", () => {
  it("defaults: 30 questions a minute per client, 8 chat calls, 30 s of database retries, 64 KB bodies", () => {
    expect(loadConfig({})).toMatchObject({
      API_RATE_LIMIT: 30,
      TRUST_PROXY: false,
      CHAT_MAX_CONCURRENCY: 8,
      DATABASE_START_TIMEOUT_MS: 30_000,
      RETRIEVAL_CACHE_SIZE: 1_000,
      MAX_BODY_BYTES: 65_536,
    });
  });

  it.each([
    ["API_RATE_LIMIT", "-1"],
    ["TRUST_PROXY", "maybe"],
    ["CHAT_MAX_CONCURRENCY", "0"],
    ["DATABASE_START_TIMEOUT_MS", "soon"],
    ["RETRIEVAL_CACHE_SIZE", "1.5"],
  ])("refuses %s=%s, naming the variable", (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(
      new RegExp(`^Invalid configuration: ${variable} `),
    );
  });
});
