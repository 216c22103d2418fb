import { foldDiacritics } from "../text/fold-diacritics.ts";
import { placesIn } from "../text/places.ts";
import { isQuestionWord } from "../text/question-words.ts";
import { normalizeNumberToken, syllables } from "../text/tokenize.ts";
import {
  type AnswerKind,
  capitalisedRuns,
  FAMILY_NAMES,
  nameForms,
  negates,
  numbersIn,
} from "./answer-kind.ts";

/** The noun a question counts or picks among: after "bao nhiêu"/"mấy", before "nào". */
export function askedNounOf(words: readonly string[]): { askedNoun?: string } {
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    const next = words[i + 1];
    if (w === "nhieu" && words[i - 1] === "bao" && next && !isQuestionWord(next)) return { askedNoun: next };
    if (w === "may" && next && !isQuestionWord(next)) return { askedNoun: next };
    if (w === "nao" && i > 0 && !isQuestionWord(words[i - 1] as string))
      return { askedNoun: words[i - 1] as string };
  }
  return {};
}

/** A yes/no check's outcome: what the quote states against what the question says. */
export type Verdict =
  /** unstated: the sentence confirms the rest but says nothing of a figure in words of the question */
  { value: "true"; unstated?: true } | { value: "false"; stated: string; asked: string };

interface Span {
  text: string;
  start: number;
  end: number;
}

const NUMBER_WORDS = "một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười|mươi|trăm|nghìn|ngàn|triệu|tỷ|tỉ|chục";
// "từ 11% trở lên", "khoảng 0,7%", "953.633 km2", "18 ghế", "10–25%", "hai mươi năm"
const NUMBER_SPAN = new RegExp(
  `(?<![\\p{L}\\p{M}\\d])(?:(?:từ|khoảng|hơn|trên|dưới|gần|chừng|ít nhất|tối thiểu|tối đa|gấp)\\s+)?` +
    `(?:\\d+(?:[.,]\\d+)*(?:\\s*[–-]\\s*\\d+(?:[.,]\\d+)*)?|(?:(?:${NUMBER_WORDS})(?:\\s+|$))+)` +
    `(?:\\s*(?:%|‰|phần trăm))?(?:\\s+(?:trở lên|trở xuống))?`,
  "giu",
);
const DATE_SPANS = [
  /(?:ngày\s+)?\d{1,2}\s+tháng\s+\d{1,2}(?:\s+năm\s+\d{1,4})?(?:\s+(?:TCN|SCN))?/gu,
  /(?:ngày\s+)?\d{1,2}[/-]\d{1,2}[/-]\d{2,4}/gu,
  /tháng\s+\d{1,2}(?:\s+năm|[/-])\s*\d{1,4}(?:\s+(?:TCN|SCN))?/gu,
  /(?:năm\s+)?(?:Bính|Giáp|Ất|Đinh|Mậu|Kỷ|Canh|Tân|Nhâm|Quý)\s+\p{Lu}\p{Ll}+/gu,
  /(?:đầu |cuối |giữa )?(?:thế kỷ|thế kỉ|thập niên|thập kỷ)\s+(?:thứ\s+)?[\dIVXLC]+(?:\s+(?:TCN|SCN))?/gu,
  /năm\s+\d{1,4}(?:\s*[–-]\s*\d{1,4})?(?:\s+(?:TCN|SCN))?/gu,
  /(?<![\d.,])(?:1\d{3}|20\d{2})(?![\d.,])/gu,
];
const UNIT =
  /^\s+(?:km\/h|km²|km2|km|m²|m2|m³|m3|mm|cm|m|kg|g|tấn|ha|lít|đồng|USD|đô la|euro|người|tuổi|ghế|độ|°C|giờ|phút|ngày|tháng|năm|lần)(?![\p{L}\p{M}\d²³])/u;
// A Vietnamese personal name starts with a common family name.
const FAMILY_NAME = new RegExp(`^(${FAMILY_NAMES})\\s`, "u");
const PLACE_CUE = /(?:^|\s)(?:ở|tại|thuộc|đến|tới|từ|trên|dưới|gần|quanh)\s+$/u;

function allSpans(text: string, pattern: RegExp): Span[] {
  return [...text.matchAll(pattern)].map((m) => {
    const raw = m[0];
    const trimmed = raw.trimEnd();
    return { text: trimmed, start: m.index, end: m.index + trimmed.length };
  });
}

/**
 * "từ" before a figure is a threshold only with "trở lên"/"trở xuống" after it ("từ 11% trở
 * lên"); otherwise it is "from" ("công dân từ 45 quốc gia") and not part of the figure.
 */
function fromAsFrom(span: Span): Span {
  const from = /^từ\s+/u.exec(span.text);
  if (!from || /trở (lên|xuống)$/u.test(span.text)) return span;
  return { text: span.text.slice(from[0].length), start: span.start + from[0].length, end: span.end };
}

/** What a count of people counts, right after its figure ("cán bộ", "đảng viên", "học sinh"). */
const PEOPLE =
  /^\s+(người|cán bộ|đảng viên|công nhân|học sinh|sinh viên|đại biểu|thành viên|lao động|cử tri|binh sĩ|chiến sĩ|quân|dân|hộ|giáo viên|bác sĩ|nhân viên|công chức|viên chức|tín đồ|du khách|khách)(?![\p{L}\p{M}])/iu;

/** Units as questions name them ("bao nhiêu mét") and as texts write them ("200 m"), folded. */
const UNIT_NAMES: Record<string, string> = {
  met: "m",
  kilomet: "km",
  centimet: "cm",
  milimet: "mm",
  gam: "g",
  kilogam: "kg",
  lit: "l",
  hecta: "ha",
};

// Words an organisation's name starts with ("Ban Tuyên giáo …", "Bộ Chính trị", "Sở Nội vụ").
const ORGANISATION_HEAD =
  /^(Ban|Bộ|Sở|Ủy ban|Uỷ ban|Hội đồng|Văn phòng|Cục|Tổng cục|Vụ|Viện|Trường|Học viện|Mặt trận|Đảng bộ|Đoàn|Hội|Liên đoàn|Trung tâm|Công ty|Tập đoàn|Ngân hàng|Tòa án|Toà án|Thành ủy|Thành uỷ|Tỉnh ủy|Tỉnh uỷ|Quận ủy|Quận uỷ|Huyện ủy|Huyện uỷ)(\s|$)/u;

// Heads written in lower case after their first syllable: "Trường đại học Khoa học …", "Ủy ban
// nhân dân Thành phố", "Ban tổ chức Olympic".
const COMPOUND_HEAD =
  /^(Trường đại học|Trường cao đẳng|Ủy ban nhân dân|Uỷ ban nhân dân|Hội đồng nhân dân|Tòa án nhân dân|Toà án nhân dân|Viện kiểm sát nhân dân|Ban chấp hành|Ban thường vụ|Ban tổ chức|Ban chỉ đạo|Công ty cổ phần|Công ty trách nhiệm hữu hạn)(?![\p{L}\p{M}])/iu;

/** A question that asks for an organisation ("ban nào", "cơ quan nào", "đơn vị nào"), folded. */
const ORGANISATION_ASKED = /(^| )(ban|co quan|don vi|to chuc|bo|so|uy ban|hoi dong|cap uy) nao( |$)/;

/**
 * An organisation's name as written: Vietnamese capitalises only the first syllable of each of
 * its words ("Ban Tuyên giáo và Dân vận Thành ủy"), so the capitalised run ("Ban Tuyên") runs on
 * over one lower-case syllable after a capitalised one, and over "và" before a capitalised one.
 */
function organisation(sentence: string, run: Span): Span {
  const compound = COMPOUND_HEAD.exec(sentence.slice(run.start));
  let end = compound ? run.start + (compound[0] as string).length : run.end;
  let lastCapital = !compound;
  const rest = /^(\s+)([\p{L}\p{M}]+)(\s+[\p{L}\p{M}]+)?/u;
  for (;;) {
    const m = rest.exec(sentence.slice(end));
    if (!m) break;
    const word = m[2] as string;
    const capital = /^\p{Lu}/u.test(word);
    const joins = word === "và" && /^\s+\p{Lu}/u.test(m[3] ?? "");
    if (!capital && !joins && (!lastCapital || startsPredicate(word))) break;
    end += (m[1] as string).length + word.length;
    // an acronym or numeral ("TP", "XVIII") is a word of its own: nothing lower-case completes it
    lastCapital = capital && !/^\p{Lu}+$/u.test(word);
  }
  return { text: sentence.slice(run.start, end), start: run.start, end };
}

/** Where the question's content syllables occur in the sentence (character offsets). */
function anchors(sentence: string, questionSyllables: ReadonlySet<string>): number[] {
  const folded = foldDiacritics(sentence.toLowerCase());
  const at: number[] = [];
  for (const m of folded.matchAll(/\d+(?:[.,]\d+)*|[a-z]+/g)) {
    const s = normalizeNumberToken(m[0]);
    if (questionSyllables.has(s) && !isQuestionWord(s)) at.push(m.index);
  }
  return at;
}

const foldedKey = (text: string) => syllables(text).join(" ");

/**
 * The span the question's words lead into ("Bí thư Thành ủy | Nguyễn Duy Ngọc": the question's
 * syllables right before it), then the one they crowd around most closely (ties: the first).
 */
function nearest(
  spans: Span[],
  at: number[],
  sentence = "",
  questionSyllables?: ReadonlySet<string>,
): Span | undefined {
  if (at.length === 0 || spans.length < 2) return spans[0];
  let best: Span | undefined;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (const s of spans) {
    let score = 0;
    if (questionSyllables) {
      const before = syllables(sentence.slice(Math.max(0, s.start - 60), s.start));
      let k = before.length;
      while (k > 0 && questionSyllables.has(before[k - 1] as string)) k--;
      score += 10 * (before.length - k);
    }
    for (const a of at) score += 1 / (1 + (a < s.start ? s.start - a : a > s.end ? a - s.end : 0) / 10);
    if (score > bestScore) {
      best = s;
      bestScore = score;
    }
  }
  return best;
}

/**
 * A number span extended by the counted thing as the question names it ("12 nhóm", "43 chỉ tiêu
 * chủ yếu"): the words after the figure while they run on as a phrase of the question.
 */
/**
 * Words that end a noun phrase: a verb's auxiliary, a copula, a preposition. Compared as written
 * (lower case): folded, "thì" would be the "thị" of "đô thị", "để" the "đề" of "đề án".
 */
const PREDICATE_START = new Set("được là có đã sẽ đang bị của và ở tại trong cho với để thì mà".split(" "));
const startsPredicate = (word: string) => PREDICATE_START.has(word.normalize("NFC").toLowerCase());

function withCountedNoun(sentence: string, span: Span, question: readonly string[]): Span {
  let end = span.end;
  const run: string[] = [];
  const inQuestion = (words: readonly string[]) =>
    question.some((_, i) => words.every((w, k) => question[i + k] === w));
  for (let i = 0; i < 6; i++) {
    const word = /^\s+([\p{L}\p{M}]+)/u.exec(sentence.slice(end));
    const s = word ? syllables(word[1] as string)[0] : undefined;
    // the counted noun phrase ends where the question's predicate starts ("quốc gia | được ở lại")
    if (!word || !s || (run.length > 0 && startsPredicate(word[1] as string)) || !inQuestion([...run, s]))
      break;
    run.push(s);
    end += word[0].length;
  }
  const rest = sentence.slice(end);
  if (end === span.end) {
    // a unit right after the figure: "200 m", "953.633 km2", "18 ghế"
    const unit = UNIT.exec(rest);
    if (unit && /\d/.test(span.text) && !/%|phần trăm/u.test(span.text)) end += unit[0].length;
  }
  return { text: sentence.slice(span.start, end), start: span.start, end };
}

/**
 * The figure, date, name or place the question asks for, as the sentence states it (an exact
 * substring of the sentence), or undefined when the sentence holds none that the question does
 * not already say.
 */
export function shortAnswerIn(
  kind: AnswerKind,
  sentence: string,
  question: string,
  questionSyllables: ReadonlySet<string>,
): string | undefined {
  const inQuestion = new Set(numbersIn(question));
  const questionKey = ` ${foldedKey(question)} `;
  const at = anchors(sentence, questionSyllables);
  let spans: Span[] = [];
  if (kind === "number") {
    spans = allSpans(sentence, NUMBER_SPAN)
      .map(fromAsFrom)
      .filter((s) => {
        const n = numbersIn(s.text);
        if (n.length === 0) return /\p{L}/u.test(s.text);
        // a year ("năm 2030") is not a count; a figure with a thousands dot ("1.605 điểm cầu") is
        return (
          !n.every((x) => inQuestion.has(x)) &&
          !/^(1\d{3}|20\d{2})$/.test(/\d[\d.,]*/.exec(s.text)?.[0] ?? "")
        );
      });
    // The syllable right after a figure: what it counts ("18 ghế", "3 quan").
    const after = (span: Span) => syllables(sentence.slice(span.end, span.end + 40))[0];
    const words = syllables(question);
    const { askedNoun } = askedNounOf(words);
    // A figure in words ("một cuộc thăm dò", "năm 1999") is a count only when it counts what is
    // asked, or a unit follows: "một" and "năm" are far more often an article and a year.
    // "bao nhiêu mét" is answered in "m", "bao nhiêu gam" in "g"
    const counts = (span: Span) => {
      const next = after(span);
      if (next === askedNoun || (askedNoun !== undefined && UNIT_NAMES[askedNoun] === next)) return true;
      // "bao nhiêu người" is answered by a count of people: "1.662.336 cán bộ, đảng viên"
      return askedNoun === "nguoi" && next !== undefined && PEOPLE.test(sentence.slice(span.end));
    };
    spans = spans.filter(
      (s) =>
        /\d/.test(s.text) ||
        /%|phần trăm/u.test(s.text) ||
        counts(s) ||
        // a unit after a figure in words counts when the question names no other thing
        (askedNoun === undefined && UNIT.test(sentence.slice(s.end))),
    );
    // A figure of what the question counts, by name ("bao nhiêu quan" → "3 quan"), is the one.
    const named =
      askedNoun === undefined ? [] : spans.filter((s) => counts(s) || syllables(s.text).includes(askedNoun));
    if (named.length) spans = named;
    // A figure followed by what the question counts ("212 nhiệm vụ, đề án, dự án" for "bao nhiêu
    // dự án") is the one asked for.
    const counted = spans.filter((s) =>
      syllables(sentence.slice(s.end).split(/[.;:]/)[0] ?? "")
        .slice(0, 8)
        .some((w) => questionSyllables.has(w) && !isQuestionWord(w)),
    );
    const span = named.length ? named[0] : nearest(counted.length ? counted : spans, at);
    if (!span) return undefined;
    const people = askedNoun === "nguoi" ? PEOPLE.exec(sentence.slice(span.end)) : null;
    if (people) return sentence.slice(span.start, span.end + people[0].length);
    return withCountedNoun(sentence, span, words).text;
  }
  if (kind === "date") {
    for (const pattern of DATE_SPANS) {
      spans = allSpans(sentence, pattern).filter((s) => !numbersIn(s.text).some((x) => inQuestion.has(x)));
      if (spans.length) break;
    }
    return nearest(spans, at)?.text;
  }
  if (kind === "who" || kind === "where") {
    spans = capitalisedRuns(sentence).filter((r) => !questionKey.includes(` ${foldedKey(r.text)} `));
    // a name that runs on from one of the question's is its topic ("Vở opera Riccardo … viết bởi
    // ai?" is not answered "Riccardo Primo"), unless every name does
    const topics = capitalisedRuns(question)
      .map((r) => foldedKey(r.text))
      .filter((k) => k.length > 3);
    const other = spans.filter((r) => !topics.some((t) => `${foldedKey(r.text)} `.startsWith(`${t} `)));
    if (other.length) spans = other;
    // "thuộc tỉnh nào" → "tỉnh Sa Đéc": a name right after the kind of thing asked is the one
    const { askedNoun } = askedNounOf(syllables(question));
    const named = spans.filter(
      (s) => syllables(sentence.slice(Math.max(0, s.start - 20), s.start)).at(-1) === askedNoun,
    );
    if (askedNoun !== undefined && named.length) return nearest(named, at)?.text;
    if (kind === "who") {
      // "ban nào", "cơ quan nào", "đơn vị nào", "tổ chức nào": an organisation, not a person
      if (ORGANISATION_ASKED.test(foldedKey(question))) {
        const organisations = spans
          .filter((s) => ORGANISATION_HEAD.test(s.text))
          .map((s) => organisation(sentence, s));
        if (organisations.length) return nearest(organisations, at, sentence, questionSyllables)?.text;
      }
      const long = spans.filter((s) => /\s/.test(s.text));
      if (long.length) spans = long;
      const people = spans.filter((s) => FAMILY_NAME.test(s.text));
      if (people.length) spans = people;
      return nearest(spans, at, sentence, questionSyllables)?.text;
    } else {
      const cued = spans.filter((s) => PLACE_CUE.test(sentence.slice(Math.max(0, s.start - 12), s.start)));
      if (cued.length) spans = cued;
    }
    return nearest(spans, at)?.text;
  }
  return undefined;
}

/** A figure in a text: its value, whether it is a percentage, and where it stands. */
interface Figure {
  value: string;
  start: number;
  end: number;
  percent: boolean;
  /** written in words ("ba phụ lục") */
  inWords: boolean;
  /** a claim only against a figure of the same counted thing ("một" is mostly an article) */
  lenient?: boolean;
}

const WORD_VALUES: Record<string, string> = {
  một: "1",
  hai: "2",
  ba: "3",
  bốn: "4",
  năm: "5",
  sáu: "6",
  bảy: "7",
  tám: "8",
  chín: "9",
  mười: "10",
};
// A figure in words: a single number word before a noun ("ba phụ lục", "năm định hướng"), not
// part of a longer one ("hai mươi"), a date ("năm 2030") nor a year ("năm nay", "năm tới").
const NOT_COUNTED = `${NUMBER_WORDS}|nay|này|tới|sau|qua|trước|học|nào|ngoái|đó|kế|mới`;
const wordFigure = (words: readonly string[], after: string) =>
  new RegExp(
    `(?<![\\p{L}\\p{M}])(${words.join("|")})(?=\\s+(?!(?:${after})(?![\\p{L}\\p{M}]))[\\p{L}])`,
    "giu",
  );
const WORD_FIGURE = wordFigure(Object.keys(WORD_VALUES), NOT_COUNTED);
// Typed without diacritics ("co bon phu luc"), the same words folded.
const FOLDED_WORD_VALUES = Object.fromEntries(
  Object.entries(WORD_VALUES).map(([w, v]) => [foldDiacritics(w), v]),
) as Record<string, string>;
const FOLDED_WORD_FIGURE = wordFigure(
  Object.keys(FOLDED_WORD_VALUES),
  [...new Set(NOT_COUNTED.split("|").map((w) => foldDiacritics(w)))].join("|"),
);

function figuresIn(text: string): Figure[] {
  const digits = [...text.matchAll(/\d+(?:[.,]\d+)*(\s*(?:%|phần trăm))?/gu)].map((m) => ({
    value: normalizeNumberToken(/\d+(?:[.,]\d+)*/.exec(m[0])?.[0] ?? m[0]),
    start: m.index,
    end: m.index + m[0].length,
    percent: m[1] !== undefined,
    inWords: false,
  }));
  const lower = text.normalize("NFC").toLowerCase();
  const folded = foldDiacritics(lower) === lower;
  const words = [...text.matchAll(folded ? FOLDED_WORD_FIGURE : WORD_FIGURE)].map((m) => ({
    value: (folded ? FOLDED_WORD_VALUES : WORD_VALUES)[(m[1] as string).toLowerCase()] as string,
    start: m.index,
    end: m.index + m[0].length,
    percent: false,
    inWords: true,
    // folded, "sau" is also "after" and "bay" "to fly": a claim only against a figure of the same thing
    lenient: folded,
  }));
  return [...digits, ...words].sort((x, y) => x.start - y.start);
}

/** The syllables of a figure's phrase after it, to the end of its clause (at most eight). */
function phraseAfter(text: string, figure: Figure): string[] {
  return syllables(text.slice(figure.end).split(/[.;:?!]/)[0] ?? "").slice(0, 8);
}

/** The content syllables right before a figure (at most `n`), skipping "từ", "khoảng" and the like. */
function contentBefore(text: string, figure: Figure, n: number): string[] {
  return syllables(text.slice(Math.max(0, figure.start - 80), figure.start))
    .filter((w) => !isQuestionWord(w) && !FIGURE_CUES.has(w))
    .slice(-n);
}

const FIGURE_CUES = new Set([
  "tu",
  "khoang",
  "hon",
  "tren",
  "duoi",
  "gan",
  "chung",
  "dat",
  "la",
  "co",
  "toi",
  "den",
]);

/**
 * Does the sentence's figure state the same thing as the question's? A count, when the thing the
 * question counts ("45 chỉ tiêu" → "chỉ") is in the figure's phrase ("212 nhiệm vụ, đề án, dự án"
 * counts "dự án"); a percentage, when the words the question puts before it ("tăng trưởng 9%")
 * are just before the sentence's percentage ("tăng trưởng kinh tế từ 11%").
 */
function sameThing(question: string, asked: Figure, sentence: string, stated: Figure): boolean {
  if (asked.percent || stated.percent) {
    if (!(asked.percent && stated.percent)) return false;
    const before = new Set(contentBefore(sentence, stated, 6));
    return contentBefore(question, asked, 2).some((w) => before.has(w));
  }
  const counted = phraseAfter(question, asked)[0];
  return counted !== undefined && phraseAfter(sentence, stated).includes(counted);
}

/** What the sentence states, as written: the figure through the thing it counts. */
function statedText(question: string, asked: Figure, sentence: string, stated: Figure): string {
  if (stated.percent) {
    const span = allSpans(sentence, NUMBER_SPAN).find(
      (s) => s.start <= stated.start && s.end >= stated.end - 1,
    );
    return span?.text ?? sentence.slice(stated.start, stated.end);
  }
  // the figure through the counted thing as the question names it ("212 nhiệm vụ, đề án, dự án")
  const words = phraseAfter(question, asked);
  const clause = sentence.slice(stated.end).split(/[.;:?!]/)[0] ?? "";
  const tokens = [...clause.matchAll(/[\p{L}\p{M}]+/gu)].map((m) => ({
    word: m[0],
    syllable: syllables(m[0])[0],
    start: stated.end + m.index,
    end: stated.end + m.index + m[0].length,
  }));
  const at = tokens.findIndex((t) => t.syllable === words[0]);
  if (at < 0) return sentence.slice(stated.start, stated.end);
  let end = (tokens[at] as { end: number }).end;
  for (let k = 1; k < words.length; k++) {
    const next = tokens[at + k];
    if (
      !next ||
      next.syllable !== words[k] ||
      startsPredicate(next.word) ||
      sentence.slice(end, next.start).includes(",")
    )
      break;
    end = next.end;
  }
  return sentence.slice(stated.start, end);
}

/** How many of the question's words (its syllables but question words) stand within six of the figure. */
function contextFit(asked: ReadonlySet<string>, sentence: string, figure: Figure): number {
  const around = [
    ...syllables(sentence.slice(Math.max(0, figure.start - 60), figure.start)).slice(-6),
    ...syllables(sentence.slice(figure.end, figure.end + 60)).slice(0, 6),
  ];
  return around.filter((w) => asked.has(w)).length;
}

/** A personal name: a family name and one to three more capitalised syllables. */
const PERSON = new RegExp(`^(${FAMILY_NAMES})(\\s\\p{Lu}[\\p{L}\\p{M}]*){1,3}$`, "u");
/** The folded syllables with a space either side, for whole-word containment. */
const spaced = (text: string) => ` ${foldedKey(text)} `;

/**
 * A yes/no check against the sentence: "true" when it states every figure the question says, its
 * passage every name, and it covers the question; "false" when it states another figure for the
 * same thing ("43 chỉ tiêu" against "45 chỉ tiêu", "ba phụ lục" against "bốn phụ lục", "từ 11%"
 * against "9%") or another person where the question names one; undefined when it settles
 * neither (the answer is then a refusal).
 */
export function judge(
  question: string,
  sentence: string,
  coverage: number,
  /** where the question's names are looked for: the sentence's passage, with its title */
  context = sentence,
): Verdict | undefined {
  const stated = figuresIn(sentence);
  const questionWords = new Set(syllables(question).filter((w) => !isQuestionWord(w)));
  let unstated = false;
  for (const asked of figuresIn(question)) {
    // Of the sentence's figures of the same thing, the one standing among the question's words
    // ("10 nhóm nhiệm vụ trước đây", not "12 nhóm nhiệm vụ chủ yếu"); on a tie, the one it says.
    const best = stated
      .filter((f) => sameThing(question, asked, sentence, f))
      .map((f) => ({
        f,
        standing: contextFit(questionWords, sentence, f) + (f.value === asked.value ? 0.5 : 0),
      }))
      .sort((x, y) => y.standing - x.standing)[0]?.f;
    if (best && best.value !== asked.value)
      return {
        value: "false",
        // "Hai nhóm nhiệm vụ" at the start of its sentence reads "hai nhóm nhiệm vụ" after "ghi"
        stated: statedText(question, asked, sentence, best).replace(/^\p{Lu}(?=\p{Ll})/u, (c) =>
          c.toLowerCase(),
        ),
        asked: question.slice(asked.start, asked.end),
      };
    if (best || stated.some((f) => f.value === asked.value)) continue;
    // "một" is an article far more often than a count ("là một trung tâm"): not a claim alone
    if (!(asked.inWords && (asked.value === "1" || asked.lenient))) return undefined;
    unstated = true;
  }
  const contextKey = spaced(context);
  for (const forms of [...capitalisedRuns(question).map(nameForms), ...placesIn(question)]) {
    if (forms.some((f) => contextKey.includes(spaced(f)))) continue;
    const name = forms.find((f) => PERSON.test(f));
    const person = capitalisedRuns(sentence).find(
      (r) => PERSON.test(r.text) && !spaced(question).includes(spaced(r.text)),
    );
    if (name && person) return { value: "false", stated: person.text, asked: name };
    return undefined;
  }
  if (coverage < 0.75 || (negates(question) && !negates(sentence))) return undefined;
  return unstated ? { value: "true", unstated: true } : { value: "true" };
}
