import type { PageSpan } from "../contract/chunk.ts";
import type { DocumentRef } from "../contract/document.ts";
import { type DocumentRow, type PageColumns, pagesOf, toDocumentRef } from "./corpus-store.ts";
import type { Queryable } from "./database.ts";

/** A stored passage with its document, as the quizzes and study packs read the corpus. */
export interface ListedPassage {
  chunkId: string;
  ordinal: number;
  headingPath: string[];
  text: string;
  sentences: { start: number; end: number; caption: boolean }[];
  /** absent for formats without pages */
  pages?: PageSpan;
  document: DocumentRef;
}

/**
 * Passages whose folded text contains every given folded syllable (a cheap pre-filter: callers
 * check whole syllables and diacritics), at most `limit`: the whole corpus in document order
 * when it fits, otherwise a sample that depends only on `seed`, so the same request gives the
 * same passages.
 */
export async function listPassages(
  db: Queryable,
  options: { folded?: readonly string[]; limit: number; seed?: number },
): Promise<ListedPassage[]> {
  const patterns = (options.folded ?? []).map((t) => `%${t.replace(/[\\%_]/g, "\\$&")}%`);
  const rows = await db.query<
    DocumentRow &
      PageColumns & {
        id: string;
        ordinal: number;
        heading_path: string[];
        text: string;
        sentences: ListedPassage["sentences"];
      }
  >(
    `WITH picked AS (
       SELECT c.id FROM chunks c
        WHERE cardinality($1::text[]) = 0 OR c.folded LIKE ALL($1::text[])
        ORDER BY md5(c.id || $3::text) LIMIT $2
     )
     SELECT c.id, c.ordinal, c.heading_path, c.text, c.sentences, c.page_start, c.page_end, d.id AS document_id,
            d.path, d.title, d.url, d.publisher, d.published::text AS published, d.scanned,
            d.effective::text AS effective, v.in_force, v.superseded_by, v.superseded_from::text AS superseded_from
       FROM picked JOIN chunks c USING (id) JOIN documents d ON d.id = c.document_id
       JOIN document_versions v ON v.id = d.id
      ORDER BY d.path, c.ordinal`,
    [patterns, options.limit, String(options.seed ?? 0)],
  );
  return rows.map((r) => ({
    chunkId: r.id,
    ordinal: r.ordinal,
    headingPath: r.heading_path,
    text: r.text,
    sentences: r.sentences,
    ...pagesOf(r),
    document: toDocumentRef(r),
  }));
}
