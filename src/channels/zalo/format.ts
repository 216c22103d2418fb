import type { Answer, Citation } from "../../contract/answer.ts";
import { pageAndScanLabel } from "../../contract/citation.ts";
import type { PassageView, StoredDocument } from "../../store/corpus-store.ts";
import { splitSentences } from "../../text/split-sentences.ts";
import { TEXT } from "./texts.ts";
import { ZALO_MAX_CHARS } from "./zalo-client.ts";

/**
 * Plain text for the answer contract: Zalo shows no formatting and no buttons, so sources are
 * numbered lines with their link on a line of its own (Zalo makes it tappable), and the passage
 * behind a source is one command away (/nguon N).
 */

/** "2026-03-02" → "02/03/2026", the way dates are written in Vietnam. */
function formatDate(iso: string | undefined): string | undefined {
  const m = iso ? /^(\d{4})-(\d{2})-(\d{2})/.exec(iso) : null;
  return m ? `${m[3]}/${m[2]}/${m[1]}` : iso;
}

const httpLink = (url: string | undefined) => (url && /^https?:\/\//i.test(url) ? url : undefined);

/** "Title › Section, trang 12 (văn bản quét)": where a citation's passage is. */
function whereCited(c: Citation): string {
  const where = pageAndScanLabel(c);
  return `${c.document}${c.section ? ` › ${c.section}` : ""}${where ? `, ${where}` : ""}`;
}

/** "[1] Title › Section, trang 12" and, on the next line, the link. */
function sourceLines(c: Citation): string {
  const head = `[${c.n}] ${whereCited(c)}`;
  const url = httpLink(c.url);
  return url ? `${head}\n${url}` : head;
}

/** The reply to a question: how a follow-up was understood, the answer with [n] markers, the sources. */
export function formatAnswerText(answer: Answer): string {
  const parts: string[] = [];
  if (answer.resolvedQuestion && answer.resolvedQuestion !== answer.question) {
    parts.push(`(Câu hỏi được hiểu là: ${answer.resolvedQuestion})`);
  }
  parts.push(answer.answer.trim() || TEXT.emptyAnswer);
  if (answer.citations.length > 0) {
    parts.push(`Nguồn:\n${answer.citations.map(sourceLines).join("\n")}`);
  }
  return parts.join("\n\n");
}

/** /nguon: the sources of the last answer, each with the exact sentence quoted. */
export function formatSourcesText(question: string, answer: Answer): string {
  const head = `Nguồn của câu trả lời gần nhất\nCâu hỏi: ${question}`;
  if (answer.citations.length === 0) return `${head}\n\n${TEXT.noSources}`;
  const sources = answer.citations.map((c) => {
    const meta = [c.publisher, formatDate(c.published)].filter(Boolean).join(", ");
    const url = httpLink(c.url);
    return [
      `[${c.n}] ${whereCited(c)}${meta ? ` (${meta})` : ""}`,
      `“${c.quote}”`,
      ...(url ? [url] : []),
    ].join("\n");
  });
  return [head, ...sources, TEXT.sourcesHint].join("\n\n");
}

/**
 * /nguon N: the cited passage, with the quoted sentence repeated above it (no bold in plain
 * text), and where it is written. Without the passage (the document was re-ingested since), the
 * quote kept with the answer.
 */
export function formatPassageText(citation: Citation, view: PassageView | undefined): string {
  const where = [citation.section, pageAndScanLabel(citation)].filter(Boolean).join(", ");
  const parts = [`[${citation.n}] ${citation.document}${where ? `\n${where}` : ""}`];
  parts.push(`Câu được trích: “${citation.quote}”`);
  if (view) parts.push(`Đoạn gốc:\n${view.passage.text.trim()}`);
  const publisher = view?.document.publisher ?? citation.publisher;
  const published = formatDate(view?.document.published ?? citation.published);
  const url = httpLink(view?.document.url ?? citation.url);
  const meta = [publisher, published].filter(Boolean).join(", ");
  const footer = [meta, url ? `Đọc bài gốc: ${url}` : ""].filter(Boolean);
  if (footer.length) parts.push(footer.join("\n"));
  return parts.join("\n\n");
}

/** /tailieu: the documents with publisher, date, size and link. */
export function formatDocumentsText(documents: StoredDocument[]): string {
  if (documents.length === 0) return "Kho tài liệu đang trống.";
  const items = documents.map((d, i) => {
    const meta = [
      d.publisher,
      formatDate(d.published),
      `${d.chunkCount} đoạn`,
      d.scanned ? "văn bản quét" : "",
    ]
      .filter(Boolean)
      .join(", ");
    const url = httpLink(d.url);
    return [`${i + 1}. ${d.title}`, meta, ...(url ? [url] : [])].join("\n");
  });
  return `Tài liệu trong kho (${documents.length}):\n\n${items.join("\n\n")}`;
}

interface Unit {
  text: string;
  /** what joins it to the text before it in the same message */
  separator: string;
}

/**
 * Splits a reply into messages of at most `limit` characters: between paragraphs first, then
 * between lines, then between sentences, and only for a sentence longer than a whole message,
 * between words (a word longer than that, between characters). Pieces are filled greedily and
 * never empty; nothing but the whitespace at a cut is lost.
 */
export function splitMessage(text: string, limit = ZALO_MAX_CHARS): string[] {
  const pieces: string[] = [];
  let current = "";
  const add = ({ text: part, separator }: Unit) => {
    const joined = current ? `${current}${separator}${part}` : part;
    if (joined.length <= limit) {
      current = joined;
      return;
    }
    if (current) pieces.push(current);
    current = part;
  };
  for (const paragraph of text.split(/\n[ \t]*\n\s*/)) {
    const trimmed = paragraph.trim();
    if (!trimmed) continue;
    if (trimmed.length <= limit) {
      add({ text: trimmed, separator: "\n\n" });
      continue;
    }
    let separator = "\n\n";
    for (const line of trimmed.split("\n")) {
      const units = line.trim().length <= limit ? [line.trim()] : sentenceUnits(line, limit);
      for (const [i, unit] of units.entries()) {
        if (!unit) continue;
        add({ text: unit, separator: i === 0 ? separator : " " });
        separator = "\n";
      }
    }
  }
  if (current) pieces.push(current);
  return pieces;
}

/** A line too long for one message, as sentences (and pieces of over-long sentences) that fit. */
function sentenceUnits(line: string, limit: number): string[] {
  const units: string[] = [];
  for (const { start, end } of splitSentences(line)) {
    const sentence = line.slice(start, end);
    if (sentence.length <= limit) units.push(sentence);
    else units.push(...wordUnits(sentence, limit));
  }
  return units;
}

/** Words packed up to `limit`; a single word longer than that is cut, never inside an emoji. */
function wordUnits(sentence: string, limit: number): string[] {
  const units: string[] = [];
  let current = "";
  for (const word of sentence.split(/\s+/).filter(Boolean)) {
    if (current && current.length + 1 + word.length <= limit) {
      current += ` ${word}`;
      continue;
    }
    if (current) units.push(current);
    current = "";
    let rest = word;
    while (rest.length > limit) {
      let take = limit;
      if (/[\uD800-\uDBFF]/.test(rest.charAt(take - 1))) take -= 1;
      units.push(rest.slice(0, take));
      rest = rest.slice(take);
    }
    current = rest;
  }
  if (current) units.push(current);
  return units;
}
