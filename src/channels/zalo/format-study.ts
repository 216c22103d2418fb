import type { Citation } from "../../contract/answer.ts";
import { capitalize, documentLines, formatTargetsText, whereWritten } from "../../facts/format-targets.ts";
import { describeTarget, type TargetList } from "../../facts/targets.ts";
import type { StudyPack } from "../../study-pack/study-pack.ts";
import { TEXT } from "./texts.ts";

/**
 * /chitieu and /baihoc as plain text for Zalo (no formatting, no files, 2,000 characters a
 * message: `splitMessage` cuts the replies between paragraphs).
 */

/** How many targets one /chitieu reply lists before saying how to narrow it down. */
export const MAX_TARGETS = 30;
/** How many targets a study pack shows in the chat (the rest: /chitieu <topic>). */
const PACK_TARGETS = 10;

/** /chitieu [keyword]: the core's plain-text list, with a hint when nothing or too much matched. */
export function formatTargetsReply(list: TargetList): string {
  const text = formatTargetsText(list, { maxItems: MAX_TARGETS });
  if (list.targets.length === 0) return list.keyword ? `${text}\n\n${TEXT.targetsNone}` : text;
  return list.targets.length > MAX_TARGETS ? `${text}\n\n${TEXT.targetsMore}` : text;
}

/**
 * /baihoc: the study pack read in the chat. Zalo cannot send the Markdown file, and a member on a
 * phone reads messages, not a file: the title, the key points (each quoted, with its [n]), the
 * targets, the discussion questions and the sources, renumbered [1], [2]… in the order they
 * appear. The pack's ten-question quiz is offered as /quiz on the topic, one question at a time,
 * instead of a block of questions with the answer key underneath.
 */
export function formatStudyPackText(pack: StudyPack): string {
  const byN = new Map(pack.citations.map((c) => [c.n, c]));
  const byQuote = new Map(pack.citations.map((c) => [`${c.document}\n${c.url ?? ""}\n${c.quote}`, c.n]));
  const shown: Citation[] = [];
  const renumbered = new Map<number, number>();
  const ref = (n: number | undefined): string => {
    const c = n === undefined ? undefined : byN.get(n);
    if (n === undefined || !c) return "";
    let m = renumbered.get(n);
    if (m === undefined) {
      m = shown.length + 1;
      renumbered.set(n, m);
      shown.push({ ...c, n: m });
    }
    return ` [${m}]`;
  };

  const parts: string[] = [
    pack.title,
    "Tài liệu sinh hoạt chuyên đề, soạn tự động từ các tài liệu trong kho. Mỗi ý trích nguyên văn; số trong ngoặc vuông, ví dụ [1], chỉ nguồn ở cuối.",
  ];
  parts.push(
    `Những điểm chính\n${pack.keyPoints.map((k, i) => `${i + 1}. “${k.quote}”${ref(k.n)}`).join("\n")}`,
  );
  const command = pack.topic ? ` ${pack.topic}` : "";
  if (pack.targets.length > 0) {
    const items = pack.targets.slice(0, PACK_TARGETS).map((t) => {
      const c = t.citation;
      return `• ${capitalize(describeTarget(t))}${ref(byQuote.get(`${c.document}\n${c.url ?? ""}\n${c.quote}`))}`;
    });
    const more =
      pack.targets.length > PACK_TARGETS
        ? [`… và ${pack.targets.length - PACK_TARGETS} chỉ tiêu khác: gõ /chitieu${command}`]
        : [];
    parts.push(`Các chỉ tiêu\n${[...items, ...more].join("\n")}`);
  }
  if (pack.discussion.length > 0) {
    parts.push(
      `Câu hỏi thảo luận\n${pack.discussion.map((d, i) => `${i + 1}. ${d.text}${ref(d.n)}`).join("\n")}`,
    );
  }
  if (pack.quiz.length > 0) {
    parts.push(`Trắc nghiệm ôn tập: gõ /quiz${command} để làm từng câu ngay tại đây, có đáp án và nguồn.`);
  }
  const sources = shown.map((c) => `[${c.n}] ${whereWritten(c)}`);
  parts.push(`Nguồn\n${sources.join("\n")}`, `Đọc bài gốc:\n${documentLines(shown).join("\n")}`);
  return parts.join("\n\n");
}
