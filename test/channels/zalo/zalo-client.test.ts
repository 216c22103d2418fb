import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookPayloadSchema } from "../../../src/channels/zalo/schemas.ts";
import {
  createZaloClient,
  ZaloApiError,
  type ZaloClientOptions,
} from "../../../src/channels/zalo/zalo-client.ts";
import { ConfigError, loadConfig } from "../../../src/config.ts";
import { createLogger } from "../../../src/logger.ts";
import { logSink } from "../../helpers/telegram.ts";
import {
  type FakeZalo,
  imageEvent,
  LAN,
  MINH,
  startFakeZalo,
  textEvent,
  ZALO_TOKEN,
} from "../../helpers/zalo.ts";

let fake: FakeZalo;
beforeAll(async () => {
  fake = await startFakeZalo();
});
afterAll(() => fake?.close());

const client = (options: Partial<ZaloClientOptions> = {}) =>
  createZaloClient({ token: ZALO_TOKEN, apiRoot: fake.apiRoot, backoffMs: 5, timeoutMs: 2_000, ...options });

/** The rejection of `promise` (fails the test when it resolves). */
async function failure(promise: Promise<unknown>): Promise<ZaloApiError> {
  const error = await promise.then(
    () => expect.unreachable("the call should have failed"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ZaloApiError);
  return error as ZaloApiError;
}

describe("Zalo Bot API client", () => {
  it("POSTs JSON to <root>/bot<token>/<method> and reads {ok, result}", async () => {
    fake.clear();
    expect(await client().getMe()).toMatchObject({
      id: "2718281828459045235",
      account_name: "bot.SoTayNghiQuyet",
    });
    await client().sendMessage(LAN.id, "Xin chào!");
    expect(fake.calls.map((c) => [c.method, c.token, c.body])).toEqual([
      ["getMe", ZALO_TOKEN, {}],
      ["sendMessage", ZALO_TOKEN, { chat_id: LAN.id, text: "Xin chào!" }],
    ]);
  });

  it("waits out a 429 and sends again (retry_after honoured), so the user still gets the message", async () => {
    fake.clear();
    fake.failNext("sendMessage", {
      status: 429,
      body: { ok: false, error_code: 429, description: "Too Many Requests", parameters: { retry_after: 0 } },
    });
    await client().sendMessage(LAN.id, "Chỉ tiêu tăng trưởng kinh tế bình quân 11%/năm.");
    expect(fake.of("sendMessage").map((c) => c.body.text)).toEqual([
      "Chỉ tiêu tăng trưởng kinh tế bình quân 11%/năm.",
      "Chỉ tiêu tăng trưởng kinh tế bình quân 11%/năm.",
    ]);
  });

  it("backs off on 5xx (an HTML error page too) and gives up after the retries, naming the method and code", async () => {
    fake.clear();
    fake.failNext("sendMessage", { status: 502, body: "<html>Bad Gateway</html>" }, { status: 503 });
    await client().sendMessage(LAN.id, "Lần này được.");
    expect(fake.of("sendMessage")).toHaveLength(3);

    fake.clear();
    fake.failNext("sendMessage", { status: 500 }, { status: 500 }, { status: 500 });
    const error = await failure(client({ maxRetries: 2 }).sendMessage(LAN.id, "Không gửi được."));
    expect(fake.of("sendMessage")).toHaveLength(3);
    expect(error.message).toContain("Zalo sendMessage failed with 500");
    expect(error.code).toBe(500);
  });

  it("does not repeat a typing action, nor a 4xx", async () => {
    fake.clear();
    fake.failNext("sendChatAction", { status: 429 });
    await failure(client().sendChatAction(LAN.id));
    fake.failNext("sendMessage", {
      status: 400,
      body: { ok: false, error_code: 400, description: "chat not found" },
    });
    const error = await failure(client().sendMessage("unknown-chat", "Xin chào"));
    expect(error.message).toBe("Zalo sendMessage failed with 400: chat not found");
    expect(fake.calls.map((c) => c.method)).toEqual(["sendChatAction", "sendMessage"]);
  });

  it("gives up on a request that gets no reply within the timeout", async () => {
    fake.failNext("getMe", { status: 200, delayMs: 1_500, body: { ok: true, result: { id: "1" } } });
    const started = Date.now();
    const error = await failure(client({ timeoutMs: 200 }).getMe());
    expect(error.kind).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(1_400);
  });

  it("getUpdates: one event as a single object, several as an array, 408 as nothing", async () => {
    const c = client();
    const question = textEvent("muc tieu tang truong kinh te");
    fake.push(question);
    expect(await c.getUpdates(1)).toEqual([question]);
    const two = [textEvent("Ba đột phá chiến lược là gì?", { from: MINH }), imageEvent()];
    fake.push(two);
    expect(await c.getUpdates(1)).toEqual(two);
    // Nothing queued: the fake long-polls briefly, then answers HTTP 408 "Request timeout".
    expect(await c.getUpdates(1)).toEqual([]);
    // Some servers say 408 in the body of a 200.
    fake.failNext("getUpdates", {
      status: 200,
      body: { ok: false, error_code: 408, description: "Request timeout" },
    });
    expect(await c.getUpdates(1)).toEqual([]);
    expect(fake.of("getUpdates").at(-1)?.body).toEqual({ timeout: "1" });
  });

  it("getUpdates skips an event of unknown shape and keeps the others", async () => {
    const logs = logSink();
    const good = textEvent("Ai là Bí thư Thành ủy Hà Nội?");
    fake.push([{ message: { text: "no event name" } }, good]);
    expect(await client({ logger: createLogger("info", logs.stream) }).getUpdates(1)).toEqual([good]);
    expect(logs.lines.map((l) => l.msg)).toContain("Zalo getUpdates: skipped an event of unknown shape");
  });

  it("refuses an empty or over-long message before sending it", async () => {
    fake.clear();
    await expect(client().sendMessage(LAN.id, "")).rejects.toThrow(RangeError);
    await expect(client().sendMessage(LAN.id, "a".repeat(2_001))).rejects.toThrow(RangeError);
    expect(fake.calls).toEqual([]);
  });

  it("never puts the token in an error message, even when the server echoes it", async () => {
    fake.failNext("getMe", {
      status: 401,
      body: { ok: false, error_code: 401, description: `Unauthorized: bot${ZALO_TOKEN} is not a valid bot` },
    });
    const refused = await failure(client().getMe());
    expect(refused.message).toContain("401");
    expect(refused.message).not.toContain(ZALO_TOKEN);

    const unreachable = await failure(
      createZaloClient({ token: ZALO_TOKEN, apiRoot: "http://127.0.0.1:9", timeoutMs: 2_000 }).getMe(),
    );
    expect(unreachable.kind).toBe("network");
    expect(`${unreachable.message} ${unreachable.stack}`).not.toContain(ZALO_TOKEN);
  });
});

describe("Zalo webhook payloads", () => {
  it("accepts a flat event, one wrapped in {ok, result}, and an unsupported event without a message", () => {
    const event = textEvent("muc tieu tang truong kinh te");
    expect(webhookPayloadSchema.parse(event)).toEqual([event]);
    expect(webhookPayloadSchema.parse({ ok: true, result: event })).toEqual([event]);
    expect(webhookPayloadSchema.parse({ event_name: "message.unsupported.received" })).toEqual([
      { event_name: "message.unsupported.received" },
    ]);
  });

  it("rejects what is not an event", () => {
    for (const body of [
      {},
      { message: { text: "hi" } },
      { event_name: "message.text.received", message: { text: "no ids" } },
      { ok: true, result: { text: "hi" } },
      [],
    ]) {
      expect(webhookPayloadSchema.safeParse(body).success, JSON.stringify(body)).toBe(false);
    }
  });
});

describe("Zalo configuration", () => {
  const URL = "https://sotay.example.org/zalo/webhook";
  const SECRET = "zalo-wh-secret-7c1e9a";

  it("reads the Zalo variables, with Zalo's API as the default root", () => {
    expect(
      loadConfig({
        ZALO_BOT_TOKEN: ` ${ZALO_TOKEN}\n`,
        ZALO_WEBHOOK_URL: URL,
        ZALO_WEBHOOK_SECRET: SECRET,
        ZALO_API_ROOT: "http://127.0.0.1:8082/",
      }),
    ).toMatchObject({
      ZALO_BOT_TOKEN: ZALO_TOKEN,
      ZALO_WEBHOOK_URL: URL,
      ZALO_WEBHOOK_SECRET: SECRET,
      ZALO_API_ROOT: "http://127.0.0.1:8082",
    });
    const defaults = loadConfig({});
    expect(defaults.ZALO_API_ROOT).toBe("https://bot-api.zaloplatforms.com");
    expect(defaults.ZALO_BOT_TOKEN).toBeUndefined();
  });

  it.each([
    [{ ZALO_BOT_TOKEN: "short" }, "ZALO_BOT_TOKEN"],
    [{ ZALO_BOT_TOKEN: "3141592653:abc/../../getMe?x" }, "ZALO_BOT_TOKEN"],
    [{ ZALO_WEBHOOK_URL: URL, ZALO_WEBHOOK_SECRET: SECRET }, "ZALO_BOT_TOKEN"],
    [{ ZALO_BOT_TOKEN: ZALO_TOKEN, ZALO_WEBHOOK_URL: URL }, "ZALO_WEBHOOK_SECRET"],
    [{ ZALO_WEBHOOK_SECRET: "1234567" }, "ZALO_WEBHOOK_SECRET"],
    [{ ZALO_WEBHOOK_SECRET: "has a space in it" }, "ZALO_WEBHOOK_SECRET"],
    [{ ZALO_WEBHOOK_SECRET: "x".repeat(257) }, "ZALO_WEBHOOK_SECRET"],
    [
      { ZALO_BOT_TOKEN: ZALO_TOKEN, ZALO_WEBHOOK_URL: "https://x.org", ZALO_WEBHOOK_SECRET: SECRET },
      "ZALO_WEBHOOK_URL",
    ],
    [
      { ZALO_BOT_TOKEN: ZALO_TOKEN, ZALO_WEBHOOK_URL: "https://x.org/api/zalo", ZALO_WEBHOOK_SECRET: SECRET },
      "ZALO_WEBHOOK_URL",
    ],
    [
      {
        ZALO_BOT_TOKEN: ZALO_TOKEN,
        ZALO_WEBHOOK_URL: "https://x.org/hooks/bot",
        ZALO_WEBHOOK_SECRET: SECRET,
        TELEGRAM_BOT_TOKEN: "7012345678:AAH-test-token-for-unit-tests-only_x",
        TELEGRAM_WEBHOOK_URL: "https://x.org/hooks/bot/",
        TELEGRAM_WEBHOOK_SECRET: "telegram-secret-0123456789",
      },
      "ZALO_WEBHOOK_URL",
    ],
    [{ ZALO_WEBHOOK_URL: "ftp://x.org/zalo" }, "ZALO_WEBHOOK_URL"],
    [{ ZALO_API_ROOT: "not a url" }, "ZALO_API_ROOT"],
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
});
