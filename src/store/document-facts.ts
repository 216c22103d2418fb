import { type ExtractedFact, extractFacts } from "../text/extract-facts.ts";

/**
 * Bump when what extractFacts finds changes: the next start (or ingest) re-extracts the facts of
 * every stored passage (see fact-store.ts), so an improved extractor reaches existing stores.
 */
export const FACTS_VERSION = 1;

/** A passage as the facts index reads it: from the chunker at ingestion, or from the chunks table. */
export interface FactSourceChunk {
  id: string;
  /** offset of the passage in its document body: overlapping passages repeat sentences */
  start: number;
  text: string;
  sentences: { start: number; end: number; caption: boolean }[];
}

/** A fact ready to store: the statement, its passage and its sentence (the citation's quote). */
export interface FactRow extends Omit<ExtractedFact, "start" | "end" | "phraseEnd"> {
  chunkId: string;
  /** order of the fact in its document */
  position: number;
  /** the sentence, an exact substring of the passage text */
  quote: string;
  /** offsets of the figure and of the end of its statement in `quote` */
  valueStart: number;
  valueEnd: number;
  phraseEnd: number;
}

/**
 * The facts of one document, sentence by sentence. Photo captions are never facts, and a
 * sentence repeated by the overlap of two passages gives its facts once (from the first passage).
 */
export function documentFacts(chunks: readonly FactSourceChunk[]): FactRow[] {
  const rows: FactRow[] = [];
  const seen = new Set<number>();
  for (const chunk of chunks) {
    for (const s of chunk.sentences) {
      if (s.caption) continue;
      const at = chunk.start + s.start;
      if (seen.has(at)) continue;
      seen.add(at);
      const quote = chunk.text.slice(s.start, s.end);
      for (const f of extractFacts(quote)) {
        const { start, end, phraseEnd, ...rest } = f;
        rows.push({
          ...rest,
          chunkId: chunk.id,
          position: rows.length,
          quote,
          valueStart: start,
          valueEnd: end,
          phraseEnd,
        });
      }
    }
  }
  return rows;
}
