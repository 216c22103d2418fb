import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createChatModel } from "../../src/answer/chat-model.ts";
import { type App, createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/logger.ts";
import { createChatQuiz, loadQuizPrompt } from "../../src/quiz/chat-quiz.ts";
import {
  formatQuizAnswerText,
  formatQuizQuestionText,
  formatQuizText,
  parseQuizReply,
} from "../../src/quiz/format-quiz.ts";
import { appearsIn, definitionParts, enumerationItems } from "../../src/quiz/offline-quiz.ts";
import { createQuizzes } from "../../src/quiz/quiz-service.ts";
import type { QuizQuestion } from "../../src/quiz/types.ts";
import { type ChatCompletionRequest, startOpenAIServer } from "../helpers/openai-server.ts";
import { seeded } from "../helpers/pglite-folder.ts";
import { logSink } from "../helpers/telegram.ts";

const TITLE = "Hà Nội tiên phong đưa Nghị quyết XIV của Đảng vào cuộc sống";

let app: App;

beforeAll(async () => {
  app = await createApp(loadConfig({ DATA_DIR: "memory://" }), createLogger("silent"), seeded());
});
afterAll(async () => {
  await app?.close();
});

/** Every rule a question must keep, checked against the stored passage it cites. */
async function expectWellFormed(q: QuizQuestion) {
  expect(q.options).toHaveLength(4);
  expect(new Set(q.options).size).toBe(4);
  expect(q.correct).toBeGreaterThanOrEqual(0);
  expect(q.correct).toBeLessThan(4);
  const answer = q.options[q.correct] as string;
  expect(appearsIn(q.citation.quote, answer), `“${answer}” in its quote`).toBe(true);
  for (const [i, option] of q.options.entries()) {
    if (i !== q.correct) expect(appearsIn(q.citation.quote, option), `distractor “${option}”`).toBe(false);
  }
  expect(q.question.length).toBeLessThanOrEqual(300);
  for (const o of q.options) expect(o.length).toBeLessThanOrEqual(100);
  expect(["easy", "medium", "hard"]).toContain(q.difficulty);
  expect(q.explanation).toContain(`Đáp án: ${answer}`);
  expect(q.explanation).toContain(TITLE);
  const view = await app.store.getPassage(q.citation.chunkId);
  expect(view?.passage.text).toContain(q.citation.quote);
  expect(q.citation).toMatchObject({ n: 1, document: TITLE, publisher: "Kinh tế & Đô thị" });
}

describe("offline quizzes from the seed article", () => {
  it("makes every kind of question, each with one correct option from its quoted source", async () => {
    const quiz = await app.quizzes.generate({ count: 30 });
    expect(quiz.questions.length).toBeGreaterThanOrEqual(20);
    expect(new Set(quiz.questions.map((q) => q.kind))).toEqual(
      new Set(["fact", "enumeration", "slogan", "definition"]),
    );
    for (const q of quiz.questions) await expectWellFormed(q);
    expect(new Set(quiz.questions.map((q) => q.id)).size).toBe(quiz.questions.length);
    expect(quiz.questions.every((q) => q.origin === "offline")).toBe(true);
  });

  it("blanks a figure and offers figures of the same kind and scale that are not the corpus's answer", async () => {
    const questions = (
      await Promise.all(
        ["tăng trưởng kinh tế", "đảng viên", "nhóm nhiệm vụ", "định hướng"].map((topic) =>
          app.quizzes.generate({ topic, count: 30 }),
        ),
      )
    ).flatMap((quiz) => quiz.questions);
    const byAnswer = (answer: string) =>
      questions.find((q) => q.kind === "fact" && q.options[q.correct] === answer);
    const growth = byAnswer("11%");
    expect(growth && byAnswer("1.662.336") && byAnswer("12") && byAnswer("năm")).toBeTruthy();
    expect(growth?.question).toContain("tăng trưởng kinh tế từ …… trở lên");
    for (const o of growth?.options ?? []) expect(o).toMatch(/^\d{1,2}%$/);
    const members = byAnswer("1.662.336");
    for (const o of members?.options ?? []) expect(o).toMatch(/^\d\.\d{3}\.\d{3}$/);
    // "12 nhóm nhiệm vụ chủ yếu, thay cho 10 …": 10 is in the sentence, never a wrong answer.
    const groups = byAnswer("12");
    expect(groups?.options).not.toContain("10");
    // A figure written in words gets words: "năm định hướng" against "ba", "bốn", …
    const orientations = byAnswer("năm");
    expect(orientations?.question).toContain("…… định hướng chiến lược lớn");
    for (const o of orientations?.options ?? [])
      expect(o).toMatch(/^(hai|ba|bốn|năm|sáu|bảy|tám|chín|mười)$/);
    expect(orientations?.difficulty).toBe("easy");
    expect(members?.difficulty).toBe("hard");
  });

  it("is the same for the same seed and different for another", async () => {
    const a = await app.quizzes.generate({ count: 10, seed: 7 });
    const b = await app.quizzes.generate({ count: 10, seed: 7 });
    const c = await app.quizzes.generate({ count: 10, seed: 8 });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(JSON.stringify(c.questions)).not.toBe(JSON.stringify(a.questions));
  });

  it("keeps to a topic typed with or without diacritics; marks typed must match", async () => {
    const marked = await app.quizzes.generate({ topic: "đột phá", count: 10 });
    const folded = await app.quizzes.generate({ topic: "dot pha", count: 10 });
    expect(marked.questions.length).toBeGreaterThanOrEqual(3);
    expect(folded.questions.map((q) => q.id)).toEqual(marked.questions.map((q) => q.id));
    for (const q of marked.questions) expect(q.question.toLowerCase()).toContain("đột phá");
    expect((await app.quizzes.generate({ topic: "đốt phá" })).questions).toEqual([]);
    const motto = await app.quizzes.generate({ topic: "phương châm", count: 3 });
    expect(motto.questions.map((q) => q.kind)).toContain("slogan");
    expect(formatQuizText(await app.quizzes.generate({ topic: "bóng đá" }))).toBe(
      "Chưa soạn được câu hỏi nào về “bóng đá” từ tài liệu hiện có.",
    );
  });
});

describe("quiz rules on sentences outside the seed", () => {
  it("finds the items of a counted list, however they are separated", () => {
    const s1 = "Thành phố tập trung ba nhiệm vụ: quy hoạch, giao thông và môi trường.";
    expect(enumerationItems(s1, s1.indexOf(" nhiệm vụ") + " nhiệm vụ".length, 3)?.map((i) => i.text)).toEqual(
      ["quy hoạch", "giao thông", "môi trường"],
    );
    const s2 = "Xác định hai khâu then chốt gồm: nâng cao chất lượng đội ngũ; đổi mới phương thức lãnh đạo.";
    expect(enumerationItems(s2, s2.indexOf("then chốt") + 9, 2)?.map((i) => i.text)).toEqual([
      "nâng cao chất lượng đội ngũ",
      "đổi mới phương thức lãnh đạo",
    ]);
    // A count that does not match the list is no enumeration.
    expect(enumerationItems(s1, s1.indexOf(" nhiệm vụ") + " nhiệm vụ".length, 4)).toBeUndefined();
  });

  it("reads “X là Y” definitions, not descriptions or quotations", () => {
    expect(
      definitionParts(
        "Theo Bộ trưởng, chuyển đổi số là cuộc cách mạng về tư duy quản lý, không chỉ là công nghệ.",
      ),
    ).toMatchObject({
      subject: { text: "chuyển đổi số" },
      predicate: { text: "cuộc cách mạng về tư duy quản lý" },
    });
    expect(definitionParts("Đây là quy mô triển khai rất lớn.")).toBeUndefined();
    expect(
      definitionParts("Phương châm “đã nói là làm, làm đến nơi đến chốn” được quán triệt."),
    ).toBeUndefined();
  });
});

describe("quiz as plain text (CLI, Zalo)", () => {
  it("shows lettered options, reads replies in any form and reveals the answer with its source", async () => {
    const [q] = (await app.quizzes.generate({ topic: "tăng trưởng kinh tế", count: 1 })).questions;
    if (!q) throw new Error("no question about growth");
    const text = formatQuizQuestionText(q, { index: 0, total: 5 });
    expect(text.split("\n")).toHaveLength(5);
    expect(text).toMatch(/^Câu 1\/5 \(trung bình\): Điền vào chỗ trống: /);
    const letter = "ABCD"[q.correct] as string;
    expect(parseQuizReply(q, letter.toLowerCase())).toBe(q.correct);
    expect(parseQuizReply(q, `đáp án ${letter}`)).toBe(q.correct);
    expect(parseQuizReply(q, String(q.correct + 1))).toBe(q.correct);
    expect(parseQuizReply(q, " 11 % ")).toBe(q.correct);
    expect(parseQuizReply(q, "E")).toBeUndefined();
    const right = formatQuizAnswerText(q, q.correct);
    expect(right).toContain(`✅ Đúng! Đáp án: ${letter}. 11%`);
    expect(right).toContain("tăng trưởng kinh tế từ 11% trở lên trong nhiệm kỳ 2026-2031");
    expect(right).toContain("https://kinhtedothi.vn/");
    const wrong = formatQuizAnswerText(q, (q.correct + 1) % 4);
    expect(wrong).toContain(`❌ Chưa đúng (bạn chọn ${"ABCD"[(q.correct + 1) % 4]}). Đáp án: ${letter}. 11%`);
  });
});

describe("quizzes with a chat model (prompts/quiz.md)", () => {
  it("uses the model's questions only when each is checked against its quoted source", async () => {
    const requests: ChatCompletionRequest[] = [];
    const growth =
      "Để Nghị quyết đi vào cuộc sống, Bí thư Thành ủy Hà Nội yêu cầu quán triệt sâu sắc phương châm “Hà Nội đã nói là làm, làm nhanh, làm đúng, làm hiệu quả, làm đến nơi đến chốn”; tập trung hoàn thiện đồng bộ ba đột phá chiến lược về thể chế, quy hoạch, mô hình phát triển mới; mở ra không gian phát triển mới, giải phóng mọi nguồn lực xã hội, tạo lập lực lượng sản xuất mới chất lượng cao, phấn đấu đạt tăng trưởng kinh tế từ 11% trở lên trong nhiệm kỳ 2026-2031.";
    let passageOf = 1;
    const server = await startOpenAIServer({
      chat: (request) => {
        requests.push(request);
        const user = String(request.messages.at(-1)?.content);
        // The passage number the growth sentence has in this request.
        const m = [...user.matchAll(/<passage n="(\d+)"[^>]*>\n([\s\S]*?)\n<\/passage>/g)].find((x) =>
          x[2]?.includes("từ 11% trở lên"),
        );
        passageOf = Number(m?.[1] ?? 1);
        return JSON.stringify({
          questions: [
            {
              question: "Hà Nội phấn đấu đạt tốc độ tăng trưởng kinh tế bao nhiêu trong nhiệm kỳ 2026-2031?",
              options: ["Từ 9% trở lên", "Từ 11% trở lên", "Từ 10% trở lên", "Từ 12% trở lên"],
              correct: 1,
              passage: passageOf,
              quote: growth,
              difficulty: "medium",
            },
            // the quote is not in the passage: dropped
            {
              question: "Hà Nội đặt mục tiêu thu nhập bình quân đầu người bao nhiêu?",
              options: ["8.000 USD", "10.000 USD", "12.000 USD", "15.000 USD"],
              correct: 2,
              passage: passageOf,
              quote: "Thu nhập bình quân đầu người đạt 12.000 USD.",
            },
            // a distractor ("quy hoạch") is in the quote: dropped
            {
              question: "Đột phá chiến lược nào được nêu?",
              options: ["thể chế", "quy hoạch", "giáo dục", "y tế"],
              correct: 0,
              passage: passageOf,
              quote: growth,
            },
            // malformed: three options
            {
              question: "Câu hỏi thiếu phương án?",
              options: ["a", "b", "c"],
              correct: 0,
              passage: 1,
              quote: growth,
            },
          ],
        });
      },
    });
    try {
      const logs = logSink();
      const logger = createLogger("info", logs.stream);
      const chat = createChatQuiz({
        chatModel: createChatModel({
          baseURL: server.url,
          model: "fake-quiz",
          timeoutMs: 5_000,
          maxRetries: 0,
        }),
        prompt: loadQuizPrompt(),
        logger,
        timeoutMs: 5_000,
      });
      const quizzes = createQuizzes({
        db: app.store.db,
        facts: app.facts,
        chat,
        retriever: app.retriever,
        logger,
      });
      const quiz = await quizzes.generate({ topic: "tăng trưởng kinh tế", count: 3 });
      const [first, ...rest] = quiz.questions;
      expect(first).toMatchObject({ origin: "model", kind: "generated" });
      expect(first?.options[first.correct]).toBe("Từ 11% trở lên");
      expect(first?.citation.quote).toBe(growth);
      await expectWellFormed(first as QuizQuestion);
      expect(rest.every((q) => q.origin === "offline")).toBe(true);
      expect(quiz.questions).toHaveLength(3);
      const dropped = logs.lines.find((l) => l.msg === "quiz model questions dropped") as
        | { dropped: { why: string }[] }
        | undefined;
      expect(dropped?.dropped.map((d) => d.why)).toEqual([
        "quote not found in the passage",
        "a distractor is in the quote",
        expect.stringContaining("options"),
      ]);
      // The prompt is the system message; the topic and passages are delimited as data.
      const [system, user] = requests[0]?.messages ?? [];
      expect(system?.content).toBe(loadQuizPrompt());
      expect(String(user?.content)).toContain("<topic>tăng trưởng kinh tế</topic>");
      expect(String(user?.content)).toContain(`document="${TITLE}"`);
    } finally {
      await server.close();
    }
  });

  it("falls back to the offline questions when the model fails or writes no JSON", async () => {
    const server = await startOpenAIServer({ chat: () => "Xin lỗi, tôi không soạn được." });
    try {
      const chatModel = createChatModel({
        baseURL: server.url,
        model: "fake-quiz",
        timeoutMs: 5_000,
        maxRetries: 0,
      });
      const logger = createLogger("silent");
      const quizzes = createQuizzes({
        db: app.store.db,
        facts: app.facts,
        chat: createChatQuiz({ chatModel, prompt: loadQuizPrompt(), logger, timeoutMs: 5_000 }),
        logger,
      });
      const offline = await app.quizzes.generate({ count: 4 });
      expect((await quizzes.generate({ count: 4 })).questions).toEqual(offline.questions);
      server.failNext(500, 5);
      expect((await quizzes.generate({ count: 4 })).questions).toEqual(offline.questions);
    } finally {
      await server.close();
    }
  });
});
