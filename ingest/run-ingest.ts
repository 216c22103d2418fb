import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { extname, join, relative, sep } from "node:path";
import type { DenseEmbedder } from "../src/embeddings/types.ts";
import { errorMessage } from "../src/error-message.ts";
import type { Logger } from "../src/logger.ts";
import type { CorpusStore, DenseVectors, DocumentInput, PreparedBatch } from "../src/store/corpus-store.ts";
import { createFactStore } from "../src/store/fact-store.ts";
import { type LoadContext, SUPPORTED_EXTENSIONS } from "./loaders/index.ts";
import { createOcrEngine, type OcrOptions } from "./ocr/ocr-engine.ts";
import type { PreparedFiles } from "./prepare-files.ts";
import { createPreparePool, defaultPoolSize, type PreparePool } from "./prepare-pool.ts";
import { type ReadDocument, readDocument } from "./read-document.ts";

export interface IngestSummary {
  documents: {
    added: number;
    updated: number;
    unchanged: number;
    removed: number;
    failed: { path: string; error: string }[];
  };
  /** passages written in this run */
  chunks: number;
  /** passages whose vectors were computed in this run (lexical, plus dense when configured) */
  embedded: number;
  ms: number;
}

export interface IngestOptions {
  store: CorpusStore;
  corpusDir: string;
  embedder?: DenseEmbedder;
  logger: Logger;
  dryRun?: boolean;
  /** recompute every vector: lexical weights, and dense vectors with the configured embedder */
  reembed?: boolean;
  /**
   * Files, then passages written, counted as they are done; pages read by OCR count too (`path`
   * is then "file.pdf (OCR 3/12)").
   */
  onProgress?: (done: number, total: number, path: string) => void;
  /** OCR for scanned PDF pages and images (OCR, OCR_DPI); absent, such files are reported unreadable */
  ocr?: OcrOptions;
  /** batch limits (default BATCH_CHUNKS passages, BATCH_DOCUMENTS documents) */
  batch?: { chunks: number; documents: number };
  /**
   * Worker threads reading files and preparing batches. Unset: defaultPoolSize() (one per core,
   * at most four) for loads of POOL_MIN_FILES files or POOL_MIN_BYTES bytes or more, none below;
   * 0: everything on this thread.
   */
  workers?: number;
}

/** Bulk writes: a batch is written at this many passages or documents, whichever comes first. */
const BATCH_CHUNKS = 500;
const BATCH_DOCUMENTS = 200;
/**
 * From this many changed files, or bytes, the work goes to worker threads (prepare-pool.ts).
 * Starting them costs ~1-2 s (each loads tsx and the loaders): measured on this 2-core VM, ALQAC's
 * 2,131 articles (2,872 passages) ingested faster without them, 30k and 100k passages 16-17 %
 * faster with them.
 */
const POOL_MIN_FILES = 5000;
const POOL_MIN_BYTES = 16 * 2 ** 20;

/** A failure that is not any one file's fault (the embeddings endpoint is down): the run stops. */
export class IngestAbortedError extends Error {}

/** Files of the corpus folder, relative paths with forward slashes, hidden files skipped. */
export async function listCorpusFiles(
  corpusDir: string,
): Promise<{ supported: string[]; skipped: string[] }> {
  const entries = await readdir(corpusDir, { recursive: true, withFileTypes: true });
  const supported: string[] = [];
  const skipped: string[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = relative(corpusDir, join(entry.parentPath, entry.name)).split(sep).join("/");
    if (path.split("/").some((part) => part.startsWith("."))) continue;
    (SUPPORTED_EXTENSIONS.includes(extname(path).toLowerCase()) ? supported : skipped).push(path);
  }
  return { supported: supported.sort(), skipped: skipped.sort() };
}

/** What the dense embedder sees: the passage with its document and section, for context. */
export function denseText(title: string, headingPath: string[], text: string): string {
  return [title, ...headingPath, text].join("\n");
}

/**
 * Brings the store in line with the corpus folder. Idempotent by content hash: a file whose bytes
 * did not change is not read again. A broken file is reported and its previous version kept.
 */
export async function runIngest(options: IngestOptions): Promise<IngestSummary> {
  const { store, corpusDir, embedder, logger } = options;
  const started = performance.now();
  const summary: IngestSummary = {
    documents: { added: 0, updated: 0, unchanged: 0, removed: 0, failed: [] },
    chunks: 0,
    embedded: 0,
    ms: 0,
  };

  const { supported, skipped } = await listCorpusFiles(corpusDir);
  for (const path of skipped) logger.warn({ path }, `skipped ${path}: unsupported file type`);

  const stored = new Map((await store.listDocuments()).map((d) => [d.path, d]));
  // Weights from an older lexical version are brought up to date first (on an empty store this
  // only records the version, so the first ingest does not recompute what it just wrote).
  if (!options.dryRun) {
    // A bulk load killed half way left frequencies to fold (migration 012).
    await store.foldPendingFrequencies();
    await store.reweightIfDrifted();
  }
  // Likewise facts extracted by an older extractor, or before the facts index existed (009).
  if (!options.dryRun) await createFactStore(store.db).refreshIfStale();
  // Re-embedding replaces each document's vectors inside its own transaction, so a failure half
  // way leaves every document searchable with its previous vectors.
  if (embedder && !options.dryRun) await store.registerEmbedder(embedder);

  // A large load without a dense embedder streams through worker threads (writeStreamed). Otherwise
  // every changed file is read and chunked first, so that a bulk load into an empty store knows
  // its corpus's average passage length before writing (otherwise the first batch's average would
  // weight everything, and a full reweight would follow). Either way the documents are written in
  // batches: each batch is one transaction (every document in it whole or absent), so a bulk load
  // does not pay a durable commit per small document; and the next batch is prepared (term counts,
  // BM25 vectors, dense vectors) while the database writes the current one.
  const changed: DocumentInput[] = [];
  let changedLength = 0;
  let done = 0;
  let total = supported.length;
  // Which files changed: hashed here, and only those are read further.
  const toRead: ChangedFile[] = [];
  let toReadBytes = 0;
  // A load of many files will most likely want worker threads: they start (~1-2 s: each loads tsx
  // and the loaders) while the files are hashed, and stop if few files turn out to have changed.
  const poolSize = (large: boolean) => options.workers ?? (large ? defaultPoolSize() : 0);
  // Pages read by OCR count in the progress: a page takes about as long as a thousand text files.
  const onOcrPage = (path: string, pageDone: number, pages: number) => {
    if (pageDone === 0) total += pages;
    else options.onProgress?.(done++, total, `${path} (OCR ${pageDone}/${pages})`);
  };
  const poolOptions = { ocr: options.ocr, onOcrPage };
  let pool =
    poolSize(supported.length >= POOL_MIN_FILES) > 0
      ? createPreparePool(poolSize(true), poolOptions)
      : undefined;
  // On this thread, one engine for the run; its Tesseract worker starts at the first page image.
  const ocr = options.ocr ? createOcrEngine(options.ocr) : undefined;
  const contextFor = (path: string): LoadContext =>
    ocr ? { ocr, onOcrPage: (pageDone, pages) => onOcrPage(path, pageDone, pages) } : {};
  try {
    // Files are read a few at a time (the disk works while the last ones are hashed), hashed in order.
    for (let from = 0; from < supported.length; from += HASH_AHEAD) {
      const paths = supported.slice(from, from + HASH_AHEAD);
      const contents = await Promise.allSettled(paths.map((path) => readFile(join(corpusDir, path))));
      for (const [k, path] of paths.entries()) {
        options.onProgress?.(done++, total, path);
        const content = contents[k] as PromiseSettledResult<Buffer>;
        if (content.status === "rejected") {
          summary.documents.failed.push({ path, error: errorMessage(content.reason) });
          continue;
        }
        const bytes = content.value;
        const contentHash = createHash("sha256").update(bytes).digest("hex");
        const previous = stored.get(path);
        if (previous?.contentHash === contentHash && !options.reembed) {
          summary.documents.unchanged++;
          continue;
        }
        toRead.push({ path, bytes, contentHash, previous });
        toReadBytes += bytes.length;
      }
    }
    // A large load reads its files and prepares its batches in worker threads; a small one (an
    // upload, an edited file) on this thread, where starting workers would cost more than it saves.
    // Files that may need OCR go to workers too, however few: drawing a page for OCR holds the
    // thread for a second or more (measured 1.4 s for an A4 page at 300 dpi), which would stall
    // the service's requests and bots while an upload is read.
    const pageFiles = ocr ? toRead.filter((file) => PAGE_IMAGE_FILE.test(file.path)).length : 0;
    const large = toRead.length >= POOL_MIN_FILES || toReadBytes >= POOL_MIN_BYTES;
    const workers = options.workers ?? (large ? defaultPoolSize() : Math.min(defaultPoolSize(), pageFiles));
    if (pool && (workers === 0 || toRead.length === 0)) {
      await pool.close();
      pool = undefined;
    } else if (!pool && workers > 0 && toRead.length > 0) pool = createPreparePool(workers, poolOptions);
    // An empty store (no document listed) will weight with the average length of what is read.
    const measure = stored.size === 0 && !options.dryRun;
    // (A pool started only for files that may need OCR reads each file once, below: the streamed
    // path reads a sample of the files twice, which for a scan is seconds of OCR a page.)
    if (pool && large && !embedder && !options.dryRun) {
      total += toRead.length;
      const progress = (path: string) => options.onProgress?.(done++, total, path);
      await writeStreamed({ ...options, pool, files: toRead, measure, summary, progress });
      toRead.length = 0;
    }
    // Read in order, a few files per worker in flight (not the whole corpus's bytes at once).
    const reading: Promise<ReadDocument>[] = [];
    const startRead = (i: number) => {
      const file = toRead[i];
      if (!file) return;
      const task = pool
        ? pool.read(file.path, join(corpusDir, file.path), file.bytes, measure)
        : readDocument(file.path, join(corpusDir, file.path), file.bytes, measure, contextFor(file.path));
      task.catch(() => {});
      reading[i] = task;
    };
    const window = pool ? 4 * pool.size : 1;
    for (let i = 0; i < Math.min(window, toRead.length); i++) startRead(i);
    for (const [i, file] of toRead.entries()) {
      startRead(i + window);
      let read: ReadDocument;
      try {
        read = await (reading[i] as Promise<ReadDocument>);
      } catch (error) {
        reportUnreadable(summary, logger, { path: file.path, error: errorMessage(error) });
        continue;
      } finally {
        delete reading[i];
      }
      countRead(summary, file);
      if (options.dryRun) continue;
      changed.push({ ...read.document, contentHash: file.contentHash });
      changedLength += read.lengthTotal ?? 0;
    }
    toRead.length = 0;

    if (changed.length > 0) {
      total += changed.length;
      const stats = await store.stats();
      const passages = changed.reduce((n, d) => n + d.chunks.length, 0);
      // An empty store is weighted with the average length of everything about to be written.
      const avgdl =
        stats.avgdlUsed ??
        (measure && stats.chunks === 0 && passages > 0 ? changedLength / passages : undefined);
      // A bulk load into an empty store folds its document frequencies in once, at the end.
      const deferFrequencies = stats.chunks === 0;
      // Batches prepared ahead of the one being written: with a pool, two per worker.
      const ahead = pool ? 2 * pool.size : 0;
      const queue: { batch: DocumentInput[]; prepared: Promise<PreparedBatch> }[] = [];
      let writing: Promise<void> = Promise.resolve();
      const writeNext = async () => {
        const { batch, prepared } = queue.shift() as (typeof queue)[number];
        const ready = await prepared;
        await writing;
        writing = store.writeBatch(ready, { deferFrequencies }).then(() => {
          const written = batch.reduce((n, d) => n + d.chunks.length, 0);
          summary.chunks += written;
          summary.embedded += written;
          for (const d of batch) options.onProgress?.(done++, total, d.path);
        });
        // A failed write surfaces at the next await; until then it must not count as unhandled.
        writing.catch(() => {});
      };
      for (const batch of batches(
        changed,
        (doc) => doc.chunks.length,
        options.batch?.chunks ?? BATCH_CHUNKS,
        options.batch?.documents ?? BATCH_DOCUMENTS,
      )) {
        const items = await withDenseVectors(batch, embedder);
        const prepared = store.prepareBatch(items, avgdl, pool?.prepare);
        prepared.catch(() => {});
        queue.push({ batch, prepared });
        if (queue.length > ahead) await writeNext();
      }
      while (queue.length > 0) await writeNext();
      await writing;
      if (deferFrequencies) await store.foldPendingFrequencies();
    }
  } finally {
    await Promise.all([pool?.close(), ocr?.close()]);
  }
  options.onProgress?.(done, total, "");

  const present = new Set(supported);
  for (const path of stored.keys()) {
    if (present.has(path)) continue;
    summary.documents.removed++;
    if (!options.dryRun) await store.removeDocument(path);
  }

  if (!options.dryRun) {
    // Passages stored before this embedder was configured (or by another model) get its vectors now.
    if (embedder) {
      summary.embedded += await embedMissing(store, embedder);
      await store.dropOtherEmbedders(embedder.id);
    }
    const reweighted = await store.reweightIfDrifted(options.reembed);
    if (reweighted)
      logger.info({ reweighted }, "recomputed BM25 weights after the average passage length changed");
  }
  summary.ms = Math.round(performance.now() - started);
  return summary;
}

/** A corpus file whose bytes differ from the stored version (or that is new), hashed. */
interface ChangedFile {
  path: string;
  bytes: Buffer;
  contentHash: string;
  previous?: { contentHash: string };
}

/** A read document counts as unchanged (re-embedded only), updated or added. */
function countRead(summary: IngestSummary, file: ChangedFile): void {
  if (file.previous?.contentHash === file.contentHash) summary.documents.unchanged++;
  else if (file.previous) summary.documents.updated++;
  else summary.documents.added++;
}

/** A file that could not be read is logged and reported by name; the load goes on without it. */
function reportUnreadable(summary: IngestSummary, logger: Logger, failure: { path: string; error: string }) {
  logger.error(failure, `failed to read ${failure.path}: ${failure.error}`);
  summary.documents.failed.push(failure);
}

/** Files that may hold page images for OCR: PDFs (scanned pages) and images. */
const PAGE_IMAGE_FILE = /\.(?:pdf|png|jpe?g)$/i;

/** Files read at once while hashing. */
const HASH_AHEAD = 32;

/** Files sampled, evenly spread over a large load, to estimate its passages' length and size. */
const SAMPLE_FILES = 200;

interface StreamedLoad extends IngestOptions {
  pool: PreparePool;
  files: ChangedFile[];
  /** the store is empty: weight with the load's own average passage length */
  measure: boolean;
  summary: IngestSummary;
  progress(path: string): void;
}

/**
 * A large load without a dense embedder: each batch of files is read and prepared in one worker
 * task (prepare-files.ts) and written in order. The documents never reach this thread, so nothing
 * of the load but its files' bytes is held here (a load of 100k passages read whole first held
 * ~3 GB, and collecting that heap cost more CPU than anything else on this thread).
 * The average passage length that an empty store is weighted with comes from a sample of the
 * files read ahead (every file when there are no more than SAMPLE_FILES); should the load's real
 * average differ by more than the drift the store tolerates, the reweight at the end of the run
 * corrects it. The sample also turns bytes into the expected passages that batches are cut by.
 */
async function writeStreamed(load: StreamedLoad): Promise<void> {
  const { store, pool, files, corpusDir, summary, logger } = load;
  const maxChunks = load.batch?.chunks ?? BATCH_CHUNKS;
  const maxDocuments = load.batch?.documents ?? BATCH_DOCUMENTS;
  // Evenly spread, and distinct: consecutive indices are at least one apart.
  // Files that may need OCR are left out of the sample: it reads them once more than the load does.
  const sampled = load.ocr ? files.filter((f) => !PAGE_IMAGE_FILE.test(f.path)) : files;
  const sampleSize = Math.min(SAMPLE_FILES, sampled.length);
  const sample = await Promise.all(
    Array.from({ length: sampleSize }, async (_, k) => {
      const file = sampled[Math.floor((k * sampled.length) / sampleSize)] as ChangedFile;
      try {
        const read = await pool.read(file.path, join(corpusDir, file.path), file.bytes, load.measure);
        return {
          bytes: file.bytes.length,
          chunks: read.document.chunks.length,
          length: read.lengthTotal ?? 0,
        };
      } catch {
        return undefined; // reported when the file's batch is read
      }
    }),
  );
  const sampleChunks = sample.reduce((n, s) => n + (s?.chunks ?? 0), 0);
  const sampleBytes = sample.reduce((n, s) => n + (s ? s.bytes : 0), 0);
  const bytesPerChunk = sampleChunks > 0 ? sampleBytes / sampleChunks : Number.POSITIVE_INFINITY;
  const stats = await store.stats();
  const avgdl =
    stats.avgdlUsed ??
    (load.measure && stats.chunks === 0 && sampleChunks > 0
      ? sample.reduce((n, s) => n + (s?.length ?? 0), 0) / sampleChunks
      : undefined);
  // A bulk load into an empty store folds its document frequencies in once, at the end.
  const deferFrequencies = stats.chunks === 0;

  const cut = [
    ...batches(files, (file) => Math.max(1, file.bytes.length / bytesPerChunk), maxChunks, maxDocuments),
  ];

  // Batches read and prepared ahead of the one being written: two per worker.
  const ahead = 2 * pool.size;
  const toPrepare = (batch: ChangedFile[]) =>
    batch.map((f) => ({
      path: f.path,
      absolutePath: join(corpusDir, f.path),
      bytes: f.bytes,
      contentHash: f.contentHash,
    }));
  const pending: Promise<PreparedFiles>[] = [];
  const start = (i: number) => {
    const batch = cut[i];
    if (!batch) return;
    const task = pool.prepareFiles(toPrepare(batch), avgdl);
    task.catch(() => {});
    pending[i] = task;
  };
  for (let i = 0; i < ahead; i++) start(i);
  let writing: Promise<void> = Promise.resolve();
  for (const [i, batch] of cut.entries()) {
    start(i + ahead);
    const result = await (pending[i] as Promise<PreparedFiles>);
    delete pending[i];
    for (const failure of result.failed) {
      reportUnreadable(summary, logger, failure);
      load.progress(failure.path);
    }
    const rows = result.rows;
    if (!rows) continue;
    const read = new Set(result.documents.map((d) => d.path));
    const prepared: PreparedBatch = {
      ...rows,
      paths: result.documents.map((d) => d.path),
      dense: [],
      // Another writer weighted the store first: this batch's files once more, with its length.
      reweight: async (weighting) => {
        const again = await pool.prepareFiles(toPrepare(batch.filter((f) => read.has(f.path))), weighting);
        if (!again.rows || again.documents.length !== result.documents.length) {
          throw new Error(`${batch[0]?.path ?? "a batch"}: its files changed while they were written`);
        }
        return again.rows;
      },
    };
    await writing;
    writing = store.writeBatch(prepared, { deferFrequencies }).then(() => {
      summary.chunks += rows.chunkCount;
      summary.embedded += rows.chunkCount;
      for (const file of batch) {
        if (!read.has(file.path)) continue;
        countRead(summary, file);
        load.progress(file.path);
      }
    });
    // A failed write surfaces at the next await; until then it must not count as unhandled.
    writing.catch(() => {});
  }
  await writing;
  if (deferFrequencies) await store.foldPendingFrequencies();
}

/**
 * Consecutive slices of at most `maxChunks` passages (each item counting `chunksOf(item)`, known or
 * expected) or `maxDocuments` items (never empty).
 */
function* batches<T>(
  items: T[],
  chunksOf: (item: T) => number,
  maxChunks: number,
  maxDocuments: number,
): Generator<T[]> {
  let batch: T[] = [];
  let chunks = 0;
  for (const item of items) {
    batch.push(item);
    chunks += chunksOf(item);
    if (chunks >= maxChunks || batch.length >= maxDocuments) {
      yield batch;
      batch = [];
      chunks = 0;
    }
  }
  if (batch.length > 0) yield batch;
}

async function withDenseVectors(
  batch: DocumentInput[],
  embedder: DenseEmbedder | undefined,
): Promise<{ input: DocumentInput; dense?: DenseVectors }[]> {
  if (!embedder) return batch.map((input) => ({ input }));
  let vectors: number[][];
  try {
    vectors = await embedder.embedDocuments(
      batch.flatMap((d) => d.chunks.map((c) => denseText(d.title, c.headingPath, c.text))),
    );
  } catch (error) {
    const names = batch.length === 1 ? batch[0]?.path : `${batch.length} documents`;
    throw new IngestAbortedError(`embedding failed while ingesting ${names}: ${errorMessage(error)}`);
  }
  let offset = 0;
  return batch.map((input) => {
    const dense = { embedderId: embedder.id, vectors: vectors.slice(offset, offset + input.chunks.length) };
    offset += input.chunks.length;
    return { input, dense };
  });
}

async function embedMissing(store: CorpusStore, embedder: DenseEmbedder): Promise<number> {
  const missing = await store.chunksWithoutVectors(embedder.id);
  const batch = 256;
  for (let i = 0; i < missing.length; i += batch) {
    const slice = missing.slice(i, i + batch);
    let vectors: number[][];
    try {
      vectors = await embedder.embedDocuments(slice.map((c) => denseText(c.title, c.headingPath, c.text)));
    } catch (error) {
      throw new IngestAbortedError(`embedding failed: ${errorMessage(error)}`);
    }
    await store.storeVectors(
      embedder.id,
      slice.map((c) => c.id),
      vectors,
    );
  }
  return missing.length;
}

/** One human-readable line. */
export function formatSummary(s: IngestSummary, dryRun: boolean): string {
  const d = s.documents;
  const head = dryRun ? "Dry run, nothing written:" : "Ingested:";
  const failed = d.failed.length
    ? `, ${d.failed.length} failed (${d.failed.map((f) => f.path).join(", ")})`
    : "";
  return `${head} ${d.added} added, ${d.updated} updated, ${d.unchanged} unchanged, ${d.removed} removed${failed}; ${s.chunks} passages written, ${s.embedded} embedded in ${s.ms} ms`;
}
