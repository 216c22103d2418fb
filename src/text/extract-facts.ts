import { isNumberWord, parseDigits, readNumberWords } from "./number-words.ts";

/**
 * Quantitative statements of one sentence, by general rules of Vietnamese administrative prose:
 * a number (digits or words) and what it counts ("43 chỉ tiêu chủ yếu", "ba đột phá chiến
 * lược"), a percentage and what it measures ("tăng trưởng kinh tế từ 11% trở lên"), money, years
 * and periods ("2026-2030"), with qualifiers ("từ ... trở lên", "thay cho 10 nhóm nhiệm vụ") and
 * the period the figure applies to. Labels are not quantities: "Điều 5", "khoản 2, 3 và 4",
 * "Chương trình số 01", "45/2019/QH14", list markers, dates and links are skipped.
 *
 * It runs over every sentence at ingestion, so it is one pass of one regular expression plus
 * look-ups in small sets; a sentence without a digit or a number word costs one test.
 */

export type FactKind = "percentage" | "count" | "money" | "year" | "period";
export const FACT_KINDS: readonly FactKind[] = ["percentage", "count", "money", "year", "period"];

export interface ExtractedFact {
  /** the figure as written: "11%", "1.662.336", "năm", "2026-2031", "1.000 tỷ đồng" */
  value: string;
  kind: FactKind;
  /** its numeric value (a period's first year); null when it has none */
  amount: number | null;
  /** what it counts or measures: "chỉ tiêu chủ yếu", "tăng trưởng kinh tế" */
  counts: string;
  /** "từ ... trở lên", "khoảng ...", "thay cho 10 nhóm nhiệm vụ" */
  qualifier?: string;
  /** the period or year it applies to, as written: "2026-2031", "năm 2030" */
  period?: string;
  /** offsets of `value` in the sentence */
  start: number;
  end: number;
  /** end of the whole statement (value and counted phrase) in the sentence */
  phraseEnd: number;
  /** the words around it in its clause, for keyword filters and answer scoring */
  context: string;
}

interface Token {
  text: string;
  lower: string;
  start: number;
  end: number;
  type: "number" | "period" | "word" | "punct";
}

// A period "2026-2030" first, then numbers, words, any other visible character (the group that
// matched gives the token's type, so no second test per token).
const TOKEN = /((?:19|20)\d{2}\s?[-–]\s?(?:19|20)\d{2}(?!\d))|(\d+(?:[.,]\d+)*)|([\p{L}\p{M}]+)|\S/gu;
const HAS_QUANTITY = /\d|(?:^|[^\p{L}])(hai|ba|bốn|năm|sáu|bảy|tám|chín|mười)(?![\p{L}\p{M}])/iu;
const URL = /\b(?:https?:\/\/|www\.)\S+/giu;

/** Words after which a number is a label, not a quantity: "Điều 5", "khoản 2", "số 01", "khóa 14". */
const LABELS = new Set(
  "điều khoản điểm mục chương phần tiết số thứ khóa khoá lần trang tập quyển ngày tháng lúc hồi phụ lục mẫu biểu bảng hình phiên kỳ đợt lô tuyến quận phường xã đường tổ khu phòng".split(
    " ",
  ),
);
/** Compounds ending in a label word that are not labels: "danh mục 212 nhiệm vụ", "tổng số 500". */
const NOT_LABELS = new Set(["danh mục", "hạng mục", "tổng số", "con số", "với số", "có số"]);
/** Words before "năm"/"ba"… that make it something other than a count ("từng năm", "thứ ba"). */
const NOT_COUNT_BEFORE = new Set(
  "từng hằng hàng mỗi các những nhiều cả trong cuối đầu giữa vài mấy thứ của một hai ba bốn năm sáu bảy tám chín mười trăm nghìn ngàn qua sang".split(
    " ",
  ),
);
/** Words after "năm" that make it a year, not five ("năm nay", "năm học"). */
const YEAR_AFTER = new Set("nay qua tới sau trước học tài nào đó này ấy mới ngoái kia rồi".split(" "));

/** Where the counted phrase after a number ends (prepositions, verbs, conjunctions…). */
const FORWARD_STOPS = new Set(
  "về của trong tại với cho theo thay được đã đang sẽ là và hoặc để nhằm từ đến tới trên dưới so gồm như nên mà thì bằng do bởi khi nếu trở đạt có vào này đó ấy trước hiện đối phải cần nhưng cùng ở thuộc nhất".split(
    " ",
  ),
);
/** Stops of the counted phrase that are prepositions: a list ("cán bộ, đảng viên trong …") may end at one. */
const PREPOSITIONS = new Set("về của trong tại với cho theo từ đến tới trên dưới ở thuộc".split(" "));
const STOP_BIGRAMS = new Set([
  "giai đoạn",
  "nhiệm kỳ",
  "tham gia",
  "thực hiện",
  "triển khai",
  "bảo đảm",
  "đảm bảo",
  "bao gồm",
  "kể từ",
  "hoàn thành",
  "phấn đấu",
]);
/** Words right before a figure that say how it is reached, not what it measures ("đạt 11%"). */
const BACKWARD_SKIP = new Set(
  "đạt là ở mức còn lên xuống chiếm bằng tăng giảm tới đến trên dưới hơn gần từ có khoảng".split(" "),
);
/** Where the measured phrase before a figure begins. */
const BACKWARD_STOPS = new Set(
  "đạt là có được và với để nhằm thì mà khi đến tới từ đã sẽ đang cần phải phấn đấu bảo đảm hoặc nhưng gồm".split(
    " ",
  ),
);

/** Qualifiers written before a figure, longest first. */
const PREFIX_QUALIFIERS = [
  "không ít hơn",
  "không dưới",
  "không quá",
  "ít nhất",
  "tối thiểu",
  "tối đa",
  "khoảng",
  "trên",
  "dưới",
  "hơn",
  "gần",
  "từ",
];
const SUFFIX_QUALIFIERS = ["trở lên", "trở xuống", "trở lại"];
/** Comparisons after a statement that belong to it: "…, thay cho 10 nhóm nhiệm vụ trước đây". */
const COMPARISONS = ["thay thế cho", "thay cho", "thay thế", "so với"];

const MAGNITUDES: Record<string, number> = { nghìn: 1e3, ngàn: 1e3, triệu: 1e6, tỷ: 1e9, tỉ: 1e9 };
const CURRENCIES = new Set(["đồng", "usd", "vnđ", "vnd", "euro", "đô"]);

const MAX_FORWARD = 6;
const MAX_LIST_ITEM = 4;
const MAX_BACKWARD = 8;

function tokenize(sentence: string): Token[] {
  // Links are blanked (same length, so offsets hold): "…984469.html" is not a figure.
  const text = /https?:|www\./i.test(sentence)
    ? sentence.replace(URL, (m) => " ".repeat(m.length))
    : sentence;
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m !== null; m = TOKEN.exec(text)) {
    const t = m[0];
    const start = m.index;
    const type =
      m[1] !== undefined ? "period" : m[2] !== undefined ? "number" : m[3] !== undefined ? "word" : "punct";
    tokens.push({
      text: t,
      lower: type === "word" ? t.toLowerCase() : t,
      start,
      end: start + t.length,
      type,
    });
  }
  return tokens;
}

const adjacent = (a: Token | undefined, b: Token | undefined) =>
  a !== undefined && b !== undefined && a.end === b.start;
const isWord = (t: Token | undefined): t is Token => t?.type === "word";
const isLower = (t: Token) => t.text === t.lower;

function isStopAt(tokens: Token[], i: number): boolean {
  const t = tokens[i] as Token;
  if (FORWARD_STOPS.has(t.lower)) return true;
  const next = tokens[i + 1];
  if (isWord(next) && STOP_BIGRAMS.has(`${t.lower} ${next.lower}`)) return true;
  // "năm 2030": a year begins here.
  if (t.lower === "năm" && (next?.type === "number" || next?.type === "period")) return true;
  return false;
}

/** Text of tokens [from, to] (inclusive) as written in the sentence. */
const slice = (sentence: string, tokens: Token[], from: number, to: number) =>
  sentence.slice((tokens[from] as Token).start, (tokens[to] as Token).end);

/**
 * The counted phrase starting at token `from`: words up to a stop, punctuation or another
 * figure. A comma continues it when a short lower-case noun follows and ends the list
 * ("212 nhiệm vụ, đề án, dự án, công trình trọng điểm"; "1.662.336 cán bộ, đảng viên trong …").
 */
function forwardPhrase(tokens: Token[], from: number): { last: number } | undefined {
  let i = from;
  let last = -1;
  while (i < tokens.length && i - from < MAX_FORWARD && isWord(tokens[i]) && !isStopAt(tokens, i)) {
    last = i;
    i++;
  }
  if (last < 0) return undefined;
  for (;;) {
    if (tokens[last + 1]?.text !== ",") break;
    const start = last + 2;
    let j = start;
    while (j < tokens.length && j - start < MAX_LIST_ITEM + 1 && isWord(tokens[j]) && !isStopAt(tokens, j))
      j++;
    const length = j - start;
    const first = tokens[start];
    const after = tokens[j];
    const endsList =
      after === undefined ||
      [",", ".", ";", ")", ":"].includes(after.text) ||
      (isWord(after) && (PREPOSITIONS.has(after.lower) || after.lower === "và"));
    if (!first || !isWord(first) || !isLower(first) || length < 1 || length > MAX_LIST_ITEM || !endsList)
      break;
    last = j - 1;
  }
  return { last };
}

/**
 * The measured phrase ending just before token `before` (exclusive), read backwards. A period
 * right before the figure ("tăng trưởng GRDP giai đoạn 2026-2030 đạt 8%") is stepped over: it
 * becomes the figure's period, not part of what it measures.
 */
function backwardPhrase(
  tokens: Token[],
  before: number,
  max = MAX_BACKWARD,
): { first: number; last: number } | undefined {
  let i = before - 1;
  while (i >= 0 && isWord(tokens[i]) && BACKWARD_SKIP.has((tokens[i] as Token).lower)) i--;
  if (tokens[i]?.type === "period" || (tokens[i]?.type === "number" && tokens[i - 1]?.lower === "năm")) {
    i--;
    const frame = `${tokens[i - 1]?.lower} ${tokens[i]?.lower}`;
    if (frame === "giai đoạn" || frame === "nhiệm kỳ") i -= 2;
    else if (tokens[i]?.lower === "năm") i--;
  }
  const last = i;
  let first = -1;
  while (i >= 0 && last - i < max && isWord(tokens[i])) {
    const t = tokens[i] as Token;
    const previous = tokens[i - 1];
    if (BACKWARD_STOPS.has(t.lower)) break;
    const bigram = isWord(previous) ? `${previous.lower} ${t.lower}` : "";
    // "nhiệm kỳ", "giai đoạn" end a counted phrase, but a period's phrase ends with them.
    if (STOP_BIGRAMS.has(bigram) && bigram !== "nhiệm kỳ" && bigram !== "giai đoạn") break;
    first = i;
    i--;
  }
  return first >= 0 ? { first, last } : undefined;
}

/** The qualifier words right before token `at`, e.g. "từ" or "không quá". */
function prefixQualifier(tokens: Token[], at: number): string | undefined {
  for (const q of PREFIX_QUALIFIERS) {
    const words = q.split(" ");
    const from = at - words.length;
    if (from < 0) continue;
    if (words.every((w, k) => tokens[from + k]?.type === "word" && tokens[from + k]?.lower === w)) return q;
  }
  return undefined;
}

function phraseAt(tokens: Token[], at: number, phrases: readonly string[]): string | undefined {
  for (const p of phrases) {
    const words = p.split(" ");
    if (words.every((w, k) => tokens[at + k]?.type === "word" && tokens[at + k]?.lower === w)) return p;
  }
  return undefined;
}

interface Draft {
  fact: ExtractedFact;
  /** token indexes: the start and end of the statement, and of its figure */
  first: number;
  last: number;
  figure: number;
}

interface PeriodMark {
  text: string;
  index: number;
  /** the year fact it came from, dropped when it serves as another fact's period */
  draft?: Draft;
}

/** Is the number-word token at `i` a count ("năm định hướng"), not a year or an ordinal? */
function countWordAt(tokens: Token[], i: number): { value: number; length: number } | undefined {
  const t = tokens[i] as Token;
  if (!isNumberWord(t.lower)) return undefined;
  const previous = tokens[i - 1];
  // Capitalised only at the start of the sentence or of a quotation/list ("Hai nhóm …").
  if (!isLower(t) && previous && !["“", '"', ":", "(", "-", "–"].includes(previous.text)) return undefined;
  if (isWord(previous) && NOT_COUNT_BEFORE.has(previous.lower)) return undefined;
  if (previous?.type === "number") return undefined;
  // Fractions ("hai phần ba") and dates ("ngày, tháng, năm sinh") are not counts.
  if (previous?.lower === "phần" || tokens[i + 1]?.lower === "phần") return undefined;
  const beforeComma = previous?.text === "," ? tokens[i - 2] : previous;
  if (t.lower === "năm" && (beforeComma?.lower === "tháng" || beforeComma?.lower === "ngày"))
    return undefined;
  const read = readNumberWords(tokens.slice(i, i + 3).map((x) => (x.type === "word" ? x.lower : "")));
  if (!read) return undefined;
  const next = tokens[i + read.length];
  if (!isWord(next) || isStopAt(tokens, i + read.length)) return undefined;
  if (t.lower === "năm" && read.length === 1 && YEAR_AFTER.has(next.lower)) return undefined;
  return read;
}

/** Extracts the quantitative statements of one sentence (see the module comment). */
export function extractFacts(sentence: string): ExtractedFact[] {
  if (!HAS_QUANTITY.test(sentence)) return [];
  const tokens = tokenize(sentence);
  const drafts: Draft[] = [];
  const periods: PeriodMark[] = [];
  /** token indexes already part of a statement (a comparison's figure, a magnitude, …) */
  const used = new Set<number>();
  let labelledUntil = -1;

  for (let i = 0; i < tokens.length; i++) {
    if (used.has(i)) continue;
    const t = tokens[i] as Token;
    const previous = tokens[i - 1];
    const next = tokens[i + 1];

    if (t.type === "period") {
      periods.push({ text: t.text, index: i });
      continue;
    }

    let value: { first: number; last: number; amount: number } | undefined;
    let kind: FactKind = "count";
    let wordCount = false;

    if (t.type === "number") {
      // Identifiers and dates: "45/2019/QH14", "QH14", "02/3", "COVID-19".
      if (adjacent(previous, t) && previous && (previous.type === "word" || /[/\-–.]/.test(previous.text)))
        continue;
      if (adjacent(t, next) && next && (next.text === "/" || next.type === "word")) continue;
      // A list marker "1." / "2)" at the start of the sentence.
      if (i === 0 && adjacent(t, next) && (next?.text === "." || next?.text === ")")) continue;
      // Labels, and the numbers chained to one: "khoản 2, 3 và 4".
      if (
        isWord(previous) &&
        LABELS.has(previous.lower) &&
        !NOT_LABELS.has(`${tokens[i - 2]?.lower} ${previous.lower}`)
      ) {
        labelledUntil = i;
        continue;
      }
      if (
        labelledUntil >= 0 &&
        (previous?.text === "," || ["và", "hoặc", "đến"].includes(previous?.lower ?? "")) &&
        labelledUntil === i - 2
      ) {
        labelledUntil = i;
        continue;
      }
      const amount = parseDigits(t.text);
      if (amount === undefined) continue;
      value = { first: i, last: i, amount };
      const isYear = /^(19|20)\d{2}$/.test(t.text);
      if (next?.text === "%") {
        kind = "percentage";
        value.last = i + 1;
      } else if (isWord(next) && next.lower === "phần" && tokens[i + 2]?.lower === "trăm") {
        kind = "percentage";
        value.last = i + 2;
      } else {
        let j = i + 1;
        let magnitude = 1;
        while (isWord(tokens[j]) && MAGNITUDES[(tokens[j] as Token).lower] !== undefined) {
          magnitude *= MAGNITUDES[(tokens[j] as Token).lower] as number;
          j++;
        }
        const currency = isWord(tokens[j]) && CURRENCIES.has((tokens[j] as Token).lower);
        if (currency) {
          kind = "money";
          value.last = tokens[j + 1]?.lower === "la" && (tokens[j] as Token).lower === "đô" ? j + 1 : j;
        } else if (magnitude > 1) {
          value.last = j - 1;
        }
        value.amount = amount * magnitude;
        if (!currency && isYear && magnitude === 1 && (previous?.lower === "năm" || !isWord(next)))
          kind = "year";
      }
    } else if (t.type === "word" && isNumberWord(t.lower)) {
      const read = countWordAt(tokens, i);
      if (!read) continue;
      value = { first: i, last: i + read.length - 1, amount: read.value };
      wordCount = true;
    }
    if (!value) continue;

    // What it counts: the noun phrase after a count, the phrase before a percentage, money or year.
    let countsFrom = -1;
    let countsTo = -1;
    let statementLast = value.last;
    const forward = kind === "count" ? forwardPhrase(tokens, value.last + 1) : undefined;
    if (forward) {
      countsFrom = value.last + 1;
      countsTo = forward.last;
      statementLast = forward.last;
    } else if (kind === "count" || wordCount) {
      continue; // a bare number that counts nothing is not a statement
    }
    const prefix = prefixQualifier(tokens, value.first);
    if (countsFrom < 0) {
      const qualifierWords = prefix ? prefix.split(" ").length : 0;
      // "năm 2030": the measured phrase is before "năm".
      const yearWord = kind === "year" && previous?.lower === "năm" ? 1 : 0;
      const backward = backwardPhrase(tokens, value.first - qualifierWords - yearWord);
      if (backward) {
        countsFrom = backward.first;
        countsTo = backward.last;
      } else if (kind === "percentage" || kind === "money") {
        const after = forwardPhrase(tokens, value.last + 1);
        if (after) {
          countsFrom = value.last + 1;
          countsTo = after.last;
          statementLast = after.last;
        }
      }
    }
    if (countsFrom < 0 && kind !== "year") continue;

    const suffixAt = statementLast + 1;
    const suffix =
      phraseAt(tokens, suffixAt, SUFFIX_QUALIFIERS) ?? phraseAt(tokens, value.last + 1, SUFFIX_QUALIFIERS);
    if (suffix && phraseAt(tokens, suffixAt, SUFFIX_QUALIFIERS))
      statementLast = suffixAt + suffix.split(" ").length - 1;
    const qualifiers: string[] = [];
    if (prefix || suffix) qualifiers.push([prefix, "...", suffix].filter(Boolean).join(" "));

    // "…, thay cho 10 nhóm nhiệm vụ trước đây": the comparison and its figure belong to this statement.
    const comparisonAt = tokens[statementLast + 1]?.text === "," ? statementLast + 2 : statementLast + 1;
    const comparison = phraseAt(tokens, comparisonAt, COMPARISONS);
    if (comparison) {
      const afterWords = comparisonAt + comparison.split(" ").length;
      let end = afterWords - 1;
      const figure = tokens[afterWords];
      if (figure?.type === "number" || figure?.type === "period") {
        used.add(afterWords);
        const counted = figure.type === "number" ? forwardPhrase(tokens, afterWords + 1) : undefined;
        end = counted ? counted.last : afterWords;
      } else {
        while (end + 1 < tokens.length && end - afterWords < 4 && tokens[end + 1]?.type !== "punct") end++;
      }
      if (end >= afterWords) qualifiers.push(slice(sentence, tokens, comparisonAt, end));
    }

    const fact: ExtractedFact = {
      value: slice(sentence, tokens, value.first, value.last),
      kind,
      amount: value.amount,
      counts: countsFrom >= 0 ? slice(sentence, tokens, countsFrom, countsTo) : "",
      ...(qualifiers.length ? { qualifier: qualifiers.join("; ") } : {}),
      start: (tokens[value.first] as Token).start,
      end: (tokens[value.last] as Token).end,
      phraseEnd: (tokens[Math.max(statementLast, countsTo)] as Token).end,
      context: "",
    };
    const draft: Draft = {
      fact,
      first: Math.min(value.first, countsFrom >= 0 ? countsFrom : value.first),
      last: Math.max(statementLast, countsTo),
      figure: value.first,
    };
    if (kind === "year") {
      const withYear = previous?.lower === "năm" ? i - 1 : i;
      const lead = tokens[withYear - 1];
      const from =
        isWord(lead) && ["đến", "từ", "trước", "sau", "vào", "trong"].includes(lead.lower)
          ? withYear - 1
          : withYear;
      periods.push({ text: slice(sentence, tokens, from, i), index: i, draft });
    }
    drafts.push(draft);
    i = Math.max(i, value.last);
  }

  // Clauses (split at ";") bound periods and contexts.
  const clauseOf = (index: number) => {
    let from = index;
    while (from > 0 && tokens[from - 1]?.text !== ";") from--;
    let to = index;
    while (to < tokens.length - 1 && tokens[to]?.text !== ";") to++;
    return { from, to };
  };
  const figures = drafts.filter((d) => d.fact.kind !== "year").sort((a, b) => a.first - b.first);
  const servesAsPeriod = new Set<PeriodMark>();
  for (const d of figures) {
    const { from, to } = clauseOf(d.first);
    // Another figure between the two means the period is that figure's, not this one's.
    const between = (a: number, b: number) => figures.some((o) => o !== d && o.figure > a && o.figure < b);
    const after = periods.find((p) => p.index > d.last && p.index <= to && !between(d.figure, p.index));
    const before = [...periods]
      .reverse()
      .find((p) => p.index < d.figure && p.index >= from && !between(p.index, d.figure));
    const period = after ?? before;
    if (period) {
      d.fact.period = period.text.replace(/\s?([-–])\s?/, "$1");
      servesAsPeriod.add(period);
    }
  }
  // A period or year that no figure uses is a statement of its own ("… nhiệm kỳ 2026-2031").
  const standalone: Draft[] = [];
  for (const p of periods) {
    if (servesAsPeriod.has(p)) continue;
    if (p.draft) {
      if (p.draft.fact.counts) standalone.push(p.draft);
      continue;
    }
    const t = tokens[p.index] as Token;
    const backward = backwardPhrase(tokens, p.index, MAX_BACKWARD + 2);
    if (!backward) continue;
    standalone.push({
      fact: {
        value: t.text,
        kind: "period",
        amount: Number(t.text.slice(0, 4)),
        counts: slice(sentence, tokens, backward.first, backward.last),
        start: t.start,
        end: t.end,
        phraseEnd: t.end,
        context: "",
      },
      first: backward.first,
      last: p.index,
      figure: p.index,
    });
  }
  const all = [...figures, ...standalone].sort((a, b) => a.fact.start - b.fact.start);
  // Context: the clause, narrowed to the stretch between the neighbouring statements.
  all.forEach((d, k) => {
    const { from, to } = clauseOf(d.first);
    const previousEnd = k > 0 ? (all[k - 1] as Draft).last + 1 : from;
    const nextStart = k < all.length - 1 ? (all[k + 1] as Draft).first - 1 : to;
    const a = Math.max(from, Math.min(previousEnd, d.first));
    const b = Math.min(to, Math.max(nextStart, d.last));
    d.fact.context = slice(sentence, tokens, a, b)
      .replace(/^[\s,;:“”"–-]+|[\s,;:“"–-]+$/gu, "")
      .trim();
  });
  return all.map((d) => d.fact);
}
