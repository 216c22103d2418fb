import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runIngest } from "../../../ingest/run-ingest.ts";
import { type App, createApp } from "../../../src/app.ts";
import { createTelegramBot } from "../../../src/channels/telegram/create-bot.ts";
import { POLL_LIMITS } from "../../../src/channels/telegram/format-study.ts";
import { COMMANDS } from "../../../src/channels/telegram/texts.ts";
import type { TelegramBotDeps } from "../../../src/channels/telegram/types.ts";
import { loadConfig } from "../../../src/config.ts";
import { createLogger } from "../../../src/logger.ts";
import { appearsIn } from "../../../src/quiz/offline-quiz.ts";
import { createAnswerStore } from "../../../src/store/answer-store.ts";
import { seeded } from "../../helpers/pglite-folder.ts";
import {
  ADMIN,
  BOT_INFO,
  BOT_TOKEN,
  captureApi,
  GROUP,
  groupText,
  LAN,
  privateText,
  telegramHtmlProblems,
} from "../../helpers/telegram.ts";

const TITLE = "Hà Nội tiên phong đưa Nghị quyết XIV của Đảng vào cuộc sống";

let app: App;

beforeAll(async () => {
  app = await createApp(loadConfig({ DATA_DIR: "memory://" }), createLogger("silent"), seeded());
});
afterAll(async () => {
  await app?.close();
});

function harness(overrides: Partial<TelegramBotDeps> = {}) {
  const bot = createTelegramBot({
    token: BOT_TOKEN,
    answerer: app.answerer,
    store: app.store,
    conversations: app.conversations,
    answers: createAnswerStore(app.store.db),
    reindex: () => runIngest({ store: app.store, corpusDir: "corpus", logger: createLogger("silent") }),
    study: { targets: app.targets, quizzes: app.quizzes, studyPacks: app.studyPacks },
    logger: createLogger("silent"),
    options: {
      corpusDir: "corpus",
      adminIds: [ADMIN.id],
      botInfo: BOT_INFO,
      rateLimit: { limit: 1000, timeFrameMs: 60_000 },
    },
    ...overrides,
  });
  return { bot, api: captureApi(bot) };
}

describe("Telegram: /chitieu, /quiz, /baihoc", () => {
  it("registers the three commands with Vietnamese descriptions", () => {
    expect(COMMANDS.filter((c) => ["chitieu", "quiz", "baihoc"].includes(c.command))).toEqual([
      { command: "chitieu", description: "Các chỉ tiêu, con số (lọc: /chitieu tăng trưởng)" },
      { command: "quiz", description: "Trắc nghiệm ôn tập (/quiz chủ đề)" },
      { command: "baihoc", description: "Tải bài học Markdown cho báo cáo viên (/baihoc chủ đề)" },
    ]);
  });

  it("/chitieu lists the targets with their sentences; a keyword without diacritics filters them", async () => {
    const { bot, api } = harness();
    await bot.handleUpdate(privateText("/chitieu"));
    const all = api.texts().join("\n\n");
    for (const figure of ["từ 11% trở lên", "43", "212", "1.605", "1.662.336", "năm", "ba", "bốn"]) {
      expect(all).toContain(`<b>${figure}</b>`);
    }
    expect(all).toContain(`<a href="https://kinhtedothi.vn/`);
    for (const text of api.texts()) expect(telegramHtmlProblems(text)).toEqual([]);
    api.clear();
    await bot.handleUpdate(privateText("/chitieu tang truong"));
    const [reply] = api.texts();
    expect(reply).toContain("<b>Chỉ tiêu, con số về “tang truong”</b> (1)");
    expect(reply).toContain("1. <b>từ 11% trở lên</b> · Tăng trưởng kinh tế (2026-2031)");
    expect(reply).toContain("<i>“");
    api.clear();
    await bot.handleUpdate(privateText("/chitieu <b>bóng đá</b>"));
    expect(api.texts()[0]).toBe(
      "Không tìm thấy chỉ tiêu, con số nào có “&lt;b&gt;bóng đá&lt;/b&gt;” trong tài liệu. Gõ /chitieu để xem tất cả.",
    );
  });

  it("/quiz sends native quiz polls within the Bot API's limits, each explanation quoting its source", async () => {
    const { bot, api } = harness();
    await bot.handleUpdate(groupText("/quiz@SoTayNghiQuyetBot đột phá chiến lược"));
    const polls = api.of("sendPoll").map((c) => c.payload);
    expect(polls.length).toBeGreaterThanOrEqual(3);
    expect(polls.length).toBeLessThanOrEqual(5);
    const quiz = await app.quizzes.generate({ topic: "đột phá chiến lược", count: 5 });
    const sources = new Map(
      quiz.questions.flatMap((q) => q.options.map((o) => [o, q.citation.quote] as const)),
    );
    for (const poll of polls) {
      expect(poll.chat_id).toBe(GROUP.id);
      expect(poll.type).toBe("quiz");
      expect(poll.question.length).toBeGreaterThanOrEqual(1);
      expect(poll.question.length).toBeLessThanOrEqual(POLL_LIMITS.question);
      expect(poll.options).toHaveLength(4);
      const texts = poll.options.map((o: string | { text: string }) => (typeof o === "string" ? o : o.text));
      for (const t of texts) {
        expect(t.length).toBeGreaterThanOrEqual(1);
        expect(t.length).toBeLessThanOrEqual(POLL_LIMITS.option);
      }
      expect(poll.correct_option_ids).toEqual([poll.correct_option_id]);
      const correct = texts[poll.correct_option_id] as string;
      expect(poll.explanation.length).toBeLessThanOrEqual(POLL_LIMITS.explanation);
      expect(poll.explanation.split("\n").length - 1).toBeLessThanOrEqual(POLL_LIMITS.explanationLineFeeds);
      expect(poll.explanation).toContain(`Nguồn: ${TITLE}`);
      expect(poll.explanation).toMatch(/^“.+”\n/s);
      // The explanation quotes the sentence the correct option comes from, and shows it.
      expect(appearsIn(poll.explanation, correct)).toBe(true);
      expect(appearsIn(sources.get(correct) ?? "", correct)).toBe(true);
    }
    const [after] = api.texts();
    expect(after).toContain("<b>Nguồn của các câu hỏi</b>");
    expect(telegramHtmlProblems(after ?? "")).toEqual([]);
  });

  it("/quiz on a topic the documents do not cover says so", async () => {
    const { bot, api } = harness();
    await bot.handleUpdate(privateText("/quiz bóng đá"));
    expect(api.of("sendPoll")).toEqual([]);
    expect(api.texts()).toEqual([
      "Chưa soạn được câu hỏi nào về “bóng đá” từ tài liệu hiện có. Bạn thử chủ đề khác, ví dụ /quiz tăng trưởng.",
    ]);
  });

  it("/baihoc sends the study pack as a Markdown document", async () => {
    const { bot, api } = harness();
    await bot.handleUpdate(privateText("/baihoc nhóm nhiệm vụ"));
    const [sent] = api.of("sendDocument").map((c) => c.payload);
    expect(sent.chat_id).toBe(LAN.id);
    expect(sent.document.filename).toBe("bai-hoc-nhom-nhiem-vu.md");
    const markdown = Buffer.from(sent.document.fileData).toString("utf8");
    expect(markdown.startsWith("# Bài học: Nhóm nhiệm vụ\n")).toBe(true);
    for (const heading of [
      "## 1. Những điểm chính",
      "## 2. Các chỉ tiêu",
      "## 3. Câu hỏi thảo luận",
      "## 4. Trắc nghiệm (10 câu)",
      "### Đáp án",
      "## 5. Nguồn",
    ]) {
      expect(markdown).toContain(heading);
    }
    expect(markdown).toContain("12 nhóm nhiệm vụ chủ yếu, thay cho 10 nhóm nhiệm vụ trước đây");
    expect(sent.caption).toMatch(
      /^Bài học: Nhóm nhiệm vụ\n\d+ điểm chính, \d+ chỉ tiêu, 5 câu hỏi thảo luận, 10 câu trắc nghiệm/,
    );
    api.clear();
    await bot.handleUpdate(privateText("/baihoc bóng đá"));
    expect(api.of("sendDocument")).toEqual([]);
    expect(api.texts()[0]).toContain("Tài liệu hiện có không đề cập đến chủ đề “bóng đá”");
  });

  it("without the study services the commands are unknown, not broken", async () => {
    const { bot, api } = harness({ study: undefined });
    await bot.handleUpdate(privateText("/quiz"));
    expect(api.of("sendPoll")).toEqual([]);
    expect(api.texts()).toEqual([
      "Mình chưa hiểu lệnh này. Gõ /help để xem các lệnh, hoặc gõ thẳng câu hỏi của bạn.",
    ]);
  });
});
