import type { Citation } from "../contract/answer.ts";
import { type AbbreviationGroups, expansionsFor } from "../retrieval/expand-query.ts";
import type { Retrieval, RetrievedPassage } from "../retrieval/retriever.ts";
import { foldDiacritics } from "../text/fold-diacritics.ts";
import { touchesQuestionWord } from "../text/question-words.ts";
import { lexicalTerms, normalizeNumberToken, syllables } from "../text/tokenize.ts";
import { passageSentences, toCitation } from "./citations.ts";
import { type QuestionType, questionType } from "./question-type.ts";

export interface ExtractiveAnswer {
  found: boolean;
  answer: string;
  citations: Citation[];
  /** how well the best sentence covers the question, 0..1: what the refusal threshold compares */
  support: number;
}

export interface ExtractiveOptions {
  /** below this support the answer is "not in the documents" */
  minSupport: number;
  /** how many top passages to pick sentences from */
  passages?: number;
  /** the current question's type when the searched text also carries a previous question */
  type?: QuestionType;
  /** abbreviation groups: a sentence saying "UBND" covers a question saying "Ủy ban nhân dân" */
  abbreviations?: AbbreviationGroups;
  /**
   * Figures the facts index holds for the passages (number questions): a sentence stating a
   * figure of the thing asked about is preferred, and a figure in words ("năm định hướng") counts
   * as a figure.
   */
  facts?: readonly FactHint[];
}

/** A figure of the facts index (src/store/fact-store.ts), as the answerer uses it. */
export interface FactHint {
  chunkId: string;
  /** the sentence stating it, as stored in the passage */
  quote: string;
  value: string;
  counts: string;
  qualifier?: string;
  period?: string;
  context: string;
}

/** How much a sentence's figure being about what the question asks adds to its score. */
const FACT_FIT_WEIGHT = 0.15;

/** The share of the counted phrase's syllables ("điểm cầu") that the question's terms hold. */
function countsFit(counts: string, terms: Map<string, { marked: string; weight: number }>): number {
  const words = syllables(counts);
  if (words.length === 0) return 0;
  return words.filter((w) => terms.has(w)).length / words.length;
}

interface Candidate {
  passage: RetrievedPassage;
  /** the figures the facts index holds for this sentence (number questions) */
  figures?: string[];
  rank: number;
  text: string;
  index: number;
  coverage: number;
  covered: Set<string>;
  score: number;
}

/** Syllables keeping diacritics (lower case, NFC) and their folded twins, aligned. */
function tokens(text: string): { marked: string[]; folded: string[] } {
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

const NUMBER_WORDS = /(^|\s)(một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười)\s+\p{L}/u;
const LIST_CUES = /[:;]|\bgồm\b|\bbao gồm\b/u;
const WHO_CUES = /\b(Bí thư|Chủ tịch|Tổng Bí thư|Ủy viên|Ban [A-ZĐ]\p{L}*|Bộ Chính trị|Thành ủy|đồng chí)/u;
// A Vietnamese personal name: a common family name and one to three capitalised syllables.
const PERSON_NAME =
  /(?:^|[\s,(])(Nguyễn|Trần|Lê|Phạm|Hoàng|Huỳnh|Phan|Vũ|Võ|Đặng|Bùi|Đỗ|Hồ|Ngô|Dương|Lý|Tô|Đinh|Trịnh|Lương|Mai|Đoàn|Vương|Trương|Cao|Lâm|Đào|Tạ|Chu)(?:\s\p{Lu}\p{Ll}*){1,3}/u;

/** Does the text hold a figure: digits, or one of the index's figures written in words? */
function hasFigure(text: string, figures: readonly string[] = []): boolean {
  if (/\d/.test(text)) return true;
  const lower = text.toLowerCase();
  return figures.some((f) => {
    const escaped = f.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return new RegExp(`(^|[^\\p{L}\\p{M}])${escaped}(?![\\p{L}\\p{M}])`, "u").test(lower);
  });
}

function typeBonus(type: QuestionType, sentence: string, figures?: readonly string[]): number {
  switch (type) {
    case "number":
      return hasFigure(sentence, figures) ? 0.2 : NUMBER_WORDS.test(sentence) ? 0.1 : -0.2;
    case "list":
      return LIST_CUES.test(sentence) ? 0.1 : 0;
    case "who":
      return (PERSON_NAME.test(sentence) ? 0.35 : 0) + (WHO_CUES.test(sentence) ? 0.1 : 0);
    case "definition":
      return /\blà\b/u.test(sentence) ? 0.05 : 0;
    default:
      return 0;
  }
}

/**
 * Question terms with weights. A syllable typed with diacritics must match with its diacritics
 * ("quận" is not "quan"); typed without, it matches any marks. Syllables the corpus never uses
 * still count against coverage: a question about "Hồ Chí Minh" is not answered by a passage
 * about Hà Nội just because the other words match.
 */
// In a number question these words frame the figure ("chỉ tiêu tăng trưởng" asks for the growth
// figure); the counted thing ("tăng trưởng") is what the answer must be about.
const NUMBER_FRAME = new Set([
  "chi",
  "tieu",
  "muc",
  "chi tieu",
  "muc tieu",
  "con so",
  "so luong",
  "ty le",
  "muc",
]);

function questionTerms(
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
  const terms = new Map<string, { marked: string; weight: number }>();
  const markedTerms = lexicalTerms(marked);
  const foldedTerms = lexicalTerms(folded);
  foldedTerms.forEach((f, i) => {
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
const TERM_SETS = new Map<string, { marked: Set<string>; folded: Set<string> }>();

function termSets(text: string): { marked: Set<string>; folded: Set<string> } {
  let sets = TERM_SETS.get(text);
  if (!sets) {
    const { marked, folded } = tokens(text);
    sets = { marked: new Set(lexicalTerms(marked)), folded: new Set(lexicalTerms(folded)) };
    if (TERM_SETS.size >= 20_000) TERM_SETS.clear();
    TERM_SETS.set(text, sets);
  }
  return sets;
}

function coverage(
  sentence: string,
  terms: Map<string, { marked: string; weight: number }>,
  abbreviations: AbbreviationGroups = [],
): { coverage: number; covered: Set<string> } {
  const own = termSets(sentence);
  const expansions = abbreviations.length ? expansionsFor(sentence, abbreviations) : [];
  const expanded = expansions.length ? termSets(expansions.join(" ; ")) : undefined;
  let total = 0;
  let hit = 0;
  const covered = new Set<string>();
  for (const [f, t] of terms) {
    total += t.weight;
    const typedWithMarks = t.marked !== f;
    const found = (sets: { marked: Set<string>; folded: Set<string> }) =>
      typedWithMarks ? sets.marked.has(t.marked) : sets.folded.has(f);
    // A match through an abbreviation's other form ("chỉ tiêu" for "mục tiêu") counts half.
    const w = found(own) ? t.weight : expanded && found(expanded) ? t.weight / 2 : 0;
    if (w > 0) {
      hit += w;
      covered.add(f);
    }
  }
  return { coverage: total > 0 ? hit / total : 0, covered };
}

/**
 * The clause of a sentence (split at ";") that best answers: for a number question, only clauses
 * that hold a number compete, so "các chỉ tiêu tăng trưởng GDP, GRDP" does not answer "bao nhiêu".
 */
function bestClause(
  sentence: string,
  terms: Map<string, { marked: string; weight: number }>,
  type: QuestionType,
  abbreviations?: AbbreviationGroups,
  figures?: readonly string[],
): { index: number; clauses: string[]; score: number } {
  const clauses = sentence.split(/(?<=;)\s+/);
  let index = 0;
  let score = Number.NEGATIVE_INFINITY;
  clauses.forEach((clause, i) => {
    let s = coverage(clause, terms, abbreviations).coverage + typeBonus(type, clause, figures);
    if (type === "number" && !hasFigure(clause, figures) && clauses.length > 1) s -= 0.3;
    if (s > score) {
      score = s;
      index = i;
    }
  });
  return { index, clauses, score };
}

/** Long sentences are cut to the clause that answers, for reading on a phone; the quote stays whole. */
function displayText(
  sentence: string,
  terms: Map<string, { marked: string; weight: number }>,
  type: QuestionType,
  abbreviations?: AbbreviationGroups,
  figures?: readonly string[],
) {
  const words = sentence.split(/\s+/).length;
  const { index: best, clauses } = bestClause(sentence, terms, type, abbreviations, figures);
  if (words <= 45 || clauses.length < 2) return sentence;
  const clause = (clauses[best] as string).replace(/;$/, "");
  return `${best > 0 ? "… " : ""}${clause}${best < clauses.length - 1 ? " …" : ""}`;
}

/**
 * The offline answer: one to three sentences from the top passages, quoted verbatim, chosen by how
 * much of the question they cover and whether they are the kind of answer asked for (a number, a
 * person or body, a list, a definition). Photo captions are never quoted as facts.
 */
export function answerExtractively(
  question: string,
  retrieval: Retrieval,
  options: ExtractiveOptions,
): ExtractiveAnswer {
  const type = options.type ?? questionType(question);
  const terms = questionTerms(question, retrieval, options.abbreviations ?? [], type);
  const factsBySentence = new Map<string, FactHint[]>();
  if (type === "number") {
    for (const f of options.facts ?? []) {
      const key = `${f.chunkId}\n${f.quote}`;
      factsBySentence.set(key, [...(factsBySentence.get(key) ?? []), f]);
    }
  }
  const candidates: Candidate[] = [];
  retrieval.passages.slice(0, options.passages ?? 5).forEach((passage, rank) => {
    for (const s of passageSentences(passage)) {
      if (s.caption) continue;
      const c = coverage(s.text, terms, options.abbreviations);
      const facts = factsBySentence.get(`${passage.chunkId}\n${s.text}`) ?? [];
      // How much of what each figure counts the question names ("bao nhiêu điểm cầu" → "điểm cầu").
      // Past half, the figure is about the asked thing; which such sentence wins is left to the
      // other signals ("nhóm nhiệm vụ" and "nhóm nhiệm vụ chủ yếu" count the same thing).
      const fits = facts.map((f) => {
        const fit = countsFit(f.counts, terms);
        return fit >= 0.5 ? 1 : fit;
      });
      // A figure in words counts as the figure asked for only when it counts what is asked about:
      // "năm định hướng" answers "bao nhiêu định hướng", not "bao nhiêu người".
      const figures = facts.filter((_, k) => (fits[k] as number) >= 0.5).map((f) => f.value);
      // The answer to a pointed question usually sits in one clause of a long sentence: a clause
      // that holds both the asked-about terms and the kind of answer wanted beats a sentence that
      // spreads the same words over unrelated clauses.
      const clauseScore = bestClause(s.text, terms, type, options.abbreviations, figures).score;
      // A number question prefers the sentence whose indexed figure counts what is asked about.
      const factFit = Math.max(0, ...fits);
      candidates.push({
        passage,
        rank,
        text: s.text,
        index: s.index,
        ...(figures.length ? { figures } : {}),
        ...c,
        score:
          0.6 * clauseScore +
          0.4 * (c.coverage + typeBonus(type, s.text, figures)) +
          FACT_FIT_WEIGHT * factFit +
          0.04 / (rank + 1),
      });
    }
  });
  candidates.sort((a, b) => b.score - a.score);
  const best = candidates[0];
  const support = best
    ? Math.max(0, Math.min(1, best.coverage + Math.min(0, typeBonus(type, best.text, best.figures))))
    : 0;
  if (!best || support < options.minSupport) return { found: false, answer: "", citations: [], support };

  // Add a sentence only when it covers question terms the chosen ones do not.
  const chosen: Candidate[] = [best];
  const covered = new Set(best.covered);
  const totalWeight = [...terms.values()].reduce((n, t) => n + t.weight, 0);
  for (const c of candidates.slice(1)) {
    if (chosen.length >= 3 || c.score < best.score * 0.6) break;
    if (chosen.some((x) => x.text === c.text)) continue;
    const gain = [...c.covered]
      .filter((t) => !covered.has(t))
      .reduce((n, t) => n + (terms.get(t)?.weight ?? 0), 0);
    if (gain / totalWeight < 0.15) continue;
    chosen.push(c);
    for (const t of c.covered) covered.add(t);
  }
  chosen.sort((a, b) => a.rank - b.rank || a.index - b.index);
  const citations = chosen.map((c, i) => toCitation(i + 1, c.passage, c.text));
  const answer = chosen
    .map((c, i) => `${displayText(c.text, terms, type, options.abbreviations, c.figures)} [${i + 1}]`)
    .join(" ");
  return { found: true, answer, citations, support };
}
