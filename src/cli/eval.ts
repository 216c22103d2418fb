import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { createApp } from "../app.ts";
import { loadConfig } from "../config.ts";
import type { Answer } from "../contract/answer.ts";
import { type EvalItem, readEvalSet } from "../eval/qa-set.ts";
import { percentile } from "../eval/viquad-report.ts";
import { createLogger } from "../logger.ts";
import { runCommand } from "../store/run-command.ts";
import { foldDiacritics } from "../text/fold-diacritics.ts";

const thresholdsSchema = z.object({
  recallAt5: z.number(),
  mrr: z.number(),
  factHit: z.number(),
  refusalRecall: z.number(),
  wrongRefusalRate: z.number(),
  p95ms: z.number(),
});

const norm = (s: string) => foldDiacritics(s).replace(/\s+/g, " ");

/** Are all the facts in what the user sees: the answer and its quotes? */
export function factsHit(answer: Answer, facts: string[]): boolean {
  const seen = norm([answer.answer, ...answer.citations.map((c) => c.quote)].join(" \n "));
  return facts.every((f) => seen.includes(norm(f)));
}

async function main() {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      set: { type: "string", default: "test/eval/qa.jsonl" },
      thresholds: { type: "string", default: "test/eval/thresholds.json" },
      json: { type: "boolean", default: false },
      verbose: { type: "boolean", short: "v", default: false },
    },
  });
  const items = readEvalSet(values.set);
  const thresholds = thresholdsSchema.parse(JSON.parse(readFileSync(values.thresholds, "utf8")));
  // A fresh embedded store (or the configured PostgreSQL), so the figures do not depend on .data/.
  const dataDir = await mkdtemp(join(tmpdir(), "sotay-eval-"));
  const env: Record<string, string | undefined> = { ...process.env, DATA_DIR: dataDir };
  if (!process.env.EVAL_DATABASE_URL) delete env.DATABASE_URL;
  else env.DATABASE_URL = process.env.EVAL_DATABASE_URL;
  const config = loadConfig(env);
  const logger = createLogger("error");
  const app = await createApp(config, logger);
  const run = `${Date.now()}`;
  const rows: { item: EvalItem; answer: Answer; rank: number; hit: boolean }[] = [];
  try {
    // Warm-up so the first question does not carry start-up costs into the latency figures.
    await app.answerer.answer({ question: "khởi động" });
    for (const item of items) {
      const conversationId = item.conversation ? `eval:${run}:${item.conversation}` : undefined;
      const answer = await app.answerer.answer({ question: item.q, id: item.id, conversationId });
      let rank = 0;
      if (!item.outOfScope) {
        // Rank of the gold passage for the question as searched (a follow-up carries its context).
        const retrieval = await app.retriever.retrieve(answer.resolvedQuestion ?? item.q, { k: 10 });
        const i = retrieval.passages.findIndex((p) => p.text.includes(item.gold));
        rank = i >= 0 ? i + 1 : 0;
      }
      rows.push({
        item,
        answer,
        rank,
        hit: !item.outOfScope && answer.found && factsHit(answer, item.facts),
      });
    }
  } finally {
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
  }

  const inScope = rows.filter((r) => !r.item.outOfScope);
  const outScope = rows.filter((r) => r.item.outOfScope);
  const refused = rows.filter((r) => !r.answer.found);
  const correctlyRefused = refused.filter((r) => r.item.outOfScope);
  const latencies = rows.map((r) => r.answer.ms);
  const report = {
    questions: rows.length,
    inScope: inScope.length,
    outOfScope: outScope.length,
    recallAt1: inScope.filter((r) => r.rank === 1).length / inScope.length,
    recallAt5: inScope.filter((r) => r.rank >= 1 && r.rank <= 5).length / inScope.length,
    mrr: inScope.reduce((n, r) => n + (r.rank ? 1 / r.rank : 0), 0) / inScope.length,
    factHit: inScope.filter((r) => r.hit).length / inScope.length,
    refusalPrecision: refused.length ? correctlyRefused.length / refused.length : 1,
    refusalRecall: outScope.length ? correctlyRefused.length / outScope.length : 1,
    wrongRefusalRate: inScope.filter((r) => !r.answer.found).length / inScope.length,
    p50ms: percentile(latencies, 50),
    p95ms: percentile(latencies, 95),
    engine: app.store.db.engine,
  };
  const failures: string[] = [];
  if (report.recallAt5 < thresholds.recallAt5)
    failures.push(`recall@5 ${report.recallAt5.toFixed(3)} < ${thresholds.recallAt5}`);
  if (report.mrr < thresholds.mrr) failures.push(`MRR ${report.mrr.toFixed(3)} < ${thresholds.mrr}`);
  if (report.factHit < thresholds.factHit)
    failures.push(`fact-hit ${report.factHit.toFixed(3)} < ${thresholds.factHit}`);
  if (report.refusalRecall < thresholds.refusalRecall)
    failures.push(`out-of-scope refused ${report.refusalRecall.toFixed(3)} < ${thresholds.refusalRecall}`);
  if (report.wrongRefusalRate > thresholds.wrongRefusalRate)
    failures.push(
      `in-scope wrongly refused ${report.wrongRefusalRate.toFixed(3)} > ${thresholds.wrongRefusalRate}`,
    );
  if (report.p95ms > thresholds.p95ms) failures.push(`p95 ${report.p95ms} ms > ${thresholds.p95ms} ms`);

  if (values.json) process.stdout.write(`${JSON.stringify({ ...report, failures })}\n`);
  else {
    if (values.verbose) {
      for (const r of rows) {
        const ok = r.item.outOfScope ? !r.answer.found : r.hit;
        if (ok) continue;
        process.stdout.write(
          `✗ ${r.item.id} ${r.item.q}\n  expected ${r.item.outOfScope ? "refusal" : r.item.facts.join(" | ")} (gold rank ${r.rank})\n  got: ${r.answer.found ? r.answer.answer.slice(0, 220) : "REFUSED"}\n`,
        );
      }
    }
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    process.stdout.write(
      `${[
        `Evaluation on ${report.questions} questions (${report.inScope} in scope, ${report.outOfScope} out of scope), ${report.engine}`,
        `  gold passage recall@1 ${pct(report.recallAt1)}, recall@5 ${pct(report.recallAt5)}, MRR ${report.mrr.toFixed(3)}`,
        `  fact-hit ${pct(report.factHit)}`,
        `  refusals: precision ${pct(report.refusalPrecision)}, recall ${pct(report.refusalRecall)}; in scope wrongly refused ${pct(report.wrongRefusalRate)}`,
        `  latency p50 ${report.p50ms} ms, p95 ${report.p95ms} ms`,
        failures.length ? `FAILED: ${failures.join("; ")}` : "All thresholds met.",
      ].join("\n")}\n`,
    );
  }
  if (failures.length) process.exitCode = 1;
}

await runCommand(main);
