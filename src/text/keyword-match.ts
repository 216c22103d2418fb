import { normalizeText } from "./normalize-vietnamese.ts";
import { isQuestionWord } from "./question-words.ts";
import { syllables } from "./tokenize.ts";

/**
 * Keyword filters ("/chitieu tăng trưởng", "npm run quiz -- --topic 'dot pha'"): every syllable of
 * the keyword must be in the text. Typed without diacritics a syllable matches any marks ("tang"
 * is "tăng"); typed with them, they must match ("tăng" is not "tầng"), after NFC and one tone-mark
 * placement, so "hoà" and "hòa" are the same.
 */

export interface Keyword {
  /** as typed, normalised */
  text: string;
  /** folded syllables (numbers whole: "1.605" → "1605") */
  folded: string[];
  /** lower-case NFC syllables as typed, aligned with `folded` */
  marked: string[];
}

const WORD = /\d+(?:[.,]\d+)*|[\p{L}\p{M}]+/gu;

export function parseKeyword(keyword: string, options: { dropQuestionWords?: boolean } = {}): Keyword {
  const text = normalizeText(keyword).replace(/\s+/g, " ").trim();
  const marked: string[] = [];
  const folded: string[] = [];
  for (const m of text.toLowerCase().matchAll(WORD)) {
    const f = syllables(m[0]).join("");
    if (!f || (options.dropQuestionWords && isQuestionWord(f))) continue;
    marked.push(m[0]);
    folded.push(f);
  }
  return { text, folded, marked };
}

/** The syllables of a text in both forms, for repeated keyword checks against it. */
export interface SyllableSets {
  folded: Set<string>;
  marked: Set<string>;
}

export function syllableSets(text: string): SyllableSets {
  const lower = normalizeText(text).toLowerCase();
  const marked = new Set<string>();
  for (const m of lower.matchAll(WORD)) marked.add(m[0]);
  return { folded: new Set(syllables(lower)), marked };
}

/** Does the text hold every syllable of the keyword (see the module comment)? An empty keyword matches. */
export function matchesKeyword(text: string | SyllableSets, keyword: Keyword): boolean {
  const sets = typeof text === "string" ? syllableSets(text) : text;
  return keyword.folded.every((f, i) => {
    if (!sets.folded.has(f)) return false;
    const typed = keyword.marked[i] as string;
    return typed === f || /^\d/.test(typed) || sets.marked.has(typed);
  });
}
