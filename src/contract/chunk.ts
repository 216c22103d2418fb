/** A sentence of a chunk, as offsets into the chunk's text. */
export interface ChunkSentence {
  /** offsets into the chunk's text */
  start: number;
  end: number;
  /** a photo caption: searchable, but never quoted as a fact */
  caption: boolean;
}

/** A passage as the chunker makes it and the store keeps it (ingest/chunk-document.ts). */
export interface Chunk {
  id: string;
  ordinal: number;
  headingPath: string[];
  text: string;
  /** offsets into the document body */
  start: number;
  end: number;
  sentences: ChunkSentence[];
  words: number;
  /** the pages of a PDF or scan the passage was read from (absent for formats without pages) */
  pages?: PageSpan;
}

/** First and last 1-based page of a passage: equal when it sits on one page. */
export interface PageSpan {
  first: number;
  last: number;
}
