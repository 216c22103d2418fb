import { errorMessage } from "../src/error-message.ts";
import { type BatchRows, type DocumentInput, prepareRows } from "../src/store/corpus-store.ts";
import type { LoadContext } from "./loaders/index.ts";
import { readDocument } from "./read-document.ts";

/** A corpus file to read and write: its bytes, already hashed by the caller. */
export interface FileToPrepare {
  /** relative to the corpus folder */
  path: string;
  absolutePath: string;
  bytes: Uint8Array;
  contentHash: string;
}

/** A batch of files read and prepared: the rows to write, and what became of each file. */
export interface PreparedFiles {
  /** absent when no file of the batch could be read */
  rows?: BatchRows;
  /** the files read, in order, with their passage counts */
  documents: { path: string; chunks: number }[];
  /** the files that could not be read, with the reason */
  failed: { path: string; error: string }[];
}

/**
 * Reads, cleans and chunks a batch of files and prepares their rows (prepareRows) in one go: in a
 * worker thread, the documents never travel to the main thread and back, and nothing of a large
 * load stays in memory once its batch is written. A file that cannot be read is reported by name
 * and the rest of its batch prepared.
 */
export async function prepareFiles(
  files: FileToPrepare[],
  avgdl: number | undefined,
  contextFor: (path: string) => LoadContext = () => ({}),
): Promise<PreparedFiles> {
  const inputs: DocumentInput[] = [];
  const failed: PreparedFiles["failed"] = [];
  for (const file of files) {
    try {
      const { document } = await readDocument(
        file.path,
        file.absolutePath,
        file.bytes,
        false,
        contextFor(file.path),
      );
      inputs.push({ ...document, contentHash: file.contentHash });
    } catch (error) {
      failed.push({ path: file.path, error: errorMessage(error) });
    }
  }
  return {
    rows: inputs.length > 0 ? await prepareRows(inputs, avgdl) : undefined,
    documents: inputs.map((d) => ({ path: d.path, chunks: d.chunks.length })),
    failed,
  };
}
