import { normalizeInline } from "../src/text/normalize-vietnamese.ts";
import type { Block, LoadedDocument } from "./loaders/types.ts";

/** `page` (to `lastPage`): the PDF or scan page(s) the block was read from, when the format has pages. */
export type CleanBlock =
  | { kind: "heading"; level: number; text: string; page?: number }
  | { kind: "paragraph"; text: string; caption: boolean; page?: number; lastPage?: number };

export interface CleanDocument {
  title: string;
  url?: string;
  publisher?: string;
  author?: string;
  published?: string;
  /** read by OCR from page images */
  scanned?: boolean;
  effective?: string;
  supersedes?: string[];
  blocks: CleanBlock[];
}

// "Quang cảnh Hội nghị ... Ảnh: Viết Thành" — a photo caption: text about a picture, not a fact to quote.
const CAPTION = /(^|[\s(.])(Ảnh|Nguồn ảnh|Ảnh minh họa|Ảnh minh hoạ)\s*:\s*[^.:]{1,80}\.?\)?$/u;
// "Nguồn KTĐT: https://..." as the last line: the article's source URL.
const SOURCE_LINE = /^Nguồn\b[^:]{0,80}:\s*(https?:\/\/\S+)\s*$/u;

export function isCaption(text: string): boolean {
  return CAPTION.test(text);
}

/**
 * Normalises every block (NFC, one tone-mark placement, whitespace), drops consecutive duplicate
 * paragraphs (news sites print each photo caption twice), marks photo captions, and turns the
 * trailing "Nguồn ...: URL" and author lines into metadata.
 */
export function cleanDocument(doc: LoadedDocument, fallbackTitle: string): CleanDocument {
  const blocks: CleanBlock[] = [];
  let url = doc.url;
  for (const block of doc.blocks as Block[]) {
    const text = normalizeInline(block.text);
    if (!text) continue;
    if (block.kind === "heading") {
      blocks.push({ kind: "heading", level: block.level, text, ...pageOf(block) });
      continue;
    }
    const previous = blocks.at(-1);
    if (previous?.kind === "paragraph" && previous.text === text) continue;
    blocks.push({ kind: "paragraph", text, caption: isCaption(text), ...pageOf(block) });
  }
  // Trailing metadata lines, in either order: the source URL and the author's name.
  const author = doc.author ? normalizeInline(doc.author) : undefined;
  for (let guard = 0; guard < 3; guard++) {
    const last = blocks.at(-1);
    if (last?.kind !== "paragraph") break;
    const source = SOURCE_LINE.exec(last.text);
    if (source) {
      url ??= source[1];
      blocks.pop();
    } else if (author && last.text === author) {
      blocks.pop();
    } else break;
  }
  return {
    title: normalizeInline(doc.title ?? "") || fallbackTitle,
    url,
    publisher: doc.publisher ? normalizeInline(doc.publisher) : undefined,
    author,
    published: doc.published,
    ...(doc.scanned ? { scanned: true } : {}),
    ...(doc.effective ? { effective: doc.effective } : {}),
    ...(doc.supersedes?.length ? { supersedes: doc.supersedes.map(normalizeInline) } : {}),
    blocks,
  };
}

function pageOf(block: Block): { page?: number; lastPage?: number } {
  if (block.page === undefined) return {};
  const lastPage = block.kind === "paragraph" ? block.lastPage : undefined;
  return lastPage !== undefined && lastPage !== block.page
    ? { page: block.page, lastPage }
    : { page: block.page };
}
