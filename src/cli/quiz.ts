import { z } from "zod";
import { createApp } from "../app.ts";
import { loadConfigOrExit } from "../config.ts";
import { createLogger } from "../logger.ts";
import { formatQuizText } from "../quiz/format-quiz.ts";
import { MAX_QUIZ_COUNT } from "../quiz/quiz-service.ts";
import { runCommand } from "../store/run-command.ts";
import { parseCliArgs } from "./parse-cli.ts";

const USAGE = `Usage: npm run quiz -- [--topic "chủ đề"] [--count 10] [--seed 1] [--json]

Multiple-choice questions from the documents, with the answer key and the source of each answer.
The same seed gives the same quiz; with CHAT_MODEL set, the chat model writes some of them (checked).
  --topic TEXT   only questions about this (with or without diacritics)
  --count N      how many (1-${MAX_QUIZ_COUNT}, default 10)
  --seed N       another seed, another quiz (default 1)
  --json         print exactly one JSON array of {"question","options","correct","explanation","difficulty","citation",…}`;

const argsSchema = z.object({
  topic: z.string().max(500).default(""),
  count: z.coerce.number().int().min(1).max(MAX_QUIZ_COUNT).default(10),
  seed: z.coerce.number().int().default(1),
  json: z.boolean().default(false),
  help: z.boolean().default(false),
});

async function main() {
  const { values } = parseCliArgs(
    USAGE,
    {
      topic: { type: "string" },
      count: { type: "string" },
      seed: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean" },
    },
    argsSchema,
  );
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const config = loadConfigOrExit();
  const logger = createLogger(config.LOG_LEVEL === "info" ? "warn" : config.LOG_LEVEL);
  const app = await createApp(config, logger);
  try {
    const quiz = await app.quizzes.generate({ topic: values.topic, count: values.count, seed: values.seed });
    process.stdout.write(values.json ? `${JSON.stringify(quiz.questions)}\n` : `${formatQuizText(quiz)}\n`);
    if (quiz.questions.length === 0) process.exitCode = 1;
  } finally {
    await app.close();
  }
}

await runCommand(main);
