import type { RetrievedPassage } from "../retrieval/retriever.ts";

// Citations are part of the data contract; extractive.ts and answerer.ts import them from here.
export { sectionLabel, toCitation } from "../contract/citation.ts";

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
