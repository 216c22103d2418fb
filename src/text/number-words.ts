import { normalizeNumberToken } from "./tokenize.ts";

/**
 * Vietnamese numbers as written in the corpus: digits with dots for thousands and a comma for
 * decimals ("1.662.336", "3,5"), and number words before a counted noun ("ba đột phá", "năm
 * định hướng", "mười hai nhóm"). "một" is left out on purpose: it is mostly the indefinite
 * article ("một điểm mới", "một cách nhanh nhất"), not a count.
 */

const UNITS: Record<string, number> = {
  hai: 2,
  ba: 3,
  bốn: 4,
  năm: 5,
  sáu: 6,
  bảy: 7,
  tám: 8,
  chín: 9,
};

/** Word forms of the units after "mươi"/"mười": "hai mươi mốt", "mười lăm", "ba mươi tư". */
const TAIL_UNITS: Record<string, number> = { ...UNITS, mốt: 1, một: 1, lăm: 5, tư: 4 };

/** The numeric value of a digit token as Vietnamese writes it: "1.662.336" → 1662336, "3,5" → 3.5. */
export function parseDigits(token: string): number | undefined {
  const value = Number(normalizeNumberToken(token));
  return Number.isFinite(value) ? value : undefined;
}

const FIRST_WORDS = new Set([...Object.keys(UNITS), "mười"]);

/** Is `word` (lower case) one of the number words a count can start with? */
export function isNumberWord(word: string): boolean {
  return FIRST_WORDS.has(word);
}

/**
 * Reads a number written in words at the start of `words` (lower case, NFC): how many words it
 * took and its value, or undefined. Covers 2-99 ("hai", "mười hai", "hai mươi lăm").
 */
export function readNumberWords(words: readonly string[]): { value: number; length: number } | undefined {
  const [first, second, third] = words;
  if (first === undefined) return undefined;
  if (first === "mười") {
    const tail = second !== undefined ? TAIL_UNITS[second] : undefined;
    // "mười một" is 11, but "mười" alone is 10.
    return tail !== undefined && second !== "mốt" && second !== "tư"
      ? { value: 10 + tail, length: 2 }
      : { value: 10, length: 1 };
  }
  const unit = UNITS[first];
  if (unit === undefined) return undefined;
  if (second === "mươi") {
    const tail = third !== undefined ? TAIL_UNITS[third] : undefined;
    return tail !== undefined ? { value: unit * 10 + tail, length: 3 } : { value: unit * 10, length: 2 };
  }
  return { value: unit, length: 1 };
}

const UNIT_WORDS = ["", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"];

/**
 * 2-99 in words, as the corpus would write it ("năm", "mười hai", "hai mươi lăm"): the form the
 * distractors of a figure written in words take. Undefined outside that range.
 */
export function numberToWords(value: number): string | undefined {
  if (!Number.isInteger(value) || value < 2 || value > 99) return undefined;
  if (value < 10) return UNIT_WORDS[value];
  const tens = Math.floor(value / 10);
  const unit = value % 10;
  const head = tens === 1 ? "mười" : `${UNIT_WORDS[tens]} mươi`;
  if (unit === 0) return head;
  const tail =
    unit === 5 ? "lăm" : unit === 1 && tens > 1 ? "mốt" : unit === 4 && tens > 1 ? "tư" : UNIT_WORDS[unit];
  return `${head} ${tail}`;
}

/**
 * A number formatted the way the corpus writes it: thousands with dots ("1.662.336"), decimals
 * with a comma ("3,5"), keeping `decimals` digits after the comma.
 */
export function formatVietnameseNumber(value: number, decimals = 0): string {
  const fixed = Math.abs(value).toFixed(decimals);
  const [whole = "0", fraction] = fixed.split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  return `${value < 0 ? "-" : ""}${grouped}${fraction ? `,${fraction}` : ""}`;
}
