import { pageAndScanLabel } from "../../contract/citation.ts";
import type { Answer, Citation, PassageText } from "./api.ts";

/** "2026-03-02" → "02/03/2026", the way dates are written in Vietnam; anything else as is. */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "";
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : iso;
}

/** The URL when it is http(s), else undefined: nothing else may become a link. */
export function httpUrl(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/** "Title, Section, trang 12 (Publisher, 02/03/2026)" */
export function sourceLabel(
  c: Pick<Citation, "document" | "section" | "publisher" | "published" | "pages" | "scanned">,
): string {
  const where = [c.document, c.section, pageAndScanLabel(c)].filter(Boolean).join(", ");
  const who = [c.publisher, formatDate(c.published)].filter(Boolean).join(", ");
  return who ? `${where} (${who})` : where;
}

/** The answer as plain text, for pasting into slides: question, answer, then each source and its quote. */
export function answerAsText(answer: Answer): string {
  const lines = [`Hỏi: ${answer.question}`, "", answer.answer];
  if (answer.citations.length > 0) {
    lines.push("", "Nguồn:");
    for (const c of answer.citations) {
      const url = httpUrl(c.url);
      lines.push(`[${c.n}] ${sourceLabel(c)}${url ? ` ${url}` : ""}`, `    “${c.quote}”`);
    }
  }
  return lines.join("\n");
}

export type Segment = { text: string } | { n: number };

/** Splits answer text around its [n] markers; markers without a citation stay text. */
export function splitMarkers(text: string, known: ReadonlySet<number>): Segment[] {
  const segments: Segment[] = [];
  let last = 0;
  for (const match of text.matchAll(/\[(\d{1,3})\]/g)) {
    const n = Number(match[1]);
    if (!known.has(n)) continue;
    const at = match.index ?? 0;
    if (at > last) segments.push({ text: text.slice(last, at) });
    segments.push({ n });
    last = at + match[0].length;
  }
  if (last < text.length) segments.push({ text: text.slice(last) });
  return segments;
}

const squash = (s: string) => s.replace(/\s+/g, " ").trim();

/**
 * Where the quoted sentence is in the passage: the exact quote, else the stored sentence that
 * contains it (or is contained in it) once whitespace is ignored.
 */
export function findQuote(
  passage: PassageText,
  quote: string | undefined,
): { start: number; end: number } | undefined {
  if (!quote) return undefined;
  const at = passage.text.indexOf(quote);
  if (at >= 0) return { start: at, end: at + quote.length };
  const q = squash(quote);
  if (!q) return undefined;
  for (const s of passage.sentences ?? []) {
    const sentence = squash(passage.text.slice(s.start, s.end));
    if (sentence && (sentence.includes(q) || q.includes(sentence))) return { start: s.start, end: s.end };
  }
  return undefined;
}

/** A conversation id for this page session; crypto.randomUUID only exists on https or localhost. */
export function newConversationId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
