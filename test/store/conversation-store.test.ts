import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Answer } from "../../src/contract/answer.ts";
import { createConversationStore } from "../../src/store/conversation-store.ts";
import { migrate } from "../../src/store/migrate.ts";
import { type TestEngine, testEngines } from "../helpers/engines.ts";
import { recordingStatements } from "../helpers/recording-db.ts";

const answer = (n: number): Answer => ({
  question: `câu hỏi ${n}`,
  answer: `trả lời ${n}`,
  found: true,
  mode: "extractive",
  citations: [],
  ms: 1,
});

/**
 * The conversation memory every channel message in a conversation writes to: one statement per
 * turn (it runs on the Node thread with PGlite), the last 10 turns kept, on both engines.
 */
describe.each(testEngines().map((e) => [e.name, e] as [string, TestEngine]))(
  "conversation store on %s",
  (_, engine) => {
    let opened: Awaited<ReturnType<TestEngine["open"]>>;
    const statements: string[] = [];
    let conversations: ReturnType<typeof createConversationStore>;

    beforeAll(async () => {
      opened = await engine.open();
      await migrate(opened.db);
      conversations = createConversationStore(recordingStatements(opened.db, statements));
    });
    afterAll(() => opened?.drop());

    it("adds a turn in one statement, creating the conversation on its first turn", async () => {
      statements.length = 0;
      await conversations.append("zalo:new-chat", {
        question: "câu hỏi 1",
        resolvedQuestion: "câu hỏi 1",
        answer: answer(1),
      });
      expect(statements).toHaveLength(1);
      const turns = await conversations.recent("zalo:new-chat", 3);
      expect(turns.map((t) => t.question)).toEqual(["câu hỏi 1"]);
      expect(turns[0]?.answer.answer).toBe("trả lời 1");
    });

    it("keeps the last 10 turns, oldest dropped first, and other conversations untouched", async () => {
      for (let n = 1; n <= 14; n++)
        await conversations.append("zalo:long-chat", {
          question: `câu hỏi ${n}`,
          resolvedQuestion: `câu hỏi ${n}`,
          answer: answer(n),
        });
      const kept = await conversations.recent("zalo:long-chat", 20);
      expect(kept.map((t) => t.question)).toEqual(Array.from({ length: 10 }, (_, i) => `câu hỏi ${i + 5}`));
      expect(await conversations.recent("zalo:new-chat", 20)).toHaveLength(1);
    });

    it("starts again after the conversation is cleared (/moi)", async () => {
      await conversations.clear("zalo:long-chat");
      expect(await conversations.recent("zalo:long-chat", 20)).toEqual([]);
      await conversations.append("zalo:long-chat", {
        question: "lại từ đầu",
        resolvedQuestion: "lại từ đầu",
        answer: answer(0),
      });
      expect((await conversations.recent("zalo:long-chat", 20)).map((t) => t.question)).toEqual([
        "lại từ đầu",
      ]);
    });
  },
);

describe.each(testEngines().map((e) => [e.name, e] as [string, TestEngine]))(
  "conversations kept in memory, written through, on %s",
  (_, engine) => {
    let opened: Awaited<ReturnType<TestEngine["open"]>>;
    const statements: string[] = [];
    let conversations: ReturnType<typeof createConversationStore>;
    const turn = (n: number) => ({ question: `câu ${n}`, resolvedQuestion: `câu ${n}`, answer: answer(n) });

    beforeAll(async () => {
      opened = await engine.open();
      await migrate(opened.db);
      conversations = createConversationStore(recordingStatements(opened.db, statements), { cacheSize: 2 });
    });
    afterAll(async () => {
      await conversations.flush();
      await opened?.drop();
    });

    it("reads a conversation once, then answers its follow-ups from memory with every turn", async () => {
      statements.length = 0;
      expect(await conversations.recent("web:a")).toEqual([]);
      await conversations.append("web:a", turn(1));
      await conversations.append("web:a", turn(2));
      const isRead = (sql: string) => sql.includes("SELECT question, resolved_question");
      const reads = statements.filter(isRead).length;
      expect(reads).toBe(1);
      expect((await conversations.recent("web:a", 3)).map((t) => t.question)).toEqual(["câu 1", "câu 2"]);
      expect(statements.filter(isRead).length).toBe(reads);
    });

    it("reads again a conversation it let go, whole, and forgets a cleared one", async () => {
      await conversations.recent("web:b");
      await conversations.recent("web:c"); // web:a, the least recent of three, is let go (size 2)
      for (let n = 3; n <= 12; n++) await conversations.append("web:a", turn(n));
      expect((await conversations.recent("web:a", 20)).map((t) => t.question)).toEqual(
        Array.from({ length: 10 }, (_, i) => `câu ${i + 3}`),
      );
      await conversations.clear("web:a");
      expect(await conversations.recent("web:a")).toEqual([]);
    });

    it("writes every turn to the store: another process reads them all after a flush", async () => {
      for (let n = 1; n <= 3; n++) await conversations.append("web:e", turn(n));
      expect((await conversations.recent("web:e")).map((t) => t.question)).toEqual([
        "câu 1",
        "câu 2",
        "câu 3",
      ]);
      await conversations.flush();
      const fresh = createConversationStore(opened.db);
      expect((await fresh.recent("web:e", 5)).map((t) => t.question)).toEqual(["câu 1", "câu 2", "câu 3"]);
    });

    it("does not keep a read that a new turn overtook", async () => {
      await conversations.append("web:d", turn(1));
      const reading = conversations.recent("web:d", 5); // not kept yet: reads the store
      await conversations.append("web:d", turn(2));
      await reading;
      expect((await conversations.recent("web:d", 5)).map((t) => t.question)).toEqual(["câu 1", "câu 2"]);
    });
  },
);
