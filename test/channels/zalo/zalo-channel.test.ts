import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type App, createApp } from "../../../src/app.ts";
import { EXAMPLE_QUESTIONS, TEXT } from "../../../src/channels/zalo/texts.ts";
import type { ZaloChannelDeps, ZaloOptions } from "../../../src/channels/zalo/types.ts";
import { createZaloChannel, type ZaloChannel } from "../../../src/channels/zalo/zalo-channel.ts";
import { loadConfig } from "../../../src/config.ts";
import type { Answer, AnswerRequest } from "../../../src/contract/answer.ts";
import { createLogger } from "../../../src/logger.ts";
import { createServer } from "../../../src/server/create-server.ts";
import { createAnswerStore } from "../../../src/store/answer-store.ts";
import { createDeliveryStore } from "../../../src/store/delivery-store.ts";
import { seeded } from "../../helpers/pglite-folder.ts";
import { logSink } from "../../helpers/telegram.ts";
import {
  type FakeZalo,
  HUNG,
  imageEvent,
  LAN,
  MINH,
  startFakeZalo,
  stickerEvent,
  textEvent,
  ZALO_TOKEN,
} from "../../helpers/zalo.ts";

const TITLE = "Hà Nội tiên phong đưa Nghị quyết XIV của Đảng vào cuộc sống";
const ARTICLE =
  "https://kinhtedothi.vn/ha-noi-tien-phong-dua-nghi-quyet-xiv-cua-dang-vao-cuoc-song.984469.html";
const SECRET = "zalo-wh-secret-3f8a2c91d7e4b605";
const WEBHOOK_URL = "https://sotay.example.org/zalo/webhook";

let app: App;
let fake: FakeZalo;
/** Every channel of this file logs here: the last test checks no secret reached it. */
const logs = logSink();

beforeAll(async () => {
  [app, fake] = await Promise.all([
    createApp(loadConfig({ DATA_DIR: "memory://" }), createLogger("silent"), seeded()),
    startFakeZalo(),
  ]);
});
afterAll(async () => {
  await fake?.close();
  await app?.close();
});

/** A channel on the shared app and the fake Zalo server, with short waits. */
function channel(
  overrides: Partial<Omit<ZaloChannelDeps, "options">> & { options?: Partial<ZaloOptions> } = {},
  webhook?: { url: string; secret: string },
): ZaloChannel {
  const { options, ...rest } = overrides;
  return createZaloChannel(
    {
      token: ZALO_TOKEN,
      answerer: app.answerer,
      store: app.store,
      conversations: app.conversations,
      answers: createAnswerStore(app.store.db),
      deliveries: createDeliveryStore(app.store.db),
      logger: createLogger("debug", logs.stream),
      ...rest,
      options: {
        apiRoot: fake.apiRoot,
        logQuestions: true,
        rateLimit: { limit: 1000, timeFrameMs: 60_000 },
        pollTimeoutSeconds: 1,
        pollRetryMs: 20,
        client: { backoffMs: 5, timeoutMs: 5_000 },
        ...options,
      },
    },
    webhook,
  );
}

/** Hands events to a channel the way the webhook and the poller do, and waits until they are handled. */
const deliver = (c: ZaloChannel, ...events: object[]) =>
  Promise.all(events.map((e) => c.bot.dispatch(e as Parameters<ZaloChannel["bot"]["dispatch"]>[0])));

/** The texts sent to one chat since `from` (an index into the fake's sendMessage calls). */
const sentSince = (from: number, chatId: string) =>
  fake
    .of("sendMessage")
    .slice(from)
    .filter((c) => c.body.chat_id === chatId)
    .map((c) => String(c.body.text));

describe("Zalo webhook mode (real HTTP)", () => {
  let zalo: ZaloChannel;
  let replica: ZaloChannel;
  let http: ReturnType<typeof serve>;
  let server: ReturnType<typeof createServer>;
  let base: string;

  beforeAll(async () => {
    zalo = channel({}, { url: WEBHOOK_URL, secret: SECRET });
    server = createServer({
      answerer: app.answerer,
      store: app.store,
      logger: createLogger("silent"),
      options: { logQuestions: true, maxBodyBytes: 16_384 },
    });
    zalo.mount(server);
    http = serve({ fetch: server.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise<void>((resolve) => http.once("listening", resolve));
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    fake.clear();
    expect(await zalo.start()).toBe(true);
    // A second replica of the service: same database, its own process state.
    replica = channel({}, { url: WEBHOOK_URL, secret: SECRET });
  });
  afterAll(async () => {
    await zalo?.stop();
    await new Promise((resolve) => http.close(resolve));
  });

  /** `secret: null` sends no secret header at all. */
  const post = (body: string, secret: string | null = SECRET) =>
    fetch(`${base}/zalo/webhook`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(secret !== null ? { "x-bot-api-secret-token": secret } : {}),
      },
      body,
    });

  it("registers the webhook URL and its secret with setWebhook at start, and does not poll", () => {
    expect(fake.of("getMe")).toHaveLength(1);
    expect(fake.of("setWebhook").map((c) => c.body)).toEqual([{ url: WEBHOOK_URL, secret_token: SECRET }]);
    expect(fake.of("getUpdates")).toEqual([]);
  });

  it("answers a question with the right secret: typing, then the answer with 11% and its source", async () => {
    const from = fake.of("sendMessage").length;
    const res = await post(JSON.stringify(textEvent("muc tieu tang truong kinh te")));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    await vi.waitFor(() => expect(sentSince(from, LAN.id)).toHaveLength(1), { timeout: 10_000 });
    const [reply = ""] = sentSince(from, LAN.id);
    expect(reply).toContain("11%");
    expect(reply).toMatch(/\[1\]/);
    expect(reply).toContain(`\n\nNguồn:\n[1] ${TITLE} › `);
    expect(reply).toContain(`\n${ARTICLE}`);
    expect(reply.length).toBeLessThanOrEqual(2_000);
    const typing = fake.of("sendChatAction").find((c) => c.body.chat_id === LAN.id);
    expect(typing?.body).toEqual({ chat_id: LAN.id, action: "typing" });
    const methods = fake.calls.map((c) => c.method);
    expect(methods.indexOf("sendChatAction")).toBeLessThan(methods.lastIndexOf("sendMessage"));
  });

  it("accepts an event wrapped in {ok, result}, as some of Zalo's documentation shows it", async () => {
    const from = fake.of("sendMessage").length;
    const res = await post(
      JSON.stringify({ ok: true, result: textEvent("Ba đột phá chiến lược là gì?", { from: MINH }) }),
    );
    expect(res.status).toBe(200);
    await vi.waitFor(() => expect(sentSince(from, MINH.id)).toHaveLength(1), { timeout: 10_000 });
    expect(sentSince(from, MINH.id)[0]).toContain("thể chế, quy hoạch, mô hình phát triển mới");
  });

  it("refuses a wrong or missing secret with 401 and processes nothing, not even the message id", async () => {
    fake.clear();
    const event = textEvent("Chương trình hành động có bao nhiêu chỉ tiêu chủ yếu?", { from: HUNG });
    const wrong = await post(JSON.stringify(event), `${SECRET}x`);
    const missing = await post(JSON.stringify(event), null);
    expect([wrong.status, missing.status]).toEqual([401, 401]);
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.calls).toEqual([]);
    // The same message with the right secret is still answered: the refused ones left no trace.
    expect((await post(JSON.stringify(event))).status).toBe(200);
    await vi.waitFor(() => expect(fake.texts(HUNG.id)).toHaveLength(1), { timeout: 10_000 });
    expect(fake.texts(HUNG.id)[0]).toContain("43 chỉ tiêu");
  });

  it("answers 400 to malformed JSON or a body that is not an event, and sends nothing", async () => {
    fake.clear();
    expect((await post("{not json")).status).toBe(400);
    expect((await post(JSON.stringify({ message: { text: "xin chào" } }))).status).toBe(400);
    expect(
      (await post(JSON.stringify({ event_name: "message.text.received", message: { text: "no ids" } })))
        .status,
    ).toBe(400);
    // In process: the 413 is sent before the body is read, which a keep-alive client would trip on.
    const huge = await server.request("/zalo/webhook", {
      method: "POST",
      headers: { "content-type": "application/json", "x-bot-api-secret-token": SECRET },
      body: JSON.stringify({ ...textEvent("x"), padding: "x".repeat(300_000) }),
    });
    expect(huge.status).toBe(413);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.calls).toEqual([]);
  });

  it("answers a repeated delivery (same message_id) once, even when it reaches two replicas at the same time", async () => {
    fake.clear();
    const event = textEvent("Ai là Bí thư Thành ủy Hà Nội?", { from: MINH });
    const body = JSON.stringify(event);
    const statuses = await Promise.all([post(body), post(body), deliver(replica, event).then(() => 200)]);
    expect(statuses.map((s) => (typeof s === "number" ? s : s.status))).toEqual([200, 200, 200]);
    await vi.waitFor(() => expect(fake.texts(MINH.id)).toHaveLength(1), { timeout: 10_000 });
    // Zalo tries again later: still nothing new.
    expect((await post(body)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.texts(MINH.id)).toHaveLength(1);
    expect(fake.texts(MINH.id)[0]).toContain("Nguyễn Duy Ngọc");
  });

  it("replies to an image or a sticker that only text messages are supported", async () => {
    fake.clear();
    expect((await post(JSON.stringify(imageEvent({ from: HUNG })))).status).toBe(200);
    expect((await post(JSON.stringify(stickerEvent({ from: HUNG })))).status).toBe(200);
    await vi.waitFor(() => expect(fake.texts(HUNG.id)).toHaveLength(2), { timeout: 10_000 });
    for (const text of fake.texts(HUNG.id)) expect(text).toContain("chỉ hỗ trợ tin nhắn văn bản");
  });

  it("acknowledges an event without a message (message.unsupported.received) and says nothing", async () => {
    fake.clear();
    expect((await post(JSON.stringify({ event_name: "message.unsupported.received" }))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.of("sendMessage")).toEqual([]);
  });
});

describe("Zalo webhook acknowledges before answering", () => {
  it("returns 200 while the answer is still being computed, then sends it", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = {
      answer: async (request: AnswerRequest): Promise<Answer> => {
        await gate;
        return app.answerer.answer(request);
      },
    };
    const zalo = channel(
      { answerer: slow },
      { url: "https://sotay.example.org/hooks/zalo-slow", secret: SECRET },
    );
    const server = createServer({
      answerer: app.answerer,
      store: app.store,
      logger: createLogger("silent"),
      options: { logQuestions: true, maxBodyBytes: 16_384 },
    });
    zalo.mount(server);
    const from = fake.of("sendMessage").length;
    const res = await server.request("/hooks/zalo-slow", {
      method: "POST",
      headers: { "content-type": "application/json", "x-bot-api-secret-token": SECRET },
      body: JSON.stringify(textEvent("Ba đột phá chiến lược là gì?", { from: HUNG })),
    });
    expect(res.status).toBe(200);
    expect(sentSince(from, HUNG.id)).toEqual([]);
    release();
    await vi.waitFor(() => expect(sentSince(from, HUNG.id)).toHaveLength(1), { timeout: 10_000 });
    expect(sentSince(from, HUNG.id)[0]).toContain("thể chế");
    await zalo.stop();
  });
});

describe("Zalo long polling", () => {
  it("removes a leftover webhook, polls, answers a single-object update, rides over 408s, and stops", async () => {
    fake.clear();
    fake.webhookUrl = "https://old-deployment.example.org/zalo";
    const zalo = channel();
    expect(zalo.mode).toBe("long polling");
    expect(await zalo.start()).toBe(true);
    expect(fake.of("getWebhookInfo")).toHaveLength(1);
    expect(fake.of("deleteWebhook")).toHaveLength(1);
    expect(fake.webhookUrl).toBe("");

    // No event for a while: the fake ends each poll with 408, and the channel polls again.
    await vi.waitFor(() => expect(fake.of("getUpdates").length).toBeGreaterThanOrEqual(2), {
      timeout: 10_000,
    });
    expect(fake.of("getUpdates")[0]?.body).toEqual({ timeout: "1" });
    fake.push(textEvent("muc tieu tang truong kinh te", { from: MINH }));
    await vi.waitFor(() => expect(fake.texts(MINH.id)).toHaveLength(1), { timeout: 10_000 });
    expect(fake.texts(MINH.id)[0]).toContain("11%");
    expect(fake.texts(MINH.id)[0]).toContain("Nguồn:");

    // getUpdates answering an array: both events are answered.
    fake.push([
      textEvent("Ba đột phá chiến lược là gì?", { from: HUNG }),
      textEvent("Ai là Bí thư Thành ủy Hà Nội?", { from: LAN }),
    ]);
    await vi.waitFor(() => expect(fake.texts(HUNG.id).length + fake.texts(LAN.id).length).toBe(2), {
      timeout: 10_000,
    });

    await zalo.stop();
    const polls = fake.of("getUpdates").length;
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.of("getUpdates").length).toBe(polls);
    const failures = logs.lines.filter((l) => String(l.msg).startsWith("Zalo getUpdates failed"));
    expect(failures).toEqual([]);
  });

  it("keeps polling after the API fails, and retries a sendMessage answered 429 then 200", async () => {
    fake.clear();
    const zalo = channel();
    fake.failNext("getUpdates", { status: 502, body: "<html>502 Bad Gateway</html>" });
    fake.failNext("sendMessage", {
      status: 429,
      body: { ok: false, error_code: 429, description: "Too Many Requests", parameters: { retry_after: 0 } },
    });
    expect(await zalo.start()).toBe(true);
    fake.push(textEvent("Chương trình hành động có bao nhiêu chỉ tiêu chủ yếu?", { from: LAN }));
    await vi.waitFor(() => expect(fake.of("sendMessage")).toHaveLength(2), { timeout: 10_000 });
    const [refused, retried] = fake.of("sendMessage");
    expect(refused?.body).toEqual(retried?.body);
    expect(retried?.body.text).toContain("43 chỉ tiêu");
    expect(logs.lines.some((l) => String(l.msg).startsWith("Zalo getUpdates failed"))).toBe(true);
    await zalo.stop();
  });

  it("stays off, says why in the log, and throws nothing when the token is refused", async () => {
    const zalo = channel({ token: "3141592653589793238:SomeoneElsesTokenXYZ" });
    expect(await zalo.start()).toBe(false);
    expect(logs.lines.some((l) => String(l.msg).startsWith("Zalo is off: getMe failed"))).toBe(true);
    await zalo.stop();
  });
});

describe("Zalo conversations and commands", () => {
  let zalo: ZaloChannel;
  beforeAll(() => {
    zalo = channel();
  });

  it("/nguon 1 after an answer shows the cited passage, read from the database (a restart or another replica)", async () => {
    const from = fake.of("sendMessage").length;
    await deliver(zalo, textEvent("Hà Nội đặt mục tiêu tăng trưởng kinh tế bao nhiêu?", { from: HUNG }));
    const [answer = ""] = sentSince(from, HUNG.id);
    expect(answer).toContain("11%");
    const [turn] = await app.conversations.recent(`zalo:${HUNG.id}`, 1);
    const first = turn?.answer.citations.find((c) => c.n === 1);
    expect(first?.quote).toBeTruthy();
    const passage = await app.store.getPassage(first?.chunkId ?? "");

    const restarted = channel();
    await deliver(restarted, textEvent("/nguon 1", { from: HUNG }));
    await deliver(restarted, textEvent("/nguồn", { from: HUNG }));
    await deliver(restarted, textEvent("/nguon 9", { from: HUNG }));
    const [shown = "", list = "", outOfRange = ""] = sentSince(from + 1, HUNG.id);
    expect(shown.startsWith(`[1] ${TITLE}\n`)).toBe(true);
    expect(shown).toContain(`Câu được trích: “${first?.quote}”`);
    expect(shown).toContain(`Đoạn gốc:\n${passage?.passage.text.trim().slice(0, 200)}`);
    expect(shown).toContain(`Đọc bài gốc: ${ARTICLE}`);
    expect(list).toContain("Câu hỏi: Hà Nội đặt mục tiêu tăng trưởng kinh tế bao nhiêu?");
    expect(list).toContain(`“${first?.quote}”`);
    expect(outOfRange).toBe(TEXT.sourceOutOfRange(turn?.answer.citations.length ?? 0));
    // The answer shown is also kept with the other channels' answers, the member's id as a keyed hash.
    const [row] = await app.store.db.query<{ channel: string }>(
      "SELECT channel FROM answers WHERE user_id = $1 AND question = $2",
      [
        await createAnswerStore(app.store.db).userKey(HUNG.id),
        "Hà Nội đặt mục tiêu tăng trưởng kinh tế bao nhiêu?",
      ],
    );
    expect(row?.channel).toBe("zalo");
  });

  it("reads a follow-up against the conversation; /moi forgets it", async () => {
    const from = fake.of("sendMessage").length;
    await deliver(zalo, textEvent("Hà Nội phấn đấu tăng trưởng kinh tế bao nhiêu?", { from: MINH }));
    await deliver(zalo, textEvent("trong nhiệm kỳ nào?", { from: MINH }));
    await deliver(zalo, textEvent("/moi", { from: MINH }));
    await deliver(zalo, textEvent("/nguon 1", { from: MINH }));
    const [, followUp = "", fresh, noLast] = sentSince(from, MINH.id);
    expect(followUp.startsWith("(Câu hỏi được hiểu là:")).toBe(true);
    expect(followUp).toContain("2026-2031");
    expect(fresh).toBe(TEXT.newConversation);
    expect(noLast).toBe(TEXT.noLastAnswer);
  });

  it("welcomes a greeting or an empty message with example questions; /help, /tailieu and unknown commands", async () => {
    const from = fake.of("sendMessage").length;
    for (const text of ["Xin chào!", "chao ban", "   ", "👋", "/help", "/tailieu", "/khongco"]) {
      await deliver(zalo, textEvent(text, { from: LAN }));
    }
    const [hello, hello2, empty, wave, help = "", documents = "", unknown] = sentSince(from, LAN.id);
    for (const welcome of [hello, hello2, empty, wave]) {
      expect(welcome).toBe(TEXT.welcome);
      for (const q of EXAMPLE_QUESTIONS) expect(welcome).toContain(q);
    }
    for (const command of ["/nguon", "/tailieu", "/moi", "/help"]) expect(help).toContain(command);
    expect(documents).toContain(`Tài liệu trong kho (1):\n\n1. ${TITLE}\nKinh tế & Đô thị`);
    expect(documents).toContain(ARTICLE);
    expect(unknown).toBe(TEXT.unknownCommand);
  });

  it("sends a 3,000-character answer as two messages of at most 2,000 characters, cut between sentences", async () => {
    const sentences = Array.from(
      { length: 32 },
      (_, i) =>
        `Ý ${i + 1}: Thành phố tiếp tục hoàn thiện thể chế, quy hoạch và mô hình phát triển mới của Thủ đô [1].`,
    );
    const long = sentences.join(" ");
    expect(long.length).toBeGreaterThan(2_900);
    const fakeAnswerer = {
      answer: async (request: AnswerRequest): Promise<Answer> => ({
        id: request.id,
        question: request.question,
        answer: long,
        found: true,
        mode: "extractive",
        citations: [
          {
            n: 1,
            document: TITLE,
            section: "Xác lập định hướng chiến lược",
            url: ARTICLE,
            quote: "Thành phố tiếp tục hoàn thiện thể chế.",
            chunkId: "0123456789abcdef0123",
          },
        ],
        ms: 1,
      }),
    };
    const from = fake.of("sendMessage").length;
    await deliver(
      channel({ answerer: fakeAnswerer }),
      textEvent("Hà Nội sẽ làm gì trong nhiệm kỳ tới?", { from: LAN }),
    );
    const sent = sentSince(from, LAN.id);
    expect(sent.join("\n\n").length).toBeGreaterThan(3_000);
    expect(sent).toHaveLength(2);
    for (const text of sent) {
      expect(text.length).toBeLessThanOrEqual(2_000);
      expect(text.trim().length).toBeGreaterThan(0);
    }
    expect(sent[0]).toMatch(/\[1\]\.$/);
    expect(sent[1]).toMatch(/^Ý \d+:/);
    expect(sent[1]).toContain(`Nguồn:\n[1] ${TITLE} › Xác lập định hướng chiến lược\n${ARTICLE}`);
    expect(sent.join(" ")).toContain(sentences.at(-1));
  });

  it("an error inside the answerer: apology to the user, cause in the log, next message answered", async () => {
    let calls = 0;
    const flaky = {
      answer: (request: AnswerRequest): Promise<Answer> => {
        calls++;
        if (calls === 1) return Promise.reject(new Error("connection to the store lost"));
        return app.answerer.answer(request);
      },
    };
    const broken = channel({ answerer: flaky });
    const from = fake.of("sendMessage").length;
    const failing = textEvent("Ba đột phá chiến lược là gì?", { from: MINH });
    await deliver(broken, failing);
    await deliver(broken, textEvent("Ba đột phá chiến lược là gì?", { from: MINH }));
    const [apology, answer] = sentSince(from, MINH.id);
    expect(apology).toBe(TEXT.apology);
    expect(answer).toContain("thể chế");
    const line = logs.lines.find((l) => l.msg === "zalo message failed");
    expect(line?.messageId).toBe(failing.message.message_id);
    expect(JSON.stringify(line?.err)).toContain("connection to the store lost");
  });

  it("a failing typing action is not fatal", async () => {
    const from = fake.of("sendMessage").length;
    fake.failNext("sendChatAction", { status: 500 });
    await deliver(zalo, textEvent("Chương trình hành động có bao nhiêu chỉ tiêu chủ yếu?", { from: HUNG }));
    expect(sentSince(from, HUNG.id)[0]).toContain("43 chỉ tiêu");
  });

  it("past the per-user limit, says once to slow down and answers nothing more; others are still answered", async () => {
    const limited = channel({ options: { rateLimit: { limit: 2, timeFrameMs: 60_000 } } });
    const from = fake.of("sendMessage").length;
    for (let i = 0; i < 4; i++)
      await deliver(limited, textEvent("Ba đột phá chiến lược là gì?", { from: LAN }));
    await deliver(limited, textEvent("Ba đột phá chiến lược là gì?", { from: HUNG }));
    expect(sentSince(from, LAN.id).map((t) => t === TEXT.rateLimited)).toEqual([false, false, true]);
    expect(sentSince(from, HUNG.id)).toHaveLength(1);
  });

  it("handles the messages of one chat in order, even when the first takes longer", async () => {
    const slowFirst = {
      answer: async (request: AnswerRequest): Promise<Answer> => {
        if (request.question.startsWith("Ba đột phá")) await new Promise((r) => setTimeout(r, 300));
        return app.answerer.answer(request);
      },
    };
    const ordered = channel({ answerer: slowFirst });
    const from = fake.of("sendMessage").length;
    await deliver(
      ordered,
      textEvent("Ba đột phá chiến lược là gì?", { from: LAN }),
      textEvent("Chương trình hành động có bao nhiêu chỉ tiêu chủ yếu?", { from: LAN }),
    );
    const [first, second] = sentSince(from, LAN.id);
    expect(first).toContain("thể chế");
    expect(second).toContain("43 chỉ tiêu");
  });
});

describe("Zalo under load: a bounded queue, a few answered at once", () => {
  /** An answerer that holds every question until `open()`, counting how many it holds at once. */
  function heldAnswerer() {
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const state = { inside: 0, mostAtOnce: 0, calls: 0 };
    return {
      state,
      open: () => open(),
      answerer: {
        answer: async (request: AnswerRequest): Promise<Answer> => {
          state.calls++;
          state.inside++;
          state.mostAtOnce = Math.max(state.mostAtOnce, state.inside);
          try {
            await gate;
            return await app.answerer.answer(request);
          } finally {
            state.inside--;
          }
        },
      },
    };
  }

  const user = (n: number) => ({ id: `loaduser${String(n).padStart(11, "0")}`, display_name: `Người ${n}` });

  it("answers at most `concurrency` messages at once; the others wait their turn and are all answered", async () => {
    const held = heldAnswerer();
    const zalo = channel({ answerer: held.answerer, options: { concurrency: 2 } });
    const users = Array.from({ length: 6 }, (_, i) => user(100 + i));
    const done = deliver(zalo, ...users.map((from) => textEvent("Ba đột phá chiến lược là gì?", { from })));
    await vi.waitFor(() => expect(held.state.calls).toBe(2));
    await new Promise((r) => setTimeout(r, 100));
    expect(held.state.calls).toBe(2);
    expect(zalo.bot.pending).toBe(6);
    held.open();
    await done;
    expect(held.state.mostAtOnce).toBe(2);
    for (const from of users) expect(fake.texts(from.id)[0]).toContain("thể chế");
    expect(zalo.bot.pending).toBe(0);
  });

  it("past maxPending the webhook answers 503 and takes nothing: the same event delivered again later is answered", async () => {
    const held = heldAnswerer();
    const zalo = channel(
      { answerer: held.answerer, options: { concurrency: 1, maxPending: 2 } },
      { url: "https://sotay.example.org/hooks/zalo-busy", secret: SECRET },
    );
    const server = createServer({
      answerer: app.answerer,
      store: app.store,
      logger: createLogger("silent"),
      options: { logQuestions: true, maxBodyBytes: 16_384 },
    });
    zalo.mount(server);
    const post = (event: object) =>
      server.request("/hooks/zalo-busy", {
        method: "POST",
        headers: { "content-type": "application/json", "x-bot-api-secret-token": SECRET },
        body: JSON.stringify(event),
      });
    const [first, second, third] = [user(200), user(201), user(202)].map((from) =>
      textEvent("Chương trình hành động có bao nhiêu chỉ tiêu chủ yếu?", { from }),
    );
    expect((await post(first as object)).status).toBe(200);
    expect((await post(second as object)).status).toBe(200);
    const busy = await post(third as object);
    expect(busy.status).toBe(503);
    expect(busy.headers.get("retry-after")).toBe("5");
    expect(zalo.bot.pending).toBe(2);
    expect(logs.lines.some((l) => String(l.msg).startsWith("zalo webhook: too many messages waiting"))).toBe(
      true,
    );
    held.open();
    await zalo.bot.drain(10_000);
    // Zalo delivers the refused event again: it was never claimed, so it is answered now.
    expect((await post(third as object)).status).toBe(200);
    await zalo.bot.drain(10_000);
    for (const event of [first, second, third])
      expect(fake.texts(event?.message.from.id)).toEqual([expect.stringContaining("43 chỉ tiêu")]);
    await zalo.stop();
  });

  it("long polling with a full queue asks Zalo for nothing more until there is room", async () => {
    fake.clear();
    const held = heldAnswerer();
    const zalo = channel({ answerer: held.answerer, options: { concurrency: 1, maxPending: 1 } });
    const from = user(300);
    fake.push(textEvent("Ai là Bí thư Thành ủy Hà Nội?", { from }));
    expect(await zalo.start()).toBe(true);
    await vi.waitFor(() => expect(held.state.calls).toBe(1), { timeout: 5_000 });
    const polls = fake.of("getUpdates").length;
    await new Promise((r) => setTimeout(r, 1_200));
    expect(fake.of("getUpdates").length).toBe(polls);
    held.open();
    await vi.waitFor(() => expect(fake.texts(from.id)).toHaveLength(1), { timeout: 10_000 });
    await vi.waitFor(() => expect(fake.of("getUpdates").length).toBeGreaterThan(polls), { timeout: 5_000 });
    await zalo.stop();
  });
});

describe("Zalo secrets", () => {
  it("never writes the bot token or the webhook secret to the log", () => {
    const log = JSON.stringify(logs.lines);
    expect(log).toContain("zalo answer");
    expect(log).toContain("webhook");
    expect(log).not.toContain(ZALO_TOKEN);
    expect(log).not.toContain(SECRET);
    expect(log).not.toContain("SomeoneElsesTokenXYZ");
  });
});

describe("Zalo groups", () => {
  const GROUP = { id: "9f8e7d6c5b4a39281706" };
  const BOT = {
    id: "b0b1b2b3b4b5b6b7b8b9",
    account_name: "sotaynghiquyet",
    display_name: "Sổ tay Nghị quyết",
  };

  it("answers in a group only what mentions the bot, replies to it or is a command; chatter costs nothing", async () => {
    const zalo = channel({ options: { botInfo: BOT, rateLimit: { limit: 3, timeFrameMs: 60_000 } } });
    const from = fake.of("sendMessage").length;
    const chatter = [
      textEvent("Ba đột phá chiến lược là gì?", { from: MINH, group: GROUP }),
      textEvent("Tối nay họp chi bộ lúc 7 giờ nhé", { from: MINH, group: GROUP }),
      textEvent("Gửi cho anh @sotaynghiquyetxyz nhé", { from: MINH, group: GROUP }), // another account
      imageEvent({ from: MINH, group: GROUP }),
    ];
    await deliver(zalo, ...chatter);
    expect(sentSince(from, GROUP.id)).toEqual([]);

    await deliver(
      zalo,
      textEvent("@Sổ tay Nghị quyết Ba đột phá chiến lược là gì?", { from: MINH, group: GROUP }),
    );
    const [answer] = sentSince(from, GROUP.id);
    expect(answer).toContain("thể chế");
    const n = sentSince(from, GROUP.id).length;
    await deliver(
      zalo,
      textEvent("hoi @so tay nghi quyet: ai la bi thu thanh uy ha noi?", { from: MINH, group: GROUP }),
    );
    expect(sentSince(from, GROUP.id)[n]).toContain("Nguyễn Duy Ngọc");
    const reply = textEvent("còn trong nhiệm kỳ nào?", { from: MINH, group: GROUP });
    Object.assign(reply.message, {
      reply_to_message: { message_id: "1", from: { id: BOT.id, is_bot: true } },
    });
    await deliver(zalo, reply);
    expect(sentSince(from, GROUP.id)).toHaveLength(n + 2);
    // the four messages of chatter did not count: the third addressed message is still within 3
    expect(sentSince(from, GROUP.id).join("\n")).not.toContain("hơi nhanh");
  });

  it("answers every message of a group with ZALO_GROUP_REPLIES=all, and every private message as before", async () => {
    const zalo = channel({ options: { botInfo: BOT, groupReplies: "all" } });
    const from = fake.of("sendMessage").length;
    await deliver(zalo, textEvent("Ba đột phá chiến lược là gì?", { from: HUNG, group: GROUP }));
    expect(sentSince(from, GROUP.id)[0]).toContain("thể chế");
    const mention = channel({ options: { botInfo: BOT } });
    await deliver(mention, textEvent("Ba đột phá chiến lược là gì?", { from: HUNG }));
    expect(sentSince(from, HUNG.id)[0]).toContain("thể chế");
  });
});
