/**
 * CPU time of answer selection per question (retrieval cached, so the sentence and answerability
 * models, short answers and citations are what is timed), on a ViQuAD-style CSV's questions:
 *
 *   npm run bench:answer -- [--csv ../shared/bench/viquad2-dev/dev.csv] [--questions 200] [--rounds 3]
 *
 * Compare two commits by running it in each (the figures of the README were taken so).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createAnswerer } from "../src/answer/answerer.ts";
import { createApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { readViquad, writeViquadCorpus } from "../src/eval/viquad.ts";
import { createLogger } from "../src/logger.ts";
import { loadAbbreviations } from "../src/retrieval/expand-query.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    csv: { type: "string", default: "../shared/bench/viquad2-dev/dev.csv" },
    questions: { type: "string", default: "200" },
    rounds: { type: "string", default: "3" },
  },
});
const items = readViquad(values.csv).slice(0, Number(values.questions));
const rounds = Number(values.rounds);
const work = await mkdtemp(join(tmpdir(), "sotay-bench-answer-"));
try {
  await writeViquadCorpus(items, join(work, "corpus"));
  const env: Record<string, string | undefined> = {
    ...process.env,
    DATA_DIR: join(work, "data"),
    CORPUS_DIR: join(work, "corpus"),
  };
  delete env.DATABASE_URL;
  const app = await createApp(loadConfig(env), createLogger("error"));
  try {
    // No answer cache: every answer is selected again; retrieval is cached after the first round.
    // A trace turns off the answerer's own memory of selections made on a retrieval (which would
    // otherwise answer rounds 2 and 3 without selecting); it only receives what was selected.
    const answerer = createAnswerer({
      trace: () => {},
      retriever: app.retriever,
      facts: app.facts,
      abbreviations: loadAbbreviations(),
      logger: app.logger,
      options: { topK: app.config.ANSWER_TOP_K },
    });
    for (const item of items) await answerer.answer({ question: item.question });
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (let r = 0; r < rounds; r++)
      for (const item of items) await answerer.answer({ question: item.question });
    const used = process.cpuUsage(cpu);
    const n = rounds * items.length;
    process.stdout.write(
      `answer selection, ${items.length} questions × ${rounds} rounds (retrieval cached): ` +
        `${((used.user + used.system) / 1000 / n).toFixed(2)} ms CPU per question, ` +
        `${((performance.now() - started) / n).toFixed(2)} ms wall\n`,
    );
  } finally {
    await app.close();
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
