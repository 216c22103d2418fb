import type { Answer, Citation } from "../contract/answer.ts";
import { pageAndScanLabel } from "../contract/citation.ts";

/** "[1] Title, Section, trang 12 (Publisher, 2026-03-02) https://…" */
export function formatSource(c: Citation): string {
  const where = [c.document, c.section, pageAndScanLabel(c)].filter(Boolean).join(", ");
  const who = [c.publisher, c.published].filter(Boolean).join(", ");
  return `[${c.n}] ${where}${who ? ` (${who})` : ""}${c.url ? ` ${c.url}` : ""}`;
}

/** The answer as plain text for a terminal: the answer, then each source with its exact quote. */
export function formatAnswerText(answer: Answer): string {
  const lines = [answer.answer];
  if (answer.citations.length > 0) {
    lines.push("", "Nguồn:");
    for (const c of answer.citations) lines.push(formatSource(c), `    “${c.quote}”`);
  }
  return lines.join("\n");
}
