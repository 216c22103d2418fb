import type { DenseEmbedder } from "../embeddings/types.ts";
import { type DocumentRef, denseCast, toDocumentRef } from "../store/corpus-store.ts";
import type { Queryable } from "../store/database.ts";
import { normalizeInline } from "../text/normalize-vietnamese.ts";
import { isQuestionWord } from "../text/question-words.ts";
import { lexicalTerms, syllables } from "../text/tokenize.ts";
import { idf, TERM_SPACE, termId } from "./bm25.ts";
import { type AbbreviationGroups, expansionsFor, loadAbbreviations } from "./expand-query.ts";

export type PassageDocument = DocumentRef;

export interface PassageSentence {
  start: number;
  end: number;
  caption: boolean;
}

export interface RetrievedPassage {
  chunkId: string;
  /** fused score (RRF when dense search is on, BM25 otherwise); higher is better */
  score: number;
  bm25: number;
  ordinal: number;
  headingPath: string[];
  text: string;
  sentences: PassageSentence[];
  start: number;
  end: number;
  document: PassageDocument;
}

/** A question term with its weight (IDF × boost), for scoring sentences the same way as passages. */
export interface WeightedTerm {
  term: string;
  id: number;
  weight: number;
}

export interface Retrieval {
  question: string;
  /** the question after normalisation and abbreviation expansion */
  searched: string;
  terms: WeightedTerm[];
  passages: RetrievedPassage[];
}

export interface RetrieveOptions {
  k?: number;
  /** earlier question(s) of the conversation: searched too, at half weight */
  context?: string;
}

/** Weight of an expansion form ("Ủy ban nhân dân" for "UBND"): it helps recall without outvoting the question. */
const EXPANSION_BOOST = 0.5;
/** Weight of the previous question's terms when a follow-up is searched with its context. */
const CONTEXT_BOOST = 0.5;
/** Reciprocal rank fusion constant (Cormack et al.); rankings are fused by 1/(k + rank). */
const RRF_K = 60;

export interface RetrieverDeps {
  db: Queryable;
  embedder?: DenseEmbedder;
  abbreviations?: AbbreviationGroups;
}

export function createRetriever({ db, embedder, abbreviations = loadAbbreviations() }: RetrieverDeps) {
  async function weightTerms(
    question: string,
    context: string | undefined,
  ): Promise<{ searched: string; terms: WeightedTerm[] }> {
    const normalized = normalizeInline(question);
    const expansions = expansionsFor(normalized, abbreviations);
    const boosts = new Map<string, number>();
    // The question's own terms take its weight; context and expansions only add what it lacks.
    const add = (text: string, boost: number, own = false) => {
      for (const term of lexicalTerms(syllables(text))) {
        // Only single question words: pairs such as "không được" carry meaning in legal text.
        const b = isQuestionWord(term) ? boost * 0.2 : boost;
        boosts.set(term, own ? b : Math.max(boosts.get(term) ?? 0, b));
      }
    };
    if (context) {
      const previous = normalizeInline(context);
      add(previous, CONTEXT_BOOST);
      for (const form of expansionsFor(previous, abbreviations)) add(form, CONTEXT_BOOST * EXPANSION_BOOST);
    }
    for (const form of expansions) add(form, EXPANSION_BOOST);
    add(normalized, 1, true);
    const ids = [...boosts.keys()].map(termId);
    if (ids.length === 0) return { searched: normalized, terms: [] };
    const stats = await db.query<{ term: number; df: number; n: number }>(
      "SELECT t.term, t.df, s.chunk_count AS n FROM term_stats t, corpus_stats s WHERE t.term = ANY($1::int[])",
      [ids],
    );
    const df = new Map(stats.map((s) => [s.term, s]));
    const terms: WeightedTerm[] = [];
    for (const [term, boost] of boosts) {
      const id = termId(term);
      const s = df.get(id);
      if (!s) continue;
      terms.push({ term, id, weight: idf(s.df, s.n) * boost });
    }
    return {
      searched: [context ? normalizeInline(context) : "", normalized, ...expansions].join(" ").trim(),
      terms,
    };
  }

  async function lexical(terms: WeightedTerm[], k: number): Promise<{ id: string; score: number }[]> {
    const byId = new Map<number, number>();
    for (const t of terms) byId.set(t.id, (byId.get(t.id) ?? 0) + t.weight);
    const entries = [...byId.entries()].filter(([, w]) => w > 0).sort((a, b) => a[0] - b[0]);
    if (entries.length === 0) return [];
    const vector = `{${entries.map(([id, w]) => `${id}:${w}`).join(",")}}/${TERM_SPACE}`;
    // The inner product is computed once per passage and sorted on by its alias: written twice
    // (in SELECT and ORDER BY) it was computed twice, ~30 % of the query at 10k passages.
    const rows = await db.query<{ id: string; distance: number }>(
      `SELECT id, lexical <#> $1::sparsevec AS distance FROM chunks ORDER BY distance, id LIMIT $2`,
      [vector, k],
    );
    return rows.map((r) => ({ id: r.id, score: -Number(r.distance) })).filter((r) => r.score > 0);
  }

  async function dense(question: string, k: number): Promise<{ id: string; score: number }[]> {
    if (!embedder) return [];
    const vector = await embedder.embedQuery(question);
    const cast = denseCast(embedder.dimensions);
    // The embedder id is a literal (not a parameter) so the planner can use its partial HNSW index.
    const literal = `'${embedder.id.replace(/'/g, "''")}'`;
    const rows = await db.query<{ id: string; score: number }>(
      `SELECT chunk_id AS id, 1 - (embedding::${cast} <=> $1::${cast}) AS score FROM chunk_embeddings
        WHERE embedder_id = ${literal}
        ORDER BY embedding::${cast} <=> $1::${cast} LIMIT $2`,
      [`[${vector.join(",")}]`, k],
    );
    return rows.map((r) => ({ id: r.id, score: Number(r.score) }));
  }

  async function load(ids: string[]): Promise<Map<string, Omit<RetrievedPassage, "score" | "bm25">>> {
    if (ids.length === 0) return new Map();
    const rows = await db.query<{
      id: string;
      ordinal: number;
      heading_path: string[];
      text: string;
      sentences: PassageSentence[];
      start_offset: number;
      end_offset: number;
      document_id: number;
      path: string;
      title: string;
      url: string | null;
      publisher: string | null;
      published: string | null;
    }>(
      `SELECT c.id, c.ordinal, c.heading_path, c.text, c.sentences, c.start_offset, c.end_offset,
              d.id AS document_id, d.path, d.title, d.url, d.publisher, d.published::text AS published
         FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id = ANY($1::text[])`,
      [ids],
    );
    return new Map(
      rows.map((r) => [
        r.id,
        {
          chunkId: r.id,
          ordinal: r.ordinal,
          headingPath: r.heading_path,
          text: r.text,
          sentences: r.sentences,
          start: r.start_offset,
          end: r.end_offset,
          document: toDocumentRef(r),
        },
      ]),
    );
  }

  return {
    /** Passages for a question, best first, with the weighted question terms used to find them. */
    async retrieve(question: string, { k = 5, context }: RetrieveOptions = {}): Promise<Retrieval> {
      const { searched, terms } = await weightTerms(question, context);
      const depth = Math.max(k, embedder ? 50 : k);
      const [lex, den] = await Promise.all([lexical(terms, depth), dense(normalizeInline(question), depth)]);
      const bm25 = new Map(lex.map((h) => [h.id, h.score]));
      let ranked: { id: string; score: number }[];
      if (den.length === 0) ranked = lex;
      else {
        const fused = new Map<string, number>();
        for (const list of [lex, den]) {
          list.forEach((h, rank) => {
            fused.set(h.id, (fused.get(h.id) ?? 0) + 1 / (RRF_K + rank + 1));
          });
        }
        ranked = [...fused.entries()].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score);
      }
      ranked = ranked.slice(0, k);
      const passages = await load(ranked.map((r) => r.id));
      return {
        question,
        searched,
        terms,
        passages: ranked.flatMap((r) => {
          const p = passages.get(r.id);
          return p ? [{ ...p, score: r.score, bm25: bm25.get(r.id) ?? 0 }] : [];
        }),
      };
    },
  };
}

export type Retriever = ReturnType<typeof createRetriever>;
