import { type AbbreviationGroups, expansionsFor } from "../retrieval/expand-query.ts";
import type { Retrieval } from "../retrieval/retriever.ts";
import { foldDiacritics } from "../text/fold-diacritics.ts";
import { touchesQuestionWord } from "../text/question-words.ts";
import { lexicalTerms, normalizeNumberToken, syllables } from "../text/tokenize.ts";
import type { QuestionType } from "./question-type.ts";

/** A question term: its form as typed (lower case, NFC) and its weight (IDF × boost). */
export interface QuestionTerm {
  marked: string;
  weight: number;
}

/** Question terms by folded form. */
export type QuestionTerms = Map<string, QuestionTerm>;

/** Syllables keeping diacritics (lower case, NFC) and their folded twins, aligned. */
export function tokens(text: string): { marked: string[]; folded: string[] } {
  const lower = text.normalize("NFC").toLowerCase();
  // Folding keeps offsets, so each folded token is the same slice of the folded text.
  const foldedText = foldDiacritics(lower);
  const marked: string[] = [];
  const folded: string[] = [];
  for (const m of lower.matchAll(/\d+(?:[.,]\d+)*|[\p{L}\p{M}]+/gu)) {
    marked.push(normalizeNumberToken(m[0]));
    folded.push(normalizeNumberToken(foldedText.slice(m.index, m.index + m[0].length)));
  }
  return { marked, folded };
}

/**
 * Question terms with weights. A syllable typed with diacritics must match with its diacritics
 * ("quận" is not "quan"); typed without, it matches any marks. Syllables the corpus never uses
 * still count against coverage: a question about "Hồ Chí Minh" is not answered by a passage
 * about Hà Nội just because the other words match.
 */
// In a number question these words frame the figure ("chỉ tiêu tăng trưởng" asks for the growth
// figure); the counted thing ("tăng trưởng") is what the answer must be about.
const NUMBER_FRAME = new Set(["chi", "tieu", "muc", "chi tieu", "muc tieu", "con so", "so luong", "ty le"]);

// How a figure is asked for, not what it counts: "có tất cả bao nhiêu", "tổng cộng", "bao nhiêu
// phần trăm" (the text writes "%"). In a number question these syllables are not content at all.
const QUANTITY_PHRASES = [
  ["tat", "ca"],
  ["tong", "cong"],
  ["tong", "so"],
  ["phan", "tram"],
];

/** The positions of a number question's quantity phrases in its folded syllables. */
function quantityPositions(folded: readonly string[]): Set<number> {
  const at = new Set<number>();
  folded.forEach((_, i) => {
    for (const phrase of QUANTITY_PHRASES) {
      if (!phrase.every((p, k) => folded[i + k] === p)) continue;
      for (let k = 0; k < phrase.length; k++) at.add(i + k);
    }
  });
  return at;
}

export function questionTerms(
  question: string,
  retrieval: Retrieval,
  abbreviations: AbbreviationGroups,
  type: QuestionType,
) {
  // Syllables of abbreviation forms ("NQ", "ĐH", "14") are matched through their other forms.
  const abbreviationSyllables = new Set(abbreviations.flat().flatMap((form) => syllables(form)));
  const weightByFolded = new Map(retrieval.terms.map((t) => [t.term, t.weight]));
  const maxWeight = Math.max(1, ...retrieval.terms.map((t) => t.weight));
  const { marked, folded } = tokens(question);
  const terms: QuestionTerms = new Map();
  const markedTerms = lexicalTerms(marked);
  const foldedTerms = lexicalTerms(folded);
  const quantity = type === "number" ? quantityPositions(folded) : new Set<number>();
  foldedTerms.forEach((f, i) => {
    // lexicalTerms lists the syllables, then the bigrams (bigram k spans syllables k and k+1)
    const span = i < folded.length ? [i] : [i - folded.length, i - folded.length + 1];
    if (span.every((k) => quantity.has(k))) return;
    const isBigram = f.includes(" ");
    const known = weightByFolded.get(f);
    // Unknown bigrams are mostly two question words side by side; unknown syllables are real gaps.
    const unknownWeight = isBigram || abbreviationSyllables.has(f) ? 0 : maxWeight;
    let weight = touchesQuestionWord(f) ? Math.min(known ?? 0, 0.2) : (known ?? unknownWeight);
    if (type === "number" && f.split(" ").some((part) => NUMBER_FRAME.has(part) || NUMBER_FRAME.has(f)))
      weight *= 0.3;
    if (weight > 0 && !terms.has(f)) terms.set(f, { marked: markedTerms[i] as string, weight });
  });
  return terms;
}

// Sentences and clauses are scored several times per answer (and the same passages recur across
// questions): remember their term sets. Bounded, and cleared wholesale when full.
export interface TermSets {
  marked: Set<string>;
  folded: Set<string>;
  /** the folded syllables in order */
  sequence: string[];
  /** for each syllable of `sequence`: was it written with a capital? */
  capital: boolean[];
  /** the term sets of the text's abbreviation expansions, once asked for (null: none) */
  expanded?: { groups: AbbreviationGroups; sets: TermSets | null };
}

const TERM_SETS = new Map<string, TermSets>();

export function termSets(text: string): TermSets {
  let sets = TERM_SETS.get(text);
  if (!sets) {
    const { marked, folded } = tokens(text);
    const capital = Array.from(text.normalize("NFC").matchAll(/\d+(?:[.,]\d+)*|[\p{L}\p{M}]+/gu), (m) =>
      /^\p{Lu}/u.test(m[0]),
    );
    sets = {
      marked: new Set(lexicalTerms(marked)),
      folded: new Set(lexicalTerms(folded)),
      sequence: folded,
      capital,
    };
    if (TERM_SETS.size >= 20_000) TERM_SETS.clear();
    TERM_SETS.set(text, sets);
  }
  return sets;
}

/** The term sets of what the text's abbreviations stand for ("UBND" → "Ủy ban nhân dân"), remembered. */
function expandedSets(own: TermSets, text: string, groups: AbbreviationGroups): TermSets | null {
  if (own.expanded?.groups !== groups) {
    const expansions = expansionsFor(text, groups);
    own.expanded = { groups, sets: expansions.length ? termSets(expansions.join(" ; ")) : null };
  }
  return own.expanded.sets;
}

/**
 * Does the text (its term sets) hold the question term? Typed with diacritics it must match with
 * them ("quận" is not "quan"); typed without, any marks match.
 */
export function holds(
  sets: Pick<TermSets, "marked" | "folded">,
  folded: string,
  term: QuestionTerm,
): boolean {
  return term.marked !== folded ? sets.marked.has(term.marked) : sets.folded.has(folded);
}

export function coverage(
  sentence: string,
  terms: QuestionTerms,
  abbreviations: AbbreviationGroups = [],
): { coverage: number; covered: Set<string> } {
  const own = termSets(sentence);
  const expanded = abbreviations.length
    ? (expandedSets(own, sentence, abbreviations) ?? undefined)
    : undefined;
  let total = 0;
  let hit = 0;
  const covered = new Set<string>();
  for (const [f, t] of terms) {
    total += t.weight;
    // A match through an abbreviation's other form ("chỉ tiêu" for "mục tiêu") counts half.
    const w = holds(own, f, t) ? t.weight : expanded && holds(expanded, f, t) ? t.weight / 2 : 0;
    if (w > 0) {
      hit += w;
      covered.add(f);
    }
  }
  return { coverage: total > 0 ? hit / total : 0, covered };
}
