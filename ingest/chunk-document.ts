import { createHash } from "node:crypto";
import type { Chunk } from "../src/contract/chunk.ts";
import { splitSentences } from "../src/text/split-sentences.ts";
import type { CleanDocument } from "./clean-document.ts";

export interface ChunkedDocument {
  /** the normalised document text; chunk offsets point into it */
  body: string;
  chunks: Chunk[];
}

export interface ChunkOptions {
  minWords: number;
  maxWords: number;
}

export const DEFAULT_CHUNK_OPTIONS: ChunkOptions = { minWords: 80, maxWords: 250 };

interface Sentence {
  start: number;
  end: number;
  words: number;
  caption: boolean;
  paragraph: number;
  page?: number;
  lastPage?: number;
}

const countWords = (text: string) => text.split(/\s+/).filter(Boolean).length;

/**
 * Heading-aware, sentence-aware chunking: a chunk never crosses a heading, never cuts a sentence,
 * aims at minWords..maxWords words, and starts with the last sentence of the chunk before it in
 * the same section, so a fact that straddles two chunks is whole in one of them.
 */
export function chunkDocument(
  doc: CleanDocument,
  documentKey: string,
  options: ChunkOptions = DEFAULT_CHUNK_OPTIONS,
): ChunkedDocument {
  let body = "";
  const headingStack: { level: number; text: string }[] = [];
  const sections: { headingPath: string[]; sentences: Sentence[] }[] = [];
  let current: { headingPath: string[]; sentences: Sentence[] } | undefined;
  let paragraph = 0;

  for (const block of doc.blocks) {
    if (body) body += "\n\n";
    const offset = body.length;
    body += block.text;
    if (block.kind === "heading") {
      while ((headingStack.at(-1)?.level ?? 0) >= block.level) headingStack.pop();
      headingStack.push({ level: block.level, text: block.text });
      current = undefined;
      continue;
    }
    if (!current) {
      current = { headingPath: headingStack.map((h) => h.text), sentences: [] };
      sections.push(current);
    }
    paragraph++;
    for (const span of splitSentences(block.text)) {
      const text = block.text.slice(span.start, span.end);
      current.sentences.push({
        start: offset + span.start,
        end: offset + span.end,
        words: countWords(text),
        caption: block.caption,
        paragraph,
        page: block.page,
        lastPage: block.lastPage ?? block.page,
      });
    }
  }

  const chunks: Chunk[] = [];
  for (const section of sections) {
    for (const group of groupSentences(section.sentences, options)) {
      const first = group[0] as Sentence;
      const last = group.at(-1) as Sentence;
      const text = body.slice(first.start, last.end);
      const ordinal = chunks.length;
      const pages = group.flatMap((s) => (s.page === undefined ? [] : [s.page, s.lastPage ?? s.page]));
      chunks.push({
        id: createHash("sha256").update(`${documentKey}\n${ordinal}\n${text}`).digest("hex").slice(0, 20),
        ordinal,
        headingPath: section.headingPath,
        text,
        start: first.start,
        end: last.end,
        sentences: group.map((s) => ({
          start: s.start - first.start,
          end: s.end - first.start,
          caption: s.caption,
        })),
        words: group.reduce((n, s) => n + s.words, 0),
        ...(pages.length > 0 ? { pages: { first: Math.min(...pages), last: Math.max(...pages) } } : {}),
      });
    }
  }
  return { body, chunks };
}

function groupSentences(sentences: Sentence[], { minWords, maxWords }: ChunkOptions): Sentence[][] {
  const groups: Sentence[][] = [];
  let i = 0;
  let startsWithOverlap = false;
  while (i < sentences.length) {
    const group: Sentence[] = [sentences[i] as Sentence];
    let words = group[0]?.words ?? 0;
    let j = i + 1;
    while (j < sentences.length) {
      const next = sentences[j] as Sentence;
      if (words + next.words > maxWords) break;
      // At a paragraph boundary, stop early when we have enough and the next paragraph will not fit whole.
      // Never stop at one sentence: that chunk could not overlap the next one (or, as an overlap, would
      // be dropped), so the sentence pair across the boundary would be whole in no chunk.
      if (
        group.length > 1 &&
        next.paragraph !== (sentences[j - 1] as Sentence).paragraph &&
        words >= minWords
      ) {
        const paragraphWords = sentences
          .slice(j)
          .filter((s) => s.paragraph === next.paragraph)
          .reduce((n, s) => n + s.words, 0);
        if (words + paragraphWords > maxWords) break;
      }
      group.push(next);
      words += next.words;
      j++;
    }
    // The overlap sentence alone would repeat the previous chunk's tail: start fresh instead.
    if (startsWithOverlap && group.length === 1) {
      i++;
      startsWithOverlap = false;
      continue;
    }
    groups.push(group);
    if (j >= sentences.length) break;
    // Overlap by one sentence, unless the chunk is a single sentence (that would never advance).
    startsWithOverlap = group.length > 1;
    i = startsWithOverlap ? j - 1 : j;
  }
  return groups;
}
