import type { Citation } from "./answer.ts";
import type { PageSpan } from "./chunk.ts";
import type { DocumentRef } from "./document.ts";

/** What a citation needs of a passage: a retrieved passage, a listed one or a fact's source. */
export interface CitablePassage {
  chunkId: string;
  text: string;
  headingPath: string[];
  /** absent for formats without pages */
  pages?: PageSpan;
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
    ...(passage.pages ? { pages: { first: passage.pages.first, last: passage.pages.last } } : {}),
    ...(d.scanned ? { scanned: true } : {}),
    ...(d.inForce === false
      ? {
          notInForce: {
            ...(d.effective ? { effective: d.effective } : {}),
            ...(d.supersededBy
              ? {
                  supersededBy: {
                    document: d.supersededBy.title,
                    ...(d.supersededBy.effective ? { effective: d.supersededBy.effective } : {}),
                  },
                }
              : {}),
          },
        }
      : {}),
    quote,
    chunkId: passage.chunkId,
  };
}

/** "trang 12", or "trang 12-13" for a passage that runs onto the next page. */
export function pageLabel(pages: PageSpan): string {
  return pages.first === pages.last ? `trang ${pages.first}` : `trang ${pages.first}-${pages.last}`;
}

/**
 * Where in its document a citation's passage is, as every channel shows it after the section:
 * "trang 12", "trang 12-13 (văn bản quét)", "(văn bản quét)" or "" (no pages, not a scan).
 */
export function pageAndScanLabel(c: Pick<Citation, "pages" | "scanned">): string {
  return [c.pages ? pageLabel(c.pages) : "", c.scanned ? "(văn bản quét)" : ""].filter(Boolean).join(" ");
}
