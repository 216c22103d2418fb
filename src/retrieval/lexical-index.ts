import { z } from "zod";
import type { Logger } from "../logger.ts";
import type { Queryable } from "../store/database.ts";

/**
 * The passages' BM25 weights as an inverted index in this process: a read-only copy of what the
 * store holds (term_stats and each passage's sparsevec), built in the background and used while
 * the store's corpus revision (migration 011) is the one it was read at.
 *
 * Why: inside PostgreSQL every scored passage costs a heap fetch and a sparsevec inner product
 * (~2.5-5 µs on this kind of machine), so exact BM25 over 100k passages takes ~120 ms and even the
 * GIN candidate selection of migration 006 ~15-25 ms at 100k. Term-at-a-time accumulation over
 * typed arrays reads only the postings of the question's terms: exact, and one to two orders of
 * magnitude faster (figures in the README, "Retrieval at scale"). PostgreSQL stays the source of
 * truth; when the index is stale, still loading, or over its memory budget, the retriever searches
 * in the database as before.
 *
 * Scores are the same float32 arithmetic as pgvector's `<#>` (products and sums rounded to float
 * in ascending term order), so rankings, ties included, match the SQL search.
 */
export interface LexicalIndex {
  /** the corpus revision the index was read at */
  readonly revision: string;
  /** the last corpus change (migration 017) it holds: a refresh reads the ones after it */
  readonly changeId: string;
  /** passages added or removed since the whole store was last read (an incremental refresh's overlay) */
  readonly changed: number;
  readonly passages: number;
  /** average passage length the stored weights were computed with (corpus_stats.avgdl_used) */
  readonly avgdlUsed: number | null;
  /** bytes held by the typed arrays (postings, weights, dictionary) */
  readonly bytes: number;
  /** document frequency of a term id, as term_stats holds it; undefined when absent */
  df(term: number): number | undefined;
  /**
   * The k best passages for a weighted query (term id → weight), best first, ties by passage id;
   * only passages with a positive score.
   */
  search(query: ReadonlyMap<number, number>, k: number): IndexHit[];
}

export interface IndexedPassage {
  id: string;
  documentId: number;
  headingPath: string[];
  title: string;
  length: number;
}

export interface IndexHit {
  passage: IndexedPassage;
  score: number;
}

/** Rows read per round trip while building (each passage's sparsevec is ~2-5 kB of text). */
const BUILD_BATCH = 2000;

/** Bytes per posting: a passage number (uint32) and a weight (float32). */
const BYTES_PER_POSTING = 8;

export class StaleIndexError extends Error {}

interface CorpusState {
  revision: string;
  n: number;
  avgdl_used: number | null;
  lexical_version: number;
  /** the last change logged (migration 017) */
  change_id: string;
  changes_pruned_to: string;
  /** frequencies of a bulk load not yet folded into term_stats (migration 012) */
  pending: boolean;
}

async function corpusState(db: Queryable): Promise<CorpusState> {
  const [row] = await db.query<CorpusState>(
    `SELECT revision::text AS revision, chunk_count AS n, avgdl_used, lexical_version,
            (SELECT coalesce(max(id), 0) FROM corpus_changes)::text AS change_id,
            changes_pruned_to::text AS changes_pruned_to,
            EXISTS (SELECT 1 FROM term_stats_pending) AS pending
       FROM corpus_stats`,
  );
  if (!row) throw new Error("corpus_stats is empty: the store was not migrated");
  return row;
}

/**
 * Reads the store into an index. No transaction is held (on PGlite it would block every other
 * statement for the whole build): the revision is read before and after, and a build that saw a
 * change in between is thrown away (StaleIndexError). Yields to the event loop between batches.
 */
export async function buildLexicalIndex(
  db: Queryable,
  options: { cancelled?: () => boolean } = {},
): Promise<LexicalIndex> {
  const before = await corpusState(db);
  const dictionary = await db.query<{ term: number; df: number }>(
    "SELECT term, df FROM term_stats ORDER BY term",
  );
  const terms = new Int32Array(dictionary.length);
  const dfs = new Int32Array(dictionary.length);
  const starts = new Uint32Array(dictionary.length + 1);
  let total = 0;
  for (const [i, row] of dictionary.entries()) {
    terms[i] = row.term;
    dfs[i] = row.df;
    starts[i] = total;
    total += row.df;
  }
  starts[dictionary.length] = total;
  const fill = starts.slice(0, dictionary.length);
  const findTerm = termTable(terms);
  const postings = new Uint32Array(total);
  const weights = new Float32Array(total);
  const titles = new Map(
    (await db.query<{ id: number; title: string }>("SELECT id, title FROM documents")).map((d) => [
      d.id,
      d.title,
    ]),
  );
  const passages: IndexedPassage[] = [];
  // The passages of a section share one heading path: keep one copy of each.
  const headings = new Map<string, string[]>();
  let after = "";
  for (;;) {
    const rows = await db.query<{
      id: string;
      document_id: number;
      heading_path: string;
      length: number;
      lexical: string;
    }>(
      `SELECT id, document_id, heading_path::text AS heading_path, length, lexical::text AS lexical FROM chunks
        WHERE id > $1 ORDER BY id LIMIT $2`,
      [after, BUILD_BATCH],
    );
    for (const row of rows) {
      const p = passages.length;
      let headingPath = headings.get(row.heading_path);
      if (!headingPath) {
        headingPath = z.array(z.string()).parse(JSON.parse(row.heading_path));
        headings.set(row.heading_path, headingPath);
      }
      passages.push({
        id: row.id,
        documentId: row.document_id,
        headingPath,
        title: titles.get(row.document_id) ?? "",
        length: row.length,
      });
      forEachEntry(row.lexical, (term, weight) => {
        const t = findTerm(term);
        const slot = t < 0 ? -1 : (fill[t] as number);
        // A term missing from term_stats, or more passages than its df: the reads straddled a write.
        if (t < 0 || slot >= (starts[t + 1] as number)) throw new StaleIndexError("term statistics changed");
        postings[slot] = p;
        weights[slot] = weight;
        fill[t] = slot + 1;
      });
    }
    if (rows.length < BUILD_BATCH) break;
    after = (rows[rows.length - 1] as { id: string }).id;
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (options.cancelled?.()) throw new StaleIndexError("the build was cancelled");
  }
  const end = await corpusState(db);
  if (end.revision !== before.revision || passages.length !== before.n) {
    throw new StaleIndexError(
      `the corpus changed while it was read (revision ${before.revision} → ${end.revision})`,
    );
  }
  return createIndex({
    revision: before.revision,
    changeId: before.change_id,
    lexicalVersion: before.lexical_version,
    avgdlUsed: before.avgdl_used,
    terms,
    dfs,
    starts,
    ends: fill,
    postings,
    weights,
    passages,
    findTerm,
  });
}

/**
 * Calls `visit(term, weight)` for each entry of a sparsevec's text form `{i:v,i:v}/dim`. The
 * indices are the term ids as written (termId() is 1-based, like pgvector's text form). Plain
 * decimals are read digit by digit (tens of millions of them at 100k passages); anything else
 * (an exponent, a sign) goes through Number().
 */
export function forEachEntry(text: string, visit: (term: number, weight: number) => void): void {
  const close = text.indexOf("}");
  let i = text.indexOf("{") + 1;
  while (i < close) {
    let term = 0;
    let c = text.charCodeAt(i);
    while (c !== 58 /* : */) {
      term = term * 10 + (c - 48);
      c = text.charCodeAt(++i);
    }
    const from = ++i;
    let mantissa = 0;
    let scale = 1;
    let dot = false;
    let plain = true;
    c = text.charCodeAt(i);
    while (c !== 44 /* , */ && c !== 125 /* } */) {
      if (c >= 48 && c <= 57) {
        mantissa = mantissa * 10 + (c - 48);
        if (dot) scale *= 10;
      } else if (c === 46 /* . */ && !dot) dot = true;
      else plain = false;
      c = text.charCodeAt(++i);
    }
    // An integer over a power of ten: the correctly rounded double, as Number() would give.
    visit(
      term,
      plain && mantissa < 2 ** 53 && scale <= 1e22 ? mantissa / scale : Number(text.slice(from, i)),
    );
    i++;
  }
}

/** Term id → position in the sorted dictionary: open addressing over typed arrays (ids are ≥ 1). */
function termTable(terms: Int32Array): (term: number) => number {
  let size = 16;
  while (size < terms.length * 2) size *= 2;
  const mask = size - 1;
  const keys = new Int32Array(size);
  const slots = new Int32Array(size);
  const home = (term: number) => Math.imul(term, 0x9e3779b1) >>> 0;
  for (const [i, term] of terms.entries()) {
    let h = home(term) & mask;
    while (keys[h] !== 0) h = (h + 1) & mask;
    keys[h] = term;
    slots[h] = i;
  }
  return (term) => {
    let h = home(term) & mask;
    for (;;) {
      const key = keys[h] as number;
      if (key === term) return slots[h] as number;
      if (key === 0) return -1;
      h = (h + 1) & mask;
    }
  };
}

interface IndexParts {
  revision: string;
  changeId: string;
  lexicalVersion: number;
  avgdlUsed: number | null;
  terms: Int32Array;
  dfs: Int32Array;
  starts: Uint32Array;
  ends: Uint32Array;
  postings: Uint32Array;
  weights: Float32Array;
  passages: IndexedPassage[];
  findTerm: (term: number) => number;
}

/**
 * What changed since the whole store was read: base passages removed (by number), passages added
 * (kept apart, with their own postings), and the document frequencies of every term those touch.
 */
interface Overlay {
  removed: Uint8Array;
  removedCount: number;
  added: IndexedPassage[];
  /** term id → [added passage number, weight][] */
  addedPostings: Map<number, [number, number][]>;
  /** term id → its document frequency now (undefined: no passage has it any more) */
  df: Map<number, number | undefined>;
}

/** An index's parts, kept for an incremental refresh (not part of the public interface). */
const PARTS = Symbol("parts");
type IndexWithParts = LexicalIndex & { [PARTS]: { base: IndexParts; overlay?: Overlay } };

function createIndex(parts: IndexParts, overlay?: Overlay): LexicalIndex {
  const { terms, dfs, starts, ends, postings, weights, passages, findTerm } = parts;
  const n = passages.length;
  // Scratch space of search(), reused: JavaScript runs one search at a time.
  const scores = new Float32Array(n);
  const addedScores = new Float32Array(overlay?.added.length ?? 0);
  // The removed passages' numbers, listed once: a search masks only those, not every passage.
  const removedNumbers: number[] = [];
  if (overlay) for (let p = 0; p < n; p++) if (overlay.removed[p]) removedNumbers.push(p);
  const bytes =
    postings.byteLength +
    weights.byteLength +
    terms.byteLength +
    dfs.byteLength +
    starts.byteLength +
    ends.byteLength +
    scores.byteLength +
    (overlay ? overlay.removed.byteLength + overlay.added.length * 64 : 0);
  const index: IndexWithParts = {
    revision: parts.revision,
    changeId: parts.changeId,
    changed: overlay ? overlay.removedCount + overlay.added.length : 0,
    passages: n - (overlay?.removedCount ?? 0) + (overlay?.added.length ?? 0),
    avgdlUsed: parts.avgdlUsed,
    bytes,
    [PARTS]: { base: parts, ...(overlay ? { overlay } : {}) },
    df(term) {
      if (overlay?.df.has(term)) return overlay.df.get(term);
      const t = findTerm(term);
      return t < 0 ? undefined : dfs[t];
    },
    search(query, k) {
      try {
        // Ascending term order, as pgvector adds up a sparsevec inner product.
        const ids = [...query.keys()].sort((a, b) => a - b);
        for (const term of ids) {
          const w = Math.fround(query.get(term) as number);
          if (w === 0) continue;
          const t = findTerm(term);
          if (t >= 0) accumulate(scores, postings, weights, starts[t] as number, ends[t] as number, w);
          for (const [p, weight] of overlay?.addedPostings.get(term) ?? [])
            addedScores[p] = (addedScores[p] as number) + Math.fround(w * weight);
        }
        if (!overlay) {
          return topK(scores, k).map((p) => ({
            passage: passages[p] as IndexedPassage,
            score: scores[p] as number,
          }));
        }
        for (const p of removedNumbers) scores[p] = 0;
        // Both lists best first, ties by passage id, merged the same way.
        const hits = [
          ...topK(scores, k).map((p) => ({
            passage: passages[p] as IndexedPassage,
            score: scores[p] as number,
          })),
          ...topK(addedScores, k).map((p) => ({
            passage: overlay.added[p] as IndexedPassage,
            score: addedScores[p] as number,
          })),
        ];
        hits.sort((a, b) =>
          b.score - a.score !== 0
            ? b.score - a.score
            : a.passage.id < b.passage.id
              ? -1
              : a.passage.id > b.passage.id
                ? 1
                : 0,
        );
        return hits.slice(0, k);
      } finally {
        scores.fill(0);
        addedScores.fill(0);
      }
    },
  };
  return index;
}

/** Past this many passages added or removed since the last whole read, the index is read whole again. */
function overlayLimit(basePassages: number): number {
  return Math.max(2_000, Math.floor(basePassages * 0.1));
}

/**
 * Brings an index up to date with the changes logged since it was read (migration 017): the
 * passages of the changed documents only, and the frequencies of their terms. Returns undefined
 * when only a whole read will do: the weights were recomputed (average length drifted), the log
 * no longer reaches back to the index, a bulk load is half folded, or too much has changed.
 * Throws StaleIndexError when the store changed while it read.
 */
export async function refreshLexicalIndex(
  db: Queryable,
  index: LexicalIndex,
): Promise<LexicalIndex | undefined> {
  const own = (index as Partial<IndexWithParts>)[PARTS];
  if (!own) return undefined;
  const { base } = own;
  const before = await corpusState(db);
  if (before.revision === index.revision) return index;
  if (
    before.pending ||
    before.lexical_version !== base.lexicalVersion ||
    before.avgdl_used !== base.avgdlUsed ||
    BigInt(before.changes_pruned_to) > BigInt(index.changeId)
  )
    return undefined;
  const changes = await db.query<{ chunk_id: string; added: boolean; terms: number[] }>(
    `SELECT chunk_id, added, terms FROM corpus_changes WHERE id > $1::bigint AND id <= $2::bigint ORDER BY id`,
    [index.changeId, before.change_id],
  );
  const old = own.overlay;
  const removed = old ? Uint8Array.from(old.removed) : new Uint8Array(base.passages.length);
  let removedCount = old?.removedCount ?? 0;
  // Added passages by id: the earlier overlay's, then this log's, in order.
  const added = new Map<string, IndexedPassage | null>((old?.added ?? []).map((p) => [p.id, p]));
  const touched = new Set<number>(old ? [...old.df.keys()] : []);
  const baseNumber = new Map<string, number>();
  const numberOf = (id: string): number => {
    if (baseNumber.size === 0) for (const [i, p] of base.passages.entries()) baseNumber.set(p.id, i);
    return baseNumber.get(id) ?? -1;
  };
  for (const c of changes) {
    for (const t of c.terms) touched.add(t);
    if (c.added) {
      added.set(c.chunk_id, null); // read below
      continue;
    }
    if (added.has(c.chunk_id)) {
      added.delete(c.chunk_id);
      continue;
    }
    const p = numberOf(c.chunk_id);
    if (p >= 0 && !removed[p]) {
      removed[p] = 1;
      removedCount++;
    }
  }
  if (removedCount + added.size > overlayLimit(base.passages.length)) return undefined;
  // The added passages as they are now, with their weights.
  const fresh = [...added].filter(([, p]) => p === null).map(([id]) => id);
  const rows = fresh.length
    ? await db.query<{
        id: string;
        document_id: number;
        heading_path: string;
        length: number;
        lexical: string;
        title: string;
      }>(
        `SELECT c.id, c.document_id, c.heading_path::text AS heading_path, c.length, c.lexical::text AS lexical, d.title
           FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id = ANY($1::text[])`,
        [fresh],
      )
    : [];
  const read = new Map(rows.map((r) => [r.id, r]));
  const passages: IndexedPassage[] = [];
  const addedPostings = new Map<number, [number, number][]>();
  // The earlier overlay's postings by passage, to carry over under new numbers.
  const carried = new Map<string, [number, number][]>();
  for (const [term, list] of old?.addedPostings ?? [])
    for (const [p, weight] of list) {
      const id = (old?.added[p] as IndexedPassage | undefined)?.id ?? "";
      const mine = carried.get(id) ?? [];
      mine.push([term, weight]);
      carried.set(id, mine);
    }
  for (const [id, known] of added) {
    let passage = known;
    let lexical: string | undefined;
    if (!passage) {
      const row = read.get(id);
      if (!row) continue; // added and removed again within the log's window
      passage = {
        id,
        documentId: row.document_id,
        headingPath: z.array(z.string()).parse(JSON.parse(row.heading_path)),
        title: row.title,
        length: row.length,
      };
      lexical = row.lexical;
    }
    const number = passages.length;
    passages.push(passage);
    if (lexical !== undefined) {
      forEachEntry(lexical, (term, weight) => {
        const list = addedPostings.get(term) ?? [];
        // float32, as the base index keeps its weights (and pgvector its sparsevec values)
        list.push([number, Math.fround(weight)]);
        addedPostings.set(term, list);
      });
    } else {
      for (const [term, weight] of carried.get(id) ?? []) {
        const list = addedPostings.get(term) ?? [];
        list.push([number, weight]);
        addedPostings.set(term, list);
      }
    }
  }
  // Within each term, passages in ascending number: the order does not change a sum, but keep it tidy.
  for (const list of addedPostings.values()) list.sort((a, b) => a[0] - b[0]);
  const dfRows = touched.size
    ? await db.query<{ term: number; df: number }>(
        "SELECT term, df FROM term_stats WHERE term = ANY($1::int[])",
        [[...touched]],
      )
    : [];
  const df = new Map<number, number | undefined>([...touched].map((t) => [t, undefined]));
  for (const r of dfRows) df.set(Number(r.term), Number(r.df));
  const end = await corpusState(db);
  if (end.revision !== before.revision)
    throw new StaleIndexError("the corpus changed while the index was refreshed");
  const parts: IndexParts = { ...base, revision: before.revision, changeId: before.change_id };
  const refreshed = createIndex(parts, { removed, removedCount, added: passages, addedPostings, df });
  if (refreshed.passages !== before.n) return undefined; // the log and the store disagree: read it whole
  return refreshed;
}

/** scores[p] += w × weight for each posting of [from, to): Float32Array rounds on store, as C floats. */
function accumulate(
  scores: Float32Array,
  postings: Uint32Array,
  weights: Float32Array,
  from: number,
  to: number,
  w: number,
): void {
  for (let j = from; j < to; j++) {
    const p = postings[j] as number;
    scores[p] = (scores[p] as number) + Math.fround(w * (weights[j] as number));
  }
}

/**
 * The k passages with the highest positive score, best first; ties by passage number, which
 * follows the passage id (the index is built in id order), as `ORDER BY distance, id` does.
 */
function topK(scores: Float32Array, k: number): number[] {
  // A min-heap of the best k so far: its root is the worst of them.
  const heap: number[] = [];
  if (k <= 0) return heap;
  const worse = (a: number, b: number) => {
    const sa = scores[a] as number;
    const sb = scores[b] as number;
    return sa < sb || (sa === sb && a > b);
  };
  const siftDown = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && worse(heap[l] as number, heap[m] as number)) m = l;
      if (r < heap.length && worse(heap[r] as number, heap[m] as number)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m] as number, heap[i] as number];
      i = m;
    }
  };
  // The root's score: a passage scoring no more cannot enter (ties go to the lower number, seen first).
  let floor = 0;
  const n = scores.length;
  for (let p = 0; p < n; p++) {
    const s = scores[p] as number;
    if (!(s > floor)) continue;
    if (heap.length < k) {
      heap.push(p);
      for (let c = heap.length - 1; c > 0; ) {
        const parent = (c - 1) >> 1;
        if (!worse(heap[c] as number, heap[parent] as number)) break;
        [heap[c], heap[parent]] = [heap[parent] as number, heap[c] as number];
        c = parent;
      }
      if (heap.length === k) floor = scores[heap[0] as number] as number;
    } else {
      heap[0] = p;
      siftDown(0);
      floor = scores[heap[0] as number] as number;
    }
  }
  return heap.sort((a, b) => (worse(a, b) ? 1 : worse(b, a) ? -1 : 0));
}

export interface LexicalIndexSourceOptions {
  db: Queryable;
  /** the store's corpus revision, memoized (memoizeVersion): compared on every search */
  revision: () => Promise<string>;
  /** past this many bytes of postings the index is not built and the database is searched */
  maxBytes: number;
  logger?: Logger;
  /** after a failed build, wait this long before trying again */
  retryMs?: number;
}

export interface LexicalIndexSource {
  /** The index when it matches the store's revision; otherwise undefined (and a rebuild starts). */
  current(): Promise<LexicalIndex | undefined>;
  /** Builds the index for the current revision now and waits for it (benchmarks, start-up). */
  ready(): Promise<LexicalIndex | undefined>;
  /**
   * Before the database closes: no build starts any more, and one still reading fails quietly
   * (a one-question CLI run may close the store while the first build reads).
   */
  close(): Promise<void>;
}

/**
 * Keeps one index matching the store: a search that finds it stale starts one background rebuild
 * and is answered from the database meanwhile; the old index is dropped once the new one is built.
 */
export function createLexicalIndexSource({
  db,
  revision,
  maxBytes,
  logger,
  retryMs = 30_000,
}: LexicalIndexSourceOptions): LexicalIndexSource {
  let index: LexicalIndex | undefined;
  /** the build under way, if any: one at a time */
  let building: Promise<LexicalIndex | undefined> | undefined;
  /** revision at which the index was found too large or failed, and when */
  let skipped: { revision: string; at: number } | undefined;
  let closed = false;

  async function build(target: string): Promise<LexicalIndex | undefined> {
    try {
      const [row] = await db.query<{ postings: string | number }>(
        "SELECT coalesce(sum(df), 0)::float8 AS postings FROM term_stats",
      );
      const estimate = Number(row?.postings ?? 0) * BYTES_PER_POSTING;
      if (estimate > maxBytes) {
        if (skipped?.revision !== target) {
          logger?.warn(
            { estimateMb: Math.round(estimate / 2 ** 20), maxMb: Math.round(maxBytes / 2 ** 20) },
            "lexical index over LEXICAL_INDEX_MAX_MB: searching in the database",
          );
        }
        skipped = { revision: target, at: Number.POSITIVE_INFINITY };
        return undefined;
      }
      const started = performance.now();
      // The documents that changed, when the log allows; otherwise the whole store again.
      const previous = index;
      const refreshed = previous ? await refreshLexicalIndex(db, previous) : undefined;
      if (refreshed && !closed) {
        index = refreshed;
        skipped = undefined;
        logger?.info(
          {
            passages: refreshed.passages,
            changed: refreshed.changed,
            ms: Math.round(performance.now() - started),
          },
          "lexical index refreshed",
        );
        return refreshed;
      }
      const built = await buildLexicalIndex(db, { cancelled: () => closed });
      if (closed) return undefined;
      index = built;
      skipped = undefined;
      logger?.info(
        {
          passages: built.passages,
          mb: Math.round(built.bytes / 2 ** 20),
          ms: Math.round(performance.now() - started),
        },
        "lexical index built",
      );
      return built;
    } catch (error) {
      // A write during the build: the next search sees the new revision and builds again.
      if (!(error instanceof StaleIndexError) && !closed) {
        skipped = { revision: target, at: Date.now() };
        logger?.warn({ err: error }, "lexical index build failed: searching in the database");
      }
      return undefined;
    } finally {
      building = undefined;
    }
  }

  function start(target: string): Promise<LexicalIndex | undefined> {
    if (closed) return Promise.resolve(undefined);
    building ??= build(target);
    return building;
  }

  return {
    async current() {
      const target = await revision();
      if (index?.revision === target) return index;
      const recentlyFailed = skipped?.revision === target && Date.now() - skipped.at < retryMs;
      if (!building && !recentlyFailed) void start(target);
      return undefined;
    },
    async ready() {
      const target = await revision();
      if (index?.revision === target) return index;
      if (building) await building;
      if (index?.revision === target) return index;
      return start(target);
    },
    async close() {
      closed = true;
      index = undefined;
      await building;
    },
  };
}
