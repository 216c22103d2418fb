import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Answer } from "../../src/contract/answer.ts";
import { type AnswerStore, createAnswerStore, newAnswerId } from "../../src/store/answer-store.ts";
import { migrate } from "../../src/store/migrate.ts";
import { testEngines } from "../helpers/engines.ts";

const answer: Answer = {
  id: "placeholder",
  question: "Hà Nội đặt mục tiêu tăng trưởng kinh tế bao nhiêu?",
  answer: "… phấn đấu đạt tăng trưởng kinh tế từ 11% trở lên trong nhiệm kỳ 2026-2031. [1]",
  found: true,
  mode: "extractive",
  citations: [
    {
      n: 1,
      document: "Hà Nội tiên phong đưa Nghị quyết XIV của Đảng vào cuộc sống",
      section: "Xác lập định hướng chiến lược, nâng tầm phát triển Thủ đô",
      publisher: "Kinh tế & Đô thị",
      quote: "phấn đấu đạt tăng trưởng kinh tế từ 11% trở lên trong nhiệm kỳ 2026-2031.",
      chunkId: "0123456789abcdef0123",
    },
  ],
  ms: 14,
};

describe.each(testEngines())("answers and feedback on $name", (engine) => {
  let drop: () => Promise<void>;
  let store: AnswerStore;

  beforeAll(async () => {
    const opened = await engine.open();
    drop = opened.drop;
    await migrate(opened.db);
    store = createAnswerStore(opened.db);
  });
  afterAll(() => drop?.());

  it("keeps an answer under a short id, whole", async () => {
    const id = newAnswerId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{12}$/);
    await store.record({
      id,
      channel: "telegram",
      conversationId: "telegram:123456789",
      userId: "123456789",
      question: answer.question,
      answer: { ...answer, id },
    });
    expect(await store.get(id)).toEqual({
      id,
      channel: "telegram",
      conversationId: "telegram:123456789",
      userId: "123456789",
      question: answer.question,
      answer: { ...answer, id },
    });
    expect(await store.get("missing00000")).toBeUndefined();
  });

  it("refuses a stored answer that breaks the contract, naming the record and the field", async () => {
    const id = newAnswerId();
    const broken = { ...answer, id, citations: [{ n: 1, quote: answer.citations[0]?.quote }] };
    await store.record({
      id,
      channel: "zalo",
      question: answer.question,
      answer: broken as unknown as Answer,
    });
    await expect(store.get(id)).rejects.toThrow(
      new RegExp(
        `^stored answer ${id} is not an answer of the contract: citations\\.0\\.document: .*expected string`,
      ),
    );
  });

  it("keeps one vote per user per answer: a second vote replaces the first", async () => {
    const id = newAnswerId();
    await store.record({ id, channel: "telegram", question: answer.question, answer: { ...answer, id } });
    expect(await store.vote(id, "123456789", 1)).toEqual({ previous: null });
    expect(await store.vote(id, "123456789", -1)).toEqual({ previous: 1 });
    expect(await store.vote(id, "123456789", -1)).toEqual({ previous: -1 });
    expect(await store.vote(id, "223344556", 1)).toEqual({ previous: null });
    expect(await store.votes(id)).toEqual([
      { userId: "123456789", vote: -1 },
      { userId: "223344556", vote: 1 },
    ]);
  });

  it("refuses a vote on an answer it does not have", async () => {
    expect(await store.vote("missing00000", "123456789", 1)).toBeUndefined();
    expect(await store.votes("missing00000")).toEqual([]);
  });
});
