import type { PageSpan } from "../contract/chunk.ts";
import type { DocumentRef } from "../contract/document.ts";
import type { FactKind } from "../text/extract-facts.ts";
import { createBatchCache } from "./batch-cache.ts";
import { type DocumentRow, type PageColumns, pagesOf, toDocumentRef } from "./corpus-store.ts";
import type { Database } from "./database.ts";
import { FACTS_VERSION, type FactSourceChunk } from "./document-facts.ts";
import { factsJsonFor, insertFacts } from "./fact-rows.ts";

/**
 * The facts index (migration 009) in the database: written with each document by the corpus
 * store (fact-rows.ts, in the document's transaction), read here by the targets list, the
 * quizzes, the study packs and the answerer's number questions.
 */

export interface StoredFact {
  id: number;
  chunkId: string;
  position: number;
  value: string;
  kind: FactKind;
  amount: number | null;
  counts: string;
  qualifier?: string;
  period?: string;
  quote: string;
  valueStart: number;
  valueEnd: number;
  phraseEnd: number;
  context: string;
  headingPath: string[];
  /** the pages of the fact's passage, for a PDF or a scan */
  pages?: PageSpan;
  document: DocumentRef;
}

interface FactDbRow extends DocumentRow, PageColumns {
  id: number;
  chunk_id: string;
  position: number;
  value: string;
  kind: FactKind;
  amount: number | null;
  counts: string;
  qualifier: string | null;
  period: string | null;
  quote: string;
  value_start: number;
  value_end: number;
  phrase_end: number;
  context: string;
  heading_path: string[];
}

const SELECT = `SELECT f.id, f.chunk_id, f.position, f.value, f.kind, f.amount, f.counts, f.qualifier, f.period,
       f.quote, f.value_start, f.value_end, f.phrase_end, f.context, c.heading_path, c.page_start, c.page_end,
       d.id AS document_id, d.path, d.title, d.url, d.publisher, d.published::text AS published, d.scanned,
       d.effective::text AS effective, v.in_force, v.superseded_by, v.superseded_from::text AS superseded_from
  FROM facts f JOIN chunks c ON c.id = f.chunk_id JOIN documents d ON d.id = c.document_id
  JOIN document_versions v ON v.id = d.id`;

function toFact(r: FactDbRow): StoredFact {
  return {
    id: r.id,
    chunkId: r.chunk_id,
    position: r.position,
    value: r.value,
    kind: r.kind,
    amount: r.amount === null ? null : Number(r.amount),
    counts: r.counts,
    ...(r.qualifier ? { qualifier: r.qualifier } : {}),
    ...(r.period ? { period: r.period } : {}),
    quote: r.quote,
    valueStart: r.value_start,
    valueEnd: r.value_end,
    phraseEnd: r.phrase_end,
    context: r.context,
    headingPath: r.heading_path,
    ...pagesOf(r),
    document: toDocumentRef(r),
  };
}

export interface FactStoreOptions {
  /**
   * The facts of passages kept in memory between questions (by passage, for the corpus version
   * named): a number question about passages asked about before costs no query.
   */
  cache?: { size: number; corpusVersion: () => Promise<string> };
}

export function createFactStore(db: Database, options: FactStoreOptions = {}) {
  async function storedFor(chunkIds: readonly string[]): Promise<StoredFact[]> {
    const rows = await db.query<FactDbRow>(
      `${SELECT} WHERE f.chunk_id = ANY($1::text[]) ORDER BY d.path, f.position`,
      [chunkIds],
    );
    return rows.map(toFact);
  }
  const cached =
    options.cache && options.cache.size > 0
      ? createBatchCache<StoredFact[]>(options.cache.size, options.cache.corpusVersion, async (ids) => {
          const byChunk = new Map<string, StoredFact[]>(ids.map((id) => [id, []]));
          for (const f of await storedFor(ids)) byChunk.get(f.chunkId)?.push(f);
          return byChunk;
        })
      : undefined;
  return {
    /**
     * The facts, in document order, whose folded terms hold every given folded syllable (all
     * facts without any). Diacritics are checked by the caller (keyword-match.ts).
     */
    async list(foldedTerms: readonly string[] = []): Promise<StoredFact[]> {
      const rows = await db.query<FactDbRow>(
        `${SELECT} WHERE cardinality($1::text[]) = 0 OR f.terms @> $1::text[] ORDER BY d.path, f.position`,
        [foldedTerms],
      );
      return rows.map(toFact);
    },

    /** The facts stated in these passages (the answerer's number questions). */
    async forChunks(chunkIds: readonly string[]): Promise<StoredFact[]> {
      if (chunkIds.length === 0) return [];
      if (!cached) return storedFor(chunkIds);
      const byChunk = await cached.getMany(chunkIds);
      // In document order, as the query gives them.
      return [...new Set(chunkIds)]
        .flatMap((id) => byChunk.get(id) ?? [])
        .sort((a, b) =>
          a.document.path < b.document.path
            ? -1
            : a.document.path > b.document.path
              ? 1
              : a.position - b.position,
        );
    },

    async count(): Promise<number> {
      const [row] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM facts");
      return row?.n ?? 0;
    },

    /**
     * Re-extracts the facts of every stored passage when they were extracted by another version of
     * the extractor (or before migration 009), in one transaction. On an empty store it only
     * records the version, so a first ingest does not extract twice. Returns the facts written.
     */
    async refreshIfStale(): Promise<number> {
      return db.transaction(async (tx) => {
        const [row] = await tx.query<{ version: number }>("SELECT version FROM facts_index FOR UPDATE");
        if (row?.version === FACTS_VERSION) return 0;
        await tx.query("DELETE FROM facts");
        const chunks = await tx.query<{
          id: string;
          document_id: number;
          start_offset: number;
          text: string;
          sentences: FactSourceChunk["sentences"];
        }>("SELECT id, document_id, start_offset, text, sentences FROM chunks ORDER BY document_id, ordinal");
        const byDocument = new Map<number, FactSourceChunk[]>();
        for (const c of chunks) {
          const list = byDocument.get(c.document_id) ?? [];
          list.push({ id: c.id, start: c.start_offset, text: c.text, sentences: c.sentences });
          byDocument.set(c.document_id, list);
        }
        let written = 0;
        const documents = [...byDocument.values()];
        for (let i = 0; i < documents.length; i += 200) {
          const json = factsJsonFor(documents.slice(i, i + 200).map((c) => ({ chunks: c })));
          written += (JSON.parse(json) as unknown[]).length;
          await insertFacts(tx, json);
        }
        await tx.query("UPDATE facts_index SET version = $1", [FACTS_VERSION]);
        return written;
      });
    },
  };
}

export type FactStore = ReturnType<typeof createFactStore>;
