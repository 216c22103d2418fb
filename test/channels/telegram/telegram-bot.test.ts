import { cp, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runIngest } from "../../../ingest/run-ingest.ts";
import { type App, createApp } from "../../../src/app.ts";
import { createTelegramBot } from "../../../src/channels/telegram/create-bot.ts";
import { escapeHtml, TELEGRAM_MAX_CHARS } from "../../../src/channels/telegram/format.ts";
import { EXAMPLE_QUESTIONS, TEXT } from "../../../src/channels/telegram/texts.ts";
import type { TelegramBotDeps, TelegramBotOptions } from "../../../src/channels/telegram/types.ts";
import { loadConfig } from "../../../src/config.ts";
import type { Answer, AnswerRequest } from "../../../src/contract/answer.ts";
import { createLogger } from "../../../src/logger.ts";
import { type AnswerStore, createAnswerStore } from "../../../src/store/answer-store.ts";
import { seeded } from "../../helpers/pglite-folder.ts";
import {
  ADMIN,
  BOT_INFO,
  BOT_TOKEN,
  buttons,
  buttonTap,
  captureApi,
  documentMessage,
  GROUP,
  groupText,
  inlineQuery,
  LAN,
  logSink,
  MINH,
  privateText,
  stickerMessage,
  telegramHtmlProblems,
} from "../../helpers/telegram.ts";

const TITLE = "Hà Nội tiên phong đưa Nghị quyết XIV của Đảng vào cuộc sống";

let dir: string;
let corpusDir: string;
let app: App;
let answers: AnswerStore;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sotay-telegram-"));
  corpusDir = join(dir, "corpus");
  await cp("corpus", corpusDir, { recursive: true });
  app = await createApp(
    loadConfig({ DATA_DIR: "memory://", CORPUS_DIR: corpusDir }),
    createLogger("silent"),
    seeded(),
  );
  answers = createAnswerStore(app.store.db);
});
afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A bot on the shared app, its Bot API calls captured, its log readable. */
function harness(
  overrides: Partial<Omit<TelegramBotDeps, "options">> & { options?: Partial<TelegramBotOptions> } = {},
) {
  const logs = logSink();
  const { options, ...rest } = overrides;
  const bot = createTelegramBot({
    token: BOT_TOKEN,
    answerer: app.answerer,
    store: app.store,
    conversations: app.conversations,
    answers,
    reindex: () => runIngest({ store: app.store, corpusDir, logger: createLogger("silent") }),
    logger: createLogger("debug", logs.stream),
    ...rest,
    options: {
      corpusDir,
      adminIds: [ADMIN.id],
      botInfo: BOT_INFO,
      rateLimit: { limit: 1000, timeFrameMs: 60_000 },
      ...options,
    },
  });
  const api = captureApi(bot);
  return { bot, api, logs };
}

type Harness = ReturnType<typeof harness>;

/** The one sendMessage of a reply (fails the test if there is not exactly one). */
function onlyMessage(api: ReturnType<typeof captureApi>) {
  const sent = api.of("sendMessage");
  expect(sent).toHaveLength(1);
  // biome-ignore lint/style/noNonNullAssertion: checked just above
  return sent[0]!.payload;
}

describe("Telegram bot: questions and answers", () => {
  let h: Harness;
  beforeAll(() => {
    h = harness();
  });
  let answerMessage: { text: string; reply_markup: unknown };

  it("answers a private question typed without diacritics: typing, [n] markers, sources, buttons", async () => {
    await h.bot.handleUpdate(privateText("muc tieu tang truong kinh te"));
    expect(h.api.of("sendChatAction")[0]?.payload).toMatchObject({ chat_id: LAN.id, action: "typing" });
    const reply = onlyMessage(h.api);
    answerMessage = reply;
    expect(reply.chat_id).toBe(LAN.id);
    expect(reply.parse_mode).toBe("HTML");
    expect(reply.text).toContain("11%");
    expect(reply.text).toMatch(/\[1\]/);
    expect(reply.text).toContain("<b>Nguồn</b>");
    expect(reply.text).toContain(`[1] <a href="https://kinhtedothi.vn/`);
    expect(reply.text).toContain(`${escapeHtml(TITLE)}</a> › `);
    expect(telegramHtmlProblems(reply.text)).toEqual([]);
    const labels = buttons(reply).map((b) => b.text);
    expect(labels).toEqual(expect.arrayContaining(["Nguồn 1", "👍", "👎"]));
    for (const b of buttons(reply)) expect(Buffer.byteLength(b.callback_data ?? "")).toBeLessThanOrEqual(64);
    expect(h.logs.lines.some((l) => l.msg === "telegram answer" && l.found === true)).toBe(true);
  });

  it("a Nguồn button shows the cited passage with the quoted sentence in bold, even after a restart", async () => {
    const tap = buttons(answerMessage as never).find((b) => b.text === "Nguồn 2");
    expect(tap?.callback_data).toBeDefined();
    const answerId = String(tap?.callback_data).split(":")[1] ?? "";
    const stored = await answers.get(answerId);
    const citation = stored?.answer.citations.find((c) => c.n === 2);
    expect(citation?.quote).toContain("11%");

    // A new bot (a restart, or another replica) knows the answer from the database alone.
    const restarted = harness();
    await restarted.bot.handleUpdate(buttonTap(String(tap?.callback_data)));
    expect(restarted.api.of("answerCallbackQuery")).toHaveLength(1);
    const passage = onlyMessage(restarted.api);
    expect(passage.text).toContain(`<b>${escapeHtml(citation?.quote ?? "")}</b>`);
    expect(passage.text).toContain(`<b>[2] ${escapeHtml(TITLE)}</b>`);
    expect(passage.text).toContain("Đọc bài gốc</a>");
    expect(passage.text).toContain("Kinh tế &amp; Đô thị");
    expect(telegramHtmlProblems(passage.text)).toEqual([]);
  });

  it("records 👍/👎 once per user: a second tap changes the vote, it does not add one", async () => {
    const feedback = buttons(answerMessage as never).filter((b) => b.text === "👍" || b.text === "👎");
    const [up, down] = feedback.map((b) => String(b.callback_data));
    const answerId = String(up).split(":")[1] ?? "";
    const said = () => h.api.of("answerCallbackQuery").map((c) => c.payload.text);
    h.api.clear();

    await h.bot.handleUpdate(buttonTap(String(up)));
    await h.bot.handleUpdate(buttonTap(String(down)));
    await h.bot.handleUpdate(buttonTap(String(down)));
    expect(said()).toEqual([
      TEXT.feedbackThanks(true),
      TEXT.feedbackChanged(false),
      TEXT.feedbackSame(false),
    ]);
    const lan = await answers.userKey(String(LAN.id));
    const minh = await answers.userKey(String(MINH.id));
    expect(await answers.votes(answerId)).toEqual([{ userId: lan, vote: -1 }]);

    await h.bot.handleUpdate(buttonTap(String(up), { from: MINH }));
    const byUser = (votes: { userId: string; vote: number }[]) =>
      [...votes].sort((a, b) => a.userId.localeCompare(b.userId));
    expect(byUser(await answers.votes(answerId))).toEqual(
      byUser([
        { userId: lan, vote: -1 },
        { userId: minh, vote: 1 },
      ]),
    );
    const [row] = await app.store.db.query<{ question: string }>(
      "SELECT a.question FROM answer_feedback f JOIN answers a ON a.id = f.answer_id WHERE f.user_id = $1 AND a.id = $2",
      [minh, answerId],
    );
    expect(row?.question).toBe("muc tieu tang truong kinh te");
  });

  it("answers a button of an answer it does not know with a notice, not silence", async () => {
    h.api.clear();
    await h.bot.handleUpdate(buttonTap("s:AAAAAAAAAAAA:1"));
    await h.bot.handleUpdate(buttonTap("f:AAAAAAAAAAAA:u"));
    await h.bot.handleUpdate(buttonTap("something-else"));
    expect(h.api.of("answerCallbackQuery").map((c) => c.payload.text)).toEqual([
      TEXT.sourceGone,
      TEXT.sourceGone,
      TEXT.buttonUnknown,
    ]);
    expect(h.api.of("sendMessage")).toHaveLength(0);
  });

  it("understands a follow-up from the conversation in the database; /moi forgets it", async () => {
    h.api.clear();
    await h.bot.handleUpdate(privateText("Hà Nội phấn đấu tăng trưởng kinh tế bao nhiêu?", MINH));
    await h.bot.handleUpdate(privateText("trong nhiệm kỳ nào?", MINH));
    const [, followUp] = h.api.texts();
    expect(followUp).toContain("2026-2031");
    expect(followUp).toContain("<i>Câu hỏi được hiểu là:");

    await h.bot.handleUpdate(privateText("/nguon", MINH));
    const sources = h.api.texts()[2] ?? "";
    expect(sources).toContain("❓ trong nhiệm kỳ nào?");
    expect(sources).toMatch(/\n“.*2026-2031.*”(\n|$)/);

    await h.bot.handleUpdate(privateText("/moi", MINH));
    expect(h.api.texts()[3]).toBe(TEXT.newConversation);
    await h.bot.handleUpdate(privateText("/nguon", MINH));
    expect(h.api.texts()[4]).toBe(TEXT.noLastAnswer);
  });

  it("escapes an HTML-looking question everywhere it is shown", async () => {
    h.api.clear();
    const question = 'Hà Nội <b>phấn đấu</b> tăng trưởng & <script>alert("x")</script> bao nhiêu?';
    await h.bot.handleUpdate(privateText(question, MINH));
    await h.bot.handleUpdate(privateText("/nguon", MINH));
    await h.bot.handleUpdate(inlineQuery(question, MINH));
    const shown = [
      ...h.api.texts(),
      ...h.api
        .of("answerInlineQuery")
        .flatMap((c) =>
          c.payload.results.map(
            (r: { input_message_content: { message_text: string } }) => r.input_message_content.message_text,
          ),
        ),
    ];
    expect(shown.length).toBeGreaterThanOrEqual(3);
    for (const text of shown) {
      expect(telegramHtmlProblems(text)).toEqual([]);
      expect(text).not.toContain("<script>");
    }
    expect(shown.join("\n")).toContain(
      "Hà Nội &lt;b&gt;phấn đấu&lt;/b&gt; tăng trưởng &amp; &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; bao nhiêu?",
    );
  });

  it("offers up to five inline results, each a one-line answer with its citation", async () => {
    h.api.clear();
    await h.bot.handleUpdate(inlineQuery("chỉ tiêu tăng trưởng"));
    const [call] = h.api.of("answerInlineQuery");
    const results = call?.payload.results as {
      id: string;
      title: string;
      description: string;
      input_message_content: { message_text: string; parse_mode: string };
    }[];
    expect(results.length).toBeGreaterThanOrEqual(2);
    expect(results.length).toBeLessThanOrEqual(5);
    expect(new Set(results.map((r) => r.id)).size).toBe(results.length);
    for (const r of results) {
      expect(r.title).not.toContain("\n");
      expect(r.title.length).toBeLessThanOrEqual(200);
      expect(r.input_message_content.parse_mode).toBe("HTML");
      expect(r.input_message_content.message_text).toContain("❓ <b>chỉ tiêu tăng trưởng</b>");
      expect(r.input_message_content.message_text).toContain(`<a href="https://kinhtedothi.vn/`);
      expect(r.input_message_content.message_text.length).toBeLessThanOrEqual(TELEGRAM_MAX_CHARS);
    }
    expect(results.map((r) => r.input_message_content.message_text).join("\n")).toContain("11%");
    expect(results.map((r) => r.title).join("\n")).toContain("11%");

    // A couple of letters is not a question yet: no results, a button to open the chat instead.
    h.api.clear();
    await h.bot.handleUpdate(inlineQuery("ch"));
    expect(h.api.of("answerInlineQuery")[0]?.payload).toMatchObject({
      results: [],
      button: { text: TEXT.inlineHint, start_parameter: "inline" },
    });
  });

  it("says plainly when the documents do not cover a question, with no source buttons", async () => {
    h.api.clear();
    await h.bot.handleUpdate(privateText("Giá vàng hôm nay bao nhiêu?", MINH));
    const reply = onlyMessage(h.api);
    expect(reply.text).toContain("không đề cập");
    expect(reply.text).not.toContain("<b>Nguồn</b>");
    expect(buttons(reply).map((b) => b.text)).toEqual(["👍", "👎"]);
  });
});

describe("Telegram bot: groups", () => {
  let h: Harness;
  beforeAll(() => {
    h = harness();
  });

  it("stays silent on group messages not addressed to it", async () => {
    await h.bot.handleUpdate(groupText("Mọi người đọc Chương trình hành động chưa? Tăng trưởng 11% đấy."));
    await h.bot.handleUpdate(groupText("/hoi@AnotherBot Ba đột phá chiến lược là gì?"));
    await h.bot.handleUpdate(documentMessage("bien-ban-hop.docx", { group: true, from: LAN }));
    expect(h.api.calls).toEqual([]);
  });

  it("answers when mentioned, as a reply to the message", async () => {
    const update = groupText("@SoTayNghiQuyetBot ba đột phá chiến lược là gì?");
    await h.bot.handleUpdate(update);
    const reply = onlyMessage(h.api);
    expect(reply.chat_id).toBe(GROUP.id);
    expect(reply.reply_parameters?.message_id).toBe(update.message?.message_id);
    expect(reply.text).toContain("thể chế, quy hoạch, mô hình phát triển mới");
  });

  it("answers a reply to one of its messages, and /hoi", async () => {
    h.api.clear();
    await h.bot.handleUpdate(
      groupText("thay cho bao nhiêu nhóm nhiệm vụ trước đây?", { replyToBot: true, from: MINH }),
    );
    await h.bot.handleUpdate(groupText("/hoi@SoTayNghiQuyetBot Ai là Bí thư Thành ủy Hà Nội?"));
    await h.bot.handleUpdate(groupText("/hoi"));
    const [reply, hoi, empty] = h.api.texts();
    expect(reply).toContain("10 nhóm");
    expect(hoi).toContain("Nguyễn Duy Ngọc");
    expect(empty).toBe(TEXT.askPrompt);
  });
});

describe("Telegram bot: commands", () => {
  let h: Harness;
  beforeAll(() => {
    h = harness();
  });

  it("/start welcomes, says what it knows, and offers three example questions that a tap answers", async () => {
    await h.bot.handleUpdate(privateText("/start"));
    const welcome = onlyMessage(h.api);
    expect(welcome.text).toContain("Sổ tay Nghị quyết");
    expect(welcome.text).toContain(`• ${escapeHtml(TITLE)}`);
    const examples = buttons(welcome);
    expect(examples.map((b) => b.text)).toEqual([...EXAMPLE_QUESTIONS]);

    h.api.clear();
    await h.bot.handleUpdate(buttonTap(String(examples[0]?.callback_data)));
    expect(h.api.of("answerCallbackQuery")).toHaveLength(1);
    expect(onlyMessage(h.api).text).toContain("11%");
  });

  it("/help explains groups and inline mode; /tailieu lists documents with publisher and link", async () => {
    h.api.clear();
    await h.bot.handleUpdate(privateText("/help"));
    await h.bot.handleUpdate(privateText("/tailieu"));
    const [help, documents] = h.api.texts();
    expect(help).toContain("@SoTayNghiQuyetBot");
    expect(help).toContain("/hoi");
    expect(documents).toContain("<b>Tài liệu trong kho (1)</b>");
    expect(documents).toContain(`<a href="https://kinhtedothi.vn/`);
    expect(documents).toContain(`${escapeHtml(TITLE)}</a> (Kinh tế &amp; Đô thị)`);
  });

  it("never leaves a private message unanswered: unknown commands and stickers get a hint", async () => {
    h.api.clear();
    await h.bot.handleUpdate(privateText("/khongco"));
    await h.bot.handleUpdate(stickerMessage());
    expect(h.api.texts()).toEqual([TEXT.unknownCommand, TEXT.notText]);
  });
});

describe("Telegram bot: robustness", () => {
  it("an error inside the answerer: apology to the user, update id and cause in the log, next update answered", async () => {
    let calls = 0;
    const flaky = {
      answer: (request: AnswerRequest): Promise<Answer> => {
        calls++;
        if (calls === 1) return Promise.reject(new Error("connection to the store lost"));
        return app.answerer.answer(request);
      },
    };
    const { bot, api, logs } = harness({ answerer: flaky });
    const update = privateText("Ba đột phá chiến lược là gì?");
    await expect(bot.handleUpdate(update)).resolves.toBeUndefined();
    expect(api.texts()).toEqual([TEXT.apology]);
    const line = logs.lines.find((l) => l.msg === "telegram update failed");
    expect(line?.updateId).toBe(update.update_id);
    expect(JSON.stringify(line?.err)).toContain("connection to the store lost");

    await bot.handleUpdate(privateText("Ba đột phá chiến lược là gì?"));
    expect(api.texts()[1]).toContain("thể chế");
  });

  it("handles the updates of one chat in order, even when the first takes longer", async () => {
    const slowFirst = {
      answer: async (request: AnswerRequest): Promise<Answer> => {
        if (request.question.startsWith("Ba đột phá")) await new Promise((r) => setTimeout(r, 300));
        return app.answerer.answer(request);
      },
    };
    const { bot, api } = harness({ answerer: slowFirst });
    await Promise.all([
      bot.handleUpdate(privateText("Ba đột phá chiến lược là gì?")),
      bot.handleUpdate(privateText("Chương trình hành động có bao nhiêu chỉ tiêu chủ yếu?")),
      bot.handleUpdate(privateText("Ai là Bí thư Thành ủy Hà Nội?", MINH)),
    ]);
    const toLan = api.of("sendMessage").filter((c) => c.payload.chat_id === LAN.id);
    expect(toLan.map((c) => c.payload.text.includes("thể chế"))).toEqual([true, false]);
    expect(toLan[1]?.payload.text).toContain("43 chỉ tiêu");
    // another chat does not wait for this one
    expect(api.of("sendMessage")[0]?.payload.chat_id).toBe(MINH.id);
  });

  it("a failing typing action is not fatal", async () => {
    const { bot, api } = harness();
    api.fail.sendChatAction = () => {
      throw new Error("Bad Request: method not found");
    };
    await bot.handleUpdate(privateText("Chương trình hành động có bao nhiêu chỉ tiêu chủ yếu?"));
    expect(api.of("sendChatAction")).toHaveLength(1);
    expect(onlyMessage(api).text).toContain("43 chỉ tiêu");
  });

  it("past the per-user limit, says once to slow down and answers nothing more; others are still answered", async () => {
    const { bot, api } = harness({ options: { rateLimit: { limit: 2, timeFrameMs: 60_000 } } });
    for (let i = 0; i < 4; i++) await bot.handleUpdate(privateText("Ba đột phá chiến lược là gì?", LAN));
    await bot.handleUpdate(privateText("Ba đột phá chiến lược là gì?", MINH));
    const toLan = api.of("sendMessage").filter((c) => c.payload.chat_id === LAN.id);
    expect(toLan.map((c) => c.payload.text === TEXT.rateLimited)).toEqual([false, false, true]);
    expect(api.of("sendMessage").filter((c) => c.payload.chat_id === MINH.id)).toHaveLength(1);
  });

  it("splits a 5,000-character answer at paragraph boundaries, buttons under the last part", async () => {
    const paragraphs = Array.from(
      { length: 10 },
      (_, i) =>
        `Đoạn ${i + 1}: ${"Thành phố tiếp tục hoàn thiện thể chế, quy hoạch và mô hình phát triển mới. ".repeat(7).trim()} [1]`,
    );
    const long = paragraphs.join("\n\n");
    expect(long.length).toBeGreaterThan(4_900);
    const fake = {
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
            url: "https://kinhtedothi.vn/bai-viet.html",
            quote: "Thành phố tiếp tục hoàn thiện thể chế.",
            chunkId: "0123456789abcdef0123",
          },
        ],
        ms: 1,
      }),
    };
    const { bot, api } = harness({ answerer: fake });
    await bot.handleUpdate(privateText("Hà Nội sẽ làm gì trong nhiệm kỳ tới?"));
    const sent = api.of("sendMessage");
    expect(sent.length).toBe(2);
    for (const s of sent) {
      expect(s.payload.text.length).toBeLessThanOrEqual(TELEGRAM_MAX_CHARS);
      expect(s.payload.text.trim().length).toBeGreaterThan(0);
      expect(telegramHtmlProblems(s.payload.text)).toEqual([]);
    }
    // Every paragraph arrives whole, in order.
    const received = sent.map((s) => s.payload.text).join("\n\n");
    let at = -1;
    for (const p of paragraphs) {
      const next = received.indexOf(p);
      expect(next).toBeGreaterThan(at);
      at = next;
    }
    expect(buttons(sent[0]?.payload)).toEqual([]);
    expect(buttons(sent[1]?.payload).map((b) => b.text)).toEqual(["Nguồn 1", "👍", "👎"]);
    expect(sent[1]?.payload.text).toContain("<b>Nguồn</b>");
  });

  it("with a chat model, shows a placeholder at once and edits it into the answer", async () => {
    const { bot, api } = harness({ options: { streaming: true } });
    await bot.handleUpdate(privateText("Hà Nội đặt mục tiêu tăng trưởng kinh tế bao nhiêu?"));
    const [placeholder] = api.of("sendMessage");
    expect(placeholder?.payload.text).toBe(TEXT.placeholder);
    const [edit] = api.of("editMessageText");
    expect(edit?.payload.text).toContain("11%");
    expect(buttons(edit?.payload).map((b) => b.text)).toContain("Nguồn 1");
    expect(api.of("sendMessage")).toHaveLength(1);
    const order = api.calls.map((c) => c.method).filter((m) => m !== "sendChatAction");
    expect(order).toEqual(["sendMessage", "editMessageText"]);
  });
});

describe("Telegram bot: admin uploads", () => {
  let files: HttpServer;
  let apiRoot: string;
  const served = new Map<string, Buffer>();

  beforeAll(async () => {
    // The Bot API's file endpoint: GET /file/bot<token>/<file_path>.
    files = createHttpServer((req, res) => {
      const prefix = `/file/bot${BOT_TOKEN}/`;
      const body = req.url?.startsWith(prefix)
        ? served.get(decodeURIComponent(req.url.slice(prefix.length)))
        : undefined;
      if (!body) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": "application/octet-stream" }).end(body);
    });
    await new Promise<void>((resolve) => files.listen(0, "127.0.0.1", resolve));
    apiRoot = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => files.close(resolve));
  });

  function adminBot(options: Partial<TelegramBotOptions> = {}) {
    const h = harness({ options: { apiRoot, ...options } });
    h.api.results.getFile = (p: { file_id: string }) => ({
      file_id: p.file_id,
      file_unique_id: "AgADuAMAAv",
      file_size: 900,
      file_path: `documents/${p.file_id}.bin`,
    });
    return h;
  }
  const serve = (update: ReturnType<typeof documentMessage>, body: string | Buffer) => {
    served.set(`documents/${update.message?.document?.file_id}.bin`, Buffer.from(body));
    return update;
  };
  const uploads = async () => (await readdir(join(corpusDir, "uploads")).catch(() => [] as string[])).sort();

  it("refuses a non-admin's file politely, downloads and stores nothing", async () => {
    const { bot, api } = adminBot();
    await bot.handleUpdate(serve(documentMessage("de-an.md", { from: LAN }), "# Đề án\n\nNội dung."));
    expect(api.texts()).toEqual([TEXT.adminOnlyUpload]);
    expect(api.of("getFile")).toEqual([]);
    expect(await uploads()).toEqual([]);

    api.clear();
    await bot.handleUpdate(privateText("/reindex", LAN));
    expect(api.texts()).toEqual([TEXT.adminOnly]);
  });

  it("saves an admin's file under the corpus folder with a safe name, ingests it, and replies with the summary", async () => {
    const { bot, api } = adminBot();
    const markdown =
      "---\ntitle: Đề án thí điểm trạm sạc xe điện\npublisher: Sở Xây dựng Hà Nội\n---\n\n" +
      "## Mục tiêu\n\nĐề án thí điểm đặt mục tiêu lắp đặt 37 trạm sạc xe điện công cộng tại các phường trung tâm trong năm 2026.\n";
    await bot.handleUpdate(serve(documentMessage("../../../etc/Đề án trạm sạc.md"), markdown));
    const [received, summary] = api.texts();
    expect(received).toBe(TEXT.uploading("Đề-án-trạm-sạc.md"));
    expect(summary).toContain(TEXT.uploadSaved("Đề-án-trạm-sạc.md"));
    expect(summary).toContain("Thêm 1, cập nhật 0, giữ nguyên 1, xoá 0 tài liệu");
    expect(await uploads()).toEqual(["Đề-án-trạm-sạc.md"]);
    expect(await readFile(join(corpusDir, "uploads", "Đề-án-trạm-sạc.md"), "utf8")).toBe(markdown);
    await expect(readdir(join(dir, "etc"))).rejects.toThrow();

    api.clear();
    await bot.handleUpdate(privateText("Đề án thí điểm lắp đặt bao nhiêu trạm sạc xe điện?", ADMIN));
    expect(api.texts()[0]).toContain("37 trạm sạc");

    api.clear();
    await bot.handleUpdate(privateText("/reindex", ADMIN));
    expect(api.texts()).toEqual([TEXT.reindexing, expect.stringContaining("giữ nguyên 2")]);
  });

  it("does not keep a file the loaders cannot read, nor one that is too large or of another type", async () => {
    const { bot, api } = adminBot({ maxUploadBytes: 2_048 });
    await bot.handleUpdate(
      serve(documentMessage("hong.pdf", { mime: "application/pdf" }), "not a pdf at all"),
    );
    expect(api.texts()[1]).toContain("Không nạp được <b>hong.pdf</b>");
    await bot.handleUpdate(serve(documentMessage("lon.txt", { size: 5_000 }), "x".repeat(5_000)));
    expect(api.texts()[2]).toBe(TEXT.fileTooLarge("2 KB"));
    // Telegram said 900 bytes, the download is larger: stopped at the limit.
    await bot.handleUpdate(serve(documentMessage("noi-doi.txt", { size: 900 }), "Hà Nội ".repeat(1_000)));
    expect(api.texts()[4]).toContain("lớn hơn giới hạn");
    await bot.handleUpdate(serve(documentMessage("chuong-trinh.exe"), "MZ"));
    expect(api.texts()[5]).toBe(TEXT.unsupportedFile(".pdf, .docx, .md, .txt, .html, .png, .jpg, .jpeg"));
    expect(await uploads()).toEqual(["Đề-án-trạm-sạc.md"]);
    const documents = await app.store.listDocuments();
    expect(documents.map((d) => d.path).sort()).toEqual([
      "ha-noi-tien-phong-dua-nghi-quyet-xiv-vao-cuoc-song.md",
      "uploads/Đề-án-trạm-sạc.md",
    ]);
  });
});

describe("Telegram bot: statistics for admins", () => {
  it("/thongke shows an admin what members asked, and refuses anyone else", async () => {
    const { bot, api } = harness({ stats: app.stats });
    // what members asked, as the channels record it: one question in three wordings, twice each
    for (const from of [LAN, MINH])
      for (const q of [
        "Ba đột phá chiến lược của Thủ đô là gì?",
        "ba dot pha chien luoc cua thu do la gi",
        "của Thủ đô, ba đột phá chiến lược là gì?",
      ])
        await bot.handleUpdate(privateText(q, from));
    await bot.handleUpdate(privateText("Giá xăng RON 95 hôm nay bao nhiêu?", MINH));
    api.clear();

    await bot.handleUpdate(privateText("/thongke", LAN));
    expect(api.texts()).toEqual([TEXT.adminOnly]);

    api.clear();
    await bot.handleUpdate(privateText("/thongke 30", ADMIN));
    const [text] = api.texts();
    expect(text).toMatch(/^<b>Thống kê \d{2}\/\d{2}\/\d{4}–\d{2}\/\d{2}\/\d{4}, mọi kênh: \d+ câu hỏi/);
    expect(text).toMatch(
      /<b>Hỏi nhiều nhất<\/b>\n(\d\. .*\n)*\d\. Ba đột phá chiến lược của Thủ đô là gì\? — 6 lần \(3 cách hỏi\)\n/,
    );
    expect(text).toMatch(
      /<b>Tài liệu chưa trả lời được<\/b>\n(\d\. .*\n)*\d\. Giá xăng RON 95 hôm nay bao nhiêu\? — 1 lần\n/,
    );
    expect(text).not.toContain(String(LAN.id));
    expect(text).not.toContain(String(MINH.id));

    api.clear();
    await bot.handleUpdate(privateText("/thongke nhieu", ADMIN));
    expect(api.texts()).toEqual([TEXT.statsUsage]);
  });
});
