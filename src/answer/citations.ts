import type { RetrievedPassage } from "../retrieval/retriever.ts";
import type { Citation } from "./types.ts";

/** Section label for a citation: the heading path, "" for the text before the first heading. */
export function sectionLabel(headingPath: string[]): string {
  return headingPath.join(" › ");
}

/** A citation of `quote` in `passage`; the quote must be an exact substring of the passage text. */
export function toCitation(
  n: number,
  passage: Pick<RetrievedPassage, "text" | "chunkId" | "document" | "headingPath">,
  quote: string,
): Citation {
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

/** The sentences of a passage as strings, with their caption flag. */
export function passageSentences(
  passage: RetrievedPassage,
): { text: string; caption: boolean; index: number }[] {
  return passage.sentences.map((s, index) => ({
    text: passage.text.slice(s.start, s.end),
    caption: s.caption,
    index,
  }));
}
