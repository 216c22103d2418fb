import { whereWritten } from "../facts/format-targets.ts";
import { syllables } from "../text/tokenize.ts";
import { answerExcerpt } from "./offline-quiz.ts";
import { DIFFICULTY_LABEL, type Quiz, type QuizQuestion } from "./types.ts";

/**
 * Quizzes as plain text, for channels without buttons or polls (the CLI, Zalo): the question
 * with lettered options, then, once the user replies, whether it was right, the answer and its
 * source. `parseQuizReply` reads a reply ("B", "b", "2", "đáp án B" or the option's text).
 */

export const LETTERS = ["A", "B", "C", "D"] as const;

const httpUrl = (url: string | undefined) => (url && /^https?:\/\//i.test(url) ? url : undefined);

/** "Câu 2/5 (khó): …\nA. …\nB. …" */
export function formatQuizQuestionText(q: QuizQuestion, position?: { index: number; total: number }): string {
  const head = position ? `Câu ${position.index + 1}/${position.total}` : "Câu hỏi";
  const options = q.options.map((o, i) => `${LETTERS[i]}. ${o}`);
  return [`${head} (${DIFFICULTY_LABEL[q.difficulty]}): ${q.question}`, ...options].join("\n");
}

/** The option a reply names, or undefined when it names none. */
export function parseQuizReply(q: QuizQuestion, reply: string): number | undefined {
  const text = reply.normalize("NFC").trim();
  const letter = /^(?:(?:đáp án|dap an|chọn|chon|phương án|phuong an)\s*)?([a-dA-D1-4])[.)]?$/iu.exec(text);
  if (letter?.[1]) {
    const c = letter[1].toUpperCase();
    const i = /\d/.test(c) ? Number(c) - 1 : LETTERS.indexOf(c as (typeof LETTERS)[number]);
    return i >= 0 && i < q.options.length ? i : undefined;
  }
  const key = syllables(text).join(" ");
  const i = q.options.findIndex((o) => syllables(o).join(" ") === key);
  return i >= 0 ? i : undefined;
}

/** The reveal: right or not, the correct option, the quoted source and where it is written. */
export function formatQuizAnswerText(q: QuizQuestion, chosen?: number): string {
  const right = `${LETTERS[q.correct]}. ${q.options[q.correct]}`;
  const verdict =
    chosen === undefined
      ? `Đáp án: ${right}`
      : chosen === q.correct
        ? `✅ Đúng! Đáp án: ${right}`
        : `❌ Chưa đúng (bạn chọn ${LETTERS[chosen] ?? "?"}). Đáp án: ${right}`;
  const c = q.citation;
  const where = whereWritten(c);
  const url = httpUrl(c.url);
  return [
    verdict,
    `Nguồn: “${answerExcerpt(c.quote, q.options[q.correct] ?? "")}”`,
    `— ${where}${url ? `\n${url}` : ""}`,
  ].join("\n");
}

/** A whole quiz for reading or printing: the questions, then the answer key with sources. */
export function formatQuizText(quiz: Quiz): string {
  if (quiz.questions.length === 0) {
    return quiz.topic
      ? `Chưa soạn được câu hỏi nào về “${quiz.topic}” từ tài liệu hiện có.`
      : "Chưa soạn được câu hỏi nào: kho tài liệu đang trống.";
  }
  const total = quiz.questions.length;
  const head = `Trắc nghiệm${quiz.topic ? ` về “${quiz.topic}”` : ""} (${total} câu)`;
  const questions = quiz.questions.map((q, index) => formatQuizQuestionText(q, { index, total }));
  const key = quiz.questions.map((q, i) => `${i + 1}. ${formatQuizAnswerText(q).replace(/\n/g, "\n   ")}`);
  return [head, ...questions, `Đáp án\n\n${key.join("\n\n")}`].join("\n\n");
}
