import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { z } from "zod";
import { createApp } from "../app.ts";
import { loadConfigOrExit } from "../config.ts";
import { type Answer, parseAnswer } from "../contract/answer.ts";
import { errorMessage } from "../error-message.ts";
import { createLogger } from "../logger.ts";
import { runCommand } from "../store/run-command.ts";
import { formatAnswerText } from "./format-answer.ts";

const USAGE = `Usage: npm run ask -- [--json] [--conversation ID] "câu hỏi"
       npm run ask -- --jsonl < questions.jsonl

Answers a question from the documents in corpus/, with sources and exact quotes.
  --json              print exactly one JSON object (the answer contract)
  --jsonl             read lines {"id","q","conversation"} from standard input, print one JSON object per line
  --conversation ID   keep a conversation, so follow-up questions are understood`;

const jsonlLine = z.object({
  id: z.union([z.string(), z.number()]).transform(String).optional(),
  q: z.string(),
  conversation: z.string().min(1).optional(),
});

/**
 * The answer leaves the process here, as the JSON other programs read: checked against the contract
 * first, then printed as the answerer made it.
 */
function inContract(answer: Answer): Answer {
  parseAnswer(answer, `the answer to "${answer.question}"`);
  return answer;
}

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

async function main() {
  let parsed: ReturnType<
    typeof parseArgs<{ options: Record<string, { type: "string" | "boolean" }>; allowPositionals: true }>
  >;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      options: {
        json: { type: "boolean" },
        jsonl: { type: "boolean" },
        conversation: { type: "string" },
        help: { type: "boolean" },
      },
      allowPositionals: true,
    });
  } catch (error) {
    fail(errorMessage(error));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const question = positionals.join(" ");
  if (!values.jsonl && !question.trim()) fail("Missing question.");

  const config = loadConfigOrExit();
  // Standard output carries the answer; keep routine logs off the terminal unless asked for.
  const logger = createLogger(config.LOG_LEVEL === "info" ? "warn" : config.LOG_LEVEL);
  const app = await createApp(config, logger);
  try {
    if (values.jsonl) {
      const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
      let n = 0;
      for await (const line of lines) {
        n++;
        if (!line.trim()) continue;
        let request: z.infer<typeof jsonlLine>;
        try {
          request = jsonlLine.parse(JSON.parse(line));
        } catch {
          process.stdout.write(
            `${JSON.stringify({ line: n, error: 'invalid line: expected {"id","q","conversation"}' })}\n`,
          );
          process.exitCode = 1;
          continue;
        }
        const answer = await app.answerer.answer({
          question: request.q,
          id: request.id,
          conversationId: request.conversation ? `cli:${request.conversation}` : undefined,
        });
        process.stdout.write(`${JSON.stringify(inContract(answer))}\n`);
      }
      return;
    }
    const answer = await app.answerer.answer({
      question,
      id: randomUUID(),
      conversationId: typeof values.conversation === "string" ? `cli:${values.conversation}` : undefined,
    });
    process.stdout.write(
      values.json ? `${JSON.stringify(inContract(answer))}\n` : `${formatAnswerText(answer)}\n`,
    );
  } finally {
    await app.close();
  }
}

await runCommand(main);
