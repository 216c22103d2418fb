import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, createApp } from "../../../src/app.ts";
import { MAX_TARGETS } from "../../../src/channels/zalo/format-study.ts";
import { QUIZ_QUESTIONS } from "../../../src/channels/zalo/study.ts";
import { TEXT } from "../../../src/channels/zalo/texts.ts";
import type { ZaloChannelDeps } from "../../../src/channels/zalo/types.ts";
import { createZaloChannel, type ZaloChannel } from "../../../src/channels/zalo/zalo-channel.ts";
import { loadConfig } from "../../../src/config.ts";
import { createLogger } from "../../../src/logger.ts";
import { LETTERS } from "../../../src/quiz/format-quiz.ts";
import type { Quiz } from "../../../src/quiz/types.ts";
import { createAnswerStore } from "../../../src/store/answer-store.ts";
import { createDeliveryStore } from "../../../src/store/delivery-store.ts";
import { createQuizSessionStore } from "../../../src/store/quiz-session-store.ts";
import { seeded } from "../../helpers/pglite-folder.ts";
import { type FakeZalo, startFakeZalo, textEvent, ZALO_TOKEN, type ZaloUser } from "../../helpers/zalo.ts";

const TITLE = "Hà Nội tiên phong đưa Nghị quyết XIV của Đảng vào cuộc sống";
const ARTICLE =
  "https://kinhtedothi.vn/ha-noi-tien-phong-dua-nghi-quyet-xiv-cua-dang-vao-cuoc-song.984469.html";

let app: App;
let fake: FakeZalo;

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

/** A channel on the shared app (and database) and the fake Zalo server: a new one is a restart. */
function channel(overrides: Partial<ZaloChannelDeps> = {}): ZaloChannel {
  return createZaloChannel({
    token: ZALO_TOKEN,
    answerer: app.answerer,
    store: app.store,
    conversations: app.conversations,
    answers: createAnswerStore(app.store.db),
    deliveries: createDeliveryStore(app.store.db),
    study: {
      targets: app.targets,
      quizzes: app.quizzes,
      studyPacks: app.studyPacks,
      quizSessions: createQuizSessionStore(app.store.db),
    },
    logger: createLogger("silent"),
    options: {
      apiRoot: fake.apiRoot,
      rateLimit: { limit: 1000, timeFrameMs: 60_000 },
      client: { backoffMs: 5, timeoutMs: 5_000 },
    },
    ...overrides,
  });
}

/** A member of its own, so the tests' chats and quizzes do not meet. */
let members = 0;
function member(): ZaloUser {
  members++;
  return {
    id: `5a1000000000000000${String(members).padStart(2, "0")}`,
    display_name: `Thành viên ${members}`,
  };
}

/** Sends the texts from `user`, one after the other; resolves with what the bot sent back to that chat. */
async function say(zalo: ZaloChannel, user: ZaloUser, ...texts: string[]): Promise<string[]> {
  const from = fake.of("sendMessage").length;
  for (const text of texts) {
    await zalo.bot.dispatch(textEvent(text, { from: user }) as Parameters<ZaloChannel["bot"]["dispatch"]>[0]);
  }
  return fake
    .of("sendMessage")
    .slice(from)
    .filter((c) => c.body.chat_id === user.id)
    .map((c) => String(c.body.text));
}

/** The quiz pending in a member's chat, generated again from what the database holds. */
async function pendingQuiz(user: ZaloUser): Promise<{ quiz: Quiz; position: number } | undefined> {
  const session = await createQuizSessionStore(app.store.db).get(`zalo:${user.id}`, 3600_000);
  if (!session) return undefined;
  const quiz = await app.quizzes.generate({ topic: session.topic, count: session.count, seed: session.seed });
  return { quiz, position: session.position };
}

describe("Zalo: /chitieu", () => {
  it("lists the targets, each with what it counts, its sentence and the source", async () => {
    const user = member();
    const replies = await say(channel(), user, "/chitieu");
    const all = replies.join("\n\n");
    expect(all).toContain("Chỉ tiêu, con số trong tài liệu (");
    expect(all).toContain("Tăng trưởng kinh tế: từ 11% trở lên (2026-2031)");
    expect(all).toMatch(/43 chỉ tiêu chủ yếu/);
    expect(all).toContain(`— ${TITLE}`);
    expect(all).toContain(`Nguồn:\n${TITLE}`);
    expect(all).toContain(ARTICLE);
    for (const text of replies) expect(text.length).toBeLessThanOrEqual(2000);
    const count = Number(/trong tài liệu \((\d+)\)/.exec(all)?.[1]);
    if (count > MAX_TARGETS) expect(all).toContain(TEXT.targetsMore);
  });

  it("filters by a keyword typed without diacritics; /chỉtiêu is the same command; nothing found says so", async () => {
    const user = member();
    const zalo = channel();
    const [growth = ""] = await say(zalo, user, "/chitieu tang truong");
    expect(growth.startsWith("Chỉ tiêu, con số về “tang truong” (1):")).toBe(true);
    expect(growth).toContain("1. Tăng trưởng kinh tế: từ 11% trở lên (2026-2031)");
    expect(growth).toMatch(/“[^”]*11%[^”]*”/);
    expect(growth).toContain(ARTICLE);
    expect(growth).not.toContain("chỉ tiêu chủ yếu");

    const [members_ = ""] = await say(zalo, user, "/chỉtiêu đảng viên");
    expect(members_).toContain("1.662.336");
    expect(members_).not.toContain("11%");

    const [none = ""] = await say(zalo, user, "/chitieu tàu vũ trụ");
    expect(none).toContain("Không tìm thấy chỉ tiêu, con số nào có “tàu vũ trụ”");
    expect(none).toContain(TEXT.targetsNone);
  });
});

describe("Zalo: /quiz", () => {
  it("asks one question at a time, grades letters, numbers and option texts, and continues after a restart", async () => {
    const user = member();
    const zalo = channel();
    const [intro = "", first = "", ...rest] = await say(zalo, user, "/quiz");
    expect(rest).toEqual([]);
    expect(intro).toContain(`${QUIZ_QUESTIONS} câu`);
    const pending = await pendingQuiz(user);
    expect(pending?.position).toBe(0);
    const quiz = pending?.quiz as Quiz;
    expect(quiz.questions).toHaveLength(QUIZ_QUESTIONS);
    const [q1, q2, q3, q4, q5] = quiz.questions;
    if (!q1 || !q2 || !q3 || !q4 || !q5) throw new Error("five questions expected");

    // The question with its four options, lettered.
    expect(first.startsWith(`Câu 1/${QUIZ_QUESTIONS} (`)).toBe(true);
    expect(first).toContain(q1.question);
    for (const [i, option] of q1.options.entries()) expect(first).toContain(`\n${LETTERS[i]}. ${option}`);
    expect(first.split("\n").filter((l) => /^[A-D]\. /.test(l))).toHaveLength(4);

    // A right answer (lower-case letter): praised, with the quoted source; then question 2.
    const [praise = "", second = ""] = await say(zalo, user, (LETTERS[q1.correct] ?? "").toLowerCase());
    expect(praise.startsWith(`✅ Đúng! Đáp án: ${LETTERS[q1.correct]}. ${q1.options[q1.correct]}`)).toBe(
      true,
    );
    expect(praise).toContain("Nguồn: “");
    expect(praise).toContain(`— ${TITLE}`);
    expect(second.startsWith(`Câu 2/${QUIZ_QUESTIONS} (`)).toBe(true);
    expect(second).toContain(q2.question);

    // A wrong answer (as a number): the right option is revealed; then question 3.
    const wrong = (q2.correct + 1) % 4;
    const [reveal = "", third = ""] = await say(zalo, user, String(wrong + 1));
    expect(reveal).toContain(`❌ Chưa đúng (bạn chọn ${LETTERS[wrong]}).`);
    expect(reveal).toContain(`Đáp án: ${LETTERS[q2.correct]}. ${q2.options[q2.correct]}`);
    expect(reveal).toContain("Nguồn: “");
    expect(third.startsWith(`Câu 3/${QUIZ_QUESTIONS} (`)).toBe(true);

    // A restart (or another replica): the pending question is read from the database.
    expect((await pendingQuiz(user))?.position).toBe(2);
    const restarted = channel();
    const [right3 = "", fourth = ""] = await say(restarted, user, q3.options[q3.correct] ?? "");
    expect(right3.startsWith("✅ Đúng!")).toBe(true);
    expect(fourth.startsWith(`Câu 4/${QUIZ_QUESTIONS} (`)).toBe(true);
    expect(fourth).toContain(q4.question);

    // "bỏ qua" shows the answer and goes on; the last reply ends with the score.
    const [skipped = "", fifth = ""] = await say(restarted, user, "bỏ qua");
    expect(skipped.startsWith(`Đáp án: ${LETTERS[q4.correct]}. `)).toBe(true);
    expect(fifth.startsWith(`Câu 5/${QUIZ_QUESTIONS} (`)).toBe(true);
    const [last = "", score = "", ...after] = await say(restarted, user, `đáp án ${LETTERS[q5.correct]}`);
    expect(last.startsWith("✅ Đúng!")).toBe(true);
    expect(score).toBe(TEXT.quizDone(3, QUIZ_QUESTIONS));
    expect(after).toEqual([]);
    expect(await pendingQuiz(user)).toBeUndefined();
  });

  it("a question while a quiz is pending ends the quiz and gets its normal answer", async () => {
    const user = member();
    const zalo = channel();
    await say(zalo, user, "/quiz đột phá chiến lược");
    expect(await pendingQuiz(user)).toBeDefined();
    const [note = "", answer = "", ...rest] = await say(
      zalo,
      user,
      "Hà Nội đặt mục tiêu tăng trưởng kinh tế bao nhiêu?",
    );
    expect(note).toBe(TEXT.quizStopped(0, 0));
    expect(answer).toContain("11%");
    expect(answer).toContain(`Nguồn:\n[1] ${TITLE}`);
    expect(rest).toEqual([]);
    expect(await pendingQuiz(user)).toBeUndefined();
    // Without a pending quiz, "B" is not graded.
    const replies = await say(zalo, user, "B");
    expect(replies.join("\n")).not.toMatch(/Đúng!|Chưa đúng/);
  });

  it("/moi ends the quiz; a topic the documents do not cover says so", async () => {
    const user = member();
    const zalo = channel();
    await say(zalo, user, "/quiz tăng trưởng");
    expect(await pendingQuiz(user)).toBeDefined();
    expect(await say(zalo, user, "/moi")).toEqual([TEXT.newConversationQuizEnded]);
    expect(await pendingQuiz(user)).toBeUndefined();
    expect(await say(zalo, user, "/moi")).toEqual([TEXT.newConversation]);

    const [none = "", ...rest] = await say(zalo, user, "/quiz tàu vũ trụ");
    expect(none).toBe(TEXT.quizNone("tàu vũ trụ"));
    expect(rest).toEqual([]);
    expect(await pendingQuiz(user)).toBeUndefined();
  });
});

describe("Zalo: /baihoc", () => {
  it("sends the study pack's title, key points, targets and sources as text, in messages of at most 2,000 characters", async () => {
    const user = member();
    const replies = await say(channel(), user, "/baihoc tăng trưởng");
    const pack = await app.studyPacks.build("tăng trưởng");
    expect(pack.found).toBe(true);
    expect(replies.length).toBeGreaterThan(0);
    for (const text of replies) expect(text.length).toBeLessThanOrEqual(2000);
    const all = replies.join("\n\n");
    expect(replies[0]?.startsWith(`${pack.title}\n\n`)).toBe(true);
    expect(all).toContain("Những điểm chính\n1. “");
    for (const k of pack.keyPoints) expect(all).toContain(`“${k.quote}” [`);
    expect(all).toContain("Tăng trưởng kinh tế: từ 11% trở lên (2026-2031)");
    expect(all).toContain("Câu hỏi thảo luận\n1. ");
    expect(all).toContain("gõ /quiz tăng trưởng");
    expect(all).toContain(`Nguồn\n[1] ${TITLE}`);
    expect(all).toContain(ARTICLE);
    // Sources are numbered in the order they appear, and every [n] shown has its line.
    const cited = new Set([...all.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1])));
    for (const n of cited) expect(all).toContain(`\n[${n}] ${TITLE}`);
    expect(Math.max(...cited)).toBe(cited.size);
  });

  it("the whole corpus without a topic; a topic the documents do not cover says so", async () => {
    const user = member();
    const zalo = channel();
    const whole = await say(zalo, user, "/baihoc");
    expect(whole[0]).toMatch(/^Bài học: .*\(toàn bộ tài liệu\)/);
    for (const text of whole) expect(text.length).toBeLessThanOrEqual(2000);
    expect(await say(zalo, user, "/baihoc tàu vũ trụ")).toEqual([TEXT.studyPackNone("tàu vũ trụ")]);
  });
});

describe("Zalo: help and welcome", () => {
  it("/help and the welcome name the new commands; without the study services they are unknown", async () => {
    const user = member();
    const [help = "", welcome = ""] = await say(channel(), user, "/help", "/start");
    for (const command of ["/chitieu", "/quiz", "/baihoc", "/nguon", "/tailieu", "/moi"]) {
      expect(help).toContain(command);
    }
    for (const command of ["/chitieu", "/quiz", "/baihoc"]) expect(welcome).toContain(command);
    expect(await say(channel({ study: undefined }), user, "/chitieu")).toEqual([TEXT.unknownCommand]);
  });
});
