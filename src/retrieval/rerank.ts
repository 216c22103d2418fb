import { BM25_B, BM25_K1 } from "../text/bm25.ts";
import { foldDiacritics } from "../text/fold-diacritics.ts";
import { lexicalTerms, normalizeNumberToken, syllables } from "../text/tokenize.ts";

/**
 * Second stage of lexical retrieval: the top exact-BM25 candidates (about 50) are re-ordered in
 * JavaScript by what the passage is *about*: its document's title and its section headings (the
 * "field"). Every passage indexes its title and headings once, among hundreds of body terms; a
 * question that paraphrases an article's or a section's title ("Trách nhiệm của cơ quan đăng ký cư
 * trú") is about that article even when another passage repeats more of its everyday words.
 *
 *   score = bm25 / best bm25 among the candidates + fieldWeight × coverage(title + headings)
 *           − repeatPenalty × (passages of the same document ranked above)
 *
 * - Field coverage: the share of the question's IDF weight whose terms are in the field (a
 *   BM25F-style field weight with the field scored by coverage: titles are short).
 * - Repeat penalty: a document's second and third passages give way to the next document's best.
 * - BM25F (off by default, `titleWeight` 1): a question term found in the field counts
 *   `titleWeight` times instead of once, before BM25's saturation. The store's score holds every
 *   term once, so only the field's terms are rescored, their frequency counted in the passage's
 *   folded text: bm25 + w·(sat(x + titleWeight − 1) − sat(x)), x = tf / (1 − b + b·length/avgdl).
 *   Reading that text is what makes it too slow at 100k passages (DEFAULT_RERANK).
 *
 * Pure: the retriever loads the candidates' fields in one query and calls `rerank`.
 */

export interface RerankTerm {
  /** folded term: a syllable or a syllable bigram, as lexicalTerms() makes them */
  term: string;
  /** IDF × boost, as the lexical query weighs it */
  weight: number;
}

export interface RerankCandidate {
  id: string;
  /** exact BM25 score from the store */
  bm25: number;
  title: string;
  headingPath: readonly string[];
  /** the passage text, folded (chunks.folded) */
  folded: string;
  /** BM25 length of what is indexed (title + headings + text), as stored (chunks.length) */
  length: number;
  /** the passage's document (chunks.document_id): for the repeat penalty */
  documentId?: number;
}

export interface RerankOptions {
  /** BM25F weight of a question term found in the title or headings (1: as indexed) */
  titleWeight: number;
  /** weight of the title + headings coverage, relative to the best candidate's score (= 1) */
  fieldWeight: number;
  /**
   * Subtracted once per passage of the same document already ranked above (0: off): the next
   * document's best passage can pass a document's second or third.
   */
  repeatPenalty?: number;
}

/**
 * Tuned on ALQAC questions 1-50 (bench/tune-alqac.ts), within the latency budget (no
 * passage text read): the coverage weight is the middle of the band 0.05-1.05 where MRR@10 is best
 * there, then the repeat penalty, the one further design that gained there (0.961 → 0.964), the
 * middle of its band. BM25F on top of coverage (titleWeight 10, fieldWeight 0.3) reaches 0.975 on
 * questions 1-50 but reads every candidate's text, out of line in the store: at 100k passages the
 * rerank's statement went from ~2 ms to ~6-9 ms p95, over the budget (README).
 *
 * Checked beyond that layout (bench/ablate-ranking.ts, MRR@10 of the defaults with the part
 * → without it; ALQAC laid out with the article's title line in the document title, the layout
 * tuned on / one document per article titled "<law>, Điều <n>" / ViQuAD dev, question → its
 * paragraph): coverage 0.935 → 0.895, 0.885 → 0.880, 0.911 → 0.909 (helps on all three); repeat
 * penalty 0.935 → 0.932, 0.885 → 0.880, 0.911 → 0.911 (helps on two, neutral on ViQuAD, where a
 * document is one paragraph). BM25F (titleWeight 10) added: 0.932, 0.885, 0.919: it would lower
 * the tuned layout, so it stays off (as well as for its cost).
 */
export const DEFAULT_RERANK: RerankOptions = { titleWeight: 1, fieldWeight: 0.55, repeatPenalty: 0.1 };

export interface Reranked {
  id: string;
  score: number;
  bm25: number;
}

/** The share of the question's weight whose terms occur in `text` (0 when the question is empty). */
export function coverage(terms: readonly RerankTerm[], text: string): number {
  return coverageOf(terms, new Set(lexicalTerms(syllables(text))));
}

function coverageOf(terms: readonly RerankTerm[], present: ReadonlySet<string>): number {
  let total = 0;
  let found = 0;
  for (const t of terms) {
    if (t.weight <= 0) continue;
    total += t.weight;
    if (present.has(t.term)) found += t.weight;
  }
  return total > 0 ? found / total : 0;
}

const TOKEN = /\d+(?:[.,]\d+)*|[a-z]+/g;

/** The tokens of syllables() of an already folded text, joined by single spaces and padded. */
function tokenLine(folded: string): string {
  const tokens = folded.match(TOKEN) ?? [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as string;
    if (t.charCodeAt(0) <= 57) tokens[i] = normalizeNumberToken(t);
  }
  return ` ${tokens.join(" ")} `;
}

const isLetter = (code: number) => code >= 97 && code <= 122;
const isDigit = (code: number) => code >= 48 && code <= 57;

/** Occurrences of a letters-only syllable or bigram among the tokens of a folded text. */
function countLetterTerm(text: string, term: string): number {
  const space = term.indexOf(" ");
  const first = space < 0 ? term : term.slice(0, space);
  const second = space < 0 ? "" : term.slice(space + 1);
  let n = 0;
  for (let at = text.indexOf(first); at >= 0; at = text.indexOf(first, at + 1)) {
    const end = at + first.length;
    // A run of letters is one token: the match must be the whole run.
    if (isLetter(text.charCodeAt(at - 1)) || isLetter(text.charCodeAt(end))) continue;
    if (!second) {
      n++;
      continue;
    }
    // The next token, past any separators (punctuation, spaces, line breaks).
    let next = end;
    while (next < text.length && !isLetter(text.charCodeAt(next)) && !isDigit(text.charCodeAt(next))) next++;
    if (text.startsWith(second, next) && !isLetter(text.charCodeAt(next + second.length))) n++;
  }
  return n;
}

/**
 * How often each of `wanted` (syllables and bigrams, as lexicalTerms() makes them) occurs among
 * the terms of an already folded text. Terms of letters are found in place; a term with a number
 * in it goes through the tokenizer (numbers are normalised: "1.605" is "1605").
 */
export function countTermsIn(folded: string, wanted: Iterable<string>): Map<string, number> {
  let line: string | undefined;
  const counts = new Map<string, number>();
  for (const term of wanted) {
    let n = 0;
    if (/^[a-z]+(?: [a-z]+)?$/.test(term)) n = countLetterTerm(folded, term);
    else {
      line ??= tokenLine(folded);
      const needle = ` ${term} `;
      // The next occurrence may share this one's trailing space ("a a" holds "a" twice).
      for (let at = line.indexOf(needle); at >= 0; at = line.indexOf(needle, at + needle.length - 1)) n++;
    }
    if (n > 0) counts.set(term, n);
  }
  return counts;
}

interface Field {
  /** the field's terms */
  present: Set<string>;
  /** the field folded, to prefix a passage's folded text as searchableText() does */
  folded: string;
}

/**
 * Titles and heading paths repeat across questions (every passage of a document shares its
 * title): each is tokenised once. Bounded; emptied when full.
 */
const FIELDS = new Map<string, Field>();
const FIELD_CACHE_LIMIT = 50_000;

function fieldOf(key: string): Field {
  let field = FIELDS.get(key);
  if (!field) {
    field = { present: new Set(lexicalTerms(syllables(key))), folded: foldDiacritics(key) };
    if (FIELDS.size >= FIELD_CACHE_LIMIT) FIELDS.clear();
    FIELDS.set(key, field);
  }
  return field;
}

const saturate = (x: number) => (x * (BM25_K1 + 1)) / (BM25_K1 + x);

/**
 * The candidates, best first; ties keep their BM25 order. `avgdl` is the average length the
 * store's weights were computed with (corpus_stats.avgdl_used).
 */
export function rerank(
  terms: readonly RerankTerm[],
  candidates: readonly RerankCandidate[],
  avgdl: number,
  options: RerankOptions = DEFAULT_RERANK,
): Reranked[] {
  const positive = terms.filter((t) => t.weight > 0);
  const rescored = candidates.map((c, index) => {
    const field = fieldOf([c.title, ...c.headingPath].join("\n"));
    let bm25f = c.bm25;
    let found = 0;
    let total = 0;
    const wanted: RerankTerm[] = [];
    for (const t of positive) {
      total += t.weight;
      if (!field.present.has(t.term)) continue;
      found += t.weight;
      wanted.push(t);
    }
    if (options.titleWeight !== 1 && wanted.length > 0) {
      // What the store indexed: title, headings and text, joined as searchableText() joins them.
      const counts = countTermsIn(
        `${field.folded}\n${c.folded}`,
        wanted.map((t) => t.term),
      );
      const norm = 1 - BM25_B + (BM25_B * c.length) / Math.max(avgdl, 1);
      for (const t of wanted) {
        const x = (counts.get(t.term) ?? 0) / norm;
        bm25f += t.weight * (saturate(x + options.titleWeight - 1) - saturate(x));
      }
    }
    return { id: c.id, bm25: c.bm25, bm25f, coverage: total > 0 ? found / total : 0, index };
  });
  let best = 0;
  for (const r of rescored) best = Math.max(best, r.bm25f);
  if (best <= 0) return candidates.map((c) => ({ id: c.id, score: c.bm25, bm25: c.bm25 }));
  const scored = rescored.map((r) => ({ ...r, score: r.bm25f / best + options.fieldWeight * r.coverage }));
  scored.sort((a, b) => b.score - a.score || a.index - b.index);
  const penalty = options.repeatPenalty ?? 0;
  if (penalty > 0) {
    // Counted in the order above, then applied all at once.
    const seen = new Map<number, number>();
    for (const r of scored) {
      const documentId = candidates[r.index]?.documentId;
      if (documentId === undefined) continue;
      const before = seen.get(documentId) ?? 0;
      seen.set(documentId, before + 1);
      r.score -= penalty * before;
    }
    scored.sort((a, b) => b.score - a.score || a.index - b.index);
  }
  return scored.map(({ id, score, bm25 }) => ({ id, score, bm25 }));
}
