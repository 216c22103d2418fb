import { readFileSync } from "node:fs";
import { z } from "zod";
import { foldDiacritics } from "../text/fold-diacritics.ts";
import { syllables } from "../text/tokenize.ts";

const abbreviationsSchema = z.object({ groups: z.array(z.array(z.string().min(1)).min(2)) });

export type AbbreviationGroups = string[][];

/** The abbreviation data file kept beside this module (src/retrieval/abbreviations.json). */
export function loadAbbreviations(
  path = new URL("./abbreviations.json", import.meta.url),
): AbbreviationGroups {
  return abbreviationsSchema.parse(JSON.parse(readFileSync(path, "utf8"))).groups;
}

/** Does the folded token sequence contain the folded phrase as whole tokens? */
function containsPhrase(tokens: string[], phrase: string[]): boolean {
  if (phrase.length === 0) return false;
  outer: for (let i = 0; i + phrase.length <= tokens.length; i++) {
    for (let j = 0; j < phrase.length; j++) if (tokens[i + j] !== phrase[j]) continue outer;
    return true;
  }
  return false;
}

/**
 * The other forms of every abbreviation group the question mentions: "UBND" brings "Ủy ban nhân
 * dân" and the reverse, "XIV" brings "14". Matching is on folded syllables, so "ubnd", "Ủy ban"
 * and "uy ban" all match.
 */
const TOKENIZED = new WeakMap<AbbreviationGroups, { form: string; tokens: string[] }[][]>();

/** The groups with each form's folded syllables, computed once per groups array. */
function tokenizedGroups(groups: AbbreviationGroups) {
  let tokenized = TOKENIZED.get(groups);
  if (!tokenized) {
    tokenized = groups.map((group) => group.map((form) => ({ form, tokens: syllables(form) })));
    TOKENIZED.set(groups, tokenized);
  }
  return tokenized;
}

export function expansionsFor(question: string, groups: AbbreviationGroups): string[] {
  const tokens = syllables(question);
  const out: string[] = [];
  for (const forms of tokenizedGroups(groups)) {
    if (!forms.some((f) => containsPhrase(tokens, f.tokens))) continue;
    for (const f of forms) if (!containsPhrase(tokens, f.tokens)) out.push(f.form);
  }
  // Keep distinct folded forms only ("TP" and "TP." fold to the same syllable).
  const seen = new Set<string>();
  return out.filter((form) => {
    const key = foldDiacritics(syllables(form).join(" "));
    if (!key || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
