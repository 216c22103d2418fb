import { foldDiacritics } from "./fold-diacritics.ts";

/**
 * Syllable tokens of a text in folded form. Numbers stay whole ("1.662.336" → "1662336",
 * "11%" → "11", "3,5" → "3.5") so that a number typed with or without thousands dots matches.
 */
export function syllables(text: string): string[] {
  return foldedSyllables(foldDiacritics(text));
}

/** `syllables` of a text already folded by foldDiacritics. */
export function foldedSyllables(folded: string): string[] {
  const out: string[] = [];
  for (const match of folded.matchAll(/\d+(?:[.,]\d+)*|[a-z]+/g)) {
    out.push(normalizeNumberToken(match[0]));
  }
  return out;
}

export function normalizeNumberToken(token: string): string {
  if (!/^\d/.test(token)) return token;
  // Vietnamese writes thousands with dots and decimals with a comma.
  if (/^\d{1,3}(\.\d{3})+(,\d+)?$/.test(token)) return token.replace(/\./g, "").replace(",", ".");
  return token.replace(/,/g, ".");
}

/** Syllables plus adjacent syllable bigrams: "tăng trưởng" is one term as well as two. */
export function lexicalTerms(tokens: readonly string[]): string[] {
  const terms: string[] = [...tokens];
  for (let i = 1; i < tokens.length; i++) terms.push(`${tokens[i - 1]} ${tokens[i]}`);
  return terms;
}
