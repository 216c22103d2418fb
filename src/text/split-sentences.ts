/**
 * Sentence splitting for Vietnamese administrative prose. Answers quote whole sentences, so a
 * wrong split shows up to users as a truncated or run-on quote. It keeps "1.605", "1.662.336",
 * "11%", "2026-2030", "TP. Hà Nội", "TS. Nguyễn", "v.v.", quotations and list markers intact.
 */

export interface Span {
  start: number;
  end: number;
}

// Titles and abbreviations that are followed by a name, never by a new sentence.
const NAME_TITLES = new Set(["ts", "ths", "pgs", "gs", "bs", "ks", "ls", "nxb", "st", "mr", "mrs", "dr"]);
// "TP." ends a sentence in "Đảng bộ TP. Đồng thời ...", but not in "TP. Hà Nội".
const CITY_ABBREVIATIONS = new Set(["tp", "tx", "q", "p"]);
const ONE_WORD_CITIES = new Set(["huế", "vinh", "hcm", "hà", "hồ", "thủ"]);

const OPENING_QUOTES = "“«‘";
const CLOSING_QUOTES = "”»’";
const TERMINATORS = ".!?…";

function isUpper(ch: string | undefined): boolean {
  return ch !== undefined && ch !== ch.toLowerCase() && ch === ch.toUpperCase();
}

function wordBefore(text: string, end: number): string {
  let i = end;
  while (i > 0 && /[\p{L}\p{N}.]/u.test(text[i - 1] ?? "")) i--;
  return text.slice(i, end);
}

function wordsAfter(text: string, start: number, count: number): string[] {
  return text.slice(start).split(/\s+/, count);
}

/** Is the "." at `dot` part of an abbreviation or list marker rather than the end of a sentence? */
function isNonTerminalPeriod(
  text: string,
  dot: number,
  sentenceStart: number,
  nextWordStart: number,
): boolean {
  const word = wordBefore(text, dot);
  const bare = word.replace(/\./g, "").toLowerCase();
  // A list marker at the start of the sentence: "1.", "II.", "a."
  if (text.slice(sentenceStart, dot).trim() === word && /^(\d{1,3}|[ivxlc]{1,6}|[a-zđ])$/i.test(word))
    return true;
  // "TS." and also compound titles such as "PGS.TS." or "ThS.BS."
  const parts = word.split(".").filter(Boolean);
  if (parts.length > 0 && parts.every((part) => NAME_TITLES.has(part.toLowerCase()))) return true;
  // An initial inside a name: "Nguyễn V. A."
  if (/^\p{Lu}$/u.test(word)) return true;
  if (CITY_ABBREVIATIONS.has(bare)) {
    const [first, second] = wordsAfter(text, nextWordStart, 2);
    if (first && ONE_WORD_CITIES.has(first.toLowerCase().replace(/[^\p{L}]/gu, ""))) return true;
    if (first && second && isUpper(first[0]) && isUpper(second[0])) return true;
  }
  return false;
}

function split(text: string, trackQuotes: boolean): { spans: Span[]; balanced: boolean } {
  const spans: Span[] = [];
  let start = 0;
  let depth = 0;
  let straightOpen = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (OPENING_QUOTES.includes(ch)) depth++;
    else if (CLOSING_QUOTES.includes(ch)) depth = Math.max(0, depth - 1);
    else if (ch === '"') straightOpen = !straightOpen;
    if (!TERMINATORS.includes(ch)) continue;
    // Take the whole run of terminators and closing quotes: "làm đến cùng”." or "?!"
    let end = i + 1;
    while (
      end < text.length &&
      (TERMINATORS.includes(text[end] as string) ||
        CLOSING_QUOTES.includes(text[end] as string) ||
        text[end] === '"' ||
        text[end] === ")")
    )
      end++;
    const closesQuote = /[”»’"]/.test(text.slice(i + 1, end));
    if (trackQuotes && (depth > 0 || straightOpen) && !closesQuote) continue;
    let next = end;
    while (next < text.length && /\s/.test(text[next] as string)) next++;
    if (next === end && end < text.length) continue; // "1.605", "v.v" inside a token
    if (next < text.length) {
      const nextCh = text[next] as string;
      if (!(isUpper(nextCh) || /[\d“"«‘(\-–•]/.test(nextCh))) continue;
    }
    if (ch === "." && isNonTerminalPeriod(text, i, start, next)) continue;
    // The closing quote we swallowed is no longer open.
    if (closesQuote) {
      depth = 0;
      straightOpen = false;
    }
    spans.push({ start, end });
    start = next;
    i = end - 1;
  }
  if (start < text.length) spans.push({ start, end: text.length });
  return { spans, balanced: depth === 0 && !straightOpen };
}

/** Splits one paragraph into sentence spans (offsets into `text`, whitespace trimmed). */
export function splitSentences(text: string): Span[] {
  let { spans, balanced } = split(text, true);
  // A stray quotation mark would otherwise swallow the rest of the paragraph.
  if (!balanced) spans = split(text, false).spans;
  return spans
    .map(({ start, end }) => {
      let s = start;
      let e = end;
      while (s < e && /\s/.test(text[s] as string)) s++;
      while (e > s && /\s/.test(text[e - 1] as string)) e--;
      return { start: s, end: e };
    })
    .filter((span) => span.end > span.start);
}
