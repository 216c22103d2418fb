import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Update } from "grammy/types";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type App, createApp } from "../../../src/app.ts";
import { telegramRetry } from "../../../src/channels/telegram/api-retry.ts";
import {
  createTelegramChannel,
  type TelegramChannel,
} from "../../../src/channels/telegram/telegram-channel.ts";
import type { TelegramBotDeps } from "../../../src/channels/telegram/types.ts";
import { ConfigError, loadConfig } from "../../../src/config.ts";
import { createLogger } from "../../../src/logger.ts";
import { createServer } from "../../../src/server/create-server.ts";
import { createAnswerStore } from "../../../src/store/answer-store.ts";
import { seeded } from "../../helpers/pglite-folder.ts";
import { ADMIN, BOT_INFO, BOT_TOKEN, captureApi, LAN, logSink, privateText } from "../../helpers/telegram.ts";

const SECRET = "wh-secret-2f9c1d7e5a4b3c2d1e0f";
const WEBHOOK_URL = "https://sotay.example.org/telegram/webhook";

let app: App;
beforeAll(async () => {
  app = await createApp(loadConfig({ DATA_DIR: "memory://" }), createLogger("silent"), seeded());
});
afterAll(() => app?.close());

function channelDeps(logger = createLogger("silent")): TelegramBotDeps {
  return {
    token: BOT_TOKEN,
    answerer: app.answerer,
    store: app.store,
    conversations: app.conversations,
    answers: createAnswerStore(app.store.db),
    reindex: () => Promise.reject(new Error("not in this test")),
    logger,
    options: { corpusDir: "corpus", adminIds: [ADMIN.id], botInfo: BOT_INFO },
  };
}

describe("Telegram webhook mode", () => {
  let channel: TelegramChannel;
  let api: ReturnType<typeof captureApi>;
  let http: ReturnType<typeof serve>;
  let base: string;
  const logs = logSink();

  beforeAll(async () => {
    const logger = createLogger("info", logs.stream);
    channel = createTelegramChannel(channelDeps(logger), { url: WEBHOOK_URL, secret: SECRET });
    api = captureApi(channel.bot);
    const server = createServer({
      answerer: app.answerer,
      store: app.store,
      logger,
      options: { logQuestions: true, maxBodyBytes: 16_384 },
    });
    channel.mount(server);
    http = serve({ fetch: server.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise<void>((resolve) => http.once("listening", resolve));
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    expect(await channel.start()).toBe(true);
  });
  afterAll(async () => {
    await channel.stop();
    await new Promise((resolve) => http.close(resolve));
  });

  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/telegram/webhook`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });

  it("registers the webhook with its secret and the Vietnamese command list at start", async () => {
    expect(api.of("setWebhook")[0]?.payload).toEqual({
      url: WEBHOOK_URL,
      secret_token: SECRET,
      allowed_updates: ["message", "callback_query", "inline_query"],
    });
    await vi.waitFor(() => expect(api.of("setMyCommands")).toHaveLength(2));
    const [everyone, admin] = api.of("setMyCommands").map((c) => c.payload);
    expect(everyone.commands.map((c: { command: string }) => c.command)).toEqual([
      "start",
      "hoi",
      "nguon",
      "tailieu",
      "chitieu",
      "quiz",
      "baihoc",
      "moi",
      "help",
    ]);
    expect(everyone.commands.find((c: { command: string }) => c.command === "quiz").description).toBe(
      "Trắc nghiệm ôn tập (/quiz chủ đề)",
    );
    expect(everyone.commands.find((c: { command: string }) => c.command === "nguon").description).toBe(
      "Nguồn của câu trả lời gần nhất",
    );
    expect(admin).toMatchObject({ scope: { type: "chat", chat_id: ADMIN.id } });
    expect(admin.commands.map((c: { command: string }) => c.command)).toContain("reindex");
    expect(api.of("getUpdates")).toEqual([]);
  });

  it("handles an update posted with the right secret", async () => {
    api.clear();
    const res = await post(JSON.stringify(privateText("muc tieu tang truong kinh te")), {
      "x-telegram-bot-api-secret-token": SECRET,
    });
    expect(res.status).toBe(200);
    const [reply] = api.of("sendMessage");
    expect(reply?.payload.chat_id).toBe(LAN.id);
    expect(reply?.payload.text).toContain("11%");
  });

  it("answers 401 to a wrong or missing secret, and handles nothing", async () => {
    api.clear();
    const update = JSON.stringify(privateText("muc tieu tang truong kinh te"));
    const wrong = await post(update, { "x-telegram-bot-api-secret-token": `${SECRET}x` });
    const missing = await post(update);
    expect([wrong.status, missing.status]).toEqual([401, 401]);
    expect(api.calls).toEqual([]);
  });

  it("answers 400 to a body that is not an update, and leaves the other routes alone", async () => {
    const headers = { "x-telegram-bot-api-secret-token": SECRET };
    expect((await post("{not json", headers)).status).toBe(400);
    expect((await post(JSON.stringify({ message: { text: "hi" } }), headers)).status).toBe(400);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(api.calls).toEqual([]);
  });

  it("never writes the secret or the token to the log", () => {
    const log = JSON.stringify(logs.lines);
    expect(log).toContain("webhook");
    expect(log).not.toContain(SECRET);
    expect(log).not.toContain(BOT_TOKEN);
  });
});

describe("Telegram long polling", () => {
  it("polls with the runner, answers, and stops cleanly", async () => {
    const channel = createTelegramChannel(channelDeps());
    const api = captureApi(channel.bot);
    const queue: Update[] = [privateText("Ba đột phá chiến lược là gì?")];
    // Telegram's long poll: an update when there is one, otherwise wait a little and say none.
    api.results.getUpdates = async () => {
      const next = queue.shift();
      if (next) return [next];
      await new Promise((r) => setTimeout(r, 20));
      return [];
    };
    expect(await channel.start()).toBe(true);
    expect(channel.mode).toBe("long polling");
    await vi.waitFor(() => expect(api.of("sendMessage")).toHaveLength(1), { timeout: 10_000 });
    expect(api.of("sendMessage")[0]?.payload.text).toContain("thể chế");
    expect(api.of("deleteWebhook")).toHaveLength(1);
    expect(api.of("getUpdates")[0]?.payload.allowed_updates).toEqual([
      "message",
      "callback_query",
      "inline_query",
    ]);
    await channel.stop();
    const polls = api.of("getUpdates").length;
    await new Promise((r) => setTimeout(r, 100));
    expect(api.of("getUpdates").length).toBe(polls);
  });

  it("logs and stays off when Telegram cannot be reached, without throwing", async () => {
    const logs = logSink();
    const deps = channelDeps(createLogger("info", logs.stream));
    const channel = createTelegramChannel({ ...deps, options: { ...deps.options, botInfo: undefined } });
    const api = captureApi(channel.bot);
    api.fail.getMe = () => ({ ok: false, error_code: 401, description: "Unauthorized" });
    expect(await channel.start()).toBe(false);
    expect(logs.lines.some((l) => String(l.msg).includes("Telegram is off"))).toBe(true);
    await channel.stop();
  });
});

describe("Telegram API retries (auto-retry)", () => {
  type Prev = Parameters<ReturnType<typeof telegramRetry>>[0];
  const responder = (responses: unknown[]) => {
    const calls: string[] = [];
    const prev = (async (method: string) => {
      calls.push(method);
      return responses.shift() ?? { ok: true, result: true };
    }) as unknown as Prev;
    return { prev, calls };
  };
  const call = (prev: Prev, method: string) =>
    (telegramRetry() as (p: Prev, m: string, payload: unknown) => Promise<{ ok: boolean }>)(prev, method, {});

  it("waits out a 429 and sends again", async () => {
    const { prev, calls } = responder([
      { ok: false, error_code: 429, description: "Too Many Requests", parameters: { retry_after: 0 } },
    ]);
    expect(await call(prev, "sendMessage")).toEqual({ ok: true, result: true });
    expect(calls).toEqual(["sendMessage", "sendMessage"]);
  });

  it("backs off on a 5xx and gives up after two retries", async () => {
    vi.useFakeTimers();
    try {
      const error = { ok: false, error_code: 502, description: "Bad Gateway" };
      const once = responder([error]);
      const recovered = call(once.prev, "sendMessage");
      await vi.advanceTimersByTimeAsync(3_000);
      expect(await recovered).toEqual({ ok: true, result: true });

      const down = responder([error, error, error, error, error, error]);
      const failed = call(down.prev, "editMessageText");
      await vi.advanceTimersByTimeAsync(3_000 + 6_000 + 12_000);
      expect(await failed).toMatchObject({ ok: false, error_code: 502 });
      expect(down.calls).toHaveLength(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it("does not repeat a typing action", async () => {
    const { prev, calls } = responder([{ ok: false, error_code: 429, parameters: { retry_after: 0 } }]);
    expect(await call(prev, "sendChatAction")).toMatchObject({ ok: false });
    expect(calls).toEqual(["sendChatAction"]);
  });
});

describe("Telegram configuration", () => {
  it("reads the Telegram variables", () => {
    const config = loadConfig({
      TELEGRAM_BOT_TOKEN: BOT_TOKEN,
      TELEGRAM_WEBHOOK_URL: WEBHOOK_URL,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_API_ROOT: "http://127.0.0.1:8081/",
      TELEGRAM_ADMIN_IDS: "998877665, 123456789",
    });
    expect(config).toMatchObject({
      TELEGRAM_BOT_TOKEN: BOT_TOKEN,
      TELEGRAM_WEBHOOK_URL: WEBHOOK_URL,
      TELEGRAM_API_ROOT: "http://127.0.0.1:8081",
      TELEGRAM_ADMIN_IDS: [998877665, 123456789],
    });
    expect(loadConfig({})).toMatchObject({
      TELEGRAM_API_ROOT: "https://api.telegram.org",
      TELEGRAM_ADMIN_IDS: [],
    });
  });

  it.each([
    [{ TELEGRAM_BOT_TOKEN: "12345:too-short" }, "TELEGRAM_BOT_TOKEN"],
    [{ TELEGRAM_WEBHOOK_URL: WEBHOOK_URL, TELEGRAM_WEBHOOK_SECRET: SECRET }, "TELEGRAM_BOT_TOKEN"],
    [{ TELEGRAM_BOT_TOKEN: BOT_TOKEN, TELEGRAM_WEBHOOK_URL: WEBHOOK_URL }, "TELEGRAM_WEBHOOK_SECRET"],
    [{ TELEGRAM_WEBHOOK_SECRET: "short" }, "TELEGRAM_WEBHOOK_SECRET"],
    [{ TELEGRAM_WEBHOOK_SECRET: "has spaces and ümlauts in it!!" }, "TELEGRAM_WEBHOOK_SECRET"],
    [
      {
        TELEGRAM_BOT_TOKEN: BOT_TOKEN,
        TELEGRAM_WEBHOOK_URL: "https://x.org/api/tg",
        TELEGRAM_WEBHOOK_SECRET: SECRET,
      },
      "TELEGRAM_WEBHOOK_URL",
    ],
    [
      {
        TELEGRAM_BOT_TOKEN: BOT_TOKEN,
        TELEGRAM_WEBHOOK_URL: "https://x.org",
        TELEGRAM_WEBHOOK_SECRET: SECRET,
      },
      "TELEGRAM_WEBHOOK_URL",
    ],
    [{ TELEGRAM_WEBHOOK_URL: "ftp://x.org/hook" }, "TELEGRAM_WEBHOOK_URL"],
    [{ TELEGRAM_API_ROOT: "not a url" }, "TELEGRAM_API_ROOT"],
    [{ TELEGRAM_ADMIN_IDS: "998877665,@ha_quantri" }, "TELEGRAM_ADMIN_IDS"],
  ])("rejects %o naming %s, without echoing the value", (env, variable) => {
    try {
      loadConfig(env);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe(variable);
      expect((error as Error).message).toContain(variable);
      for (const value of Object.values(env)) expect((error as Error).message).not.toContain(value);
    }
  });

  it("redacts secrets and tokens from log lines", () => {
    const logs = logSink();
    const logger = createLogger("info", logs.stream);
    logger.info({ token: BOT_TOKEN, secret: SECRET }, "configured");
    logger.error(
      { err: { message: "setWebhook failed", payload: { url: WEBHOOK_URL, secret_token: SECRET } } },
      "failed",
    );
    expect(JSON.stringify(logs.lines)).not.toContain(SECRET);
    expect(JSON.stringify(logs.lines)).not.toContain(BOT_TOKEN);
  });
});
