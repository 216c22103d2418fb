/**
 * Fits the two answer models (src/answer/models/) and cross-validates them by article:
 *   - sentence.json: which sentence of the top passages holds the answer;
 *   - answerability.json: whether the documents answer the question at all, with its operating
 *     point read off the cross-validated curve.
 *
 *   npm run train:answerability [-- --csv ../shared/bench/viquad2-dev/dev.csv --qa test/eval/qa.jsonl --folds 5 --dry-run]
 *
 * Data: the ViQuAD-style CSV (each distinct paragraph one document, as eval:viquad builds it) and
 * the project's own questions over corpus/ (test/eval/qa.jsonl; follow-ups asked in their
 * conversations). Folds are drawn by article (a hash of the title; every seed question is one
 * group), so no paragraph is in both the training and the scoring fold.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { capitalisedRuns } from "../src/answer/answer-kind.ts";
import { createAnswerer } from "../src/answer/answerer.ts";
import {
  ANSWERABILITY_FEATURES,
  type AnswerModels,
  answerabilityFeatures,
  type Candidate,
  type ExtractiveTrace,
  rankCandidates,
  SENTENCE_FEATURES,
} from "../src/answer/extractive.ts";
import { fitLogistic, type LogisticModel, predict } from "../src/answer/logistic.ts";
import { createApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { readEvalSet } from "../src/eval/qa-set.ts";
import { foldForScoring, readViquad, writeViquadCorpus } from "../src/eval/viquad.ts";
import { rocAuc } from "../src/eval/viquad-report.ts";
import { createLogger } from "../src/logger.ts";
import { loadAbbreviations } from "../src/retrieval/expand-query.ts";
import type { Retrieval } from "../src/retrieval/retriever.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    csv: { type: "string", default: "../shared/bench/viquad2-dev/dev.csv" },
    qa: { type: "string", default: "test/eval/qa.jsonl" },
    folds: { type: "string", default: "5" },
    "sentence-l2": { type: "string", default: "0.01" },
    "answerability-l2": { type: "string", default: "3" },
    /** the share of answerable questions the operating point may refuse, on the cross-validated curve */
    "refusal-budget": { type: "string", default: "0.08" },
    /** the project's questions' total weight in the answerability fit, relative to the public set's */
    "qa-weight": { type: "string", default: "1" },
    "dry-run": { type: "boolean", default: false },
    /** do not raise the operating point to meet the project eval's refusal recall out of fold */
    "no-eval-floor": { type: "boolean", default: false },
    /** write each question's answerability features, label and best sentence to this JSON file */
    dump: { type: "string" },
    /** write every question's candidate sentences (features, whether each holds the answer) to this JSON file */
    "dump-candidates": { type: "string" },
  },
});
const FOLDS = Number(values.folds);
const SENTENCE_L2 = Number(values["sentence-l2"]);
const ANSWERABILITY_L2 = Number(values["answerability-l2"]);
const REFUSAL_BUDGET = Number(values["refusal-budget"]);
const QA_WEIGHT = Number(values["qa-weight"]);

interface Example {
  source: "viquad" | "qa" | "swap";
  group: string;
  question: string;
  answerable: boolean;
  /** is this sentence one that holds the answer? */
  holds: (text: string) => boolean;
  trace: ExtractiveTrace & { retrieval: Retrieval };
}

const logger = createLogger("error");
/** A model that leaves the candidates' features as they are; training only reads them. */
const neutral = (features: readonly string[]): LogisticModel & { threshold: number } => ({
  kind: "logistic",
  target: "",
  trainedOn: [],
  trainedAt: "",
  command: "",
  features: [...features],
  mean: features.map(() => 0),
  scale: features.map(() => 1),
  weights: features.map(() => 0),
  bias: 0,
  l2: 0,
  threshold: 0,
});
const tracing: AnswerModels = {
  sentence: neutral(SENTENCE_FEATURES),
  answerability: neutral(ANSWERABILITY_FEATURES),
};

/** Asks every question of a corpus once through the answerer, keeping what the selection saw. */
async function collect(
  corpusDir: string,
  questions: { question: string; conversation?: string; example: Omit<Example, "trace" | "question"> }[],
): Promise<Example[]> {
  const work = await mkdtemp(join(tmpdir(), "sotay-train-"));
  const env: Record<string, string | undefined> = {
    ...process.env,
    DATA_DIR: join(work, "data"),
    CORPUS_DIR: corpusDir,
  };
  delete env.DATABASE_URL;
  delete env.CHAT_MODEL;
  const app = await createApp(loadConfig(env), logger);
  const out: Example[] = [];
  try {
    let last: (ExtractiveTrace & { retrieval: Retrieval }) | undefined;
    const answerer = createAnswerer({
      retriever: app.retriever,
      conversations: app.conversations,
      facts: app.facts,
      abbreviations: loadAbbreviations(),
      logger,
      options: { topK: app.config.ANSWER_TOP_K },
      models: tracing,
      trace: (t) => {
        last = t;
      },
    });
    const run = Date.now();
    for (const q of questions) {
      last = undefined;
      await answerer.answer({
        question: q.question,
        ...(q.conversation ? { conversationId: `train:${run}:${q.conversation}` } : {}),
      });
      if (last) out.push({ ...q.example, question: q.question, trace: last });
    }
  } finally {
    await app.close();
    await rm(work, { recursive: true, force: true });
  }
  return out;
}

const foldOf = (group: string) => createHash("sha1").update(group).digest().readUInt32BE(0) % FOLDS;

async function main() {
  const items = readViquad(values.csv);
  const work = await mkdtemp(join(tmpdir(), "sotay-train-corpus-"));
  let viquad: Example[];
  try {
    await writeViquadCorpus(items, work);
    // Honest negatives: an answerable question whose name is swapped for a name from another
    // article that the paragraph never mentions ("… ở Thanh Hóa" → "… ở Kyoto").
    const names = [
      ...new Set(
        items.flatMap((i) =>
          capitalisedRuns(i.question)
            .filter((r) => /\s/.test(r.text))
            .map((r) => r.text),
        ),
      ),
    ];
    const swapped = items.flatMap((item, k) => {
      if (!item.answerable) return [];
      const run = capitalisedRuns(item.question).find((r) => /\s/.test(r.text) && !r.initial);
      if (!run) return [];
      const paragraph = ` ${foldForScoring(`${item.title} ${item.paragraph}`)} `;
      const other = names.find(
        (n, j) => j >= (k * 7919) % names.length && !paragraph.includes(` ${foldForScoring(n)} `),
      );
      if (!other) return [];
      return [
        {
          question: item.question.slice(0, run.start) + other + item.question.slice(run.end),
          example: {
            source: "swap" as const,
            group: `viquad:${item.title}`,
            answerable: false,
            holds: () => false,
          },
        },
      ];
    });
    viquad = await collect(work, [
      ...swapped,
      ...items.map((item) => {
        const gold = foldForScoring(item.answer);
        return {
          question: item.question,
          example: {
            source: "viquad" as const,
            group: `viquad:${item.title}`,
            answerable: item.answerable,
            holds: (text: string) => item.answerable && foldForScoring(text).includes(gold),
          },
        };
      }),
    ]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const qaItems = readEvalSet(values.qa);
  const qa = await collect(
    "corpus",
    qaItems.map((item) => {
      const facts = item.facts.map(foldForScoring);
      return {
        question: item.q,
        ...(item.conversation ? { conversation: item.conversation } : {}),
        example: {
          source: "qa" as const,
          // One article: its questions are grouped by conversation (a follow-up stays with its lead).
          group: `qa:${item.conversation ?? item.id}`,
          answerable: !item.outOfScope,
          holds: (text: string) => !item.outOfScope && facts.every((f) => foldForScoring(text).includes(f)),
        },
      };
    }),
  );
  const examples = [...viquad, ...qa];
  if (values["dump-candidates"])
    await writeFile(
      values["dump-candidates"],
      JSON.stringify(
        examples.map((e) => ({
          source: e.source,
          group: e.group,
          fold: foldOf(e.group),
          question: e.question,
          answerable: e.answerable,
          candidates: e.trace.candidates.map((c) => ({
            text: c.text,
            rank: c.rank,
            index: c.index,
            holds: e.holds(c.text),
            features: c.features,
          })),
        })),
      ),
    );

  // The project's own questions weigh QA_WEIGHT times as much, in all, as the public set: they are the domain the
  // members ask about, and its out-of-scope questions (another city, another term) are the refusals
  // members meet most.
  const weightOf = (xs: Example[]) => {
    const n = (source: Example["source"]) => xs.filter((e) => e.source === source).length;
    const qaWeight = n("qa") ? (QA_WEIGHT * n("viquad")) / n("qa") : 1;
    return xs.map((e) => (e.source === "qa" ? qaWeight : 1));
  };
  // 1. The sentence model, on questions whose candidates include a sentence holding the answer.
  const withAnswer = examples.filter((e) => e.trace.candidates.some((c) => e.holds(c.text)));
  // Each question weighs the same whatever its number of candidates; the project's own questions
  // weigh QA_WEIGHT times the public set in all (see weightOf below).
  const sentenceRows = (xs: Example[]) => {
    const rows: number[][] = [];
    const labels: number[] = [];
    const weights: number[] = [];
    const questionWeights = weightOf(xs);
    xs.forEach((e, i) => {
      for (const c of e.trace.candidates) {
        rows.push(c.features);
        labels.push(e.holds(c.text) ? 1 : 0);
        weights.push((questionWeights[i] as number) / e.trace.candidates.length);
      }
    });
    return { rows, labels, weights };
  };
  const fitSentence = (xs: Example[]) => {
    const { rows, labels, weights } = sentenceRows(xs);
    return fitLogistic(rows, labels, { l2: SENTENCE_L2, sampleWeights: weights });
  };
  const bestHolds = (e: Example, score: (c: Candidate) => number) => {
    const best = [...e.trace.candidates].sort(
      (a, b) => score(b) - score(a) || a.rank - b.rank || a.index - b.index,
    )[0];
    return best !== undefined && e.holds(best.text);
  };
  // Out-of-fold sentence probabilities for every example (the answerability model trains on them).
  const oofSentence = new Map<Example, Candidate[]>();
  const foldTable: Record<string, number | string>[] = [];
  for (let f = 0; f < FOLDS; f++) {
    const model = {
      ...neutral(SENTENCE_FEATURES),
      ...fitSentence(withAnswer.filter((e) => foldOf(e.group) !== f)),
    };
    const test = examples.filter((e) => foldOf(e.group) === f);
    for (const e of test) {
      const ranked = rankCandidates(
        e.trace.candidates.map((c) => ({ ...c })),
        model,
      );
      oofSentence.set(e, ranked);
    }
    const testWith = test.filter((e) => withAnswer.includes(e));
    const heuristicIndex = SENTENCE_FEATURES.indexOf("heuristic");
    foldTable.push({
      fold: f,
      questions: test.length,
      "sentence top1 (model)":
        testWith.filter((e) => e.holds(oofSentence.get(e)?.[0]?.text ?? "")).length / (testWith.length || 1),
      "sentence top1 (heuristic)":
        testWith.filter((e) => bestHolds(e, (c) => c.features[heuristicIndex] as number)).length /
        (testWith.length || 1),
    });
  }

  // 2. The answerability model on the out-of-fold ranking.
  const answerRow = (e: Example, ranked: Candidate[]) => {
    const best = ranked[0] as Candidate;
    const second = ranked.find((c) => c.text !== best.text);
    return answerabilityFeatures(e.trace.analysis, e.trace.retrieval, best, second);
  };
  const usable = examples.filter((e) => (oofSentence.get(e)?.length ?? 0) > 0);
  const answerRows = new Map(usable.map((e) => [e, answerRow(e, oofSentence.get(e) as Candidate[])]));
  const oofConfidence = new Map<Example, number>();
  for (let f = 0; f < FOLDS; f++) {
    const train = usable.filter((e) => foldOf(e.group) !== f);
    const model = fitLogistic(
      train.map((e) => answerRows.get(e) as number[]),
      train.map((e) => (e.answerable ? 1 : 0)),
      { l2: ANSWERABILITY_L2, sampleWeights: weightOf(train) },
    );
    for (const e of usable.filter((x) => foldOf(x.group) === f))
      oofConfidence.set(e, predict(model, answerRows.get(e) as number[]));
  }
  if (values.dump)
    await writeFile(
      values.dump,
      JSON.stringify(
        usable.map((e) => ({
          source: e.source,
          question: e.question,
          answerable: e.answerable,
          best: oofSentence.get(e)?.[0]?.text,
          bestHolds: e.holds(oofSentence.get(e)?.[0]?.text ?? ""),
          confidence: oofConfidence.get(e),
          features: Object.fromEntries(ANSWERABILITY_FEATURES.map((n, i) => [n, answerRows.get(e)?.[i]])),
        })),
      ),
    );
  const confidence = (e: Example) => oofConfidence.get(e) ?? 0;
  // The operating point, read off the cross-validated curves of both sets: of the thresholds at
  // which neither set has more than the budget's share of its answerable questions refused, the
  // one that refuses most unanswerable questions beyond the answerable ones refused (Youden's J,
  // averaged over the two sets).
  const refusedShare = (xs: Example[], t: number) =>
    xs.length ? xs.filter((e) => confidence(e) < t).length / xs.length : 0;
  const sets = (["viquad", "qa"] as const).map((source) => ({
    pos: examples.filter((e) => e.source === source && e.answerable),
    neg: examples.filter((e) => e.source === source && !e.answerable),
  }));
  let threshold = 0;
  let bestJ = Number.NEGATIVE_INFINITY;
  for (const t of [...new Set(examples.map(confidence))].sort((a, b) => a - b)) {
    if (sets.some((x) => refusedShare(x.pos, t) > REFUSAL_BUDGET)) break;
    const j = sets.reduce((n, x) => n + refusedShare(x.neg, t) - refusedShare(x.pos, t), 0) / sets.length;
    if (j > bestJ) {
      bestJ = j;
      threshold = t;
    }
  }
  // …and never below the one at which the project's own out-of-scope questions are refused as
  // often as its eval requires (test/eval/thresholds.json refusalRecall).
  const qaOut = examples.filter((e) => e.source === "qa" && !e.answerable);
  const required = (
    JSON.parse(readFileSync("test/eval/thresholds.json", "utf8")) as { refusalRecall: number }
  ).refusalRecall;
  const meetsEval = [...new Set(examples.map(confidence))]
    .sort((a, b) => a - b)
    .find((t) => refusedShare(qaOut, t) >= required);
  if (!values["no-eval-floor"] && meetsEval !== undefined && meetsEval > threshold) threshold = meetsEval;
  const rate = (xs: Example[], pred: (e: Example) => boolean) =>
    xs.length ? xs.filter(pred).length / xs.length : 0;
  for (let f = 0; f < FOLDS; f++) {
    const test = examples.filter((e) => foldOf(e.group) === f);
    const pos = test.filter((e) => e.answerable);
    const neg = test.filter((e) => !e.answerable);
    Object.assign(foldTable[f] as object, {
      "refusal AUC": rocAuc(pos.map(confidence), neg.map(confidence)),
      "answerable refused": rate(pos, (e) => confidence(e) < threshold),
      "unanswerable refused": rate(neg, (e) => confidence(e) < threshold),
    });
  }
  const bySource = (source: Example["source"]) => {
    const xs = examples.filter((e) => e.source === source);
    const pos = xs.filter((e) => e.answerable);
    const neg = xs.filter((e) => !e.answerable);
    const withA = xs.filter((e) => withAnswer.includes(e));
    return {
      questions: xs.length,
      "sentence top1": rate(withA, (e) => e.holds(oofSentence.get(e)?.[0]?.text ?? "")),
      "refusal AUC": rocAuc(pos.map(confidence), neg.map(confidence)),
      "answerable refused": rate(pos, (e) => confidence(e) < threshold),
      "unanswerable refused": rate(neg, (e) => confidence(e) < threshold),
    };
  };
  const crossValidation = {
    folds: FOLDS,
    threshold,
    refusalBudget: REFUSAL_BUDGET,
    viquad: bySource("viquad"),
    qa: bySource("qa"),
    swapped: bySource("swap"),
    byFold: foldTable,
  };
  const round = (x: unknown): unknown =>
    typeof x === "number"
      ? Math.round(x * 1000) / 1000
      : Array.isArray(x)
        ? x.map(round)
        : x && typeof x === "object"
          ? Object.fromEntries(Object.entries(x).map(([k, v]) => [k, round(v)]))
          : x;
  console.log(JSON.stringify(round(crossValidation), null, 2));

  // 3. The final models, on everything.
  const trainedOn = [
    `${values.csv} (${items.length} questions)`,
    `${values.qa} over corpus/ (${qaItems.length} questions)`,
  ];
  const trainedAt = new Date().toISOString().slice(0, 10);
  const command = `npm run train:answerability -- ${process.argv.slice(2).join(" ")}`.trim();
  const sentence: LogisticModel = {
    ...neutral(SENTENCE_FEATURES),
    ...fitSentence(withAnswer),
    target: "this sentence holds the answer (the gold span, or every expected fact)",
    trainedOn,
    trainedAt,
    command,
    l2: SENTENCE_L2,
  };
  delete (sentence as { threshold?: number }).threshold;
  const finalRanked = new Map(
    usable.map((e) => [
      e,
      rankCandidates(
        e.trace.candidates.map((c) => ({ ...c })),
        sentence,
      ),
    ]),
  );
  const answerability: LogisticModel = {
    ...neutral(ANSWERABILITY_FEATURES),
    ...fitLogistic(
      usable.map((e) => answerRow(e, finalRanked.get(e) as Candidate[])),
      usable.map((e) => (e.answerable ? 1 : 0)),
      { l2: ANSWERABILITY_L2, sampleWeights: weightOf(usable) },
    ),
    target: "the documents answer the question",
    trainedOn,
    trainedAt,
    command,
    l2: ANSWERABILITY_L2,
    threshold,
    crossValidation: round(crossValidation) as Record<string, unknown>,
  };
  if (values["dry-run"]) return;
  // Six significant digits: a standardising scale must not round to zero.
  const precise = (x: unknown): unknown =>
    typeof x === "number" ? Number(x.toPrecision(6)) : Array.isArray(x) ? x.map(precise) : x;
  const write = (name: string, model: LogisticModel) =>
    writeFile(
      new URL(`../src/answer/models/${name}`, import.meta.url),
      `${JSON.stringify(Object.fromEntries(Object.entries(model).map(([k, v]) => [k, k === "crossValidation" ? v : precise(v)])), null, 1)}\n`,
    );
  await write("sentence.json", sentence);
  await write("answerability.json", answerability);
  console.log("wrote src/answer/models/sentence.json and src/answer/models/answerability.json");
}

await main();
