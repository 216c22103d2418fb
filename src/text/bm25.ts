import { foldDiacritics } from "./fold-diacritics.ts";
import { lexicalTerms, normalizeNumberToken, syllables } from "./tokenize.ts";

/**
 * BM25 over hashed terms, laid out so that PostgreSQL + pgvector can score it: each passage stores
 * its document-side weights as a sparsevec, the question becomes a sparsevec of IDF weights, and
 * the inner product (`<#>`) is the BM25 score. Hashing keeps term ids small and stable across
 * engines; at ~1e9 buckets collisions are negligible for corpora of this size.
 */
export const BM25_K1 = 1.2;
export const BM25_B = 0.75;
/** pgvector's sparsevec dimension limit is 1e9; a prime just under it spreads the hashes. */
export const TERM_SPACE = 999_999_937;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const SPACE = 32;

/** FNV-1a 32-bit state after `text`, starting from `h`. */
function fnv(text: string, h = FNV_OFFSET): number {
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME) >>> 0;
  }
  return h;
}

/** FNV-1a 32-bit hash of a term, mapped to 1..TERM_SPACE (sparsevec indices are 1-based). */
export function termId(term: string): number {
  return (fnv(term) % TERM_SPACE) + 1;
}

export interface TermCounts {
  /** term id → frequency in the passage */
  tf: Map<number, number>;
  /** passage length in terms (syllables + bigrams) */
  length: number;
}

/**
 * A passage's term counts as ingestion stores them: distinct term ids in ascending order (the
 * order of the `terms` array and of the sparsevec) with their frequencies. Two typed arrays
 * instead of a Map of a few hundred entries: counted by sorting, and little for the collector.
 */
export interface SortedTermCounts {
  ids: Uint32Array;
  /** tfs[i]: how often ids[i] occurs */
  tfs: Uint32Array;
  /** passage length in terms (syllables + bigrams) */
  length: number;
}

/** The terms of a text already folded by foldDiacritics, counted (see SortedTermCounts). */
export function sortedFoldedTerms(folded: string): SortedTermCounts {
  const m = scanTermIds(folded);
  const all = TERM_SCRATCH.subarray(0, m).sort();
  let distinct = 0;
  for (let i = 0; i < m; i++) if (i === 0 || all[i] !== all[i - 1]) distinct++;
  const ids = new Uint32Array(distinct);
  const tfs = new Uint32Array(distinct);
  let d = -1;
  for (let i = 0; i < m; i++) {
    if (i === 0 || all[i] !== all[i - 1]) ids[++d] = all[i] as number;
    tfs[d] = (tfs[d] as number) + 1;
  }
  return { ids, tfs, length: m };
}

/** Term ids of the passage being counted: reused, grown when a passage needs more. */
let TERM_SCRATCH = new Uint32Array(4096);

const isLetter = (c: number) => c >= 97 && c <= 122; /* a-z */
const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * Writes the term ids of `lexicalTerms(foldedSyllables(folded)).map(termId)` (in another order) into
 * TERM_SCRATCH and returns how many: the syllables are found and hashed in one pass over the
 * text, each with the bigram it ends, without building a string per syllable or per bigram (a
 * bulk ingest counts the terms of every passage: ~50 million at 100k passages).
 */
function scanTermIds(folded: string): number {
  const n = folded.length;
  // At most one syllable per two characters (a syllable and a separator), and a bigram for each.
  if (TERM_SCRATCH.length < n + 1) TERM_SCRATCH = new Uint32Array(2 * (n + 1));
  const out = TERM_SCRATCH;
  let m = 0;
  let previous = -1; // FNV state after "<previous syllable> ", or -1 at the first syllable
  let i = 0;
  while (i < n) {
    const c = folded.charCodeAt(i);
    let h = FNV_OFFSET;
    let bigram = previous;
    if (isLetter(c)) {
      do {
        const code = folded.charCodeAt(i);
        h = Math.imul(h ^ code, FNV_PRIME) >>> 0;
        if (previous >= 0) bigram = Math.imul(bigram ^ code, FNV_PRIME) >>> 0;
        i++;
      } while (i < n && isLetter(folded.charCodeAt(i)));
    } else if (isDigit(c)) {
      // As the regex of foldedSyllables: \d+(?:[.,]\d+)*, then normalizeNumberToken.
      const start = i;
      for (;;) {
        while (i < n && isDigit(folded.charCodeAt(i))) i++;
        const sep = folded.charCodeAt(i);
        if ((sep === 46 || sep === 44) && i + 1 < n && isDigit(folded.charCodeAt(i + 1))) i += 2;
        else break;
      }
      const token = normalizeNumberToken(folded.slice(start, i));
      h = fnv(token);
      if (previous >= 0) bigram = fnv(token, previous);
    } else {
      i++;
      continue;
    }
    out[m++] = (h % TERM_SPACE) + 1;
    if (previous >= 0) out[m++] = (bigram % TERM_SPACE) + 1;
    // The state after "<syllable> ": what the bigram it starts continues from.
    previous = Math.imul(h ^ SPACE, FNV_PRIME) >>> 0;
  }
  return m;
}

export function countTerms(text: string): TermCounts {
  return countFoldedTerms(foldDiacritics(text));
}

/** `countTerms` of a text already folded by foldDiacritics. */
export function countFoldedTerms(folded: string): TermCounts {
  return asTermCounts(sortedFoldedTerms(folded));
}

function asTermCounts({ ids, tfs, length }: SortedTermCounts): TermCounts {
  const tf = new Map<number, number>();
  for (let i = 0; i < ids.length; i++) tf.set(ids[i] as number, tfs[i] as number);
  return { tf, length };
}

/** Document-side BM25 weights: tf·(k1+1) / (tf + k1·(1 − b + b·dl/avgdl)). */
export function documentWeights(counts: TermCounts, avgdl: number): Map<number, number> {
  const norm = BM25_K1 * (1 - BM25_B + (BM25_B * counts.length) / Math.max(avgdl, 1));
  const weights = new Map<number, number>();
  for (const [id, tf] of counts.tf) weights.set(id, (tf * (BM25_K1 + 1)) / (tf + norm));
  return weights;
}

/**
 * The passage's stored sparsevec: `toSparsevec(documentWeights(counts, avgdl), maxEntries)`, written
 * for bulk ingestion. Within a passage a weight depends only on the term's frequency, so each
 * distinct frequency's weight is formatted once instead of once per term.
 */
export function passageSparsevec(
  counts: SortedTermCounts,
  avgdl: number,
  maxEntries = Number.POSITIVE_INFINITY,
): string {
  const { ids, tfs } = counts;
  if (ids.length > maxEntries) return toSparsevec(documentWeights(asTermCounts(counts), avgdl), maxEntries);
  const norm = BM25_K1 * (1 - BM25_B + (BM25_B * counts.length) / Math.max(avgdl, 1));
  // ":weight" by frequency (index tf) as ASCII codes, formatted when first met; null: rounds to 0.
  const formatted: (number[] | null | undefined)[] = [];
  const text = new AsciiWriter();
  text.char(123 /* { */);
  let first = true;
  for (let i = 0; i < ids.length; i++) {
    const tf = tfs[i] as number;
    let weight = formatted[tf];
    if (weight === undefined) {
      const rounded = Math.round(((tf * (BM25_K1 + 1)) / (tf + norm)) * 1e5) / 1e5;
      weight = rounded === 0 ? null : Array.from(`:${rounded}`, (ch) => ch.charCodeAt(0));
      formatted[tf] = weight;
    }
    if (weight === null) continue;
    if (!first) text.char(44 /* , */);
    first = false;
    text.integer(ids[i] as number);
    text.chars(weight);
  }
  text.chars(DIMENSION_SUFFIX);
  return text.toString();
}

/** A passage's terms as PostgreSQL's int[] text form, `{id,id,...}`. */
export function termArrayLiteral(ids: Uint32Array): string {
  const text = new AsciiWriter();
  text.char(123 /* { */);
  for (let i = 0; i < ids.length; i++) {
    if (i > 0) text.char(44 /* , */);
    text.integer(ids[i] as number);
  }
  text.char(125 /* } */);
  return text.toString();
}

const DIMENSION_SUFFIX = Array.from(`}/${TERM_SPACE}`, (ch) => ch.charCodeAt(0));

/**
 * Builds one flat ASCII string in a reused byte buffer: a passage's sparsevec has ~500 entries,
 * and concatenating them made as many string pieces for the collector (and one more flattening).
 */
class AsciiWriter {
  private static buffer = Buffer.allocUnsafe(1 << 16);
  private length = 0;

  private room(bytes: number): Buffer {
    let buffer = AsciiWriter.buffer;
    if (this.length + bytes > buffer.length) {
      const grown = Buffer.allocUnsafe(2 * (this.length + bytes));
      buffer.copy(grown, 0, 0, this.length);
      AsciiWriter.buffer = grown;
      buffer = grown;
    }
    return buffer;
  }

  char(code: number): void {
    this.room(1)[this.length++] = code;
  }

  chars(codes: readonly number[]): void {
    const buffer = this.room(codes.length);
    for (const code of codes) buffer[this.length++] = code;
  }

  /** a non-negative integer below 2^32, in decimal */
  integer(value: number): void {
    const buffer = this.room(10);
    let digits = 1;
    for (let v = value; v >= 10; v = Math.floor(v / 10)) digits++;
    let v = value;
    for (let k = this.length + digits - 1; k >= this.length; k--) {
      buffer[k] = 48 + (v % 10);
      v = Math.floor(v / 10);
    }
    this.length += digits;
  }

  toString(): string {
    return AsciiWriter.buffer.toString("latin1", 0, this.length);
  }
}

/** Robertson–Spärck Jones IDF with the +1 that keeps it positive (as in Lucene). */
export function idf(df: number, n: number): number {
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

/** Distinct term ids of a question, in order of first appearance. */
export function queryTermIds(text: string): number[] {
  return [...new Set(lexicalTerms(syllables(text)).map(termId))];
}

/** pgvector sparsevec literal: '{id:weight,...}/dim', indices ascending. */
export function toSparsevec(weights: Map<number, number>, maxEntries = Number.POSITIVE_INFINITY): string {
  let entries = [...weights.entries()]
    .map(([id, w]) => [id, Math.round(w * 1e5) / 1e5] as const)
    .filter(([, w]) => w !== 0);
  // An unusually long passage keeps its strongest terms only, so its vector fits in a page.
  if (entries.length > maxEntries) entries = entries.sort((a, b) => b[1] - a[1]).slice(0, maxEntries);
  entries.sort((a, b) => a[0] - b[0]);
  // Five decimals are plenty for ranking and keep the literal short.
  return `{${entries.map(([id, w]) => `${id}:${w}`).join(",")}}/${TERM_SPACE}`;
}
