import { extname } from "node:path";
import { type DocumentInput, searchableText } from "../src/store/corpus-store.ts";
import { syllables } from "../src/text/tokenize.ts";
import { chunkDocument } from "./chunk-document.ts";
import { cleanDocument } from "./clean-document.ts";
import { type LoadContext, loadDocument } from "./loaders/index.ts";

/** A corpus file read, cleaned and chunked, with the BM25 length of its passages when asked for. */
export interface ReadDocument {
  document: Omit<DocumentInput, "contentHash">;
  /**
   * the BM25 lengths (syllables + bigrams of title, headings and text) of its passages, summed;
   * only with `measure`: a bulk load into an empty store weights with their average
   */
  lengthTotal?: number;
}

/**
 * Loads, cleans and chunks one corpus file (`path` relative to the corpus, `absolutePath` on
 * disk), and with `measure` sums its passages' BM25 lengths (one more tokenisation of each).
 * Plain data in and out: it runs the same in a worker thread (prepare-pool.ts). Throws with a
 * message a person can act on when the file has no text or its loader fails. `context`: OCR for
 * page images, and its page counter.
 */
export async function readDocument(
  path: string,
  absolutePath: string,
  bytes: Uint8Array,
  measure = false,
  context: LoadContext = {},
): Promise<ReadDocument> {
  const loaded = await loadDocument(
    absolutePath,
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    context,
  );
  const meta = cleanDocument(loaded, titleFromPath(path));
  const { chunks, body } = chunkDocument(meta, path);
  if (chunks.length === 0) throw new Error("no text found");
  const document = {
    path,
    title: meta.title,
    url: meta.url,
    publisher: meta.publisher,
    author: meta.author,
    published: meta.published,
    ...(meta.scanned ? { scanned: true } : {}),
    ...(meta.effective ? { effective: meta.effective } : {}),
    ...(meta.supersedes ? { supersedes: meta.supersedes } : {}),
    body,
    chunks,
  };
  if (!measure) return { document };
  let lengthTotal = 0;
  for (const chunk of chunks) {
    lengthTotal += Math.max(0, 2 * syllables(searchableText(chunk, meta.title)).length - 1);
  }
  return { document, lengthTotal };
}

export function titleFromPath(path: string): string {
  const name = path.split("/").at(-1) ?? path;
  return name.slice(0, name.length - extname(name).length).replace(/[-_]+/g, " ");
}
