import type { Citation } from "./answer.ts";
import type { DocumentRef } from "./document.ts";

/** What a citation needs of a passage: a retrieved passage, a listed one or a fact's source. */
export interface CitablePassage {
  chunkId: string;
  text: string;
  headingPath: string[];
  document: DocumentRef;
}

/** Section label for a citation: the heading path, "" for the text before the first heading. */
export function sectionLabel(headingPath: string[]): string {
  return headingPath.join(" › ");
}

/** A citation of `quote` in `passage`; the quote must be an exact substring of the passage text. */
export function toCitation(n: number, passage: CitablePassage, quote: string): Citation {
  if (!passage.text.includes(quote))
    throw new Error(`quote is not a substring of passage ${passage.chunkId}`);
  const d = passage.document;
  return {
    n,
    document: d.title,
    section: sectionLabel(passage.headingPath),
    ...(d.url ? { url: d.url } : {}),
    ...(d.publisher ? { publisher: d.publisher } : {}),
    ...(d.published ? { published: d.published } : {}),
    quote,
    chunkId: passage.chunkId,
  };
}
