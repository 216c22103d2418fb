import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Answer } from "../../src/contract/answer.ts";
import { type AnswerStore, createAnswerStore, newAnswerId } from "../../src/store/answer-store.ts";
import type { Database } from "../../src/store/database.ts";
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
  let db: Database;

  beforeAll(async () => {
    const opened = await engine.open();
    drop = opened.drop;
    db = opened.db;
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
      userId: await store.userKey("123456789"),
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
    const byUser = (votes: { userId: string; vote: number }[]) =>
      [...votes].sort((a, b) => a.userId.localeCompare(b.userId));
    expect(byUser(await store.votes(id))).toEqual(
      byUser([
        { userId: await store.userKey("123456789"), vote: -1 },
        { userId: await store.userKey("223344556"), vote: 1 },
      ]),
    );
  });

  it("keeps user ids only as a keyed hash, the same on every call", async () => {
    const id = newAnswerId();
    await store.record({
      id,
      channel: "zalo",
      userId: "987654321",
      question: answer.question,
      answer: { ...answer, id },
    });
    await store.vote(id, "987654321", 1);
    const key = await store.userKey("987654321");
    expect(key).toMatch(/^h:[\w-]{22}$/);
    expect(await store.userKey("987654321")).toBe(key);
    expect(await store.userKey("987654322")).not.toBe(key);
    const raw = await db.query(
      "SELECT 1 FROM answers WHERE user_id = $1 UNION ALL SELECT 1 FROM answer_feedback WHERE user_id = $1",
      ["987654321"],
    );
    expect(raw).toEqual([]);
    expect((await store.get(id))?.userId).toBe(key);
  });

  it("hashes the user ids stored before they were hashed, keeping each vote once", async () => {
    const id = newAnswerId();
    await store.record({ id, channel: "telegram", question: answer.question, answer: { ...answer, id } });
    // as an older version stored them: the channel's ids as they are
    await db.query("UPDATE answers SET user_id = '555000111' WHERE id = $1", [id]);
    await db.query(
      "INSERT INTO answer_feedback (answer_id, user_id, vote) VALUES ($1, '555000111', -1), ($1, '555000222', 1)",
      [id],
    );
    await store.vote(id, "555000222", -1); // voted again since: stored under the hash
    while ((await store.hashStoredIds(1)) > 0) {
      // one row of each table at a time
    }
    expect(await db.query("SELECT 1 FROM answers WHERE user_id NOT LIKE 'h:%'")).toEqual([]);
    expect(await db.query("SELECT 1 FROM answer_feedback WHERE user_id NOT LIKE 'h:%'")).toEqual([]);
    expect((await store.get(id))?.userId).toBe(await store.userKey("555000111"));
    const votes = Object.fromEntries((await store.votes(id)).map((v) => [v.userId, v.vote]));
    expect(votes).toEqual({
      [await store.userKey("555000111")]: -1,
      [await store.userKey("555000222")]: -1,
    });
  });

  it("refuses a vote on an answer it does not have", async () => {
    expect(await store.vote("missing00000", "123456789", 1)).toBeUndefined();
    expect(await store.votes("missing00000")).toEqual([]);
  });
});

describe("answers recorded together", () => {
  it("go out as one statement when they arrive in one turn, each whole", async () => {
    const [engine] = testEngines();
    const { db, drop } = await (engine as ReturnType<typeof testEngines>[number]).open();
    try {
      await migrate(db);
      let inserts = 0;
      const counted = {
        query: (sql: string, params?: unknown[]) => {
          if (sql.includes("INSERT INTO answers")) inserts++;
          return db.query(sql, params);
        },
        exec: (sql: string) => db.exec(sql),
      } as unknown as Database;
      const store = createAnswerStore(counted);
      await store.userKey("warm"); // the hash key is read once, before
      const ids = Array.from({ length: 40 }, () => newAnswerId());
      await Promise.all(
        ids.map((id, i) =>
          store.record({
            id,
            channel: i % 2 ? "web" : "zalo",
            ...(i % 2 ? {} : { userId: `u${i}` }),
            question: `câu hỏi số ${i}`,
            answer: { ...answer, id },
          }),
        ),
      );
      expect(inserts).toBe(1);
      for (const [i, id] of ids.entries()) {
        const got = await store.get(id);
        expect(got?.question).toBe(`câu hỏi số ${i}`);
        expect(got?.userId).toBe(i % 2 ? undefined : await store.userKey(`u${i}`));
      }
    } finally {
      await drop();
    }
  });
});
