/**
 * The diacritic-free, lower-case form used for matching: many members type without marks
 * ("chi tieu tang truong"), so both the corpus and the question are compared in this form.
 * One code unit in → one code unit out for every Vietnamese letter, so offsets stay aligned
 * with the NFC text (precomposed letters fold to one ASCII letter; đ → d).
 */
export function foldDiacritics(text: string): string {
  // Only upper-case ASCII and non-ASCII characters change; the rest is copied as is.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the range starts at U+0000 on purpose
  return text.normalize("NFC").replace(/[^\u0000-\u0040\u005b-\u007f]/gu, foldCached);
}

function foldCached(ch: string): string {
  let folded = FOLDED.get(ch);
  if (folded === undefined) {
    folded = foldChar(ch);
    if (FOLDED.size < 10_000) FOLDED.set(ch, folded);
  }
  return folded;
}

// Folding runs over every character of the corpus at ingestion and of every question: remember
// each character's fold instead of normalising it again (a few hundred distinct characters).
const FOLDED = new Map<string, string>();

function foldChar(ch: string): string {
  if (ch === "đ" || ch === "Đ") return "d";
  const lower = ch
    .normalize("NFD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase();
  // Keep the length of the NFC character where folding would change it (rare symbols, stray
  // combining marks), so folded and original text can be sliced with the same offsets.
  return lower.length === ch.length ? lower : " ".repeat(ch.length);
}
