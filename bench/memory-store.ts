import { chunkDocument } from "../ingest/chunk-document.ts";
import { cleanDocument } from "../ingest/clean-document.ts";
import { loadDocument } from "../ingest/loaders/index.ts";
import { MAX_LEXICAL_TERMS, searchableText } from "../src/store/corpus-store.ts";
import type { Queryable } from "../src/store/database.ts";
import { countTerms, documentWeights } from "../src/text/bm25.ts";
import { foldDiacritics } from "../src/text/fold-diacritics.ts";
import { slugify } from "./bench-set.ts";
import type { BenchDoc } from "./types.ts";

/**
 * The retriever's store, in memory, for tuning ranking quickly (bench/tune-alqac.ts): the
 * documents go through the same path as `bench:retrieval` (a `.txt` file per document read by the
 * text loader, cleaned, chunked, BM25 terms of title + headings + text, weights rounded and capped
 * as the store keeps them, average length as a bulk ingest fixes it), and a fake `Queryable`
 * answers the few SQL statements the retriever sends, so the real `createRetriever` code runs
 * unchanged. The database benchmark (`npm run bench:alqac`) stays the judge.
 */
export interface MemoryPassage {
  id: string;
  /** integer id of its document, as the documents table would number it */
  documentId: number;
  /** the bench document id */
  benchId: string;
  path: string;
  title: string;
  ordinal: number;
  headingPath: string[];
  text: string;
  folded: string;
  sentences: { start: number; end: number; caption: boolean }[];
  start: number;
  end: number;
  length: number;
  weights: Map<number, number>;
}

export interface MemoryCorpus {
  passages: MemoryPassage[];
  byId: Map<string, MemoryPassage>;
  /** term id → passages holding it, with the passage-side weight */
  postings: Map<number, { p: number; w: number }[]>;
  df: Map<number, number>;
  avgdlUsed: number;
  pathToId: Map<string, string>;
}

/** As in run-ingest.ts: the first write batch fixes the average length unless it drifts > 10 %. */
const BATCH_CHUNKS = 500;
const BATCH_DOCUMENTS = 200;
const AVGDL_DRIFT = 0.1;

/**
 * `indexTitleWeight` (an experiment, not what the store does): BM25F at index time, each term of
 * the title and headings counted that many times in the passage's term frequencies.
 */
export async function buildMemoryCorpus(docs: BenchDoc[], indexTitleWeight = 1): Promise<MemoryCorpus> {
  const files: { path: string; doc: BenchDoc }[] = [];
  const taken = new Set<string>();
  for (const doc of docs) {
    const stem = slugify(doc.id);
    let path = `${stem}.txt`;
    for (let n = 2; taken.has(path); n++) path = `${stem}-${n}.txt`;
    taken.add(path);
    files.push({ path, doc });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const prepared: Omit<MemoryPassage, "weights">[] = [];
  const counts: ReturnType<typeof countTerms>[] = [];
  let firstBatchAvg: number | undefined;
  let batchChunks = 0;
  let batchDocs = 0;
  let batchLength = 0;
  let documentId = 0;
  for (const { path, doc } of files) {
    const title = doc.title.replace(/\s+/g, " ").trim();
    const content = `${title ? `${title}\n\n` : ""}${doc.text}\n`;
    const loaded = await loadDocument(path, Buffer.from(content, "utf8"));
    const meta = cleanDocument(loaded, path.replace(/\.txt$/, "").replace(/[-_]+/g, " "));
    const { chunks } = chunkDocument(meta, path);
    if (chunks.length === 0) continue;
    documentId++;
    for (const c of chunks) {
      const tc = countTerms(searchableText(c, meta.title));
      if (indexTitleWeight !== 1) {
        for (const [id, n] of countTerms([meta.title, ...c.headingPath].join("\n")).tf)
          tc.tf.set(id, (tc.tf.get(id) ?? 0) + (indexTitleWeight - 1) * n);
      }
      counts.push(tc);
      batchLength += tc.length;
      prepared.push({
        id: c.id,
        documentId,
        benchId: doc.id,
        path,
        title: meta.title,
        ordinal: c.ordinal,
        headingPath: c.headingPath,
        text: c.text,
        folded: foldDiacritics(c.text),
        sentences: c.sentences,
        start: c.start,
        end: c.end,
        length: tc.length,
      });
    }
    batchChunks += chunks.length;
    batchDocs++;
    if (firstBatchAvg === undefined && (batchChunks >= BATCH_CHUNKS || batchDocs >= BATCH_DOCUMENTS)) {
      firstBatchAvg = batchLength / batchChunks;
    }
  }
  const avgdl = counts.reduce((n, c) => n + c.length, 0) / Math.max(counts.length, 1);
  let used = firstBatchAvg ?? avgdl;
  if (Math.abs(avgdl - used) / used > AVGDL_DRIFT) used = avgdl;
  const passages: MemoryPassage[] = prepared.map((p, i) => {
    const weights = documentWeights(counts[i] as ReturnType<typeof countTerms>, used);
    return { ...p, weights: storedWeights(weights) };
  });
  const postings = new Map<number, { p: number; w: number }[]>();
  const df = new Map<number, number>();
  passages.forEach((p, i) => {
    for (const term of (counts[i] as ReturnType<typeof countTerms>).tf.keys())
      df.set(term, (df.get(term) ?? 0) + 1);
    for (const [term, w] of p.weights) {
      const list = postings.get(term);
      if (list) list.push({ p: i, w });
      else postings.set(term, [{ p: i, w }]);
    }
  });
  return {
    passages,
    byId: new Map(passages.map((p) => [p.id, p])),
    postings,
    df,
    avgdlUsed: used,
    pathToId: new Map(files.map((f) => [f.path, f.doc.id])),
  };
}

/** What a sparsevec keeps: five decimals, single precision, the MAX_LEXICAL_TERMS strongest. */
function storedWeights(weights: Map<number, number>): Map<number, number> {
  let entries = [...weights.entries()]
    .map(([id, w]) => [id, Math.round(w * 1e5) / 1e5] as const)
    .filter(([, w]) => w !== 0);
  if (entries.length > MAX_LEXICAL_TERMS)
    entries = entries.sort((a, b) => b[1] - a[1]).slice(0, MAX_LEXICAL_TERMS);
  return new Map(entries.map(([id, w]) => [id, Math.fround(w)]));
}

function parseSparsevec(literal: string): [number, number][] {
  const body = literal.slice(literal.indexOf("{") + 1, literal.indexOf("}"));
  if (!body) return [];
  return body.split(",").map((e) => {
    const [id, w] = e.split(":");
    return [Number(id), Math.fround(Number(w))];
  });
}

/** Exact BM25 top k of a question sparsevec literal: what `lexical <#> $1 ORDER BY … LIMIT k` returns. */
export function memoryLexical(
  corpus: MemoryCorpus,
  literal: string,
  k: number,
): { id: string; distance: number }[] {
  const scores = new Map<number, number>();
  for (const [term, qw] of parseSparsevec(literal)) {
    for (const { p, w } of corpus.postings.get(term) ?? []) scores.set(p, (scores.get(p) ?? 0) + qw * w);
  }
  return [...scores.entries()]
    .map(([p, s]) => ({ id: (corpus.passages[p] as MemoryPassage).id, distance: -s }))
    .sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, k);
}

/**
 * A `Queryable` over the memory corpus that answers the retriever's statements, recognised by
 * what they select; anything else throws, so a new statement in the retriever is noticed.
 */
export function memoryQueryable(corpus: MemoryCorpus): Queryable {
  const n = corpus.passages.length;
  const rowOf = (p: MemoryPassage) => ({
    id: p.id,
    ordinal: p.ordinal,
    heading_path: p.headingPath,
    text: p.text,
    folded: p.folded,
    sentences: p.sentences,
    start_offset: p.start,
    end_offset: p.end,
    document_id: p.documentId,
    path: p.path,
    title: p.title,
    url: null,
    publisher: null,
    published: null,
    length: p.length,
    avgdl: corpus.avgdlUsed,
  });
  return {
    async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
      if (/FROM term_stats/.test(sql)) {
        const ids = params[0] as number[];
        return ids.flatMap((term) => {
          const df = corpus.df.get(term);
          return df === undefined ? [] : [{ term, df, n }];
        }) as T[];
      }
      if (/lexical <#>/.test(sql)) {
        return memoryLexical(corpus, String(params[0]), Number(params[1])) as T[];
      }
      if (/FROM chunks c JOIN documents d/.test(sql) && /ANY\(\$1::text\[\]\)/.test(sql)) {
        const ids = params[0] as string[];
        return ids.flatMap((id) => {
          const p = corpus.byId.get(id);
          return p ? [rowOf(p)] : [];
        }) as T[];
      }
      throw new Error(`memory store: unexpected statement: ${sql.slice(0, 120)}`);
    },
    async exec() {
      throw new Error("memory store: exec is not supported");
    },
  };
}
