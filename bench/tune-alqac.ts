import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadAbbreviations } from "../src/retrieval/expand-query.ts";
import { coverage, DEFAULT_RERANK, type RerankOptions, rerank } from "../src/retrieval/rerank.ts";
import {
  createRetriever,
  DEFAULT_RANKING,
  type RetrieverDeps,
  type WeightedTerm,
} from "../src/retrieval/retriever.ts";
import { searchableText } from "../src/store/corpus-store.ts";
import { BM25_B, BM25_K1, idf, TERM_SPACE, termId } from "../src/text/bm25.ts";
import { lexicalTerms, syllables } from "../src/text/tokenize.ts";
import { readAlqacLaws } from "./alqac.ts";
import { alqacDocs, DEFAULT_ALQAC_DIR, readAlqacQueries } from "./bench-alqac.ts";
import { foldQuery } from "./bench-set.ts";
import {
  buildMemoryCorpus,
  type MemoryCorpus,
  type MemoryPassage,
  memoryLexical,
  memoryQueryable,
} from "./memory-store.ts";
import { computeMetrics, firstRelevantRank } from "./metrics.ts";
import type { BenchQuery, Metrics } from "./types.ts";

/**
 * Offline tuning harness for ranking on ALQAC 2023: the real retriever over an in-memory copy of
 * the store (memory-store.ts), so a variant is measured in milliseconds instead of an ingest. Every
 * design is scored on questions 1-50 (the tuning half: DS-*, true/false statements), 51-100 (held
 * out: TN-*, TL-*, questions) and all 100, as typed and without diacritics.
 *
 * Tuning rule: each design's parameter is swept on questions 1-50; the value kept maximises
 * MRR@10 there (typed and folded averaged, then R@5); when a band of values ties, the middle of the
 * band (as the refusal threshold was calibrated); the rerank's two weights together on a grid, the
 * tied point nearest the centre of the best region. A design is kept only if it beats, on questions
 * 1-50, what it is added to. Within the latency budget (designs that read no passage text) the app's
 * rerank is found by forward selection: the coverage bonus, then round by round the design that
 * gains most on questions 1-50. Questions 51-100 are printed too (they were seen while developing:
 * a check, not a pristine held-out set). The database run (`npm run bench:alqac`) is the judge.
 *
 *   npx tsx bench/tune-alqac.ts [--alqac DIR] [--sweeps] [--misses]
 */

export interface Split {
  name: string;
  typed: Metrics;
  folded: Metrics;
}

export interface TuneContext {
  corpus: MemoryCorpus;
  queries: BenchQuery[];
}

export async function loadTuneContext(alqacDir = DEFAULT_ALQAC_DIR): Promise<TuneContext> {
  const laws = await readAlqacLaws(join(alqacDir, "law.json"));
  const queries = await readAlqacQueries(join(alqacDir, "train.json"));
  return { corpus: await buildMemoryCorpus(alqacDocs(laws)), queries };
}

export interface QueryRank {
  id: string;
  q: string;
  rank: number | null;
  docs: (string | undefined)[];
}

/** Every question through the real retriever (createRetriever) over the memory store. */
export async function rankAll(
  ctx: TuneContext,
  deps: Omit<RetrieverDeps, "db"> = {},
  fold = false,
  k = 10,
): Promise<QueryRank[]> {
  const retriever = createRetriever({
    db: memoryQueryable(ctx.corpus),
    abbreviations: deps.abbreviations ?? loadAbbreviations(),
    ...deps,
  });
  const out: QueryRank[] = [];
  for (const query of ctx.queries) {
    const q = fold ? foldQuery(query.q) : query.q;
    const { passages } = await retriever.retrieve(q, { k });
    const docs = passages.map((p) => ctx.corpus.pathToId.get(p.document.path));
    out.push({ id: query.id, q, rank: firstRelevantRank(docs, query.relevant), docs });
  }
  return out;
}

/** Questions 1-50, 51-100 and all, as typed and folded. */
export function splits(typed: QueryRank[], folded: QueryRank[]): Split[] {
  const half = Math.ceil(typed.length / 2);
  const part = (name: string, from: number, to: number): Split => ({
    name,
    typed: computeMetrics(typed.slice(from, to).map((r) => r.rank)),
    folded: computeMetrics(folded.slice(from, to).map((r) => r.rank)),
  });
  return [
    part(`q1-${half}`, 0, half),
    part(`q${half + 1}-${typed.length}`, half, typed.length),
    part("all", 0, typed.length),
  ];
}

export const fmt = (m: Metrics) => `${m.mrr10.toFixed(3)}/${m.r5.toFixed(2)}`;

export function splitLine(name: string, s: Split[]): string {
  return `${name.padEnd(44)} ${s.map((x) => `${x.name} ${fmt(x.typed)} ${fmt(x.folded)}`).join(" | ")}`;
}

// ---------------------------------------------------------------------------------------------
// Designs: each orders the passages of a question from its weighted terms, over the memory store.

interface Candidate {
  p: MemoryPassage;
  bm25: number;
}

/** A question as typed or folded, with its weighted terms for each question-word weight tried. */
interface Query {
  id: string;
  relevant: string[];
  terms: Map<number, WeightedTerm[]>;
}

type Design = (q: Query) => MemoryPassage[];

interface Family {
  name: string;
  values: number[];
  design: (v: number) => Design;
  /** needs the candidates' passage text (out of line in the store): over the latency budget */
  readsText?: boolean;
}

const DEPTH = DEFAULT_RANKING.rerankDepth;
const QUESTION_WORD_WEIGHTS = [0, 0.1, 0.2, 0.3, 0.5, 1];
const TITLE_WEIGHTS = [1, 1.5, 2, 2.5, 3, 3.5, 4, 5, 6, 7, 8, 10, 12, 15];
const FIELD_WEIGHTS = Array.from({ length: 33 }, (_, i) => i / 20);

function toLiteral(terms: readonly WeightedTerm[]): string {
  const byId = new Map<number, number>();
  for (const t of terms) byId.set(t.id, (byId.get(t.id) ?? 0) + t.weight);
  const entries = [...byId.entries()].filter(([, w]) => w > 0).sort((a, b) => a[0] - b[0]);
  return `{${entries.map(([id, w]) => `${id}:${w}`).join(",")}}/${TERM_SPACE}`;
}

/** Per-passage term frequencies of what BM25 indexes (title + headings + text), computed once. */
const tfCache = new WeakMap<MemoryPassage, Map<string, number>>();
function termFrequencies(p: MemoryPassage): Map<string, number> {
  let tf = tfCache.get(p);
  if (!tf) {
    tf = new Map();
    for (const t of lexicalTerms(syllables(searchableText(p, p.title)))) tf.set(t, (tf.get(t) ?? 0) + 1);
    tfCache.set(p, tf);
  }
  return tf;
}

function createDesigns(ctx: TuneContext) {
  const { corpus } = ctx;
  const n = corpus.passages.length;
  const termsOf = (q: Query, qw = DEFAULT_RANKING.questionWordWeight) => q.terms.get(qw) as WeightedTerm[];
  // Designs that share a question's terms share its candidates (the top 50 of exact BM25).
  const cache = new Map<string, Candidate[]>();
  const candidates = (terms: readonly WeightedTerm[]): Candidate[] => {
    const literal = toLiteral(terms);
    let cs = cache.get(literal);
    if (!cs) {
      cs = memoryLexical(corpus, literal, DEPTH).map((r) => ({
        p: corpus.byId.get(r.id) as MemoryPassage,
        bm25: -r.distance,
      }));
      cache.set(literal, cs);
    }
    return cs;
  };
  const order = (cs: Candidate[], score: (c: Candidate) => number) =>
    cs
      .map((c, i) => ({ c, i, s: score(c) }))
      .sort((a, b) => b.s - a.s || a.i - b.i)
      .map((x) => x.c.p);
  /** The app's rerank (rerank.ts) over the candidates: passage → score. */
  const reranked = (terms: WeightedTerm[], cs: Candidate[], options: RerankOptions) => {
    const byId = new Map(cs.map((c) => [c.p.id, c]));
    const out = new Map<MemoryPassage, number>();
    const ranked = rerank(
      terms,
      cs.map((c) => ({
        id: c.p.id,
        bm25: c.bm25,
        title: c.p.title,
        headingPath: c.p.headingPath,
        folded: c.p.folded,
        documentId: c.p.documentId,
        length: c.p.length,
      })),
      corpus.avgdlUsed,
      options,
    );
    for (const r of ranked) out.set((byId.get(r.id) as Candidate).p, r.score);
    return out;
  };
  /** BM25 recomputed on the candidates with other k1 / b, or other query weights. */
  const rescore = (terms: readonly WeightedTerm[], c: Candidate, k1 = BM25_K1, b = BM25_B) => {
    const tf = termFrequencies(c.p);
    const norm = 1 - b + (b * c.p.length) / corpus.avgdlUsed;
    let s = 0;
    for (const t of terms) {
      const f = (tf.get(t.term) ?? 0) / norm;
      if (f > 0) s += (t.weight * f * (k1 + 1)) / (k1 + f);
    }
    return s;
  };
  /** Additive second-stage features, on top of a base score normalised by the best candidate. */
  const bestSentence = (terms: WeightedTerm[], c: Candidate) => {
    let top = 0;
    for (const s of c.p.sentences) top = Math.max(top, coverage(terms, c.p.text.slice(s.start, s.end)));
    return top;
  };
  const documentSum = (cs: Candidate[]) => {
    const sum = new Map<number, number>();
    for (const c of cs) sum.set(c.p.documentId, (sum.get(c.p.documentId) ?? 0) + c.bm25);
    return (c: Candidate) => (sum.get(c.p.documentId) ?? 0) - c.bm25;
  };
  const documentMax = (cs: Candidate[]) => {
    const max = new Map<number, number>();
    for (const c of cs) max.set(c.p.documentId, Math.max(max.get(c.p.documentId) ?? 0, c.bm25));
    return (c: Candidate) => max.get(c.p.documentId) ?? 0;
  };
  /** Each further passage of a document already placed (by `base`) loses w × its count. */
  const repeatPenalty = (cs: Candidate[], base: (c: Candidate) => number, w: number) => {
    const seen = new Map<number, number>();
    const penalty = new Map<MemoryPassage, number>();
    for (const p of order(cs, base)) {
      const before = seen.get(p.documentId) ?? 0;
      seen.set(p.documentId, before + 1);
      penalty.set(p, before * w);
    }
    return (c: Candidate) => base(c) - (penalty.get(c.p) ?? 0);
  };
  /** RM-style expansion: the top 5 candidates' terms (tf/length × IDF), 30 of them, mass v. */
  const feedback = (terms: WeightedTerm[], cs: Candidate[], v: number): WeightedTerm[] => {
    if (v === 0 || cs.length === 0) return terms;
    const own = new Set(terms.map((t) => t.term));
    const weights = new Map<string, number>();
    const top = cs.slice(0, 5);
    const best = (top[0] as Candidate).bm25;
    for (const c of top) {
      for (const [t, tf] of termFrequencies(c.p)) {
        if (own.has(t)) continue;
        const df = corpus.df.get(termId(t)) ?? 1;
        weights.set(t, (weights.get(t) ?? 0) + (tf / c.p.length) * (c.bm25 / best) * idf(df, n));
      }
    }
    const expansion = [...weights.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30);
    const total = expansion.reduce((s, [, w]) => s + w, 0) || 1;
    const mass = terms.reduce((s, t) => s + t.weight, 0);
    return [
      ...terms,
      ...expansion.map(([term, w]) => ({ term, id: termId(term), weight: (v * mass * w) / total })),
    ];
  };

  /** Base scores: exact BM25 / best, or the app's rerank with `options`. */
  const baseScore = (q: Query, cs: Candidate[], options: RerankOptions | null, qw?: number) => {
    if (!options) {
      const best = cs[0]?.bm25 || 1;
      return (c: Candidate) => c.bm25 / best;
    }
    const scores = reranked(termsOf(q, qw), cs, options);
    return (c: Candidate) => scores.get(c.p) ?? 0;
  };

  /** Every design family, applied on top of `base` (null: exact BM25; else the app's rerank). */
  function families(base: RerankOptions | null): Family[] {
    const on = (q: Query, qw?: number) => {
      const cs = candidates(termsOf(q, qw));
      return { cs, base: baseScore(q, cs, base, qw) };
    };
    const list: Family[] = [
      {
        name: "question-word weight (query side; today 0.2)",
        values: QUESTION_WORD_WEIGHTS,
        design: (v) => (q) => {
          const { cs, base: score } = on(q, v);
          return order(cs, score);
        },
      },
      {
        name: "question bigram weight (query side; today 1)",
        values: [0, 0.5, 0.75, 1, 1.5, 2, 3],
        design: (v) => (q) => {
          const terms = termsOf(q).map((t) => (t.term.includes(" ") ? { ...t, weight: t.weight * v } : t));
          const cs = candidates(terms);
          const score = baseScore(
            { ...q, terms: new Map([[DEFAULT_RANKING.questionWordWeight, terms]]) },
            cs,
            base,
          );
          return order(cs, score);
        },
      },
      {
        name: "sentence pass: + w × best sentence's coverage",
        values: [0, 0.05, 0.1, 0.2, 0.3, 0.5],
        readsText: true,
        design: (v) => (q) => {
          const { cs, base: score } = on(q);
          return order(cs, (c) => score(c) + v * bestSentence(termsOf(q), c));
        },
      },
      {
        name: "document blend: + w × other candidate passages' BM25",
        values: [0, 0.01, 0.02, 0.05, 0.1, 0.2],
        design: (v) => (q) => {
          const { cs, base: score } = on(q);
          const others = documentSum(cs);
          const best = cs[0]?.bm25 || 1;
          return order(cs, (c) => score(c) + (v * others(c)) / best);
        },
      },
      {
        name: "document blend: + w × document's best BM25",
        values: [0, 0.1, 0.2, 0.5, 1],
        design: (v) => (q) => {
          const { cs, base: score } = on(q);
          const max = documentMax(cs);
          const best = cs[0]?.bm25 || 1;
          return order(cs, (c) => score(c) + (v * max(c)) / best);
        },
      },
      {
        name: "repeat penalty: − w per passage of a document above",
        values: [0, 0.02, 0.05, 0.1, 0.2],
        design: (v) => (q) => {
          const { cs, base: score } = on(q);
          return order(cs, repeatPenalty(cs, score, v));
        },
      },
    ];
    if (base) return list;
    // Alternatives to the rerank's own terms, measured on exact BM25 only.
    return [
      ...list,
      {
        name: "BM25 k1 recomputed on the top 50 (today 1.2)",
        values: [0.6, 0.9, 1.2, 1.5, 2, 3],
        readsText: true,
        design: (v) => (q) => order(candidates(termsOf(q)), (c) => rescore(termsOf(q), c, v)),
      },
      {
        name: "BM25 b recomputed on the top 50 (today 0.75)",
        values: [0.3, 0.5, 0.6, 0.75, 0.9, 1],
        readsText: true,
        design: (v) => (q) => order(candidates(termsOf(q)), (c) => rescore(termsOf(q), c, BM25_K1, v)),
      },
      {
        name: "pseudo-relevance feedback (top 5, 30 terms), mass w",
        values: [0, 0.05, 0.1, 0.2, 0.3, 0.5],
        readsText: true,
        design: (v) => (q) => {
          const cs = candidates(termsOf(q));
          const expanded = feedback(termsOf(q), cs, v);
          return order(cs, (c) => rescore(expanded, c));
        },
      },
      {
        name: "BM25F: title + headings weight (rerank titleWeight)",
        values: TITLE_WEIGHTS,
        readsText: true,
        design: (v) => (q) => {
          const cs = candidates(termsOf(q));
          return order(cs, baseScore(q, cs, { titleWeight: v, fieldWeight: 0 }));
        },
      },
      {
        name: "title + headings coverage (rerank fieldWeight)",
        values: FIELD_WEIGHTS,
        design: (v) => (q) => {
          const cs = candidates(termsOf(q));
          return order(cs, baseScore(q, cs, { titleWeight: 1, fieldWeight: v }));
        },
      },
    ];
  }
  const rerankDesign =
    (options: RerankOptions | null): Design =>
    (q) => {
      const cs = candidates(termsOf(q));
      return order(cs, baseScore(q, cs, options));
    };
  return { families, rerankDesign };
}

interface Scored {
  typed: (number | null)[];
  folded: (number | null)[];
}

function score(queries: { typed: Query; folded: Query }[], design: Design): Scored {
  const rank = (q: Query) =>
    firstRelevantRank(
      design(q)
        .slice(0, 10)
        .map((p) => p.benchId),
      q.relevant,
    );
  return { typed: queries.map((q) => rank(q.typed)), folded: queries.map((q) => rank(q.folded)) };
}

/** The tuning half's metrics: every question scored is in it. */
function whole(s: Scored): Split {
  return { name: "tuning", typed: computeMetrics(s.typed), folded: computeMetrics(s.folded) };
}

function toSplits(s: Scored): Split[] {
  const half = Math.ceil(s.typed.length / 2);
  const part = (name: string, from: number, to: number): Split => ({
    name,
    typed: computeMetrics(s.typed.slice(from, to)),
    folded: computeMetrics(s.folded.slice(from, to)),
  });
  return [
    part(`q1-${half}`, 0, half),
    part(`q${half + 1}-${s.typed.length}`, half, s.typed.length),
    part("all", 0, s.typed.length),
  ];
}

/** MRR@10 then R@5 on the tuning half, typed and folded averaged. */
function objective(s: Split): [number, number] {
  return [(s.typed.mrr10 + s.folded.mrr10) / 2, (s.typed.r5 + s.folded.r5) / 2];
}

const compare = (a: [number, number], b: [number, number]) => {
  const d = a[0] - b[0] || a[1] - b[1];
  return Math.abs(d) <= 1e-9 ? 0 : d;
};

/**
 * The tuning rule on questions 1-50: the best objective; when consecutive values tie, the middle
 * of the longest tied run.
 */
export function pick(tuning: Split[]): number {
  const keys = tuning.map(objective);
  let best = keys[0] as [number, number];
  for (const k of keys) if (compare(k, best) > 0) best = k;
  let run: number[] = [];
  let longest: number[] = [];
  keys.forEach((k, i) => {
    if (compare(k, best) === 0) run.push(i);
    else run = [];
    if (run.length > longest.length) longest = [...run];
  });
  return longest[Math.floor((longest.length - 1) / 2)] as number;
}

/** 2-D: of the grid points that reach the best objective, the one nearest their centroid. */
export function pick2d(tuning: Split[][]): [number, number] {
  const keys = tuning.map((row) => row.map(objective));
  let best = keys[0]?.[0] as [number, number];
  for (const row of keys) for (const k of row) if (compare(k, best) > 0) best = k;
  const tied: [number, number][] = [];
  keys.forEach((row, i) => {
    row.forEach((k, j) => {
      if (compare(k, best) === 0) tied.push([i, j]);
    });
  });
  const ci = tied.reduce((s, [i]) => s + i, 0) / tied.length;
  const cj = tied.reduce((s, [, j]) => s + j, 0) / tied.length;
  return tied.reduce((a, b) =>
    (b[0] - ci) ** 2 + (b[1] - cj) ** 2 < (a[0] - ci) ** 2 + (a[1] - cj) ** 2 ? b : a,
  );
}

const cells = (s: Split[]) => s.flatMap((x) => [fmt(x.typed), fmt(x.folded)]);
const row = (name: string, value: string, s: Split[], note = "") =>
  `| ${name} | ${value} | ${cells(s).join(" | ")} | ${note} |`;
const HEADER =
  "| design | value | q1-50 typed | q1-50 folded | q51-100 typed | q51-100 folded | all typed | all folded | |\n" +
  "|---|---|---|---|---|---|---|---|---|";

async function main() {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      alqac: { type: "string" },
      sweeps: { type: "boolean", default: false },
      misses: { type: "boolean", default: false },
    },
  });
  const t = performance.now();
  const ctx = await loadTuneContext(resolve(values.alqac ?? DEFAULT_ALQAC_DIR));
  process.stderr.write(
    `ALQAC in memory: ${ctx.corpus.passages.length} passages, avgdl ${ctx.corpus.avgdlUsed.toFixed(1)}, ` +
      `built in ${Math.round(performance.now() - t)} ms\n`,
  );
  const out = (line = "") => process.stdout.write(`${line}\n`);

  // The real retriever end to end: exact BM25 and the app's defaults.
  const exact = { ranking: { rerank: null } };
  const typed = await rankAll(ctx, exact);
  const folded = await rankAll(ctx, exact, true);
  const tuned = await rankAll(ctx);
  const tunedFolded = await rankAll(ctx, {}, true);
  out("The retriever (createRetriever over the memory store), MRR@10/R@5 as typed and folded:");
  out(splitLine("exact BM25 (rerank off)", splits(typed, folded)));
  out(splitLine(`defaults (rerank ${JSON.stringify(DEFAULT_RERANK)})`, splits(tuned, tunedFolded)));
  out();

  // Weighted terms of every question, for each question-word weight.
  const queries: { typed: Query; folded: Query }[] = ctx.queries.map((q) => ({
    typed: { id: q.id, relevant: q.relevant, terms: new Map() },
    folded: { id: q.id, relevant: q.relevant, terms: new Map() },
  }));
  for (const qw of QUESTION_WORD_WEIGHTS) {
    const retriever = createRetriever({
      db: memoryQueryable(ctx.corpus),
      ranking: { questionWordWeight: qw, rerank: null },
    });
    for (const [i, q] of ctx.queries.entries()) {
      const entry = queries[i] as { typed: Query; folded: Query };
      entry.typed.terms.set(qw, (await retriever.retrieve(q.q, { k: 1 })).terms);
      entry.folded.terms.set(qw, (await retriever.retrieve(foldQuery(q.q), { k: 1 })).terms);
    }
  }
  const half = queries.slice(0, Math.ceil(queries.length / 2));
  const { families, rerankDesign } = createDesigns(ctx);

  /** Sweeps a family on questions 1-50, picks by the rule, reports the pick on every split. */
  const tune = (family: Family, reference: Split[]) => {
    const tuning = family.values.map((v) => whole(score(half, family.design(v))));
    if (values.sweeps) {
      family.values.forEach((v, i) => {
        out(
          `    ${family.name} = ${v}: q1-50 ${fmt((tuning[i] as Split).typed)} ${fmt((tuning[i] as Split).folded)}`,
        );
      });
    }
    const value = family.values[pick(tuning)] as number;
    const result = toSplits(score(queries, family.design(value)));
    const kept = compare(objective(result[0] as Split), objective(reference[0] as Split)) > 0;
    return { value, result, kept };
  };

  const baseline = toSplits(score(queries, rerankDesign(null)));
  out("Designs on exact BM25, each tuned on q1-50 (kept: beats exact BM25 there), MRR@10/R@5:");
  out();
  out(HEADER);
  out(row("exact BM25", "", baseline));
  for (const family of families(null)) {
    const { value, result, kept } = tune(family, baseline);
    const note = `${kept ? "helps on q1-50" : "no gain on q1-50"}${family.readsText ? "; reads passage text" : ""}`;
    out(row(family.name, String(value), result, note));
  }

  // The rerank's two weights together, on a grid, by the same rule in two dimensions.
  const grid = TITLE_WEIGHTS.map((tw) =>
    FIELD_WEIGHTS.map((fw) => whole(score(half, rerankDesign({ titleWeight: tw, fieldWeight: fw })))),
  );
  const [i, j] = pick2d(grid);
  const best = { titleWeight: TITLE_WEIGHTS[i] as number, fieldWeight: FIELD_WEIGHTS[j] as number };
  const bestResult = toSplits(score(queries, rerankDesign(best)));
  out(
    row(
      "BM25F title weight × coverage weight (grid)",
      `${best.titleWeight} × ${best.fieldWeight}`,
      bestResult,
      "reads passage text",
    ),
  );
  out();
  const mark = (s: Split[], reference: Split[]) =>
    compare(objective(s[0] as Split), objective(reference[0] as Split)) > 0
      ? "helps on q1-50"
      : "no gain on q1-50";
  out(`On top of the grid's best (${JSON.stringify(best)}), each tuned on q1-50:`);
  out();
  out(HEADER);
  out(row("BM25F × coverage", "", bestResult));
  for (const family of families(best)) {
    const { value, result } = tune(family, bestResult);
    out(row(`+ ${family.name}`, String(value), result, mark(result, bestResult)));
  }

  // Within the latency budget: no passage text read (titles, headings, lengths, documents only).
  // Forward selection: the coverage bonus, then, round by round, the design that gains most on
  // q1-50 on top of what is kept, while one does.
  const coverageFamily = families(null).find((f) => f.name.startsWith("title + headings coverage")) as Family;
  const coverageValue = coverageFamily.values[
    pick(coverageFamily.values.map((v) => whole(score(half, coverageFamily.design(v)))))
  ] as number;
  let cheap: RerankOptions = { titleWeight: 1, fieldWeight: coverageValue };
  let cheapResult = toSplits(score(queries, rerankDesign(cheap)));
  out();
  out("Within the latency budget (no passage text read), forward selection on q1-50:");
  for (let round = 1; ; round++) {
    out();
    out(HEADER);
    out(row(`round ${round}: ${JSON.stringify(cheap)}`, "", cheapResult));
    let gain: { family: Family; value: number; result: Split[] } | undefined;
    for (const family of families(cheap)) {
      if (family.readsText) continue;
      if (family.name.startsWith("repeat penalty") && cheap.repeatPenalty) continue;
      const { value, result } = tune(family, cheapResult);
      out(row(`+ ${family.name}`, String(value), result, mark(result, cheapResult)));
      const reference = gain?.result ?? cheapResult;
      if (compare(objective(result[0] as Split), objective(reference[0] as Split)) > 0)
        gain = { family, value, result };
    }
    if (!gain) break;
    if (!gain.family.name.startsWith("repeat penalty")) {
      out(`(${gain.family.name} would be kept next: not a rerank option yet)`);
      break;
    }
    cheap = { ...cheap, repeatPenalty: gain.value };
    cheapResult = toSplits(score(queries, rerankDesign(cheap)));
  }
  out();
  out(
    `Kept within the budget: ${JSON.stringify(cheap)} ` +
      `(${JSON.stringify(cheap) === JSON.stringify(DEFAULT_RERANK) ? "= DEFAULT_RERANK" : "≠ DEFAULT_RERANK"})`,
  );
  out(splitLine("", cheapResult));

  if (values.misses) {
    out();
    out("Questions not at rank 1 with the defaults: rank typed / folded (exact BM25 typed):");
    for (const [n, r] of tuned.entries()) {
      if (r.rank === 1 && tunedFolded[n]?.rank === 1) continue;
      out(`${r.id} ${r.rank} / ${tunedFolded[n]?.rank} (${typed[n]?.rank}): ${r.q.slice(0, 100)}`);
    }
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
