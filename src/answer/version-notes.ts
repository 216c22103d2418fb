import type { Citation } from "../contract/answer.ts";
import type { Answerer } from "./answerer.ts";

/**
 * The answerer, with a note after an answer that quotes a document not in force (migration 016):
 * "Lưu ý: nguồn [1] trích từ “Kế hoạch 2025”, văn bản đã được thay thế bởi “Kế hoạch 2026” (có hiệu
 * lực từ 01/01/2026)." Retrieval already ranks such passages lower; when one is quoted all the
 * same (only it answers), the reader is told. Every channel shows the answer text, so every
 * channel shows the note.
 */
export function withVersionNotes(answerer: Pick<Answerer, "answer">): Pick<Answerer, "answer"> {
  return {
    async answer(request) {
      const answer = await answerer.answer(request);
      const notes = versionNotes(answer.citations);
      return notes.length === 0 ? answer : { ...answer, answer: `${answer.answer}\n\n${notes.join("\n")}` };
    },
  };
}

/** One line per document not in force among the citations, naming the markers that quote it. */
export function versionNotes(citations: readonly Citation[]): string[] {
  const byDocument = new Map<string, Citation[]>();
  for (const c of citations) {
    if (!c.notInForce) continue;
    byDocument.set(c.document, [...(byDocument.get(c.document) ?? []), c]);
  }
  return [...byDocument].map(([document, cited]) => {
    const markers = cited.map((c) => `[${c.n}]`).join(", ");
    const status = cited[0]?.notInForce;
    const by = status?.supersededBy;
    const why = by
      ? `văn bản đã được thay thế bởi “${by.document}”${by.effective ? ` (có hiệu lực từ ${viDate(by.effective)})` : ""}`
      : `văn bản chưa có hiệu lực${status?.effective ? ` (có hiệu lực từ ${viDate(status.effective)})` : ""}`;
    return `Lưu ý: nguồn ${markers} trích từ “${document}”, ${why}.`;
  });
}

/** "2026-07-01" → "01/07/2026". */
function viDate(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : iso;
}
