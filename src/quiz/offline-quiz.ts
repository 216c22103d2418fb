import type { Citation } from "../contract/answer.ts";
import { toCitation } from "../contract/citation.ts";
import { excerptAround, shorten } from "../facts/excerpt.ts";
import { whereWritten } from "../facts/format-targets.ts";
import type { StoredFact } from "../store/fact-store.ts";
import type { ListedPassage } from "../store/passage-list.ts";
import { type Keyword, matchesKeyword } from "../text/keyword-match.ts";
import { formatVietnameseNumber, numberToWords, parseDigits, readNumberWords } from "../text/number-words.ts";
import { syllables } from "../text/tokenize.ts";
import { hashSeed, seededRandom, shuffled } from "./random.ts";
import type { Difficulty, QuizKind, QuizQuestion } from "./types.ts";

/**
 * Multiple-choice questions from the corpus, by rules, offline and deterministic for a seed:
 *  - fact: a figure of the facts index blanked out ("…tăng trưởng kinh tế từ …… trở lên…"), with
 *    three figures of the same kind and scale that are not in the sentence and are not the
 *    corpus's answer for the same counted thing elsewhere;
 *  - enumeration: one item of a counted list blanked ("ba đột phá chiến lược về thể chế, quy
 *    hoạch, ……"), the distractors items of the corpus's other lists;
 *  - slogan: one part of a quoted motto blanked ("“Hà Nội đã nói là làm, làm nhanh, ……, …”"),
 *    the distractors parts of the other quoted mottos;
 *  - definition: "X là Y" asked as "X là gì?", the distractors the other definitions' Y.
 * The correct option is always a piece of the quoted sentence; no distractor appears in it.
 */

export const BLANK = "……";
/** Telegram's limits, which every channel can live with: question ≤ 300, option ≤ 100 characters. */
export const MAX_QUESTION_CHARS = 300;
export const MAX_OPTION_CHARS = 100;
const FILL = "Điền vào chỗ trống: ";

type Source = Pick<ListedPassage, "chunkId" | "text" | "headingPath" | "pages" | "document">;

export interface QuizCandidate {
  kind: QuizKind;
  /** one question per answer per sentence */
  key: string;
  question: string;
  answer: string;
  distractors: string[];
  difficulty: Difficulty;
  quote: string;
  source: Source;
  /** what a topic is matched against */
  topicText: string;
  /** a figure question: its fact, and the numbers its distractors must avoid */
  figure?: { fact: StoredFact; excluded: Set<number> };
}

// ---------------------------------------------------------------------------------------------
// Text helpers

/** Is `needle` (folded syllables) a run of consecutive syllables of `hay`? */
export function containsPhrase(hay: readonly string[], needle: readonly string[]): boolean {
  if (needle.length === 0) return false;
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** Does the option appear in the text (as whole syllables, diacritics and case ignored)? */
export function appearsIn(text: string, option: string): boolean {
  return containsPhrase(syllables(text), syllables(option));
}

const countSyllables = (text: string) => syllables(text).length;

/** Every number in a sentence: digits ("1.605" → 1605) and number words ("ba" → 3). */
function numbersIn(text: string): Set<number> {
  const out = new Set<number>();
  for (const m of text.matchAll(/\d+(?:[.,]\d+)*/g)) {
    const n = parseDigits(m[0]);
    if (n !== undefined) out.add(n);
  }
  const words = [...text.toLowerCase().matchAll(/[\p{L}\p{M}]+/gu)].map((m) => m[0]);
  words.forEach((_, i) => {
    const read = readNumberWords(words.slice(i, i + 3));
    if (read) out.add(read.value);
  });
  return out;
}

function question(prefix: string, text: string, start: number, end: number): string {
  return `${prefix}${excerptAround(text, start, end, MAX_QUESTION_CHARS - prefix.length)}`;
}

const capitalized = (s: string) => s.charAt(0) !== s.charAt(0).toLowerCase();
const capitalize = (s: string) => s.charAt(0).toLocaleUpperCase("vi") + s.slice(1);

/** Three distractors from `pool`: not the answer, not in the quote, closest in length first. */
function phraseDistractors(
  answer: string,
  pool: readonly string[],
  quote: string,
  random: () => number,
): string[] | undefined {
  const quoteSyllables = syllables(quote);
  const answerKey = syllables(answer).join(" ");
  const length = countSyllables(answer);
  const seen = new Set<string>([answerKey]);
  const usable: string[] = [];
  for (const p of pool) {
    const key = syllables(p).join(" ");
    if (!key || seen.has(key) || p.length > MAX_OPTION_CHARS) continue;
    if (containsPhrase(quoteSyllables, syllables(p))) continue;
    seen.add(key);
    usable.push(p);
  }
  if (usable.length < 3) return undefined;
  const ranked = usable
    .map((p, i) => ({ p, i, n: countSyllables(p) }))
    .sort((a, b) => Math.abs(a.n - length) - Math.abs(b.n - length) || a.i - b.i);
  // Of a like size ("thể chế" against "quy hoạch", not against a whole clause), when there are enough.
  const alike = ranked.filter((x) => x.n <= 2 * length + 2 && 2 * x.n + 2 >= length);
  const nearest = (alike.length >= 3 ? alike : ranked).slice(0, 6).map((x) => x.p);
  return shuffled(nearest, random).slice(0, 3);
}

// ---------------------------------------------------------------------------------------------
// Figures

const WORD_NUMBER = /^[\p{L}\p{M}\s]+$/u;

function factDifficulty(fact: StoredFact): Difficulty {
  const amount = fact.amount ?? 0;
  if (WORD_NUMBER.test(fact.value) || (fact.kind === "count" && amount <= 20)) return "easy";
  if (fact.kind === "money" || (amount >= 1000 && fact.kind !== "year" && fact.kind !== "period"))
    return "hard";
  return "medium";
}

const FACTORS: Record<Difficulty, number[]> = {
  hard: [0.9, 0.93, 0.95, 0.97, 1.03, 1.05, 1.07, 1.1],
  medium: [0.7, 0.75, 0.8, 0.85, 1.15, 1.2, 1.25, 1.3],
  easy: [0.5, 0.6, 0.75, 1.25, 1.5, 2],
};

/** Numbers near `base` at the given difficulty, same scale (digit count) and precision. */
function nearbyNumbers(base: number, difficulty: Difficulty, decimals: number, cap?: number): number[] {
  const out: number[] = [];
  const integer = decimals === 0;
  if (integer && base <= 20) {
    const steps = difficulty === "hard" ? [1, 2, 3] : [1, 2, 3, 4, 5, 6];
    for (const d of steps) out.push(base - d, base + d);
  } else {
    const digits = String(Math.round(base)).length;
    const trailingZeros = /0*$/.exec(String(Math.round(base)))?.[0].length ?? 0;
    const step = integer ? 10 ** Math.min(trailingZeros, Math.max(0, digits - 2)) : 10 ** -decimals;
    for (const f of FACTORS[difficulty]) out.push(Math.round((base * f) / step) * step);
  }
  const scale = String(Math.trunc(base)).length;
  return out
    .map((n) => Number(n.toFixed(decimals)))
    .filter((n) => n > 0 && n !== base && (cap === undefined || n <= cap))
    .filter((n) => !integer || base < 10 || String(Math.trunc(n)).length === scale);
}

/** Three figures like the fact's, none in its sentence nor the corpus's answer for the same thing. */
function figureDistractors(
  fact: StoredFact,
  difficulty: Difficulty,
  excluded: Set<number>,
  random: () => number,
): string[] | undefined {
  const quoteSyllables = syllables(fact.quote);
  const keep = (candidates: string[]) => {
    const out: string[] = [];
    for (const c of shuffled([...new Set(candidates)], random)) {
      if (c === fact.value || containsPhrase(quoteSyllables, syllables(c))) continue;
      out.push(c);
      if (out.length === 3) return out;
    }
    return undefined;
  };

  if (fact.kind === "period") {
    const m = /^(\d{4})(\s?[-–]\s?)(\d{4})$/.exec(fact.value);
    if (!m) return undefined;
    const [from, separator, to] = [Number(m[1]), m[2] as string, Number(m[3])];
    const shifts = [
      [-1, -1],
      [1, 1],
      [0, -1],
      [0, 1],
      [-1, 0],
      [1, 0],
      [-5, -5],
      [5, 5],
    ];
    return keep(
      shifts
        .filter(([a = 0, b = 0]) => to + b > from + a)
        .map(([a = 0, b = 0]) => `${from + a}${separator}${to + b}`),
    );
  }

  if (WORD_NUMBER.test(fact.value)) {
    const base = fact.amount ?? 0;
    const near = difficulty === "easy" ? [1, 2, 3, 4, 5] : [1, 2, 3];
    const words = near
      .flatMap((d) => [base - d, base + d])
      .filter((n) => n >= 2 && !excluded.has(n))
      .map((n) => numberToWords(n))
      .filter((w): w is string => w !== undefined)
      .map((w) => (capitalized(fact.value) ? capitalize(w) : w));
    return keep(words);
  }

  const m = /^(\d+(?:[.,]\d+)*)(.*)$/su.exec(fact.value);
  const base = m ? parseDigits(m[1] as string) : undefined;
  if (!m || base === undefined) return undefined;
  const written = m[1] as string;
  const rest = m[2] as string;
  const decimals = /,(\d+)$/.exec(written)?.[1]?.length ?? 0;
  const isYear = fact.kind === "year";
  const cap = fact.kind === "percentage" && base <= 100 ? 100 : undefined;
  const numbers = isYear
    ? [1, 2, 3, 4, 5].flatMap((d) => [base - d, base + d])
    : nearbyNumbers(base, difficulty, decimals, cap);
  const render = (n: number) => {
    let text = isYear ? String(n) : formatVietnameseNumber(n, decimals);
    // "01", "05": keep the zero padding the corpus used.
    if (/^0\d/.test(written)) text = text.padStart(written.length, "0");
    return `${text}${rest}`;
  };
  return keep(numbers.filter((n) => !excluded.has(n)).map(render));
}

function factCandidates(facts: readonly StoredFact[]): QuizCandidate[] {
  // The corpus's answers for each counted thing: never offered as a wrong answer for it.
  const answersFor = new Map<string, Set<number>>();
  for (const f of facts) {
    if (f.amount === null) continue;
    const key = syllables(f.counts).join(" ");
    answersFor.set(key, (answersFor.get(key) ?? new Set()).add(f.amount));
  }
  const out: QuizCandidate[] = [];
  const seen = new Set<string>();
  for (const fact of facts) {
    if (fact.amount === null || !fact.counts) continue;
    const key = `fact|${syllables(fact.value).join(" ")}|${syllables(fact.counts).join(" ")}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const blanked = fact.quote.slice(0, fact.valueStart) + BLANK + fact.quote.slice(fact.valueEnd);
    const text = question(FILL, blanked, fact.valueStart, fact.valueStart + BLANK.length);
    // The figure must not be given away elsewhere in what is shown.
    if (appearsIn(text.replace(BLANK, " "), fact.value)) continue;
    const excluded = new Set([
      ...numbersIn(fact.quote),
      ...(answersFor.get(syllables(fact.counts).join(" ")) ?? []),
    ]);
    excluded.delete(fact.amount);
    out.push({
      kind: "fact",
      key,
      question: text,
      answer: fact.value,
      distractors: [], // drawn with the question's own random stream (see buildOfflineQuiz)
      difficulty: factDifficulty(fact),
      quote: fact.quote,
      source: {
        chunkId: fact.chunkId,
        text: fact.quote,
        headingPath: fact.headingPath,
        ...(fact.pages ? { pages: fact.pages } : {}),
        document: fact.document,
      },
      // The figure's own clause, not the whole sentence: "đột phá" is not about the 11% beside it.
      topicText: `${fact.counts} ${fact.context} ${fact.headingPath.join(" ")}`,
      figure: { fact, excluded },
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Lists, mottos, definitions

interface Span {
  text: string;
  start: number;
  end: number;
}

/** Pieces of `text` (offset `base` in the sentence) between matches of `separator`, trimmed. */
function splitSpans(text: string, base: number, separator: RegExp): (Span & { before: string })[] {
  const spans: (Span & { before: string })[] = [];
  let last = 0;
  let before = "";
  const push = (from: number, to: number) => {
    const raw = text.slice(from, to);
    const lead = raw.length - raw.trimStart().length;
    const piece = raw.trim();
    spans.push({ text: piece, start: base + from + lead, end: base + from + lead + piece.length, before });
  };
  for (const m of text.matchAll(separator)) {
    push(last, m.index ?? 0);
    before = m[0];
    last = (m.index ?? 0) + m[0].length;
  }
  push(last, text.length);
  return spans.filter((s) => s.text.length > 0);
}

/** The items of the list a count introduces ("ba đột phá chiến lược về A, B, C"), exactly `n` of them. */
export function enumerationItems(quote: string, phraseEnd: number, n: number): Span[] | undefined {
  const rest = quote.slice(phraseEnd);
  const intro = /^\s*,?\s*(?:(?:bao gồm|gồm có|gồm|về|là)\s*:?|:)\s*/u.exec(rest);
  let start: number;
  if (intro) start = intro[0].length;
  else {
    const colon = rest.indexOf(":");
    if (colon < 0 || colon > 80 || /[.;“”]/.test(rest.slice(0, colon))) return undefined;
    start = colon + 1;
  }
  const from = phraseEnd + start;
  const list = quote.slice(from).replace(/[.…]+$/, "");
  const bySemicolon = splitSpans(list, from, /\s*;\s*/g);
  if (bySemicolon.length === n) return bySemicolon;
  const clauseEnd = list.indexOf(";");
  const clause = clauseEnd < 0 ? list : list.slice(0, clauseEnd);
  const byComma = splitSpans(clause, from, /\s*,\s*|\s+và\s+/g);
  if (byComma.length === n) return byComma;
  // "bốn trục: Đảng, HĐND, UBND và MTTQ bảo đảm …": the last item, after "và", runs into the
  // predicate; cut it to the length of the others when they are all short.
  const last = byComma[n - 1];
  if (byComma.length > n && last && /^\s+và\s+$/.test(last.before)) {
    const others = byComma.slice(0, n - 1).map((s) => countSyllables(s.text));
    const longest = Math.max(...others);
    if (longest <= 3) {
      const words = [...last.text.matchAll(/[\p{L}\p{M}\d]+/gu)].slice(0, longest);
      const end = words.at(-1);
      if (end) {
        const cut = last.text.slice(0, (end.index ?? 0) + end[0].length);
        return [...byComma.slice(0, n - 1), { text: cut, start: last.start, end: last.start + cut.length }];
      }
    }
  }
  return undefined;
}

const blankable = (s: Span) =>
  countSyllables(s.text) >= 1 && countSyllables(s.text) <= 14 && s.text.length <= 90 && !/[“”"]/.test(s.text);

function enumerationCandidates(facts: readonly StoredFact[]): {
  candidates: QuizCandidate[];
  pool: string[];
} {
  const lists: { fact: StoredFact; items: Span[] }[] = [];
  const seen = new Set<string>();
  for (const fact of facts) {
    if (fact.kind !== "count" || fact.amount === null || fact.amount < 2 || fact.amount > 10) continue;
    const items = enumerationItems(fact.quote, fact.phraseEnd, fact.amount);
    if (!items) continue;
    const key = `${fact.quote}|${fact.valueStart}`;
    if (seen.has(key)) continue;
    seen.add(key);
    lists.push({ fact, items });
  }
  const pool = lists.flatMap((l) => l.items.filter(blankable).map((s) => s.text));
  const candidates: QuizCandidate[] = [];
  for (const { fact, items } of lists) {
    for (const item of items.filter(blankable)) {
      const blanked = fact.quote.slice(0, item.start) + BLANK + fact.quote.slice(item.end);
      candidates.push({
        kind: "enumeration",
        key: `enumeration|${fact.chunkId}|${syllables(item.text).join(" ")}`,
        question: question(FILL, blanked, fact.valueStart, item.start + BLANK.length),
        answer: item.text,
        distractors: [],
        difficulty: "medium",
        quote: fact.quote,
        source: {
          chunkId: fact.chunkId,
          text: fact.quote,
          headingPath: fact.headingPath,
          ...(fact.pages ? { pages: fact.pages } : {}),
          document: fact.document,
        },
        topicText: `${fact.counts} ${fact.context} ${items.map((i) => i.text).join(" ")} ${fact.headingPath.join(" ")}`,
      });
    }
  }
  return { candidates, pool };
}

interface SentenceRef {
  passage: ListedPassage;
  text: string;
}

function sentencesOf(passages: readonly ListedPassage[]): SentenceRef[] {
  const out: SentenceRef[] = [];
  const seen = new Set<string>();
  for (const passage of passages) {
    for (const s of passage.sentences) {
      if (s.caption) continue;
      const text = passage.text.slice(s.start, s.end);
      // Overlapping passages repeat a sentence: one question source each.
      const key = `${passage.document.id}|${text}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ passage, text });
    }
  }
  return out;
}

function sloganCandidates(sentences: readonly SentenceRef[]): {
  candidates: QuizCandidate[];
  pool: string[];
} {
  const quotations: { ref: SentenceRef; parts: Span[]; topicText: string }[] = [];
  for (const ref of sentences) {
    for (const m of ref.text.matchAll(/“([^“”]{3,240})”/gu)) {
      const inner = m[1] as string;
      const open = m.index ?? 0;
      const parts = splitSpans(inner, open + 1, /\s*[,;]\s*/g);
      // What the motto is about: its own clause (from the last ";" before it), not the whole sentence.
      const clause = ref.text.slice(ref.text.lastIndexOf(";", open) + 1, open + m[0].length);
      if (parts.every((p) => countSyllables(p.text) >= 1 && countSyllables(p.text) <= 8))
        quotations.push({ ref, parts, topicText: `${clause} ${ref.passage.headingPath.join(" ")}` });
    }
  }
  const pool = quotations.flatMap((q) => q.parts.map((p) => p.text));
  const candidates: QuizCandidate[] = [];
  for (const { ref, parts, topicText } of quotations) {
    if (parts.length < 3) continue;
    for (const part of parts) {
      if (countSyllables(part.text) < 2 || part.text.length > MAX_OPTION_CHARS) continue;
      const blanked = ref.text.slice(0, part.start) + BLANK + ref.text.slice(part.end);
      const openAt = Math.max(0, ref.text.lastIndexOf("“", part.start));
      candidates.push({
        kind: "slogan",
        key: `slogan|${ref.passage.chunkId}|${syllables(part.text).join(" ")}`,
        question: question(FILL, blanked, openAt, part.start + BLANK.length),
        answer: part.text,
        distractors: [],
        difficulty: "hard",
        quote: ref.text,
        source: ref.passage,
        topicText,
      });
    }
  }
  return { candidates, pool };
}

const NOT_SUBJECT = new Set([
  "đây",
  "đó",
  "điều",
  "nó",
  "với",
  "theo",
  "trong",
  "khi",
  "để",
  "vì",
  "do",
  "nếu",
  "và",
]);

/** "X là Y" outside quotations: the subject and the predicate, when both are a fair size. */
export function definitionParts(sentence: string): { subject: Span; predicate: Span } | undefined {
  let depth = 0;
  for (let i = 0; i < sentence.length; i++) {
    const ch = sentence[i];
    if (ch === "“") depth++;
    else if (ch === "”") depth = Math.max(0, depth - 1);
    if (depth > 0 || !sentence.startsWith(" là ", i)) continue;
    const comma = Math.max(sentence.lastIndexOf(",", i), sentence.lastIndexOf(":", i));
    const subjectStart = comma + 1;
    const subjectText = sentence.slice(subjectStart, i).trim();
    const subjectAt = sentence.indexOf(subjectText, subjectStart);
    const from = i + 4;
    const stop = sentence.slice(from).search(/[,;:.(“]/);
    const predicateText = sentence.slice(from, stop < 0 ? sentence.length : from + stop).trim();
    const first = subjectText.split(/\s+/)[0]?.toLowerCase() ?? "";
    const subjectLength = countSyllables(subjectText);
    const predicateLength = countSyllables(predicateText);
    if (NOT_SUBJECT.has(first) || subjectLength < 2 || subjectLength > 14) return undefined;
    // "vai trò … của Hà Nội với tư cách là trung tâm …" describes, it does not define.
    if (/(^|\s)(với|như|tư cách|coi)(\s|$)/iu.test(subjectText)) return undefined;
    if (predicateLength < 3 || predicateLength > 16 || predicateText.length > 90) return undefined;
    return {
      subject: { text: subjectText, start: subjectAt, end: subjectAt + subjectText.length },
      predicate: { text: predicateText, start: from, end: from + predicateText.length },
    };
  }
  return undefined;
}

function definitionCandidates(sentences: readonly SentenceRef[]): {
  candidates: QuizCandidate[];
  pool: string[];
} {
  const found = sentences.flatMap((ref) => {
    const parts = definitionParts(ref.text);
    return parts ? [{ ref, ...parts }] : [];
  });
  const pool = found.map((d) => d.predicate.text);
  const candidates = found.map(
    ({ ref, subject, predicate }): QuizCandidate => ({
      kind: "definition",
      key: `definition|${ref.passage.chunkId}|${syllables(predicate.text).join(" ")}`,
      question: shorten(`Theo tài liệu, “${subject.text}” là gì?`, MAX_QUESTION_CHARS),
      answer: predicate.text,
      distractors: [],
      difficulty: "easy",
      quote: ref.text,
      source: ref.passage,
      topicText: `${ref.text} ${ref.passage.headingPath.join(" ")}`,
    }),
  );
  return { candidates, pool };
}

// ---------------------------------------------------------------------------------------------

/** The answer's surroundings in its quoted sentence (the whole sentence when it is short). */
export function answerExcerpt(quote: string, answer: string, maxChars = 220): string {
  const at = Math.max(0, quote.toLowerCase().indexOf(answer.toLowerCase()));
  return excerptAround(quote, at, at + answer.length, maxChars);
}

function explanationFor(c: QuizCandidate, citation: Citation): string {
  const excerpt = answerExcerpt(c.quote, c.answer);
  const where = whereWritten(citation);
  return `Đáp án: ${c.answer}. Tài liệu viết: “${excerpt}” (${where})`;
}

export function questionId(kind: QuizKind, chunkId: string, answer: string): string {
  return `${kind[0]}${hashSeed(kind, chunkId, syllables(answer).join(" ")).toString(36)}`;
}

/** A candidate with its distractors drawn and its options shuffled (by its own random stream). */
export function toQuestion(c: QuizCandidate, distractors: readonly string[], seed: number): QuizQuestion {
  const random = seededRandom(hashSeed(seed, c.key, "options"));
  const options = shuffled([c.answer, ...distractors.slice(0, 3)], random);
  const citation = toCitation(1, c.source, c.quote);
  return {
    id: questionId(c.kind, c.source.chunkId, c.answer),
    kind: c.kind,
    question: c.question,
    options,
    correct: options.indexOf(c.answer),
    explanation: explanationFor(c, citation),
    difficulty: c.difficulty,
    citation,
    origin: "offline",
  };
}

export interface OfflineQuizInput {
  /** every fact of the corpus (exclusions need them all, not only the topic's) */
  facts: readonly StoredFact[];
  /** the passages to take lists, mottos and definitions from */
  passages: readonly ListedPassage[];
  topic?: Keyword;
  count: number;
  seed: number;
}

const KIND_ORDER: QuizKind[] = ["fact", "enumeration", "slogan", "definition"];

/** Every question the rules can make from the input, distractors drawn (topic applied). */
export function quizCandidates(input: Omit<OfflineQuizInput, "count">): QuizQuestion[] {
  const sentences = sentencesOf(input.passages);
  const enumerations = enumerationCandidates(input.facts);
  const slogans = sloganCandidates(sentences);
  const definitions = definitionCandidates(sentences);
  const all: { candidate: QuizCandidate; pool?: string[] }[] = [
    ...factCandidates(input.facts).map((candidate) => ({ candidate })),
    ...enumerations.candidates.map((candidate) => ({ candidate, pool: enumerations.pool })),
    ...slogans.candidates.map((candidate) => ({ candidate, pool: slogans.pool })),
    ...definitions.candidates.map((candidate) => ({ candidate, pool: definitions.pool })),
  ];
  const out: QuizQuestion[] = [];
  for (const { candidate, pool } of all) {
    if (input.topic && input.topic.folded.length > 0 && !matchesKeyword(candidate.topicText, input.topic))
      continue;
    if (candidate.answer.length > MAX_OPTION_CHARS || candidate.question.length > MAX_QUESTION_CHARS)
      continue;
    // Each question draws from its own stream: adding a document elsewhere does not change it.
    const random = seededRandom(hashSeed(input.seed, candidate.key));
    const distractors = candidate.figure
      ? figureDistractors(candidate.figure.fact, candidate.difficulty, candidate.figure.excluded, random)
      : phraseDistractors(candidate.answer, pool ?? [], candidate.quote, random);
    if (!distractors) continue;
    out.push(toQuestion(candidate, distractors, input.seed));
  }
  return out;
}

/**
 * Up to `count` questions: the kinds taken in turn (a figure, a list, a motto, a definition, …),
 * each kind's questions in an order that depends only on the seed.
 */
export function buildOfflineQuiz(input: OfflineQuizInput): QuizQuestion[] {
  return pickQuestions(quizCandidates(input), input.count, input.seed);
}

/** Round-robin over the kinds, each kind shuffled by the seed; one question per source sentence and answer. */
export function pickQuestions(
  questions: readonly QuizQuestion[],
  count: number,
  seed: number,
): QuizQuestion[] {
  const random = seededRandom(hashSeed(seed, "pick"));
  const byKind = new Map<QuizKind, QuizQuestion[]>();
  for (const kind of KIND_ORDER) {
    byKind.set(
      kind,
      shuffled(
        questions.filter((q) => q.kind === kind),
        random,
      ),
    );
  }
  const picked: QuizQuestion[] = [];
  const used = new Set<string>();
  let progress = true;
  while (picked.length < count && progress) {
    progress = false;
    for (const kind of KIND_ORDER) {
      const queue = byKind.get(kind) ?? [];
      while (queue.length > 0) {
        const q = queue.shift() as QuizQuestion;
        const key = `${q.citation.chunkId}|${q.citation.quote}|${q.options[q.correct]}`;
        if (used.has(key) || used.has(q.id)) continue;
        used.add(key);
        used.add(q.id);
        picked.push(q);
        progress = true;
        break;
      }
      if (picked.length >= count) break;
    }
  }
  return picked;
}
