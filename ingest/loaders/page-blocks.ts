import { cleanText } from "./clean-text.ts";
import type { Block } from "./types.ts";

/** The text of one page (from a PDF's text layer or from OCR), lines as they were laid out. */
export interface PageText {
  /** 1-based */
  number: number;
  text: string;
}

/**
 * Paragraph blocks, each with its page, from the text of a document's pages, cleaned of what page
 * layout and OCR leave behind:
 * - running headers and footers (a line at the top or bottom of most pages, page numbers aside)
 *   and page numbers ("12", "- 12 -", "Trang 12", "12/40") are dropped;
 * - lines of OCR debris (no letter or digit: "|", "—", "~ ~") are dropped, and stray bars at the
 *   edges of a line are cut;
 * - a paragraph's lines are joined: with a space, or without one across a hyphen that broke a
 *   word ("hyphen-\nation") or a range ("2026-\n2031");
 * - a paragraph cut by a page break (no closing punctuation, the next page goes on in lower
 *   case) is joined again, and spans both pages.
 * NFC throughout (cleanText).
 */
export function pageBlocks(pages: readonly PageText[]): Block[] {
  const linesOfPages = pages.map((page) => ({
    number: page.number,
    lines: page.text
      .normalize("NFC")
      .split(/\r\n|\r|\n|\f/)
      .map(withoutEdgeDebris),
  }));
  const running = runningLines(linesOfPages.map((p) => p.lines));
  const blocks: { text: string; page: number; lastPage: number }[] = [];
  for (const { number, lines } of linesOfPages) {
    const kept = lines.map((line, i) => (isPageFurniture(line, i, lines, running) ? "" : line));
    for (const [k, paragraph] of paragraphs(kept).entries()) {
      const text = cleanText(joinLines(paragraph));
      if (!text) continue;
      const previous = blocks.at(-1);
      if (
        k === 0 &&
        previous &&
        previous.lastPage === number - 1 &&
        continuesAcrossPages(previous.text, text)
      ) {
        previous.text = joinLines([previous.text, text]);
        previous.lastPage = number;
      } else blocks.push({ text, page: number, lastPage: number });
    }
  }
  return blocks.map(
    ({ text, page, lastPage }): Block =>
      lastPage === page ? { kind: "paragraph", text, page } : { kind: "paragraph", text, page, lastPage },
  );
}

/** Lines this many from the top or bottom of a page are where headers and footers sit. */
const EDGE_LINES = 2;

const PAGE_NUMBER = /^[-–—.\s]*(?:trang|page)?\s*\d{1,4}(?:\s*(?:\/|of|trên)\s*\d{1,4})?[-–—.\s]*$/iu;

/** A line's shape for spotting running headers: the page number in "Trang 3" changes from page to page. */
const shape = (line: string) => line.toLowerCase().replace(/\d+/g, "#").replace(/\s+/g, " ").trim();

/** Shapes of lines found at the edges of at least 60 % of the pages (and of two pages at least). */
function runningLines(pages: readonly string[][]): Set<string> {
  const counts = new Map<string, number>();
  for (const lines of pages) {
    const seen = new Set<string>();
    for (const line of edgeLines(lines)) seen.add(shape(line));
    for (const key of seen) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const needed = Math.max(2, Math.ceil(0.6 * pages.length));
  return new Set([...counts].filter(([key, n]) => key && n >= needed).map(([key]) => key));
}

function edgeLines(lines: readonly string[]): string[] {
  const filled = lines.filter((line) => line.trim() !== "");
  return [...filled.slice(0, EDGE_LINES), ...filled.slice(Math.max(EDGE_LINES, filled.length - EDGE_LINES))];
}

function isPageFurniture(
  line: string,
  index: number,
  lines: readonly string[],
  running: Set<string>,
): boolean {
  if (line.trim() === "") return false;
  if (!/[\p{L}\p{N}]/u.test(line)) return true; // OCR debris
  const filledBefore = lines.slice(0, index).filter((l) => l.trim() !== "").length;
  const filledAfter = lines.slice(index + 1).filter((l) => l.trim() !== "").length;
  const atEdge = filledBefore < EDGE_LINES || filledAfter < EDGE_LINES;
  return atEdge && (PAGE_NUMBER.test(line) || running.has(shape(line)));
}

/** OCR reads a page edge or a table rule as "|" or "¦" at the start or end of a line. */
function withoutEdgeDebris(line: string): string {
  return line.replace(/^[\s|¦]+|[\s|¦]+$/g, "");
}

/** Runs of non-blank lines. */
function paragraphs(lines: readonly string[]): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  for (const line of lines) {
    if (line.trim() === "") {
      if (current.length > 0) out.push(current);
      current = [];
    } else current.push(line.trim());
  }
  if (current.length > 0) out.push(current);
  return out;
}

function joinLines(lines: readonly string[]): string {
  let text = "";
  for (const line of lines) {
    if (!text) {
      text = line;
      continue;
    }
    if (/[a-z][-‐]$/.test(text) && /^[a-z]/.test(line) && /(?:^|\s)[a-z]+[-‐]$/.test(text)) {
      // A word hyphenated at the line's end ("infor-" + "mation"). Vietnamese syllables are never
      // cut so: a hyphen after one ("kinh tế-" + "xã hội") joins two words and stays.
      text = text.slice(0, -1) + line;
    } else if (/\S[-‐]$/u.test(text)) {
      text += line; // "2026-" + "2031", "kinh tế-" + "xã hội": the hyphen belongs to the text
    } else text += ` ${line}`;
  }
  return text;
}

/** The text before a page break stops mid-sentence and the next page goes on in lower case. */
function continuesAcrossPages(before: string, after: string): boolean {
  return !/[.!?:;…"”»)]$/u.test(before) && /^[\p{Ll}\p{N}(]/u.test(after);
}
