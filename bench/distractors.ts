import { chunkDocument } from "../ingest/chunk-document.ts";
import { cleanDocument } from "../ingest/clean-document.ts";
import { plainParagraphs } from "../ingest/loaders/plain-paragraphs.ts";
import { loadText } from "../ingest/loaders/text.ts";
import { seededRandom } from "../src/quiz/random.ts";
import { splitSentences } from "../src/text/split-sentences.ts";
import type { BenchDoc } from "./types.ts";

/**
 * Synthetic distractor documents for scale benchmarks: real sentences of the given documents,
 * recombined so that no passage is a copy of a real one. Each distractor passage ("unit") is
 * ~120-200 words of sentences taken from different source documents, one paragraph; a distractor
 * document holds one unit or several (larger documents amortise the per-document cost of an
 * ingest). Titles are neutral ("Văn bản tổng hợp số 123"). The same documents, seed and options
 * always give the same distractors: a mulberry32 generator, nothing else random.
 *
 * Distractors are never relevant to a query, although they copy sentences of relevant documents:
 * that is why R@n and MRR drop as they are added (see ../shared/bench/RETRIEVAL-NOTES.md).
 */

export const DEFAULT_SEED = 1;
/** Units (≈ passages) per distractor document; see the ingest throughput figures in the report. */
export const DEFAULT_UNITS_PER_DOC = 10;
export const UNIT_MIN_WORDS = 120;
export const UNIT_MAX_WORDS = 200;
/** Sentences longer than this are not sampled: a unit must stay under UNIT_MAX_WORDS. */
const SENTENCE_MAX_WORDS = 60;
const SENTENCE_MIN_WORDS = 4;
export const DISTRACTOR_ID_PREFIX = "distractor:";

export interface DistractorOptions {
  /** passages the distractors should add, about (counted the way the ingest chunks them) */
  passages: number;
  seed?: number;
  /** units (≈ passages) per distractor document, default DEFAULT_UNITS_PER_DOC */
  unitsPerDoc?: number;
  /** ids no distractor may take besides the documents' own, e.g. every query's relevant ids */
  reserved?: Iterable<string>;
}

/** mulberry32 (src/quiz/random.ts): a small, fast, seedable 32-bit generator; floats in [0, 1). */
export const mulberry32 = seededRandom;

const countWords = (text: string) => text.split(/\s+/).filter(Boolean).length;

/** Sentences of each document (split per paragraph as the ingest does), too short or long ones left out. */
export function sentencePool(docs: readonly BenchDoc[]): { words: number; text: string }[][] {
  return docs
    .map((doc) =>
      plainParagraphs(doc.text).flatMap((lines) => {
        const paragraph = lines.join(" ");
        return splitSentences(paragraph).flatMap(({ start, end }) => {
          const text = paragraph.slice(start, end).replace(/\s+/g, " ").trim();
          const words = countWords(text);
          return words >= SENTENCE_MIN_WORDS && words <= SENTENCE_MAX_WORDS ? [{ words, text }] : [];
        });
      }),
    )
    .filter((sentences) => sentences.length > 0);
}

/** The file the benchmark writes for a document (as writeDocsCorpus does), chunked as the ingest does. */
export function countPassages(doc: BenchDoc): number {
  const title = doc.title.replace(/\s+/g, " ").trim();
  const bytes = Buffer.from(`${title ? `${title}\n\n` : ""}${doc.text}\n`, "utf8");
  return chunkDocument(cleanDocument(loadText(bytes), "untitled"), doc.id).chunks.length;
}

/**
 * Distractor documents adding about `passages` passages. Ids are `distractor:<n>`, with extra `~`
 * after the prefix while any document or reserved id starts with it: they never name a real
 * document nor a relevant id.
 */
export function generateDistractors(docs: readonly BenchDoc[], options: DistractorOptions): BenchDoc[] {
  const target = Math.max(0, Math.floor(options.passages));
  const unitsPerDoc = Math.max(1, Math.floor(options.unitsPerDoc ?? DEFAULT_UNITS_PER_DOC));
  if (target === 0) return [];
  const pool = sentencePool(docs);
  if (pool.length < 2) throw new Error("distractors need at least two documents with sentences");
  const random = mulberry32(options.seed ?? DEFAULT_SEED);
  const pick = (n: number) => Math.floor(random() * n);

  const taken = new Set([...docs.map((d) => d.id), ...(options.reserved ?? [])]);
  let prefix = DISTRACTOR_ID_PREFIX;
  while ([...taken].some((id) => id.startsWith(prefix))) prefix = `${prefix}~`;
  const width = String(target).length;
  const idOf = (n: number) => `${prefix}${String(n).padStart(width, "0")}`;

  /** One paragraph of UNIT_MIN..UNIT_MAX words, each sentence from a different document. */
  const unit = (): string => {
    const goal = UNIT_MIN_WORDS + pick(UNIT_MAX_WORDS - UNIT_MIN_WORDS + 1);
    const used = new Set<number>();
    const sentences: string[] = [];
    let words = 0;
    for (let tries = 0; words < goal && tries < 200; tries++) {
      const d = pick(pool.length);
      if (used.size < pool.length && used.has(d)) continue;
      const source = pool[d] as { words: number; text: string }[];
      const s = source[pick(source.length)] as { words: number; text: string };
      if (words + s.words > UNIT_MAX_WORDS) continue;
      used.add(d);
      sentences.push(s.text);
      words += s.words;
    }
    return sentences.join(" ");
  };

  const out: BenchDoc[] = [];
  let passages = 0;
  for (let n = 1; passages < target; n++) {
    const units = Math.min(unitsPerDoc, Math.max(1, target - passages));
    const doc: BenchDoc = {
      id: idOf(n),
      title: `Văn bản tổng hợp số ${n}`,
      text: Array.from({ length: units }, unit).join("\n\n"),
    };
    if (taken.has(doc.id)) throw new Error(`distractor id ${doc.id} is taken`);
    taken.add(doc.id);
    out.push(doc);
    passages += countPassages(doc);
  }
  return out;
}
