import type { Answer } from "../contract/answer.ts";
import { foldForScoring, scoreViquad, type ViquadItem } from "./viquad.ts";

export interface AnsweredItem {
  item: ViquadItem;
  answer: Answer;
  /** rank of the question's own paragraph among the top 10 passages, 0 when absent */
  paragraphRank: number;
}

export interface ViquadReport {
  questions: number;
  answerable: number;
  unanswerable: number;
  paragraphs: number;
  /** answerable questions whose gold span is in the answer and in a quote */
  hit: number;
  /** … and in the first citation's quote */
  top1: number;
  answerableRefused: number;
  unanswerableRefused: number;
  /** answered answerable questions led by a short answer (a figure, date, name or place) */
  shortAnswers: number;
  /** of those, the share whose short answer and gold span are the same words, one inside the other */
  shortAnswerRight: number;
  /**
   * How well the answer's confidence separates answerable from unanswerable questions: the chance
   * that an answerable question scores above an unanswerable one (ties count half).
   */
  refusalAuc: number;
  paragraphR1: number;
  paragraphMrr10: number;
  p50ms: number;
  p95ms: number;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** Area under the ROC curve of `scores` for positives against negatives (Mann-Whitney U). */
export function rocAuc(positives: readonly number[], negatives: readonly number[]): number {
  if (positives.length === 0 || negatives.length === 0) return 0.5;
  const all = [...positives.map((s) => ({ s, p: true })), ...negatives.map((s) => ({ s, p: false }))].sort(
    (a, b) => a.s - b.s,
  );
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j]?.s === all[i]?.s) j++;
    const midRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (all[k]?.p) rankSum += midRank;
    i = j;
  }
  const n1 = positives.length;
  return (rankSum - (n1 * (n1 + 1)) / 2) / (n1 * negatives.length);
}

/** Are the short answer and the gold span the same words, one inside the other ("1885", "năm 1885")? */
export function shortAnswerMatches(shortAnswer: string, gold: string): boolean {
  const a = foldForScoring(shortAnswer);
  const b = foldForScoring(gold);
  return a.length > 0 && b.length > 0 && (` ${a} `.includes(` ${b} `) || ` ${b} `.includes(` ${a} `));
}

export function summarizeViquad(rows: readonly AnsweredItem[]): ViquadReport {
  const scored = rows.map((r) => ({ ...r, score: scoreViquad(r.item, r.answer) }));
  const answerable = scored.filter((r) => r.item.answerable);
  const unanswerable = scored.filter((r) => !r.item.answerable);
  const share = (xs: readonly unknown[], of: readonly unknown[]) => (of.length ? xs.length / of.length : 0);
  // A refused answer with no confidence counts as 0, an answered one as 1.
  const confidence = (a: Answer) => a.confidence ?? (a.found ? 1 : 0);
  const ms = rows.map((r) => r.answer.ms);
  const short = answerable.filter((r) => r.answer.found && r.answer.shortAnswer);
  return {
    questions: rows.length,
    answerable: answerable.length,
    unanswerable: unanswerable.length,
    paragraphs: new Set(rows.map((r) => r.item.path)).size,
    hit: share(
      answerable.filter((r) => r.score.hit),
      answerable,
    ),
    top1: share(
      answerable.filter((r) => r.score.top1),
      answerable,
    ),
    answerableRefused: share(
      answerable.filter((r) => r.score.refused),
      answerable,
    ),
    unanswerableRefused: share(
      unanswerable.filter((r) => r.score.refused),
      unanswerable,
    ),
    shortAnswers: short.length,
    shortAnswerRight: share(
      short.filter((r) => shortAnswerMatches(r.answer.shortAnswer as string, r.item.answer)),
      short,
    ),
    refusalAuc: rocAuc(
      answerable.map((r) => confidence(r.answer)),
      unanswerable.map((r) => confidence(r.answer)),
    ),
    paragraphR1: share(
      answerable.filter((r) => r.paragraphRank === 1),
      answerable,
    ),
    paragraphMrr10: answerable.length
      ? answerable.reduce((n, r) => n + (r.paragraphRank ? 1 / r.paragraphRank : 0), 0) / answerable.length
      : 0,
    p50ms: percentile(ms, 50),
    p95ms: percentile(ms, 95),
  };
}
