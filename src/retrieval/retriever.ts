import type { PageSpan } from "../contract/chunk.ts";
import type { DocumentRef } from "../contract/document.ts";
import type { DenseEmbedder } from "../embeddings/types.ts";
import { createBatchCache } from "../store/batch-cache.ts";
import {
  type DocumentRow,
  denseCast,
  type PageColumns,
  pagesOf,
  toDocumentRef,
} from "../store/corpus-store.ts";
import type { Queryable } from "../store/database.ts";
import { idf, TERM_SPACE, termId } from "../text/bm25.ts";
import { normalizeInline } from "../text/normalize-vietnamese.ts";
import { isQuestionWord } from "../text/question-words.ts";
import { lexicalTerms, syllables } from "../text/tokenize.ts";
import { type AbbreviationGroups, expansionsFor, loadAbbreviations } from "./expand-query.ts";
import { fuse } from "./fusion.ts";
import type { LexicalIndex, LexicalIndexSource } from "./lexical-index.ts";
import { DEFAULT_RERANK, type RerankOptions, rerank } from "./rerank.ts";

export type PassageDocument = DocumentRef;

export interface PassageSentence {
  start: number;
  end: number;
  caption: boolean;
}

export interface RetrievedPassage {
  chunkId: string;
  /** fused score (RRF when dense search is on, the reranked BM25 otherwise); higher is better */
  score: number;
  bm25: number;
  ordinal: number;
  headingPath: string[];
  text: string;
  sentences: PassageSentence[];
  start: number;
  end: number;
  /** absent for formats without pages */
  pages?: PageSpan;
  document: PassageDocument;
}

/** A question term with its weight (IDF × boost), for scoring sentences the same way as passages. */
export interface WeightedTerm {
  term: string;
  id: number;
  weight: number;
  /** number of passages holding the term (its document frequency), when known */
  df?: number;
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

/** How lexical candidates are weighed and ordered; the defaults are what the app runs. */
export interface RankingOptions {
  /** weight of a question word ("gì", "bao nhiêu": src/text/question-words.ts) against a topic word */
  questionWordWeight: number;
  /** second stage over the top `rerankDepth` exact-BM25 candidates (rerank.ts); null: BM25 order */
  rerank: RerankOptions | null;
  rerankDepth: number;
  /**
   * Weights of the lexical and dense rankings in reciprocal rank fusion (fusion.ts), when a dense
   * embedder is configured. A weight of 0 leaves that ranking out (benchmarks compare each alone).
   */
  fusion: { lexical: number; dense: number };
}

/**
 * questionWordWeight 0.2 does not help on every set (bench/ablate-ranking.ts, MRR@10 with
 * 0.2 → with 1): ALQAC, article title line in the document title (the layout tuned on), 0.935 →
 * 0.924; ALQAC, one document per article titled "<law>, Điều <n>", 0.885 → 0.887; ViQuAD dev
 * paragraphs 0.911 → 0.914 (R@1 0.875 → 0.881). It fails the rule the other tuned parts pass
 * (help on every set, or be neutral on one), and is kept only because ALQAC may not fall in either
 * layout: without it the tuned layout loses two first places (R@1 0.90 → 0.88). 0.1-0.3 give the
 * same ALQAC figures; 0 and 0.5 lower the tuned layout (0.930).
 */
export const DEFAULT_RANKING: RankingOptions = {
  questionWordWeight: 0.2,
  rerank: DEFAULT_RERANK,
  rerankDepth: 50,
  fusion: { lexical: 1, dense: 1 },
};

/**
 * Lexical candidates: the question's rarest terms, rarest first, until their document frequencies
 * add up to this; the passages holding any of them are scored exactly (see migration 006). At
 * 100k passages it keeps ~99.7 % of the exact top 10 at a fifth of a full scan's time.
 */
export const CANDIDATE_DF_CAP = 5000;
/** Second pass (see lexical()): when the unselected terms weigh this many times the score at this rank… */
const ESCALATION_RATIO = 1.3;
const ESCALATION_RANK = 10;
/** …the candidates are taken again with a cap this many times larger. */
const ESCALATION_CAP_FACTOR = 4;

/** What the second stage reads of each lexical candidate, fetched with it (one round trip). */
interface CandidateRow {
  id: string;
  distance: number;
  document_id: number;
  heading_path: string[];
  title: string;
  length: number;
  avgdl: number | null;
}

interface LexicalHit {
  id: string;
  score: number;
  row: CandidateRow;
}

const toScored = (rows: CandidateRow[]): LexicalHit[] =>
  rows.map((r) => ({ id: r.id, score: -Number(r.distance), row: r })).filter((r) => r.score > 0);

/** The best candidates of `ranked` (a query yielding id and distance) with the rerank's fields. */
const withFields = (ranked: string) => `
  SELECT l.id, l.distance, c.document_id, c.heading_path, c.length, d.title,
         (SELECT avgdl_used FROM corpus_stats) AS avgdl
    FROM (${ranked}) l JOIN chunks c ON c.id = l.id JOIN documents d ON d.id = c.document_id
   ORDER BY l.distance, l.id`;

/** How a passage of a document not in force ranks: as if it scored this share of its score. */
export const NOT_IN_FORCE_WEIGHT = 0.5;
/** Candidates looked at (k × this) for passages in force to take the place of ones not in force. */
const VERSION_DEPTH = 3;

export interface RetrieverDeps {
  db: Queryable;
  embedder?: DenseEmbedder;
  abbreviations?: AbbreviationGroups;
  /** for benchmarks and tests; the app uses DEFAULT_RANKING */
  ranking?: Partial<RankingOptions>;
  /** CANDIDATE_DF_CAP by default; 0 scores every passage (exact BM25, for benchmarks) */
  candidateCap?: number;
  /**
   * The in-process copy of the BM25 index (lexical-index.ts): used whenever it matches the store's
   * revision; the database is searched otherwise (and without it).
   */
  lexicalIndex?: LexicalIndexSource;
  /**
   * Passages kept in memory between questions (by id, for the corpus version named), so that a
   * question whose passages were loaded before costs no query: under load the query, not the
   * scoring, was the largest cost of a distinct question (npm run bench:load -- --cpu-prof).
   */
  passageCache?: { size: number; corpusVersion: () => Promise<string> };
}

/**
 * The term ids that select lexical candidates, or undefined when every passage should be scored.
 * When all the question's terms fit under the cap, the candidates are exactly the passages with a
 * positive score; otherwise the rarest are taken until the cap. A corpus no larger than the cap
 * is always scanned whole: as cheap, and exact.
 */
export function rareTerms(
  terms: readonly WeightedTerm[],
  cap: number,
  passages: number,
): number[] | undefined {
  if (passages <= cap) return undefined;
  const df = new Map<number, number>();
  for (const t of terms) if (t.weight > 0 && t.df !== undefined) df.set(t.id, t.df);
  const sorted = [...df.entries()].sort((a, b) => a[1] - b[1] || a[0] - b[0]);
  const picked: number[] = [];
  let sum = 0;
  for (const [id, n] of sorted) {
    if (picked.length > 0 && sum + n > cap) break;
    picked.push(id);
    sum += n;
  }
  return picked.length > 0 ? picked : undefined;
}

export function createRetriever({
  db,
  embedder,
  abbreviations = loadAbbreviations(),
  ranking: rankingOverrides,
  candidateCap: defaultCap = CANDIDATE_DF_CAP,
  lexicalIndex,
  passageCache,
}: RetrieverDeps) {
  const ranking: RankingOptions = { ...DEFAULT_RANKING, ...rankingOverrides };

  /** Document frequencies of term ids and the passage count, from the index or term_stats. */
  async function termStats(
    ids: number[],
    index: LexicalIndex | undefined,
  ): Promise<{ df: Map<number, number>; n: number }> {
    if (index) {
      const df = new Map<number, number>();
      for (const id of ids) {
        const d = index.df(id);
        if (d !== undefined) df.set(id, d);
      }
      return { df, n: index.passages };
    }
    const stats = await db.query<{ term: number; df: number; n: number }>(
      "SELECT t.term, t.df, s.chunk_count AS n FROM term_stats t, corpus_stats s WHERE t.term = ANY($1::int[])",
      [ids],
    );
    return { df: new Map(stats.map((s) => [s.term, s.df])), n: stats[0]?.n ?? 0 };
  }

  async function weightTerms(
    question: string,
    context: string | undefined,
    index: LexicalIndex | undefined,
  ): Promise<{ searched: string; terms: WeightedTerm[]; passages: number }> {
    const normalized = normalizeInline(question);
    const expansions = expansionsFor(normalized, abbreviations);
    const boosts = new Map<string, number>();
    // The question's own terms take its weight; context and expansions only add what it lacks.
    const add = (text: string, boost: number, own = false) => {
      for (const term of lexicalTerms(syllables(text))) {
        // Only single question words: pairs such as "không được" carry meaning in legal text.
        const b = isQuestionWord(term) ? boost * ranking.questionWordWeight : boost;
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
    if (ids.length === 0) return { searched: normalized, terms: [], passages: 0 };
    const { df, n } = await termStats(ids, index);
    const terms: WeightedTerm[] = [];
    for (const [term, boost] of boosts) {
      const id = termId(term);
      const d = df.get(id);
      if (d === undefined) continue;
      terms.push({ term, id, weight: idf(d, n) * boost, df: d });
    }
    return {
      passages: df.size > 0 ? n : 0,
      searched: [context ? normalizeInline(context) : "", normalized, ...expansions].join(" ").trim(),
      terms,
    };
  }

  async function lexical(
    terms: WeightedTerm[],
    passages: number,
    k: number,
    index: LexicalIndex | undefined,
    candidateCap = defaultCap,
  ): Promise<LexicalHit[]> {
    const byId = new Map<number, number>();
    for (const t of terms) byId.set(t.id, (byId.get(t.id) ?? 0) + t.weight);
    const entries = [...byId.entries()].filter(([, w]) => w > 0).sort((a, b) => a[0] - b[0]);
    if (entries.length === 0) return [];
    if (index) {
      // Exact BM25 over every passage, in this process; the rerank's fields come with the hits.
      return index.search(new Map(entries), k).map(({ passage: p, score }) => ({
        id: p.id,
        score,
        row: {
          id: p.id,
          distance: -score,
          document_id: p.documentId,
          heading_path: p.headingPath,
          title: p.title,
          length: p.length,
          avgdl: index.avgdlUsed,
        },
      }));
    }
    const vector = `{${entries.map(([id, w]) => `${id}:${w}`).join(",")}}/${TERM_SPACE}`;
    const cap = Math.max(candidateCap, 0);
    const rare = cap > 0 ? rareTerms(terms, cap, passages) : undefined;
    if (!rare) {
      // Every passage scored. The inner product is computed once per passage and sorted on by its
      // alias: written twice (SELECT and ORDER BY) it was computed twice.
      const rows = await db.query<CandidateRow>(
        withFields(
          "SELECT id, lexical <#> $1::sparsevec AS distance FROM chunks ORDER BY distance, id LIMIT $2",
        ),
        [vector, k],
      );
      return toScored(rows);
    }
    // Candidates through the GIN index on the rarest terms, scored exactly.
    const candidates = async (ids: number[]) =>
      toScored(
        await db.query<CandidateRow>(
          withFields("SELECT id, distance FROM lexical_candidates($1::sparsevec, $2::int[], $3)"),
          [vector, ids, k],
        ),
      );
    const found = await candidates(rare);
    // A passage holding none of the selected terms scores from the other terms only, about their
    // weight each. When those weigh well above the 10th candidate's score, such passages may
    // belong in the top 10: search once more with a larger share of the question (measured on
    // ALQAC at 100k passages: 4 % of questions, most of the slots the first pass missed).
    const selected = new Set(rare);
    const rest = entries.reduce((sum, [id, w]) => sum + (selected.has(id) ? 0 : w), 0);
    const threshold = found[Math.min(ESCALATION_RANK, k) - 1]?.score ?? 0;
    if (rest > ESCALATION_RATIO * threshold) {
      const wider = rareTerms(terms, cap * ESCALATION_CAP_FACTOR, passages);
      if (!wider) return lexical(terms, passages, k, undefined, 0);
      if (wider.length > rare.length) return candidates(wider);
    }
    return found;
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

  /**
   * The rerank's second stage over the lexical candidates: what it needs of them (title,
   * headings, folded text, BM25 length) in one query, then rerank.ts in JavaScript.
   */
  async function reranked(
    terms: WeightedTerm[],
    lex: LexicalHit[],
  ): Promise<{ id: string; score: number }[]> {
    if (!ranking.rerank || lex.length < 2) return lex;
    if (ranking.rerank.titleWeight === 1) {
      // Everything the rerank needs came with the candidates.
      const candidates = lex.map((h) => ({
        id: h.id,
        bm25: h.score,
        title: h.row.title,
        headingPath: h.row.heading_path,
        folded: "",
        length: h.row.length,
        documentId: h.row.document_id,
      }));
      const avgdl =
        Number(lex[0]?.row.avgdl) || candidates.reduce((n, c) => n + c.length, 0) / candidates.length;
      return rerank(terms, candidates, avgdl, ranking.rerank);
    }
    const rows = await db.query<{
      id: string;
      document_id: number;
      heading_path: string[];
      title: string;
      folded: string;
      length: number;
      avgdl: number | null;
    }>(
      // BM25F reads the folded text too (out of line, about half the statement's cost).
      `SELECT c.id, c.document_id, c.heading_path, d.title, c.folded,
              c.length, (SELECT avgdl_used FROM corpus_stats) AS avgdl
         FROM chunks c JOIN documents d ON d.id = c.document_id
        WHERE c.id = ANY($1::text[])`,
      [lex.map((h) => h.id)],
    );
    const fields = new Map(rows.map((r) => [r.id, r]));
    const candidates = lex.flatMap((h) => {
      const r = fields.get(h.id);
      return r
        ? [
            {
              id: h.id,
              bm25: h.score,
              title: r.title,
              headingPath: r.heading_path,
              folded: r.folded,
              length: r.length,
              documentId: r.document_id,
            },
          ]
        : [];
    });
    const avgdl = Number(rows[0]?.avgdl) || candidates.reduce((n, c) => n + c.length, 0) / candidates.length;
    return rerank(terms, candidates, avgdl, ranking.rerank);
  }

  type LoadedPassage = Omit<RetrievedPassage, "score" | "bm25">;
  const cached =
    passageCache && passageCache.size > 0
      ? createBatchCache<LoadedPassage>(passageCache.size, passageCache.corpusVersion, (ids) =>
          loadStored(ids),
        )
      : undefined;
  const load = (ids: string[]): Promise<Map<string, LoadedPassage>> =>
    ids.length === 0 ? Promise.resolve(new Map()) : cached ? cached.getMany(ids) : loadStored(ids);

  async function loadStored(ids: string[]): Promise<Map<string, LoadedPassage>> {
    const rows = await db.query<
      {
        id: string;
        ordinal: number;
        heading_path: string[];
        text: string;
        sentences: PassageSentence[];
        start_offset: number;
        end_offset: number;
      } & PageColumns &
        DocumentRow
    >(
      `SELECT c.id, c.ordinal, c.heading_path, c.text, c.sentences, c.start_offset, c.end_offset, c.page_start,
              c.page_end, d.id AS document_id, d.path, d.title, d.url, d.publisher,
              d.published::text AS published, d.scanned, d.effective::text AS effective, v.in_force,
              v.superseded_by, v.superseded_from::text AS superseded_from
         FROM chunks c JOIN documents d ON d.id = c.document_id JOIN document_versions v ON v.id = d.id
        WHERE c.id = ANY($1::text[])`,
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
          ...pagesOf(r),
          document: toDocumentRef(r),
        },
      ]),
    );
  }

  /**
   * The top `k`, passages of documents in force first: a passage of a superseded document (or of
   * one whose `effective` day is still to come, migration 016) ranks as if it scored
   * NOT_IN_FORCE_WEIGHT of its score, so the version in force wins when both say much the same,
   * and the old one still answers what only it covers. Only when such a passage is in the top
   * `k` are the next candidates loaded to take its place; a corpus without versions pays nothing.
   * The scores returned are the weighted ones, and so is such a passage's `bm25`, so that both
   * stay in the order of the passages (the answerer reads the first passage as the best and
   * compares the others' BM25 with it).
   */
  async function inForceFirst(
    ranked: { id: string; score: number }[],
    k: number,
    passages: Map<string, Omit<RetrievedPassage, "score" | "bm25">>,
  ): Promise<{ id: string; score: number }[]> {
    const top = ranked.slice(0, k);
    if (!top.some((r) => passages.get(r.id)?.document.inForce === false)) return top;
    const more = ranked.slice(k, VERSION_DEPTH * k);
    for (const [id, passage] of await load(more.map((r) => r.id))) passages.set(id, passage);
    const weight = ({ id, score }: { id: string; score: number }) =>
      passages.get(id)?.document.inForce !== false
        ? score
        : score >= 0
          ? score * NOT_IN_FORCE_WEIGHT
          : score / NOT_IN_FORCE_WEIGHT;
    return [...top, ...more]
      .map((r) => ({ id: r.id, score: weight(r) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, k);
  }

  return {
    /** Passages for a question, best first, with the weighted question terms used to find them. */
    async retrieve(question: string, { k = 5, context }: RetrieveOptions = {}): Promise<Retrieval> {
      const withDense = embedder !== undefined && ranking.fusion.dense > 0;
      const withLexical = !withDense || ranking.fusion.lexical > 0;
      const index = withLexical ? await lexicalIndex?.current() : undefined;
      const { searched, terms, passages: corpusSize } = await weightTerms(question, context, index);
      const depth = Math.max(k, embedder ? 50 : k, ranking.rerank ? ranking.rerankDepth : k);
      const [candidates, den] = await Promise.all([
        withLexical ? lexical(terms, corpusSize, depth, index) : [],
        withDense ? dense(normalizeInline(question), depth) : [],
      ]);
      const bm25 = new Map(candidates.map((h) => [h.id, h.score]));
      const lex = await reranked(terms, candidates);
      let ranked: { id: string; score: number }[];
      if (den.length === 0) ranked = lex;
      else if (!withLexical) ranked = den;
      else
        ranked = fuse([
          { list: lex, weight: ranking.fusion.lexical },
          { list: den, weight: ranking.fusion.dense },
        ]);
      const passages = await load(ranked.slice(0, k).map((r) => r.id));
      ranked = await inForceFirst(ranked, k, passages);
      const found = ranked.flatMap((r) => {
        const p = passages.get(r.id);
        if (!p) return [];
        const raw = bm25.get(r.id) ?? 0;
        // Weighted as its rank was (inForceFirst), so the answerer's features agree with the order.
        return [
          { ...p, score: r.score, bm25: p.document.inForce === false ? raw * NOT_IN_FORCE_WEIGHT : raw },
        ];
      });
      return { question, searched, terms, passages: withoutRestatedVersions(found) };
    },
  };
}

export type Retriever = ReturnType<typeof createRetriever>;

/** Share of the shorter sentence's syllables the two share, past which one restates the other. */
const RESTATED_OVERLAP = 0.7;

/**
 * The passages, with each sentence of a document not in force that a passage in force among them
 * restates (the same sentence, perhaps with another figure: "8 tuyến" in the superseded plan,
 * "12 tuyến" in the one in force) marked as not to be quoted (`caption`: searchable, never quoted
 * as a fact). Versions of a document repeat most of their sentences; without this the answer
 * could quote the old figure next to, or before, the one in force. A sentence only the old
 * version has stays quotable, and the answer then says the document was superseded.
 */
export function withoutRestatedVersions<T extends Pick<RetrievedPassage, "text" | "sentences" | "document">>(
  passages: T[],
): T[] {
  if (!passages.some((p) => p.document.inForce === false)) return passages;
  const sentenceSets = (p: T) => p.sentences.map((s) => new Set(syllables(p.text.slice(s.start, s.end))));
  const inForce = passages.filter((p) => p.document.inForce !== false).flatMap(sentenceSets);
  const restated = (words: Set<string>) =>
    words.size > 0 &&
    inForce.some((other) => {
      let shared = 0;
      for (const w of words) if (other.has(w)) shared++;
      return shared / Math.min(words.size, other.size) >= RESTATED_OVERLAP;
    });
  return passages.map((p) => {
    if (p.document.inForce !== false) return p;
    const sets = sentenceSets(p);
    if (!sets.some(restated)) return p;
    return {
      ...p,
      sentences: p.sentences.map((s, i) => (restated(sets[i] as Set<string>) ? { ...s, caption: true } : s)),
    };
  });
}
