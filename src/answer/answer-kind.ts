import { foldDiacritics } from "../text/fold-diacritics.ts";
import { normalizeNumberToken } from "../text/tokenize.ts";
import { FOLDED_MAY_COUNT } from "./question-type.ts";

/**
 * What kind of answer a question wants, finer than questionType (which drives the facts index):
 * the answer selection prefers sentences holding that kind of thing, and a short answer of that
 * kind is put first.
 */
export type AnswerKind =
  | "yesno"
  | "date"
  | "number"
  | "who"
  | "where"
  | "reason"
  | "list"
  | "definition"
  | "general";

/** Common Vietnamese family names, as a regular-expression alternation: a personal name starts with one. */
export const FAMILY_NAMES =
  "Nguyễn|Trần|Lê|Phạm|Hoàng|Huỳnh|Phan|Vũ|Võ|Đặng|Bùi|Đỗ|Hồ|Ngô|Dương|Lý|Tô|Đinh|Trịnh|Lương|Mai|Đoàn|Vương|Trương|Cao|Lâm|Đào|Tạ|Chu";

export const ANSWER_KINDS: readonly AnswerKind[] = [
  "yesno",
  "date",
  "number",
  "who",
  "where",
  "reason",
  "list",
  "definition",
  "general",
];

const YESNO =
  /(\b(phai|dung|dung vay|chinh xac|co dung) (khong|chu|a)\s*$|^co phai\b.*\bkhong\s*$|\bco phai (la )?.*\b(khong|chang)\s*$|\b(dung hay sai)\b)/;
const DATE =
  /\b(nam nao|khi nao|luc nao|bao gio|thoi gian nao|thoi diem nao|ngay nao|thang nao|the ky nao|giai doan nao|nam bao nhieu|ngay bao nhieu|thoi ky nao|dip nao)\b/;
const NUMBER = /\b(bao nhieu|ty le|ti le|phan tram|bao lau|bao xa|bao cao|muc nao)\b/;
const WHO =
  /(^|\s)(ai|nguoi nao|co quan nao|don vi nao|ban nao|to chuc nao|vi nao|nhan vat nao|tac gia nao|ong nao|ba nao|nguoi gi|nhung ai)(\s|$)/;
const WHERE =
  /(\b(o dau|tai dau|noi nao|cho nao|dau$|den dau|tu dau|tinh nao|thanh pho nao|quoc gia nao|nuoc nao|vung nao|khu vuc nao|dia diem nao|huyen nao|quan nao|xa nao|phuong nao|thu do nao|chau luc nao|dao nao|song nao|nui nao))\b/;
const REASON =
  /\b(vi sao|tai sao|vi ly do gi|ly do|nguyen nhan|do dau|vi dau|de lam gi|nham muc dich gi|muc dich)\b/;
const LIST = /\b(gom nhung|nhung gi|bao gom|nhung ai|la nhung|nhung .* nao|cac .* nao|gom)\b/;
const DEFINITION = /\b(la gi|nghia la|the nao la|la sao|co y nghia|dinh nghia)\b/;

/** The question's fold for cue matching: lower case, no diacritics, punctuation as spaces. */
function cueText(question: string): string {
  return foldDiacritics(question.normalize("NFC").toLowerCase())
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

/** The kind of answer a question asks for. "mấy" typed with its mark asks for a number. */
export function answerKind(question: string): AnswerKind {
  const folded = cueText(question);
  if (YESNO.test(folded)) return "yesno";
  if (DATE.test(folded)) return "date";
  const lower = question.normalize("NFC").toLowerCase();
  if (
    NUMBER.test(folded) ||
    /(^|\s)mấy(\s|$)/u.test(lower) ||
    // typed without diacritics, "may" counts before a counted noun ("co may nhom")
    (foldDiacritics(lower) === lower && FOLDED_MAY_COUNT.test(folded))
  )
    return "number";
  if (WHO.test(folded)) return "who";
  if (WHERE.test(folded)) return "where";
  if (REASON.test(folded)) return "reason";
  if (LIST.test(folded)) return "list";
  if (DEFINITION.test(folded)) return "definition";
  return "general";
}

/**
 * Does the question ask for several names, places or dates ("gồm những ai", "những nước nào",
 * "các tỉnh nào")? Then no one of them is the answer: the quoted sentence lists them.
 */
export function asksForSeveral(question: string): boolean {
  const lower = question
    .normalize("NFC")
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\d]+/gu, " ");
  // typed with diacritics, "nhúng" is not "những"; typed without, any marks match
  return foldDiacritics(lower) === lower
    ? /\b(nhung|cac) ai\b|\b(nhung|cac)( [a-z]+){1,3} nao\b/.test(cueText(question))
    : /(^|\s)(những|các) ai(\s|$)|(^|\s)(những|các)(\s[\p{L}\p{M}]+){1,3}\snào(\s|$)/u.test(lower);
}

const NUMBER_WORD =
  /(^|[^\p{L}])(một|hai|ba|bốn|tư|năm|sáu|bảy|tám|chín|mười|mươi|trăm|nghìn|ngàn|triệu|tỷ|tỉ|nửa|chục)(?![\p{L}\p{M}])/u;
const YEAR = /(^|[^\d.,])(1\d{3}|20\d{2}|\d{2,4}\s*(TCN|SCN))(?!\d)/u;
const DATE_WORDS =
  /(^|[^\p{L}])(năm|tháng|ngày|thế kỷ|thế kỉ|thập niên|mùa|TCN)(?![\p{L}\p{M}])\s*[\dIVXLC]/u;
const REASON_CUES = /(^|[^\p{L}])(vì|do|bởi|để|nhằm|nên|nhờ|vì vậy|nguyên nhân)(?![\p{L}\p{M}])/u;
const PLACE_CUES =
  /(^|[^\p{L}])(ở|tại|tỉnh|thành phố|huyện|quận|xã|phường|sông|núi|nước|vùng|miền|đảo|thủ đô|châu|khu vực|bờ|phía)(?![\p{L}\p{M}])/u;

export interface CapitalisedRun {
  text: string;
  start: number;
  end: number;
  /** it starts a sentence, so its first word may be capitalised by position only ("Thành Thanh Hóa") */
  initial: boolean;
}

/**
 * Runs of capitalised syllables ("Thanh Hóa", "Nguyễn Duy Ngọc", "TP.HCM", "UBND"), with their
 * offsets. A lone capitalised word that starts a sentence is not a name (its capital is the
 * sentence's); a longer run there is kept, flagged `initial`.
 */
export function capitalisedRuns(text: string): CapitalisedRun[] {
  const runs: CapitalisedRun[] = [];
  const word = /[\p{L}\p{M}][\p{L}\p{M}.]*[\p{L}\p{M}]|[\p{L}\p{M}]|\d+(?:[.,]\d+)*/gu;
  let current: { start: number; end: number; first: boolean } | undefined;
  let sentenceStart = true;
  let last = 0;
  const close = () => {
    if (!current) return;
    const run = text.slice(current.start, current.end);
    // A single capitalised word that starts a sentence is capitalised by position ("Năm", "Khi"),
    // unless it is an acronym ("TP.HCM", "UBND").
    if (!current.first || /\s/.test(run) || /^\p{Lu}.*\p{Lu}/u.test(run))
      runs.push({ text: run, start: current.start, end: current.end, initial: current.first });
    current = undefined;
  };
  for (const m of text.matchAll(word)) {
    const between = text.slice(last, m.index);
    if (/[.!?:;"“”()[\]]/.test(between) && !/^\.\s*$/.test(between)) {
      close();
      if (/[.!?:]\s/.test(between) || /^[\s"“(]*$/.test(text.slice(0, m.index))) sentenceStart = true;
    } else if (/[,–—-]/.test(between)) close();
    const w = m[0];
    const capital = /^\p{Lu}/u.test(w);
    if (capital) {
      if (!current) current = { start: m.index, end: m.index + w.length, first: sentenceStart };
      else current.end = m.index + w.length;
    } else close();
    sentenceStart = false;
    last = m.index + w.length;
  }
  close();
  return runs;
}

/** The forms a run may take: one that starts a sentence may be capitalised by position only. */
export function nameForms(run: CapitalisedRun): string[] {
  return run.initial ? [run.text, run.text.replace(/^\S+\s+/, "")] : [run.text];
}

/** Does the text hold something of the kind asked for (a figure, a date, a name, a place …)? */
export function holdsKind(kind: AnswerKind, text: string): boolean {
  switch (kind) {
    case "number":
      return /\d/.test(text) || NUMBER_WORD.test(text.toLowerCase());
    case "date":
      return YEAR.test(text) || DATE_WORDS.test(text);
    case "who":
      return capitalisedRuns(text).some((r) => /\s/.test(r.text) || r.text.length > 3);
    case "where":
      return capitalisedRuns(text).length > 0 && PLACE_CUES.test(text.toLowerCase());
    case "reason":
      return REASON_CUES.test(text.toLowerCase());
    case "list":
      return /[:;]/.test(text) || (text.match(/,/g)?.length ?? 0) >= 2 || /(^|\s)(gồm|bao gồm)\s/u.test(text);
    case "definition":
      return /(^|\s)là(\s|$)/u.test(text);
    case "yesno":
    case "general":
      return true;
  }
}

/** Numbers written in the text, normalised ("1.662.336" → "1662336", "3,5" → "3.5"). */
export function numbersIn(text: string): string[] {
  return [...text.matchAll(/\d+(?:[.,]\d+)*/g)].map((m) => normalizeNumberToken(m[0]));
}

/** Phrases in quotation marks. */
export function quotedIn(text: string): string[] {
  return [...text.matchAll(/["“”„«]([^"“”„«»]{2,80})["“”»]/gu)].map((m) => (m[1] as string).trim());
}

/** Does the text negate ("không", "chưa", "chẳng")? A closing "… không?" of a yes/no question does not count. */
export function negates(text: string): boolean {
  const folded = cueText(text)
    .replace(/\b(phai|dung|hay|co|chua) khong$/, "")
    .replace(/ khong$/, "");
  return /\b(khong|chua|chang|cha|khong he|khong phai|tru)\b/.test(folded);
}
