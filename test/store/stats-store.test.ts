import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Answer } from "../../src/contract/answer.ts";
import { type AnswerStore, createAnswerStore, newAnswerId } from "../../src/store/answer-store.ts";
import type { Database } from "../../src/store/database.ts";
import { migrate } from "../../src/store/migrate.ts";
import { createStatsStore, type StatsStore, vietnamDay } from "../../src/store/stats-store.ts";
import { questionKey } from "../../src/text/question-key.ts";
import { testEngines } from "../helpers/engines.ts";

const found = (question: string, section: string): Answer => ({
  question,
  answer: "**từ 11% trở lên** — … tăng trưởng kinh tế từ 11% trở lên … [1]",
  found: true,
  mode: "extractive",
  citations: [
    {
      n: 1,
      document: "Chương trình hành động",
      section,
      quote: "tăng trưởng kinh tế từ 11% trở lên",
      chunkId: "0123456789abcdef0123",
    },
  ],
  ms: 3,
});
const refused = (question: string): Answer => ({
  question,
  answer: "Tài liệu hiện có không đề cập đến nội dung này.",
  found: false,
  mode: "extractive",
  citations: [],
  ms: 3,
});

describe("question keys", () => {
  it("group the wordings of one question: diacritics, tone marks, spacing, word order", () => {
    const key = questionKey("Chỉ tiêu tăng trưởng là bao nhiêu?");
    expect(questionKey("chi tieu tang truong la bao nhieu")).toBe(key);
    expect(questionKey("  Chỉ  tiêu tăng trưởng   là bao nhiêu ?? ")).toBe(key);
    expect(questionKey("tăng trưởng chỉ tiêu là bao nhiêu")).toBe(key);
    expect(questionKey("Vai trò của Uỷ ban")).toBe(questionKey("vai trò của Ủy ban"));
    expect(questionKey("Chỉ tiêu tăng trưởng là bao nhiêu phần trăm?")).not.toBe(key);
  });
});

describe.each(testEngines())("statistics of what members ask, on $name", (engine) => {
  let drop: () => Promise<void>;
  let db: Database;
  let answers: AnswerStore;
  let stats: StatsStore;
  const today = vietnamDay(new Date());

  const ask = async (channel: string, question: string, answer: Answer, userId?: string) => {
    const id = newAnswerId();
    await answers.record({ id, channel, question, answer: { ...answer, id }, ...(userId ? { userId } : {}) });
    return id;
  };

  beforeAll(async () => {
    const opened = await engine.open();
    drop = opened.drop;
    db = opened.db;
    await migrate(db);
    answers = createAnswerStore(db);
    stats = createStatsStore(db);
    await ask("telegram", "Chỉ tiêu tăng trưởng là bao nhiêu?", found("x", "Mục tiêu"), "111");
    await ask("telegram", "chi tieu tang truong la bao nhieu", found("x", "Mục tiêu"), "222");
    await ask("zalo", "Chỉ tiêu tăng trưởng là bao nhiêu?", found("x", "Mục tiêu"), "333");
    await ask("web", "tăng trưởng chỉ tiêu là  bao nhiêu", found("x", "Mục tiêu"));
    await ask("telegram", "Dân số Hà Nội là bao nhiêu?", refused("x"), "111");
    await ask("zalo", "dan so ha noi la bao nhieu", refused("x"), "444");
    const disliked = await ask("telegram", "Ai là Bí thư?", found("x", "Lãnh đạo"), "222");
    await answers.vote(disliked, "111", -1);
    await answers.vote(disliked, "333", -1);
  });
  afterAll(() => drop?.());

  it("counts a question once with its wordings, and the ones the documents could not answer", async () => {
    const s = await stats.query({ from: today, to: today });
    expect(s.totals).toEqual({ asked: 7, unanswered: 2, downVotes: 2 });
    expect(s.top[0]).toEqual({
      question: "Chỉ tiêu tăng trưởng là bao nhiêu?",
      // spaces squeezed; of wordings asked as often, the one with its marks comes first
      variants: ["tăng trưởng chỉ tiêu là bao nhiêu", "chi tieu tang truong la bao nhieu"],
      asked: 4,
      unanswered: 0,
    });
    expect(s.unanswered).toEqual([
      {
        question: "Dân số Hà Nội là bao nhiêu?",
        variants: ["dan so ha noi la bao nhieu"],
        asked: 2,
        unanswered: 2,
      },
    ]);
    expect(s.downVoted).toEqual([
      {
        question: "Ai là Bí thư?",
        answer: expect.stringContaining("11%"),
        votes: 2,
        channel: "telegram",
        day: today,
      },
    ]);
    expect(s.sections).toEqual([
      { document: "Chương trình hành động", section: "Mục tiêu", cited: 4 },
      { document: "Chương trình hành động", section: "Lãnh đạo", cited: 1 },
    ]);
    expect(s.perDay).toEqual([{ day: today, asked: 7, unanswered: 2 }]);
  });

  it("filters by channel, and shows every day of the period", async () => {
    const from = vietnamDay(new Date(Date.now() - 2 * 86_400_000));
    const s = await stats.query({ from, to: today, channel: "zalo" });
    expect(s.totals.asked).toBe(2);
    expect(s.perDay.map((d) => d.asked)).toEqual([0, 0, 2]);
    expect(s.top.map((g) => g.question).sort()).toEqual([
      "Chỉ tiêu tăng trưởng là bao nhiêu?",
      "dan so ha noi la bao nhieu",
    ]);
  });

  it("counts each answer once, however often it is read", async () => {
    await stats.query({ from: today, to: today });
    expect((await stats.query({ from: today, to: today })).totals.asked).toBe(7);
  });

  it("shows no user id or name", async () => {
    const text = JSON.stringify(await stats.query({ from: today, to: today }));
    for (const id of ["111", "222", "333", "444", "h:"]) expect(text).not.toContain(id);
  });

  it("deletes old answers, feedback and conversations in batches, and keeps their counts", async () => {
    const old = await ask("telegram", "Câu hỏi cũ về quy hoạch?", refused("x"), "555");
    await answers.vote(old, "555", -1);
    await db.query("UPDATE answers SET created_at = now() - interval '200 days' WHERE id = $1", [old]);
    await db.query(
      "INSERT INTO conversations (id, updated_at) VALUES ('telegram:old', now() - interval '200 days')",
    );
    await db.query("INSERT INTO conversations (id) VALUES ('telegram:new')");
    const gone = await stats.prune(180, 1);
    expect(gone).toEqual({ answers: 1, conversations: 1 });
    expect(await db.query("SELECT 1 FROM answers WHERE id = $1", [old])).toEqual([]);
    expect(await db.query("SELECT 1 FROM answer_feedback WHERE answer_id = $1", [old])).toEqual([]);
    expect(await db.query("SELECT id FROM conversations WHERE id LIKE 'telegram:%'")).toEqual([
      { id: "telegram:new" },
    ]);
    // Recorded on the day it was asked: the count survives the answer.
    const day = vietnamDay(new Date(Date.now() - 200 * 86_400_000));
    const s = await stats.query({ from: day, to: day });
    expect(s.unanswered.map((g) => g.question)).toEqual(["Câu hỏi cũ về quy hoạch?"]);
    expect((await stats.query({ from: today, to: today })).totals.asked).toBe(7);
  });
});
