import type { IngestSummary } from "../../../ingest/run-ingest.ts";
import type { Answer, Citation } from "../../contract/answer.ts";
import { pageAndScanLabel } from "../../contract/citation.ts";
import type { PassageView, StoredDocument } from "../../store/corpus-store.ts";

/**
 * Telegram HTML for the answer contract. Every piece of user and corpus text goes through
 * `escapeHtml`; the only tags are the ones written here (<b>, <i>, <a>), and none of them spans
 * a blank line, so a message can be split at any paragraph boundary and stay well-formed.
 */

/** Telegram's limit for one message's text. */
export const TELEGRAM_MAX_CHARS = 4096;

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** An <a> for http(s) links only; anything else is shown as plain text (or not at all). */
function link(url: string | undefined, text: string): string {
  if (url && /^https?:\/\//i.test(url)) return `<a href="${escapeHtml(url)}">${escapeHtml(text)}</a>`;
  return escapeHtml(text);
}

/** "2026-03-02" → "02/03/2026", the way dates are written in Vietnam. */
export function formatDate(iso: string | undefined): string | undefined {
  const m = iso ? /^(\d{4})-(\d{2})-(\d{2})/.exec(iso) : null;
  return m ? `${m[3]}/${m[2]}/${m[1]}` : iso;
}

/** "[1] <a>Title</a> › Section, trang 12": one compact line per source. */
export function formatSourceLine(c: Citation): string {
  const where = pageAndScanLabel(c);
  return `[${c.n}] ${link(c.url, c.document)}${c.section ? ` › ${escapeHtml(c.section)}` : ""}${where ? `, ${escapeHtml(where)}` : ""}`;
}

/** The answer message: how a follow-up was understood, the answer with [n] markers, the sources. */
export function formatAnswerHtml(answer: Answer): string {
  const parts: string[] = [];
  if (answer.resolvedQuestion && answer.resolvedQuestion !== answer.question) {
    parts.push(`<i>Câu hỏi được hiểu là: ${escapeHtml(answer.resolvedQuestion)}</i>`);
  }
  parts.push(escapeHtml(answer.answer.trim()) || "Xin lỗi, mình chưa có câu trả lời cho câu hỏi này.");
  if (answer.citations.length > 0) {
    parts.push(`<b>Nguồn</b>\n${answer.citations.map(formatSourceLine).join("\n")}`);
  }
  return parts.join("\n\n");
}

/** /nguon: the sources of the last answer, each with the exact sentence quoted. */
export function formatSourcesHtml(question: string, answer: Answer): string {
  const head = `<b>Nguồn của câu trả lời gần nhất</b>\n❓ ${escapeHtml(question)}`;
  if (answer.citations.length === 0) {
    return `${head}\n\nCâu trả lời này không trích nguồn nào: tài liệu hiện có không đề cập đến nội dung đó.`;
  }
  const sources = answer.citations.map((c) => {
    const meta = [c.publisher, formatDate(c.published)].filter(Boolean).join(", ");
    return `${formatSourceLine(c)}${meta ? ` (${escapeHtml(meta)})` : ""}\n“${escapeHtml(c.quote)}”`;
  });
  return [head, ...sources].join("\n\n");
}

/** The passage in `text` with its first occurrence of `quote` in bold. */
function boldQuote(text: string, quote: string): string {
  const at = quote ? text.indexOf(quote) : -1;
  if (at < 0) return escapeHtml(text);
  return `${escapeHtml(text.slice(0, at))}<b>${escapeHtml(quote)}</b>${escapeHtml(text.slice(at + quote.length))}`;
}

/**
 * A "Nguồn n" tap: the cited passage with the quoted sentence in bold, and where it is written.
 * Without the passage (the document was re-ingested since), the quote kept with the answer.
 */
export function formatPassageHtml(citation: Citation, view: PassageView | undefined): string {
  const title = `<b>[${citation.n}] ${escapeHtml(citation.document)}</b>`;
  const where = [citation.section, pageAndScanLabel(citation)].filter(Boolean).join(", ");
  const section = where ? `\n<i>${escapeHtml(where)}</i>` : "";
  const body = view ? boldQuote(view.passage.text, citation.quote) : `“<b>${escapeHtml(citation.quote)}</b>”`;
  const publisher = view?.document.publisher ?? citation.publisher;
  const published = formatDate(view?.document.published ?? citation.published);
  const url = view?.document.url ?? citation.url;
  const meta = [publisher, published].filter(Boolean).join(", ");
  const footer = [url ? link(url, "Đọc bài gốc") : "", meta ? escapeHtml(meta) : ""].filter(Boolean);
  return `${title}${section}\n\n${body}${footer.length ? `\n\n${footer.join(" · ")}` : ""}`;
}

/** /tailieu: the documents with publisher, date and link. */
export function formatDocumentsHtml(documents: StoredDocument[]): string {
  if (documents.length === 0) return "Kho tài liệu đang trống.";
  const lines = documents.map((d, i) => {
    const meta = [d.publisher, formatDate(d.published)].filter(Boolean).join(", ");
    const scanned = d.scanned ? ", văn bản quét" : "";
    return `${i + 1}. ${link(d.url, d.title)}${meta ? ` (${escapeHtml(meta)})` : ""}, ${d.chunkCount} đoạn${scanned}`;
  });
  return `<b>Tài liệu trong kho (${documents.length})</b>\n\n${lines.join("\n\n")}`;
}

/** The ingest summary, in Vietnamese, for an admin. */
export function formatIngestSummaryHtml(s: IngestSummary): string {
  const d = s.documents;
  const seconds = (s.ms / 1000).toLocaleString("vi-VN", { maximumFractionDigits: 1 });
  const lines = [
    `<b>Đã cập nhật kho tài liệu</b> (${seconds} giây)`,
    `Thêm ${d.added}, cập nhật ${d.updated}, giữ nguyên ${d.unchanged}, xoá ${d.removed} tài liệu; ${s.chunks} đoạn được ghi mới.`,
  ];
  if (d.failed.length > 0) {
    lines.push(
      `Không đọc được ${d.failed.length} tệp:`,
      ...d.failed.map((f) => `• ${escapeHtml(f.path)}: ${escapeHtml(f.error)}`),
    );
  }
  return lines.join("\n");
}

/**
 * Splits a message into pieces Telegram accepts: at blank lines first, then at line breaks, and
 * only for a paragraph longer than the limit, between words, closing the tags open at the cut and
 * reopening them in the next piece. Lengths are counted on the HTML, which is never shorter than
 * the text Telegram counts. Never returns an empty piece.
 */
export function splitHtml(html: string, limit = TELEGRAM_MAX_CHARS): string[] {
  const pieces: string[] = [];
  let current = "";
  const add = (part: string, separator: string) => {
    const joined = current ? `${current}${separator}${part}` : part;
    if (joined.length <= limit) {
      current = joined;
      return;
    }
    if (current.trim()) pieces.push(current);
    current = part;
  };
  for (const paragraph of html.split(/\n{2,}/)) {
    if (!paragraph.trim()) continue;
    if (paragraph.length <= limit) {
      add(paragraph, "\n\n");
      continue;
    }
    let first = true;
    for (const line of paragraph.split("\n")) {
      for (const part of line.length <= limit ? [line] : splitBetweenWords(line, limit)) {
        add(part, first ? "\n\n" : "\n");
        first = false;
      }
    }
  }
  if (current.trim()) pieces.push(current);
  return pieces;
}

/** Tags, entities, whitespace runs, words; a stray "<" or "&" is a token of its own. */
const TOKEN = /<\/?[a-z]+(?:\s[^>]*)?>|&#?\w+;|\s+|[^\s<&]+|[<&]/gi;

function splitBetweenWords(text: string, limit: number): string[] {
  const pieces: string[] = [];
  const open: { name: string; tag: string }[] = [];
  const closing = () =>
    open
      .slice()
      .reverse()
      .map((t) => `</${t.name}>`)
      .join("");
  let current = "";
  const flush = () => {
    if (current.trim().replace(/<[^>]*>/g, "")) pieces.push(current + closing());
    current = open.map((t) => t.tag).join("");
  };
  for (const token of text.match(TOKEN) ?? []) {
    const tag = /^<(\/?)([a-z]+)/i.exec(token);
    if (tag) {
      const name = (tag[2] ?? "").toLowerCase();
      if (tag[1]) open.splice(open.map((t) => t.name).lastIndexOf(name), 1);
      else open.push({ name, tag: token });
      current += token;
      continue;
    }
    // Room for the closing tags; a word longer than a whole message is cut between characters.
    const room = () => limit - current.length - closing().length;
    if (token.length > room()) {
      if (/^\s+$/.test(token)) {
        flush();
        continue;
      }
      if (current.replace(/<[^>]*>/g, "").trim()) flush();
      let rest = token;
      while (rest.length > room()) {
        let take = Math.max(1, room());
        // never between the two halves of a surrogate pair (an emoji)
        if (take < rest.length && /[\uD800-\uDBFF]/.test(rest.charAt(take - 1))) take = Math.max(1, take - 1);
        current += rest.slice(0, take);
        rest = rest.slice(take);
        flush();
      }
      current += rest;
      continue;
    }
    current += token;
  }
  if (current.replace(/<[^>]*>/g, "").trim()) pieces.push(current + closing());
  return pieces;
}
