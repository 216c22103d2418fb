import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { createApp } from "../app.ts";
import { loadConfig } from "../config.ts";
import type { Answer } from "../contract/answer.ts";
import { errorMessage } from "../error-message.ts";
import { readViquad, writeViquadCorpus } from "../eval/viquad.ts";
import { type AnsweredItem, summarizeViquad, type ViquadReport } from "../eval/viquad-report.ts";
import { createLogger } from "../logger.ts";
import { runCommand } from "../store/run-command.ts";

const USAGE = `Usage: npm run eval:viquad -- --csv FILE [--json] [--limit N] [--verbose]

Builds a fresh store from the file's paragraphs (one document per distinct paragraph, titled by
its article), asks every question through the answerer the channels use, and scores the answers
as ../shared/bench/viquad2-dev/SOURCE.md describes. Exits 1 below the thresholds in
test/eval/thresholds.json ("viquad"). The store is PGlite unless EVAL_DATABASE_URL is set.`;

const thresholdsSchema = z.object({
  viquad: z.object({
    $comment: z.string().optional(),
    hit: z.number(),
    top1: z.number(),
    answerableRefusedMax: z.number(),
    unanswerableRefusedMin: z.number(),
    refusalAuc: z.number(),
    /** the share of short answers that are the gold span's words (answered answerable questions) */
    shortAnswerRight: z.number().default(0),
    p95ms: z.number(),
  }),
});

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

export function checkThresholds(
  report: ViquadReport,
  t: z.infer<typeof thresholdsSchema>["viquad"],
): string[] {
  const failures: string[] = [];
  const f3 = (x: number) => x.toFixed(3);
  if (report.hit < t.hit) failures.push(`hit ${f3(report.hit)} < ${t.hit}`);
  if (report.top1 < t.top1) failures.push(`top1 ${f3(report.top1)} < ${t.top1}`);
  if (report.answerableRefused > t.answerableRefusedMax)
    failures.push(`answerable refused ${f3(report.answerableRefused)} > ${t.answerableRefusedMax}`);
  if (report.unanswerableRefused < t.unanswerableRefusedMin)
    failures.push(`unanswerable refused ${f3(report.unanswerableRefused)} < ${t.unanswerableRefusedMin}`);
  if (report.refusalAuc < t.refusalAuc)
    failures.push(`refusal AUC ${f3(report.refusalAuc)} < ${t.refusalAuc}`);
  if (report.shortAnswerRight < t.shortAnswerRight)
    failures.push(`short answers right ${f3(report.shortAnswerRight)} < ${t.shortAnswerRight}`);
  if (report.p95ms > t.p95ms) failures.push(`p95 ${report.p95ms} ms > ${t.p95ms} ms`);
  return failures;
}

async function main() {
  let values: {
    csv?: string;
    json?: boolean;
    limit?: string;
    verbose?: boolean;
    thresholds?: string;
    help?: boolean;
  };
  try {
    values = parseArgs({
      args: process.argv.slice(2),
      options: {
        csv: { type: "string" },
        json: { type: "boolean", default: false },
        limit: { type: "string" },
        verbose: { type: "boolean", short: "v", default: false },
        thresholds: { type: "string", default: "test/eval/thresholds.json" },
        help: { type: "boolean" },
      },
    }).values;
  } catch (error) {
    fail(errorMessage(error));
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!values.csv) fail("Missing --csv FILE.");
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
    fail("--limit must be a positive whole number.");
  let items: ReturnType<typeof readViquad>;
  try {
    items = readViquad(values.csv);
  } catch (error) {
    fail(errorMessage(error));
  }
  if (limit !== undefined) items = items.slice(0, limit);
  if (items.length === 0) fail(`${values.csv} holds no questions.`);
  const thresholds = thresholdsSchema.parse(JSON.parse(readFileSync(values.thresholds ?? "", "utf8"))).viquad;

  const work = await mkdtemp(join(tmpdir(), "sotay-viquad-"));
  const corpusDir = join(work, "corpus");
  const answered: AnsweredItem[] = [];
  let engine = "";
  try {
    await writeViquadCorpus(items, corpusDir);
    const env: Record<string, string | undefined> = {
      ...process.env,
      DATA_DIR: join(work, "data"),
      CORPUS_DIR: corpusDir,
    };
    if (!process.env.EVAL_DATABASE_URL) delete env.DATABASE_URL;
    else env.DATABASE_URL = process.env.EVAL_DATABASE_URL;
    const app = await createApp(loadConfig(env), createLogger("error"));
    engine = app.store.db.engine;
    try {
      await app.answerer.answer({ question: "khởi động" });
      for (const item of items) {
        const answer: Answer = await app.answerer.answer({ question: item.question, id: String(item.row) });
        const retrieval = await app.retriever.retrieve(item.question, { k: 10 });
        const at = retrieval.passages.findIndex((p) => p.document.path === item.path);
        answered.push({ item, answer, paragraphRank: at >= 0 ? at + 1 : 0 });
      }
    } finally {
      await app.close();
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }

  const report = { ...summarizeViquad(answered), engine, file: values.csv };
  const failures = checkThresholds(report, thresholds);
  if (values.json) process.stdout.write(`${JSON.stringify({ ...report, failures })}\n`);
  else {
    if (values.verbose) {
      for (const { item, answer } of answered) {
        process.stdout.write(
          `${item.answerable ? "A" : "U"} row ${item.row} ${item.question}\n  gold: ${item.answer || "(none)"}\n  got: ${answer.found ? answer.answer.slice(0, 240) : "REFUSED"} (confidence ${answer.confidence?.toFixed(2) ?? "-"})\n`,
        );
      }
    }
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    process.stdout.write(
      `${[
        `ViQuAD-style evaluation of ${values.csv}: ${report.questions} questions (${report.answerable} answerable, ${report.unanswerable} unanswerable) over ${report.paragraphs} paragraphs, ${engine}`,
        `  answers: hit ${report.hit.toFixed(3)}, top1 ${report.top1.toFixed(3)}; ${report.shortAnswers} led by a short answer, ${report.shortAnswerRight.toFixed(3)} of them the gold span's words`,
        `  refusals: answerable refused ${pct(report.answerableRefused)}, unanswerable refused ${pct(report.unanswerableRefused)}, refusal AUC ${report.refusalAuc.toFixed(3)}`,
        `  retrieval (question → its paragraph): R@1 ${report.paragraphR1.toFixed(3)}, MRR@10 ${report.paragraphMrr10.toFixed(3)}`,
        `  answer time: median ${report.p50ms} ms, p95 ${report.p95ms} ms`,
        failures.length ? `FAILED: ${failures.join("; ")}` : "All thresholds met.",
      ].join("\n")}\n`,
    );
  }
  if (failures.length) process.exitCode = 1;
}

await runCommand(main);
