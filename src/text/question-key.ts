import { foldDiacritics } from "./fold-diacritics.ts";

/** A question as shown in statistics: NFC, spaces squeezed, at most 500 characters. */
export function displayQuestion(question: string): string {
  return question.normalize("NFC").replace(/\s+/g, " ").trim().slice(0, 500);
}

/**
 * One key for the wordings of one question: lower case, without diacritics (đ → d, both tone-mark
 * placements alike), punctuation and spacing dropped, words in sorted order. "Chỉ tiêu tăng trưởng
 * là bao nhiêu?", "chi tieu tang truong la bao nhieu" and "tăng trưởng chỉ tiêu là bao nhiêu"
 * share a key.
 */
export function questionKey(question: string): string {
  return foldDiacritics(question.toLowerCase())
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .sort()
    .join(" ")
    .slice(0, 500);
}
