import { pageAndScanLabel } from "../../contract/citation.ts";
import { shorten } from "../../facts/excerpt.ts";
import { capitalize, targetExcerpt } from "../../facts/format-targets.ts";
import { qualifiedValue, type TargetList } from "../../facts/targets.ts";
import { answerExcerpt } from "../../quiz/offline-quiz.ts";
import type { QuizQuestion } from "../../quiz/types.ts";
import type { StudyPack } from "../../study-pack/study-pack.ts";
import { escapeHtml } from "./format.ts";

/** The Bot API's limits on a poll (sendPoll). */
export const POLL_LIMITS = { question: 300, option: 100, explanation: 200, explanationLineFeeds: 2 } as const;
/** How many targets one /chitieu reply lists before saying how to narrow it down. */
const MAX_TARGETS = 30;

const link = (url: string | undefined, text: string) =>
  url && /^https?:\/\//i.test(url)
    ? `<a href="${escapeHtml(url)}">${escapeHtml(text)}</a>`
    : escapeHtml(text);

/** /chitieu: each target with its figure in bold and the sentence it comes from; the documents with links. */
export function formatTargetsHtml(list: TargetList): string {
  const { targets, keyword } = list;
  if (targets.length === 0) {
    return keyword
      ? `Không tìm thấy chỉ tiêu, con số nào có “${escapeHtml(keyword)}” trong tài liệu. Gõ /chitieu để xem tất cả.`
      : "Kho tài liệu chưa có chỉ tiêu, con số nào.";
  }
  const head = keyword
    ? `<b>Chỉ tiêu, con số về “${escapeHtml(keyword)}”</b> (${targets.length})`
    : `<b>Chỉ tiêu, con số trong tài liệu</b> (${targets.length})`;
  const shown = targets.slice(0, MAX_TARGETS);
  const items = shown.map((t, i) => {
    const { figure, comparison } = qualifiedValue(t);
    const what = capitalize(t.counts || t.value);
    const extra = [comparison, t.period].filter(Boolean).join(", ");
    return `${i + 1}. <b>${escapeHtml(figure)}</b> · ${escapeHtml(what)}${extra ? ` (${escapeHtml(extra)})` : ""}\n<i>“${escapeHtml(targetExcerpt(t))}”</i>`;
  });
  const more =
    targets.length > shown.length
      ? [`… và ${targets.length - shown.length} chỉ tiêu khác. Lọc bằng /chitieu từ khóa.`]
      : [];
  const documents = new Map<string, string | undefined>();
  for (const t of shown) documents.set(t.citation.document, t.citation.url);
  const sources = [...documents].map(([title, url]) => `• ${link(url, title)}`);
  return [head, ...items, ...more, `<b>Nguồn</b>\n${sources.join("\n")}`].join("\n\n");
}

/**
 * A native quiz poll for one question, within the Bot API's limits: the question (≤ 300
 * characters), four options (≤ 100 each), the correct one's index, and an explanation (≤ 200
 * characters, at most 2 line feeds) quoting the source sentence and naming the document.
 */
export function quizPoll(q: QuizQuestion): {
  question: string;
  options: string[];
  correct_option_id: number;
  correct_option_ids: number[];
  explanation: string;
} {
  const answer = q.options[q.correct] ?? "";
  const source = `Nguồn: ${shorten(q.citation.document, 70)}`;
  const room = POLL_LIMITS.explanation - source.length - 4; // the quotes, the line feed
  const quote = answerExcerpt(q.citation.quote, answer, Math.max(40, room));
  const explanation = shorten(`“${quote}”\n${source}`, POLL_LIMITS.explanation);
  return {
    question: shorten(q.question, POLL_LIMITS.question),
    options: q.options.map((o) => shorten(o, POLL_LIMITS.option)),
    // correct_option_ids is the current Bot API's field; correct_option_id the one older servers
    // (and self-hosted Bot API servers not yet updated) read. They agree.
    correct_option_id: q.correct,
    correct_option_ids: [q.correct],
    explanation,
  };
}

/** After the polls: each question's source with its link, for reading the whole passage. */
export function formatQuizSourcesHtml(questions: readonly QuizQuestion[]): string {
  const lines = questions.map((q, i) => {
    const c = q.citation;
    const pages = pageAndScanLabel(c);
    return `${i + 1}. ${link(c.url, c.document)}${c.section ? ` › ${escapeHtml(c.section)}` : ""}${pages ? `, ${escapeHtml(pages)}` : ""}`;
  });
  return `<b>Nguồn của các câu hỏi</b>\n${lines.join("\n")}`;
}

/** The caption of the study pack document (≤ 1,024 characters). */
export function studyPackCaption(pack: StudyPack): string {
  return shorten(
    `${pack.title}\n${pack.keyPoints.length} điểm chính, ${pack.targets.length} chỉ tiêu, ${pack.discussion.length} câu hỏi thảo luận, ${pack.quiz.length} câu trắc nghiệm kèm đáp án, ${pack.citations.length} nguồn.`,
    1024,
  );
}
