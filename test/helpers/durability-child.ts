/**
 * One process of the durability test: `write` records an answer, a vote and a conversation turn,
 * then exits; `read` (a later process) prints what it finds, as JSON. The store is the one the
 * environment configures (DATA_DIR or DATABASE_URL), exactly as the service opens it.
 */
import { createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/logger.ts";
import { createAnswerStore } from "../../src/store/answer-store.ts";

const [mode = ""] = process.argv.slice(2);
const app = await createApp(loadConfig(), createLogger("warn"));
const answers = createAnswerStore(app.store.db);
try {
  if (mode === "write") {
    const answer = await app.answerer.answer({
      question: "Hà Nội phấn đấu tăng trưởng kinh tế bao nhiêu?",
      conversationId: "durability:lan",
    });
    await answers.record({
      id: "durableAns01",
      channel: "telegram",
      conversationId: "durability:lan",
      userId: "123456789",
      question: answer.question,
      answer,
    });
    await answers.vote("durableAns01", "123456789", 1);
    await answers.vote("durableAns01", "223344556", -1);
  } else if (mode === "read") {
    const stored = await answers.get("durableAns01");
    const turns = await app.conversations.recent("durability:lan", 5);
    const followUp = await app.answerer.answer({
      question: "trong nhiệm kỳ nào?",
      conversationId: "durability:lan",
    });
    process.stdout.write(
      `${JSON.stringify({
        answer: stored?.answer.answer,
        // Stored under the keyed hash: the same ids hash alike after the restart.
        votes: await Promise.all(
          ["123456789", "223344556"].map(async (userId) => {
            const key = await answers.userKey(userId);
            const vote = (await answers.votes("durableAns01")).find((v) => v.userId === key)?.vote;
            return { userId, vote };
          }),
        ),
        turns: turns.map((t) => t.question),
        followUp: followUp.answer,
        stats: await app.store.stats(),
      })}\n`,
    );
  } else throw new Error(`unknown mode ${mode}`);
} finally {
  await app.close();
}
